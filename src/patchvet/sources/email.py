"""
One emailed patch (`git format-patch` output, a `.eml`, or a bare diff) into its parts.

Decoding follows the mail standards (RFC 2047 headers, quoted-printable and base64 bodies,
declared charsets, MIME attachments), then git am's conventions: in-body `From:`/`Subject:`
headers override the envelope, and the commit message ends at the `---` line.
"""

from __future__ import annotations

import hashlib
import quopri
import re
from dataclasses import dataclass
from email.utils import formataddr, getaddresses
from typing import TYPE_CHECKING

from patchvet.records import Commit, FileChange, Identity, Mail, Trailer
from patchvet.sources._diff import DiffError, parse_diff
from patchvet.sources._headers import Headers, split_header_block
from patchvet.sources._message import (
    identity_from_address,
    parse_trailers,
    series_position,
    strip_subject_tags,
)
from patchvet.sources.attest import attestation

if TYPE_CHECKING:
    from email.message import Message

_DIFF_START = re.compile(r"^(diff --git |Index: |--- (a/|/dev/null|\S+\t)|GIT binary patch)")
_IN_BODY_HEADER = re.compile(r"^(From|Subject|Date): (.*)$")
_DIFFSTAT = re.compile(
    r"^ (?:\S.*\|\s+(?:\d+ ?[+-]*|Bin .*)|\d+ files? changed.*|(?:create|delete|rename|mode change)"
    r" .*)$"
)
# Trailer keys people put below `---` by mistake; version notes ("v2: …") are not among them.
_NOTE_TRAILER = re.compile(
    r"^(?P<key>[A-Za-z0-9-]+-by|AI-used-for|Fixes|Link|Closes)[ \t]*:[ \t]*(?P<value>\S.*)$",
    re.IGNORECASE,
)
_MESSAGE_IDS = re.compile(r"<([^<>\s]{1,250})>")
_PATCH_PARTS = ("text/plain", "text/x-patch", "text/x-diff", "application/x-patch")
_ZERO_SHA = "0" * 40
_REPLY = re.compile(r"^\s*(?:re|aw|sv|vs|antw)\s*:", re.IGNORECASE)
# A Content-Type the fast path reads itself: one text type, at most a plain charset parameter.
_PLAIN_CONTENT_TYPE = re.compile(
    r"\Atext/[A-Za-z0-9.+-]+(?:;[ \t]*charset=(\"?)(?P<charset>[A-Za-z0-9_.:+-]+)\1)?[ \t]*\Z",
    re.IGNORECASE,
)
# Transfer encodings the stdlib decodes with rules of its own (malformed base64, uuencode).
_ENCODINGS_LEFT_TO_STDLIB = ("base64", "x-uuencode", "uuencode", "uue", "x-uue")


class MessageError(ValueError):
    """The message holds no patch we can read; the text is the skip reason."""

    def __init__(self, reason: str, reply: bool = False) -> None:
        super().__init__(reason)
        self.reply = reply
        """A reply (`Re: …`) without a diff: ordinary in a mailbox, not a broken patch."""


@dataclass(frozen=True)
class ParsedMessage:
    """What one mail message says, before it is placed in a series."""

    subject: str
    """The full subject, tags included (`[PATCH v2 1/3] …`)."""
    commit: Commit
    files: tuple[FileChange, ...]
    message_id: str | None
    series: tuple[int, int, int] | None
    """(index, total, version) from the subject tag."""
    body: str
    """The text before the diff: commit message, or the cover letter's prose."""
    notes: str = ""
    """The author's notes to reviewers between `---` and the diff, without the diffstat."""
    mail: Mail | None = None

    @property
    def is_cover_letter(self) -> bool:
        """Patch 0 of a series: prose for the whole series, no diff."""
        return self.series is not None and self.series[0] == 0

    @property
    def identifier(self) -> str:
        """A stable id: the commit sha when git wrote one, else Message-ID, else a digest."""
        if self.commit.sha:
            return self.commit.sha
        if self.message_id:
            return self.message_id
        digest = hashlib.sha256((self.subject + self.body).encode("utf-8", "replace"))
        return digest.hexdigest()[:16]


def _decode_part(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def _body_text(message: Message) -> str:
    if not message.is_multipart():
        return _decode_part(message)
    texts = [
        _decode_part(part)
        for part in message.walk()
        if not part.is_multipart() and part.get_content_type() in _PATCH_PARTS
    ]
    return "\n".join(texts)


def _plain_body(headers: Headers, body: bytes) -> str | None:
    """
    The text of a single-part body as `_body_text` gives it, when its Content-Type and
    Content-Transfer-Encoding are plain (what `git format-patch` writes); else None.
    """
    content_type = headers.raw("Content-Type")
    charset = "utf-8"
    if content_type is not None:
        match = _PLAIN_CONTENT_TYPE.fullmatch(content_type)
        if match is None:
            return None
        charset = (match["charset"] or "utf-8").lower()
    encoding = headers.raw("Content-Transfer-Encoding")
    encoding = "" if encoding is None else encoding.lower()
    if not encoding.isascii() or encoding in _ENCODINGS_LEFT_TO_STDLIB:
        return None
    if encoding == "quoted-printable":
        body = quopri.decodestring(body)
    try:
        return body.decode(charset, "replace")
    except LookupError:
        return body.decode("utf-8", "replace")


def _split_in_body_headers(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """git am lets the first body lines override From/Subject/Date, ended by a blank line."""
    headers: dict[str, str] = {}
    index = 0
    while index < len(lines) and (match := _IN_BODY_HEADER.match(lines[index])):
        headers[match.group(1)] = match.group(2).strip()
        index += 1
    if headers and (index == len(lines) or lines[index].strip() == ""):
        return headers, lines[index + 1 :]
    return {}, lines


def _split_message_and_diff(lines: list[str]) -> tuple[list[str], list[str]]:
    for index, line in enumerate(lines):
        if line.rstrip() == "---" or _DIFF_START.match(line):
            return lines[:index], lines[index:]
    return lines, []


def _notes(diff_lines: list[str]) -> str:
    """
    What the author wrote for reviewers between `---` and the diff (git am drops it): version
    changelogs, context, sometimes an AI-use statement. The diffstat is left out.
    """
    if not diff_lines or diff_lines[0].rstrip() != "---":
        return ""
    notes = []
    for line in diff_lines[1:]:
        if _DIFF_START.match(line):
            break
        if not _DIFFSTAT.match(line):
            notes.append(line)
    return "\n".join(notes).strip("\n")


def _dropped_trailers(diff_lines: list[str]) -> tuple[Trailer, ...]:
    """Trailers between the `---` line and the diff: notes that `git am` leaves out."""
    if not diff_lines or diff_lines[0].rstrip() != "---":
        return ()
    found: list[Trailer] = []
    for line in diff_lines[1:]:
        if _DIFF_START.match(line):
            break
        match = _NOTE_TRAILER.match(line.strip())
        if match:
            key, value = match["key"], match["value"].strip()
            found.append(Trailer(key, value, f"{key}: {value}"))
    return tuple(found)


def _read(raw: bytes, stdlib_only: bool) -> tuple[Headers, str]:
    """
    The headers and the body text of a message. A plain one (what `git format-patch` writes)
    is split here, several times faster than by the stdlib parser; anything else (MIME parts,
    base64, folded oddities, CRs) is read by the stdlib parser, which also serves as the
    reference that tests hold the fast path to.
    """
    split = None if stdlib_only else split_header_block(raw)
    if split is not None:
        headers = Headers(split[0])
        if not (headers.get("From") or headers.get("Subject")):
            return headers, raw.decode("utf-8", "replace")
        text = _plain_body(headers, split[1])
        if text is not None:
            return headers, text
    # Imported here: the stdlib parser (and its header registry) is a tenth of a one-patch
    # check's start-up, and a plain message never needs it.
    from email import policy
    from email.parser import BytesParser

    message = BytesParser(policy=policy.compat32).parsebytes(raw)
    headers = Headers(message.raw_items())
    if not (headers.get("From") or headers.get("Subject")):
        return headers, raw.decode("utf-8", "replace")
    return headers, _body_text(message)


def parse_message(
    raw: bytes, envelope_sha: str | None = None, *, stdlib_only: bool = False
) -> ParsedMessage:
    """
    Parse one message; raise `MessageError` when it holds neither a patch nor a cover letter.

    `envelope_sha` is the commit id from git format-patch's `From <sha> Mon Sep 17 …` line.
    `stdlib_only` reads every message with the stdlib parser, the fast path's reference.
    """
    headers, text = _read(raw, stdlib_only)
    if "\x00" in text:
        raise MessageError("binary data, not a patch")
    lines = text.replace("\r\n", "\n").split("\n")
    in_body, lines = _split_in_body_headers(lines)
    subject = in_body.get("Subject") or headers.get("Subject")
    author_field = in_body.get("From") or headers.get("From")
    message_lines, diff_lines = _split_message_and_diff(lines)
    try:
        files = tuple(parse_diff(diff_lines)) if diff_lines else ()
    except DiffError as error:
        raise MessageError(f"corrupt diff: {error}") from None
    series = series_position(subject)
    if not files and not (series and series[0] == 0):
        raise MessageError(
            "no diff found (not a patch, or a reply without one)",
            reply=bool(_REPLY.match(subject)),
        )
    body = "\n".join(message_lines).strip("\n")
    title = strip_subject_tags(subject) or (files[0].path if files else "")
    full_message = f"{title}\n\n{body}" if body else title
    sha = envelope_sha if envelope_sha and envelope_sha != _ZERO_SHA else None
    author = identity_from_address(author_field) if author_field else Identity()
    commit = Commit(
        sha=sha,
        author=author,
        committer=None,
        subject=title,
        message=full_message,
        trailers=parse_trailers(full_message),
        date=in_body.get("Date") or headers.get("Date") or None,
        dropped_trailers=_dropped_trailers(diff_lines),
    )
    message_id = headers.get("Message-ID").strip("<> ") or None
    sender_field = headers.get("From")
    sender = identity_from_address(sender_field) if sender_field else author
    mail = Mail(
        message_id=message_id,
        subject=subject,
        sender=sender,
        in_reply_to=headers.get("In-Reply-To").strip("<> ") or None,
        references=tuple(_MESSAGE_IDS.findall(headers.get("References")))[-50:],
        to=_addresses(headers, "To"),
        cc=_addresses(headers, "Cc"),
        date=commit.date,
        attestation=attestation(raw, author, sender),
    )
    return ParsedMessage(subject, commit, files, message_id, series, body, _notes(diff_lines), mail)


def _addresses(headers: Headers, name: str) -> tuple[str, ...]:
    """The addresses of a To/Cc header as `Name <addr>` strings (at most 100)."""
    if not headers.get(name):
        return ()
    return tuple(
        formataddr((display, address))
        for display, address in getaddresses([headers.get(name)])[:100]
        if address
    )
