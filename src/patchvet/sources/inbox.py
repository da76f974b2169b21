"""
Patch series from a public-inbox archive (lore.kernel.org and its kin), by Message-ID or URL.

public-inbox serves a whole thread as one gzipped mbox at `BASE/<Message-ID>/t.mbox.gz`. From
the thread we keep what `b4 am` would apply: the newest revision of the series, one message per
patch number, with its cover letter; the revision before it (when the thread holds one) is kept
too, so a report can say what changed between them.

b4 itself is not imported: it is GPL-2.0 (patchvet is Apache-2.0) and pulls in libgit2. The
part of it used here — choosing a revision from a thread — is a few lines of subject parsing.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from patchvet.errors import PatchvetError
from patchvet.linear import compile_linear
from patchvet.records import Contribution, Skipped
from patchvet.sources._message import series_position
from patchvet.sources.interface import EarlierRevisions, SourceItem
from patchvet.sources.mbox import read_stream, split_messages

if TYPE_CHECKING:
    import httpx

DEFAULT_INBOX = "https://lore.kernel.org/all"
INBOX_ENV = "PATCHVET_INBOX_URL"
MAX_THREAD_BYTES = 256 * 1024 * 1024
"""A thread larger than this, unpacked, is refused: no review thread is that big."""

# Linear-time: with `re`, `[^<>\s]+@[^<>\s]+?` on a run of `@` took quadratic time.
_MESSAGE_ID = compile_linear(r"^<?([^<>\s]+@[^<>\s]+?)>?$")
_URL_TAIL = frozenset({"", "T", "t", "raw", "t.mbox.gz", "t.atom", "#u"})


@dataclass(frozen=True)
class ThreadMessage:
    """One message of a thread, with what its subject says about its place in a series."""

    raw: bytes
    message_id: str
    subject: str
    index: int
    total: int
    version: int
    date: float


@dataclass(frozen=True)
class Revision:
    """One revision (`v2`) of a series: its cover letter, if any, and its patches in order."""

    version: int
    total: int
    cover: ThreadMessage | None
    patches: tuple[ThreadMessage, ...]
    missing: tuple[int, ...] = field(default=())
    """Patch numbers the subject tags promise but the thread does not hold."""

    def mbox(self) -> bytes:
        """The revision as an mbox, cover letter first, ready for `read_stream`."""
        parts = [self.cover] if self.cover else []
        parts += self.patches
        out = io.BytesIO()
        for message in parts:
            out.write(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n")
            for line in message.raw.splitlines(keepends=True):
                # mboxrd: quote every ">*From " so the split cannot be fooled.
                out.write(b">" + line if re.match(rb"^>*From ", line) else line)
            if not message.raw.endswith(b"\n"):
                out.write(b"\n")
            out.write(b"\n")
        return out.getvalue()


def parse_message_id(text: str) -> str:
    """A bare Message-ID from `<id@host>`, `id@host`, or a public-inbox URL; else an error."""
    found = _MESSAGE_ID.match(text.strip())
    if found:
        return found.group(1)
    raise PatchvetError(
        f"not a Message-ID: {text[:120]!r}",
        hint="give it as id@host or <id@host>, or a public-inbox message URL",
    )


def split_inbox_url(url: str) -> tuple[str, str] | None:
    """`https://lore.kernel.org/qemu-devel/<id>/T/#u` -> (inbox base, Message-ID); else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    segments = parts.path.split("/")
    for position in range(len(segments) - 1, 0, -1):
        candidate = unquote(segments[position])
        if "@" in candidate and all(s in _URL_TAIL for s in segments[position + 1 :]):
            base = f"{parts.scheme}://{parts.netloc}" + "/".join(segments[:position])
            return base.rstrip("/"), parse_message_id(candidate)
    return None


def inbox_base(explicit: str | None) -> str:
    """`--inbox`, else `$PATCHVET_INBOX_URL`, else lore's `all` inbox."""
    base = explicit or os.environ.get(INBOX_ENV) or DEFAULT_INBOX
    if urlsplit(base).scheme not in ("http", "https"):
        raise PatchvetError(
            f"not an http(s) URL: {base[:120]!r}", hint=f"set --inbox or {INBOX_ENV}"
        )
    return base.rstrip("/")


def thread_url(base: str, message_id: str) -> str:
    """Where public-inbox serves the whole thread of `message_id` as a gzipped mbox."""
    return f"{base}/{quote(message_id, safe='@+=.-_~')}/t.mbox.gz"


def _get(url: str, timeout: float, hint: str) -> httpx.Response:
    """One GET to the inbox; a transport failure is a `PatchvetError` with `hint`."""
    import httpx

    try:
        return httpx.get(url, timeout=timeout, follow_redirects=True,
                         headers={"User-Agent": "patchvet"})  # fmt: skip
    except httpx.HTTPError as error:
        raise PatchvetError(f"cannot fetch {url}: {error}", hint=hint) from None


def fetch_thread(base: str, message_id: str, timeout: float = 30.0) -> bytes:
    """The thread's mbox, unpacked; `PatchvetError` with a hint when it cannot be had."""
    url = thread_url(base, message_id)
    response = _get(url, timeout, "check --inbox and the network")
    if response.status_code == 404:
        raise PatchvetError(
            f"{message_id} is not in {base}", hint="check the Message-ID or --inbox"
        )
    if response.status_code != 200:
        raise PatchvetError(f"{url} answered HTTP {response.status_code}")
    return _gunzip(response.content, url)


def _gunzip(data: bytes, url: str) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        return data[:MAX_THREAD_BYTES]  # a server that already unpacked it
    unpacker = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = unpacker.decompress(data, MAX_THREAD_BYTES)
    except zlib.error as error:
        raise PatchvetError(f"{url}: not a readable gzip stream ({error})") from None
    if unpacker.unconsumed_tail:
        raise PatchvetError(f"{url}: the thread unpacks to more than {MAX_THREAD_BYTES} bytes")
    return out


def _thread_messages(mbox: bytes) -> Iterator[ThreadMessage]:
    headers = BytesHeaderParser()
    for raw in split_messages(io.BytesIO(mbox), MAX_THREAD_BYTES):
        if raw.data is None:
            continue
        parsed = headers.parsebytes(raw.data)
        subject = " ".join(str(parsed.get("Subject", "")).split())
        position = series_position(subject)
        if position is None and _is_patch(subject):
            position = (1, 1, _lone_version(subject))
        if position is None or re.match(r"(?i)^(re|aw|sv|fwd?):", subject):
            continue  # a reply, or not a patch at all
        try:
            when = parsedate_to_datetime(str(parsed.get("Date", ""))).timestamp()
        except (TypeError, ValueError, IndexError):
            when = 0.0
        message_id = str(parsed.get("Message-ID", "")).strip().strip("<>")
        yield ThreadMessage(raw.data, message_id, subject, *position, when)


def _lone_version(subject: str) -> int:
    found = re.search(r"(?i)\bv(\d{1,4})\b", subject.split("]", 1)[0])
    return int(found.group(1)) if found else 1


def revisions(mbox: bytes) -> list[Revision]:
    """Every revision of the series in a thread, oldest first."""
    by_version: dict[int, list[ThreadMessage]] = {}
    for message in _thread_messages(mbox):
        by_version.setdefault(message.version, []).append(message)
    found = []
    for version in sorted(by_version):
        messages = by_version[version]
        total = max(m.total for m in messages)
        chosen: dict[int, ThreadMessage] = {}
        for message in sorted(messages, key=lambda m: m.date):
            if message.total == total:
                chosen[message.index] = message  # a resend replaces the earlier copy
        patches = tuple(chosen[i] for i in sorted(chosen) if i > 0)
        if not patches:
            continue
        missing = tuple(i for i in range(1, total + 1) if i not in chosen)
        found.append(Revision(version, total, chosen.get(0), patches, missing))
    return found


@dataclass(frozen=True)
class SeriesFromInbox:
    """What `--msgid` brings: the revision to judge and, when present, the one before it."""

    name: str
    newest: Revision
    previous: Revision | None


def series_from_thread(mbox: bytes, message_id: str) -> SeriesFromInbox:
    """The newest revision in a thread (and the one before), or an error naming the problem."""
    found = revisions(mbox)
    if not found:
        raise PatchvetError(
            f"the thread of {message_id} holds no patches",
            hint="give the Message-ID of a patch or of its cover letter",
        )
    return SeriesFromInbox(message_id, found[-1], found[-2] if len(found) > 1 else None)


def read_revision(revision: Revision, name: str) -> Iterator[SourceItem]:
    """The contributions of one revision, cited as `<msgid> v2 [n/m]` in reports."""
    label = f"{name} v{revision.version}"
    for missing in revision.missing:
        yield Skipped(f"{label} [{missing}/{revision.total}]", "patch missing from the thread")
    yield from read_stream(io.BytesIO(revision.mbox()), label, force_numbering=True, thread=name)


def read_inbox(
    message_id: str, base: str, earlier: EarlierRevisions | None = None
) -> Iterator[SourceItem]:
    """
    Fetch the thread of `message_id` from the inbox at `base` and read its newest revision.

    A thread that cannot be fetched or holds no patch is one skipped input, like an unreadable
    file: the other inputs of the run are still judged. The revision before, when the thread
    holds one, goes to `earlier` instead of the report.
    """
    try:
        found = series_from_thread(fetch_thread(base, message_id), message_id)
    except PatchvetError as error:
        yield Skipped(message_id, error.message)
        return
    if earlier is not None and found.previous is not None:
        earlier.by_thread[message_id] = [
            item for item in read_revision(found.previous, message_id)
            if isinstance(item, Contribution)
        ]  # fmt: skip
    yield from read_revision(found.newest, message_id)


def gzip_mbox(mbox: bytes) -> bytes:
    """`t.mbox.gz` as public-inbox serves it (for tests and local mirrors)."""
    return gzip.compress(mbox, mtime=0)


@dataclass(frozen=True)
class FeedEntry:
    """One message the inbox lists as new."""

    message_id: str
    subject: str


MAX_FEED_BYTES = 16 * 1024 * 1024
_ATOM = "{http://www.w3.org/2005/Atom}"


def new_messages(base: str, timeout: float = 30.0) -> list[FeedEntry]:
    """
    The inbox's newest messages, from its Atom feed (`BASE/new.atom`), newest first; patches
    only (replies and other mail are left out). Errors are `PatchvetError` with a hint.
    """
    from defusedxml import ElementTree

    url = f"{base}/new.atom"
    response = _get(url, timeout, "check --inbox")
    if response.status_code != 200:
        raise PatchvetError(f"{url} answered HTTP {response.status_code}", hint="check --inbox")
    if len(response.content) > MAX_FEED_BYTES:
        raise PatchvetError(f"{url}: the feed is larger than {MAX_FEED_BYTES} bytes")
    try:
        root = ElementTree.fromstring(response.content)
    except Exception as error:  # noqa: BLE001 - defusedxml raises several kinds
        raise PatchvetError(f"{url}: not an Atom feed ({type(error).__name__})") from None
    entries = []
    for entry in root.iter(f"{_ATOM}entry"):
        subject = " ".join((entry.findtext(f"{_ATOM}title") or "").split())
        link = entry.find(f"{_ATOM}link")
        href = link.get("href", "") if link is not None else ""
        where = split_inbox_url(href) if href else None
        if where is None or not _is_patch(subject):
            continue
        entries.append(FeedEntry(where[1], subject))
    return entries


def _is_patch(subject: str) -> bool:
    return bool(re.match(r"(?i)^\[[^\]]*\bPATCH\b", subject))
