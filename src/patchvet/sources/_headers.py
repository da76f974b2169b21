"""
Mail headers as plain strings, decoded the way `email.policy.default` presents them.

The default policy builds a header-registry object (a full RFC 5322 parse) on every access,
which cost more than the rest of reading a patch. A patch needs four headers as text, so they
are read raw and decoded here: RFC 2047 encoded words, raw UTF-8 bytes, the display name of an
address, a date in its canonical form.

The raw headers come from `split_header_block` when the message's header block is plain
(what `git format-patch` writes), else from the stdlib's `compat32` parser; both give the same
names and values. Likewise a lone `Name <addr>` or `addr` is read by one regular expression
and anything else by `email.utils.getaddresses`, which read those two forms alike.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from email.header import decode_header, make_header
from email.utils import format_datetime, getaddresses, parsedate_to_datetime

# Header-block bytes the fast split accepts: printable ASCII, tab, newline, and 8-bit bytes
# (read as the stdlib reads them). Any other control byte, `\r` above all, ends lines
# differently for the stdlib parser, so such a block goes to it.
_PLAIN_HEADER_BYTES = bytes(range(0x20, 0x7F)) + b"\t\n" + bytes(range(0x80, 0x100))

# One address in the forms `getaddresses` reads without any of its special cases: a display
# name, then `<addr>`; or the bare address. The name is atoms (dots allowed, as in `J. Doe`)
# joined by single spaces, or one quoted string without escapes (git quotes `"J. Doe"`). Atoms
# hold no RFC 5322 specials, no whitespace, no backslash; the address is dot-separated ASCII
# atoms on both sides of one `@`.
_ATOM = r"[^\s()<>@,:;\"\[\]\\]+"
_ADDR = (
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
)
# `\A`: it is only ever matched whole, and anchored it costs one linear attempt wherever it
# is searched (tests/test_linear.py searches every pattern).
_PLAIN_ADDRESS = re.compile(
    rf"\A(?:(?:(?P<name>{_ATOM}(?: {_ATOM})*)|\"(?P<quoted>[^\"\\\r\n]*)\") <(?P<angle>{_ADDR})>"
    rf"|(?P<bare>{_ADDR}))\Z"
)


def plain_address(value: str) -> tuple[str, str] | None:
    """(display name, address) of a lone plain address, as `getaddresses` reads it; else None."""
    match = _PLAIN_ADDRESS.fullmatch(value)
    if match is None:
        return None
    if match["bare"] is not None:
        return "", match["bare"]
    name = match["name"]
    return match["quoted"] if name is None else name, match["angle"]


def split_header_block(raw: bytes) -> tuple[list[tuple[str, str]], bytes] | None:
    """
    The header fields (name, raw value) and the body of a message whose header block is plain,
    exactly as the stdlib's `compat32` parser gives them; None for any other block.

    Plain: every line a `Name: value` field (a name of visible ASCII) or the folded
    continuation of one, and the block ended by an empty line. The stdlib parser reads such a
    block the same way; for anything else (no blank line, a `From ` line, a stray line, `\r`)
    it applies rules of its own, so the caller asks it instead.
    """
    end = raw.find(b"\n\n")
    if end <= 0 or raw.startswith((b"From ", b" ", b"\t", b"\n")):
        return None
    block = raw[: end + 1]
    if block.translate(None, _PLAIN_HEADER_BYTES):
        return None
    fields: list[tuple[str, str]] = []
    # The stdlib decodes the bytes as ASCII with surrogate escapes; so does this.
    lines = block.decode("ascii", "surrogateescape").split("\n")
    lines.pop()  # the empty string after the block's last newline
    name = ""
    value: list[str] = []
    for line in lines:
        if line[0] in " \t":
            value.append(line)
            continue
        if name:
            fields.append((name, _joined(value)))
        colon = line.find(":")
        name = line[:colon]
        if colon <= 0 or not name.isascii() or " " in name or "\t" in name:
            return None
        value = [line[colon + 1 :].lstrip(" \t")]
    fields.append((name, _joined(value)))
    return fields, raw[end + 2 :]


def _joined(lines: list[str]) -> str:
    """A folded field's value as `compat32` keeps it: lines joined by newlines, not unfolded."""
    return "\n".join(lines).rstrip("\r\n")


def _text(raw: str) -> str:
    """A raw header value as text: 8-bit bytes read as UTF-8, encoded words decoded."""
    if not raw.isascii():
        # compat32 keeps undecodable bytes as surrogates; the default policy reads them as UTF-8.
        raw = raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if "=?" in raw:
        # A malformed encoded word stays as written, as the default policy leaves it.
        with contextlib.suppress(ValueError, LookupError, UnicodeError):
            raw = str(make_header(decode_header(raw)))
    return " ".join(raw.split())


def _address(name: str, email: str) -> str:
    name = _text(name)
    if not name:
        return email
    if any(char in name for char in '()<>@,;:\\".[]'):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{email}>"


def _addresses(raw: str) -> str:
    """`=?UTF-8?q?J=C3=B6rg?= <j@x.org>, b@x.org` -> `Jörg <j@x.org>, b@x.org`.

    Each display name is decoded on its own and quoted when it needs it, so a decoded comma
    cannot split an address in two.
    """
    if not raw.isascii():
        raw = raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    plain = plain_address(raw)
    if plain is not None:
        return _address(*plain)
    pairs = [(name, email) for name, email in getaddresses([raw]) if email]
    if not pairs:
        return _text(raw)
    return ", ".join(_address(name, email) for name, email in pairs)


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The form `format_datetime` writes (and git format-patch): every field zero-padded, a numeric
# zone of whole minutes. Left to the stdlib: `-0000` ("zone unknown", a naive time) and years
# before 1000 (it reads `0099` as a two-digit year, 1999).
_CANONICAL_DATE = re.compile(
    rf"\A(?P<weekday>{'|'.join(_WEEKDAYS)}), (?P<day>[0-9]{{2}}) (?P<month>{'|'.join(_MONTHS)})"
    r" (?P<year>[1-9][0-9]{3}) (?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})"
    r" (?P<sign>[+-])(?P<zone_hours>[01][0-9]|2[0-3])(?P<zone_minutes>[0-5][0-9])\Z"
)


def _canonical_datetime(value: str) -> tuple[datetime, bool] | None:
    """
    The time a canonical Date value names, and whether its weekday is right (then the value
    is already what `format_datetime` writes); None for any other value or an impossible date.
    """
    match = _CANONICAL_DATE.fullmatch(value)
    if match is None or match["sign"] + match["zone_hours"] + match["zone_minutes"] == "-0000":
        return None
    sign = -1 if match["sign"] == "-" else 1
    offset = sign * (int(match["zone_hours"]) * 3600 + int(match["zone_minutes"]) * 60)
    try:
        moment = datetime(
            int(match["year"]),
            _MONTHS.index(match["month"]) + 1,
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"]),
            tzinfo=timezone(timedelta(seconds=offset)),
        )
    except ValueError:
        return None
    return moment, _WEEKDAYS[moment.weekday()] == match["weekday"]


def mail_datetime(value: str) -> datetime:
    """`email.utils.parsedate_to_datetime`, read directly when the value is canonical."""
    canonical = _canonical_datetime(value)
    return canonical[0] if canonical is not None else parsedate_to_datetime(value)


def _date(raw: str) -> str:
    value = _text(raw)
    canonical = _canonical_datetime(value)
    if canonical is not None and canonical[1]:
        return value
    try:
        return format_datetime(mail_datetime(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return value


_DECODERS = {"from": _addresses, "to": _addresses, "cc": _addresses, "date": _date}


class Headers:
    """The first value of each header of a message, decoded on first use."""

    def __init__(self, fields: Iterable[tuple[str, object]]) -> None:
        """`fields`: (name, raw value) in message order, as `Message.raw_items()` gives them."""
        self._raw: dict[str, str] = {}
        for name, value in fields:
            self._raw.setdefault(name.lower(), value if isinstance(value, str) else str(value))
        self._decoded: dict[str, str] = {}

    def raw(self, name: str) -> str | None:
        """The header's first value as written (unfolded no further), or None when absent."""
        return self._raw.get(name.lower())

    def get(self, name: str) -> str:
        """The header's text with whitespace collapsed, or "" when it is absent."""
        key = name.lower()
        if key not in self._decoded:
            raw = self._raw.get(key)
            try:
                text = "" if raw is None else _DECODERS.get(key, _text)(raw)
            except Exception:  # noqa: BLE001 - a hostile header must not stop the run
                text = ""
            self._decoded[key] = " ".join(text.split())
        return self._decoded[key]
