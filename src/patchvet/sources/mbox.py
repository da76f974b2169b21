"""
Patch files, mboxes, directories of them, and standard input, read as a stream.

A file is split into messages on mbox `From ` lines without loading it whole, so a mailing-list
archive of any size passes through in constant memory. A series' cover letter (patch 0/N) is
not a contribution itself: its title and text travel with every patch of the series.
"""

from __future__ import annotations

import operator
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from patchvet.records import Contribution, Series, Skipped, SourceKind
from patchvet.sources._headers import mail_datetime
from patchvet.sources.email import MessageError, ParsedMessage, parse_message
from patchvet.sources.interface import SourceItem

PATCH_SUFFIXES = (".patch", ".eml", ".mbox", ".diff")
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
"""A single message larger than this is skipped: no real patch is that big, garbage can be."""

_MBOX_FROM = re.compile(
    rb"From (\S+) +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    rb" +\d{1,2} \d{2}:\d{2}(:\d{2})? "
)
_ESCAPED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
_BLOCK = 1 << 16
_SHA = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class RawMessage:
    """One message of an mbox, as bytes."""

    data: bytes | None
    """None when the message was too large to keep."""
    envelope: str | None
    size: int


class _Message:
    """One message while its blocks stream past: kept up to the size limit, counted always."""

    def __init__(self, envelope: str | None, limit: int) -> None:
        self.envelope = envelope
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size <= self.limit:
            self.parts.append(data)
        else:
            self.parts = []

    def finish(self) -> RawMessage:
        if self.size > self.limit:
            return RawMessage(None, self.envelope, self.size)
        data = b"".join(self.parts)
        if b">From " in data:
            data = _ESCAPED_FROM.sub(rb"\1", data)
        return RawMessage(data, self.envelope, self.size)


def _from_lines(data: bytes) -> Iterator[int]:
    """Where lines starting `From ` begin (`bytes.find` is far faster than a `^` regex)."""
    if data.startswith(b"From "):
        yield 0
    at = data.find(b"\nFrom ")
    while at != -1:
        yield at + 1
        at = data.find(b"\nFrom ", at + 1)


def split_messages(stream: BinaryIO, limit: int, block: int = _BLOCK) -> Iterator[RawMessage]:
    """
    Yield the messages of an mbox (or the single message of a plain file).

    A `From ` line after a blank line (or first in the stream) starts a message. The stream is
    read in blocks and searched for such lines with `bytes.find`, not line by line.
    """
    current: _Message | None = None
    carry = b""
    previous_blank = True
    while True:
        chunk = stream.read(block)
        data = carry + chunk
        if chunk:
            cut = data.rfind(b"\n") + 1
            data, carry = data[:cut], data[cut:]
        else:
            carry = b""
        start = 0
        for at in _from_lines(data):
            if at:
                line_start = data.rfind(b"\n", 0, at - 1) + 1
                previous_blank = not data[line_start:at].strip()
            match = _MBOX_FROM.match(data, at) if previous_blank else None
            if match is None:
                continue
            if at > start:
                current = current or _Message(None, limit)
                current.add(data[start:at])
            if current is not None:
                yield current.finish()
            line_end = data.find(b"\n", at)
            start = len(data) if line_end == -1 else line_end + 1
            current = _Message(match.group(1).decode("ascii", "replace"), limit)
        if len(data) > start:
            current = current or _Message(None, limit)
            current.add(data[start:])
        if data:
            previous_blank = not data[data.rfind(b"\n", 0, len(data) - 1) + 1 :].strip()
        if not chunk:
            break
    if current is not None:
        yield current.finish()


def _with_last_flag(messages: Iterator[RawMessage]) -> Iterator[tuple[int, RawMessage, bool]]:
    previous: RawMessage | None = None
    ordinal = 0
    for message in messages:
        if previous is not None:
            yield ordinal, previous, False
        ordinal += 1
        previous = message
    if previous is not None:
        yield ordinal, previous, True


def read_stream(
    stream: BinaryIO,
    name: str,
    force_numbering: bool = False,
    max_message_bytes: int = MAX_MESSAGE_BYTES,
    thread: str | None = None,
) -> Iterator[SourceItem]:
    """
    Contributions from one mbox or patch stream; `name` is how the report cites it.

    Messages are numbered `name#n` (1-based) when the stream holds several, or when
    `force_numbering` is set (an `.mbox` file is always numbered). Cover letters are not
    counted, so in a series `#n` is `[PATCH n/m]`. `thread` is the Message-ID a series was
    fetched by from a mail archive.
    """
    cover: ParsedMessage | None = None
    seen_any = False
    covers = 0
    patches = 0
    for ordinal, raw, is_last in _with_last_flag(split_messages(stream, max_message_bytes)):
        seen_any = True
        alone = ordinal == 1 and is_last and not force_numbering
        source = name if alone else f"{name}#{ordinal - covers}"
        if raw.data is None:
            yield Skipped(
                source, f"message of {raw.size} bytes exceeds the {max_message_bytes}-byte limit"
            )
            continue
        if not raw.data.strip():
            if ordinal == 1 and is_last:
                yield Skipped(source, "empty input")
            continue
        envelope = raw.envelope if raw.envelope and _SHA.match(raw.envelope) else None
        try:
            parsed = parse_message(raw.data, envelope)
        except MessageError as error:
            # A reply in a thread is part of a mailbox, not a broken patch; alone it is.
            in_mailbox = not (ordinal == 1 and is_last)
            yield Skipped(source, str(error), error=not (error.reply and in_mailbox))
            continue
        except Exception as error:  # noqa: BLE001 - hostile mail must never crash the run
            yield Skipped(source, f"unreadable message: {type(error).__name__}: {error}")
            continue
        if parsed.is_cover_letter:
            cover = parsed
            covers += 1
            continue
        patches += 1
        yield _contribution(parsed, source, cover, thread)
    if not seen_any:
        yield Skipped(name, "empty input")
    elif cover is not None and not patches:
        # Found by fuzzing: a lone cover letter used to leave no trace in the report.
        yield Skipped(name, "a cover letter (patch 0/N) without any of its patches")


def _contribution(
    parsed: ParsedMessage, source: str, cover: ParsedMessage | None, thread: str | None
) -> Contribution:
    series = None
    if parsed.series is not None:
        index, total, version = parsed.series
        same_series = (
            cover is not None and cover.series is not None and cover.series[1:] == (total, version)
        )
        series = Series(
            index=index,
            total=total,
            version=version,
            cover_title=cover.commit.subject if same_series and cover else None,
            cover_text=cover.body if same_series and cover else None,
            thread=thread,
        )
    return Contribution(
        source=source,
        id=parsed.identifier,
        kind=SourceKind.PATCH,
        title=parsed.commit.subject,
        author=parsed.commit.author,
        commits=(parsed.commit,),
        files=parsed.files,
        description=parsed.notes,
        series=series,
        mail=parsed.mail,
        created_at=_iso_date(parsed.commit.date),
    )


def _iso_date(value: str | None) -> str | None:
    """A mail `Date:` header as ISO 8601, or None when it does not parse."""
    if not value:
        return None
    try:
        return mail_datetime(value).isoformat()
    except (TypeError, ValueError):
        return None


def read_path(path: Path, name: str | None = None) -> Iterator[SourceItem]:
    """Contributions from a file, or from every patch file under a directory, in name order."""
    label = name or str(path)
    try:  # opened first, and asked whether it is a folder only if that fails: one call, not two
        stream = path.open("rb")
    except IsADirectoryError:
        yield from _read_directory(path)
        return
    except OSError as error:
        if path.is_dir():  # some systems refuse a folder with another error
            yield from _read_directory(path)
            return
        yield Skipped(label, f"cannot open: {error.strerror or error}")
        return
    with stream:
        try:
            yield from read_stream(stream, label, force_numbering=path.suffix == ".mbox")
        except OSError as error:
            yield Skipped(label, f"read failed: {error.strerror or error}")


def _read_directory(root: Path) -> Iterator[SourceItem]:
    for entry in patch_files(root):
        if isinstance(entry, Skipped):
            yield entry
        else:
            yield from read_path(entry)


def patch_files(root: Path) -> Iterator[Path | Skipped]:
    """Every patch file under a directory, in name order, depth first (unlistable: Skipped)."""
    try:
        # A listing's entries know their own kind (no `stat` of each file, as `Path` needs).
        with os.scandir(root) as listing:
            entries = sorted(listing, key=operator.attrgetter("name"))
    except OSError as error:
        yield Skipped(str(root), f"cannot list directory: {error.strerror or error}")
        return
    for entry in entries:
        if _is_folder(entry):
            yield from patch_files(root / entry.name)
        elif _suffix(entry.name) in PATCH_SUFFIXES and _is_file(entry):
            yield root / entry.name


def _suffix(name: str) -> str:
    """`Path(name).suffix`, without making a path of every name in a folder."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """A real folder, not a link to one (which could loop); unreadable: not a folder."""
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    """A file, or a link to one; a dangling or unreadable link is none."""
    try:
        return entry.is_file()
    except OSError:
        return False
