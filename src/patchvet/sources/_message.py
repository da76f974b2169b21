"""Commit-message helpers shared by every source: trailers, subject prefixes, identities."""

from __future__ import annotations

import re
from email.utils import parseaddr

from patchvet.linear import compile_linear
from patchvet.records import Identity, Trailer
from patchvet.sources._headers import plain_address
from patchvet.sources.trailers import stacked_trailers

# Shaped like a trailer, wherever it stands (agent marks are evidence in any position).
_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]):[ \t]*(\S.*)$")
_SUBJECT_TAG = re.compile(r"^\s*(\[[^\]]*\]\s*)+")
# Searched anywhere in a subject, so linear-time: with `re`, a subject of repeated `[1 ` took
# quadratic time (30 KB: 17 s).
_SERIES_TAG = compile_linear(
    r"(?i)\[(?P<tag>[^\]]*?)\b(?:v(?P<version>\d{1,9})\s+)?(?P<index>\d{1,9})/(?P<total>\d{1,9})\s*\]"
)
_VERSION_TAG = re.compile(r"\bv(\d{1,9})\b", re.I)
# Every series tag holds `N/M` with ASCII digits (`\d` is ASCII in RE2): a subject without
# one needs no RE2 search, which costs more than the rest of reading the subject.
_DIGIT_SLASH_DIGIT = re.compile(r"[0-9]/[0-9]")
# `_SERIES_TAG` for a subject that starts with a short tag of printable ASCII, where `re` (in
# ASCII mode) finds what RE2 finds: `\s` can only meet a space there, and a match at the
# start is the leftmost one. Anchored (`\A`) it makes one attempt wherever it is searched, and
# the length bound keeps that attempt's backtracking trivial.
_LEADING_SERIES_TAG = re.compile(
    r"\A\[(?P<tag>[^\]]*?)\b(?:v(?P<version>[0-9]{1,9}) +)?"
    r"(?P<index>[0-9]{1,9})/(?P<total>[0-9]{1,9}) *\]",
    re.IGNORECASE | re.ASCII,
)
_LEADING_TAG_LIMIT = 200


def parse_trailers(message: str) -> tuple[Trailer, ...]:
    """
    The trailers of a commit message as git reads them (see `sources/trailers.py`): the last
    paragraph under git's rules, plus trailer-only paragraphs right above it. A commit is
    already made, so `---` lines inside its message do not end it.
    """
    return stacked_trailers(message, divider=False)


def trailer_lines(message: str) -> list[str]:
    """Every line of a message shaped like a trailer, wherever it stands."""
    # A trailer has a colon: the pattern is tried only on lines that hold one (most do not).
    lines = (line.strip() for line in message.splitlines() if ":" in line)
    return [line for line in lines if _TRAILER.match(line)]


def strip_subject_tags(subject: str) -> str:
    """`[PATCH v2 3/7] net: fix` -> `net: fix`."""
    return _SUBJECT_TAG.sub("", subject).strip()


def series_position(subject: str) -> tuple[int, int, int] | None:
    """(index, total, version) from a `[PATCH v2 3/7]` tag, or None for a lone patch."""
    if _DIGIT_SLASH_DIGIT.search(subject) is None:
        return None
    match = _leading_series_tag(subject) or _SERIES_TAG.search(subject)
    if not match:
        return None
    version = match.group("version")
    if version is None:
        tag_version = _VERSION_TAG.search(match.group("tag") or "")
        version = tag_version.group(1) if tag_version else "1"
    return int(match.group("index")), int(match.group("total")), int(version)


def _leading_series_tag(subject: str) -> re.Match[str] | None:
    """`_SERIES_TAG`'s match when the subject opens with a short plain tag that holds it."""
    close = subject.find("]", 0, _LEADING_TAG_LIMIT)
    if not subject.startswith("[") or close == -1:
        return None
    tag = subject[: close + 1]
    if not (tag.isascii() and tag.isprintable()):
        return None
    return _LEADING_SERIES_TAG.match(tag)


def identity_from_address(address: str) -> Identity:
    """`Jane Doe <jane@example.org>` -> Identity(name, email); tolerant of bare names."""
    name, email = plain_address(address) or parseaddr(address)
    if not email and not name:
        stripped = address.strip()
        return Identity(name=stripped or None)
    if email and "@" not in email and not name:
        return Identity(name=email)
    return Identity(name=name or None, email=email.lower() or None)
