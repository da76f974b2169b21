"""Mail headers decoded without the header registry read as `email.policy.default` reads them."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import pytest

from patchvet.sources._headers import Headers

CASES = [
    # RFC 2047 in a subject, an encoded word folded over two lines (no space between the halves).
    b"Subject: =?UTF-8?q?=5BPATCH=5D_doc=3A_caf=C3=A9?=\n",
    b"Subject: [PATCH] plain text,  with   spaces\n",
    b"Subject: =?iso-8859-1?q?na=EFve?= and =?UTF-8?b?w6lsw6g=?= mixed\n",
    # Display names: encoded, quoted with a comma, raw UTF-8 bytes, none at all.
    b"From: =?UTF-8?q?Fr=C3=A9d=C3=A9ric=20Danis?= <frederic@example.org>\n",
    b'From: "Doe, Jane" <jane@example.org>\n',
    "From: Jörg Müller <jorg@example.org>\n".encode(),
    b"From: bare@example.org\n",
    b"From: =?UTF-8?q?A=2C_B?= <ab@example.org>\n",
    # Dates come back in their canonical form, as the default policy gives them.
    b"Date: Mon, 1 Jan 2024 10:00:00 +0100\n",
    b"Date: not a date at all\n",
    b"Message-ID: <20240101.123@example.org>\n",
    b"To: =?UTF-8?q?Doe=2C_Jane?= <jane@example.org>, Bob <bob@example.org>\n",
    b'Cc: "Smith, Ann" <ann@example.org>, plain@example.org\n',
]


def _both(header: bytes, name: str) -> tuple[str, str]:
    raw = header + b"\nbody\n"
    fast = Headers(BytesParser(policy=policy.compat32).parsebytes(raw).raw_items()).get(name)
    registry = BytesParser(policy=policy.default).parsebytes(raw).get(name)
    return fast, " ".join(str(registry).split())


@pytest.mark.parametrize("header", CASES)
def test_headers_read_as_the_default_policy_reads_them(header: bytes) -> None:
    name = header.split(b":", 1)[0].decode()
    fast, registry = _both(header, name)
    assert fast == registry


def test_a_folded_encoded_word_joins_without_a_space() -> None:
    # RFC 2047 6.2: whitespace between adjacent encoded words is not displayed (the registry
    # wrongly keeps it here, splitting a name inside a letter pair).
    header = (
        b"From: =?UTF-8?q?=D0=9C=D0=B8=D1=80=D0=BE=D1=81=D0=BB=D0=B0=D0=B2=20=D0=9D?=\n"
        b" =?UTF-8?q?=D0=B8=D0=BA=D0=BE=D0=BB=D0=B8=D1=9B?= <m@example.org>\n"
    )
    fast, _ = _both(header, "From")
    assert fast == "Мирослав Николић <m@example.org>"


def test_missing_and_hostile_headers_read_as_empty() -> None:
    message = BytesParser(policy=policy.compat32).parsebytes(b"Subject: =?x-unknown?q?abc?=\n\n")
    headers = Headers(message.raw_items())
    assert headers.get("From") == ""
    assert headers.get("subject") == "=?x-unknown?q?abc?="
