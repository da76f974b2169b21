"""
Mail headers as plain strings, decoded the way `email.policy.default` presents them.

The default policy builds a header-registry object (a full RFC 5322 parse) on every access,
which cost more than the rest of reading a patch. A patch needs four headers as text, so they
are read raw from a `compat32` message and decoded here: RFC 2047 encoded words, raw UTF-8
bytes, the display name of an address, a date in its canonical form.
"""

from __future__ import annotations

import contextlib
from email.header import decode_header, make_header
from email.message import Message
from email.utils import format_datetime, getaddresses, parsedate_to_datetime


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
    pairs = [(name, email) for name, email in getaddresses([raw]) if email]
    if not pairs:
        return _text(raw)
    return ", ".join(_address(name, email) for name, email in pairs)


def _date(raw: str) -> str:
    value = _text(raw)
    try:
        return format_datetime(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return value


_DECODERS = {"from": _addresses, "to": _addresses, "cc": _addresses, "date": _date}


class Headers:
    """The first value of each header of a message, decoded on first use."""

    def __init__(self, message: Message) -> None:
        self._raw: dict[str, str] = {}
        for name, value in message.raw_items():
            self._raw.setdefault(name.lower(), value if isinstance(value, str) else str(value))
        self._decoded: dict[str, str] = {}

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
