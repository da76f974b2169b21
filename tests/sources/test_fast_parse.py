"""
The fast paths of reading a mailed patch give exactly what the stdlib paths give.

A plain message is split by `split_header_block`, a plain address read by one regular
expression, a leading series tag matched by `re`; everything else goes to the stdlib parser,
`getaddresses` and RE2. Each fast path is held here to its reference on every stored patch, on
hostile and generated mail, and on the edge cases of each rule the fast path relies on.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from email import policy
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, parseaddr, parsedate_to_datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patchvet.sources._headers import Headers, mail_datetime, plain_address, split_header_block
from patchvet.sources._message import _SERIES_TAG, _leading_series_tag, series_position
from patchvet.sources.email import MessageError, ParsedMessage, parse_message
from patchvet.sources.mbox import split_messages
from tests import hostile
from tests.fuzzing import FUZZ, NOISE, mails

ASSETS = Path(__file__).resolve().parents[1] / "assets"
AUTHOR = "Jane Doe <jane@example.org>"


def _parsed(raw: bytes, stdlib_only: bool) -> ParsedMessage | str:
    try:
        return parse_message(raw, None, stdlib_only=stdlib_only)
    except MessageError as error:
        return f"MessageError({error}, reply={error.reply})"


def _assert_same_reading(raw: bytes) -> None:
    assert _parsed(raw, stdlib_only=False) == _parsed(raw, stdlib_only=True)


def _messages(data: bytes) -> list[bytes]:
    return [m.data for m in split_messages(io.BytesIO(data), 1 << 26) if m.data is not None]


def _asset_messages() -> list[tuple[str, bytes]]:
    found = []
    for path in sorted(ASSETS.rglob("*")):
        if path.suffix in (".patch", ".mbox", ".eml"):
            for index, raw in enumerate(_messages(path.read_bytes())):
                found.append((f"{path.relative_to(ASSETS)}#{index}", raw))
    return found


ASSET_MESSAGES = _asset_messages()


def test_the_stored_patches_take_the_fast_path() -> None:
    # Otherwise the equality below would compare the stdlib with itself.
    assert len(ASSET_MESSAGES) >= 12
    assert all(split_header_block(raw) is not None for _, raw in ASSET_MESSAGES)


@pytest.mark.parametrize(("name", "raw"), ASSET_MESSAGES, ids=[n for n, _ in ASSET_MESSAGES])
def test_every_stored_patch_reads_as_the_stdlib_reads_it(name: str, raw: bytes) -> None:
    _assert_same_reading(raw)


HOSTILE = [h for h in hostile.all_hostile() if h.filename.endswith(".patch")]


@pytest.mark.parametrize("case", HOSTILE, ids=[h.name for h in HOSTILE])
def test_every_hostile_patch_reads_as_the_stdlib_reads_it(case: hostile.Hostile) -> None:
    for raw in _messages(case.data) or [case.data]:
        _assert_same_reading(raw)


def _mail(headers: str, body: bytes | None = None) -> bytes:
    text = hostile.mail(headers=headers).encode("utf-8", "surrogateescape")
    text = text.split(b"\n", 1)[1]  # the envelope line, as the mbox reader removes it
    if body is None:
        return text
    return text.split(b"\n\n", 1)[0] + b"\n\n" + body


DIFF = hostile.added("a.c", ["int a;", "int b;"]).encode()
BASE = f"From: {AUTHOR}\nDate: Thu, 1 Jan 2026 00:00:00 +0000\nSubject: [PATCH] x\n"
EDGES = {
    "plain": _mail(BASE),
    "crlf": _mail(BASE).replace(b"\n", b"\r\n"),
    "crlf-body-only": _mail(BASE).replace(b"\n", b"\r\n").replace(b"\r\n", b"\n", 3),
    "cr-in-header": _mail(BASE.replace("Subject: [PATCH] x", "Subject: [PATCH] x\ry")),
    "form-feed-in-header": _mail(BASE.replace("[PATCH] x", "[PATCH] x\x0cy")),
    "vertical-tab-in-header": _mail(BASE.replace("[PATCH] x", "[PATCH] x\x0by")),
    "nul-in-header": _mail(BASE.replace("[PATCH] x", "[PATCH] x\x00y")),
    "folded-subject": _mail(BASE.replace("[PATCH] x", "[PATCH] a long\n  subject\n\tfolded")),
    "folded-empty-first-line": _mail(BASE.replace("Subject: [PATCH] x", "Subject:  \n [PATCH] x")),
    "folded-blank-continuation": _mail(BASE.replace("[PATCH] x", "[PATCH] x\n \n y")),
    "encoded-words": _mail(
        BASE.replace("[PATCH] x", "=?UTF-8?q?=5BPATCH=5D_caf=C3=A9?=").replace(
            "Jane Doe", "=?UTF-8?q?J=C3=B6rg_M=C3=BCller?="
        )
    ),
    "raw-utf8-header": _mail(BASE.replace("Jane Doe", "Jörg Müller")),
    "latin1-header-bytes": _mail(BASE).replace(b"Jane", b"J\xf6rg"),
    "non-utf8-body": _mail(BASE, b"Caf\xe9 \xff\xfe.\n---\n" + DIFF),
    "missing-headers": _mail(""),
    "no-from-no-subject": _mail("Date: Thu, 1 Jan 2026 00:00:00 +0000\nX-Other: 1\n"),
    "header-without-colon": _mail(BASE + "Not a header\n"),
    "header-colon-first": _mail(BASE + ": no name\n"),
    "header-name-with-space": _mail(BASE + "Bad Name: x\n"),
    "from-line-in-headers": _mail(BASE + "From x Mon Sep 17 00:00:00 2001\n"),
    "envelope-kept": b"From 0123 Mon Sep 17 00:00:00 2001\n" + _mail(BASE),
    "first-line-continuation": b" folded\n" + _mail(BASE),
    "starts-with-blank-line": b"\n" + _mail(BASE),
    "no-blank-line": (BASE + "diff --git a/x b/x\n").encode(),
    "bare-diff": DIFF,
    "huge-header": _mail(BASE + "X-Huge: " + "h" * 200_000 + "\n"),
    "many-headers": _mail(BASE + "".join(f"X-H{i}: {i}\n" for i in range(3000))),
    "repeated-headers": _mail(BASE + "Subject: [PATCH 2/9] second\nFrom: Other <o@x.org>\n"),
    "lowercase-names": _mail(BASE.lower()),
    "charset-latin1": _mail(
        BASE + "Content-Type: text/plain; charset=ISO-8859-1\n", b"Caf\xe9\n---\n" + DIFF
    ),
    "charset-quoted": _mail(BASE + 'Content-Type: text/plain; charset="utf-8"\n'),
    "charset-unknown": _mail(BASE + "Content-Type: text/plain; charset=nope\n"),
    "charset-empty": _mail(BASE + "Content-Type: text/plain; charset=\n"),
    "charset-rfc2231": _mail(BASE + "Content-Type: text/plain; charset*=utf-8''utf-8\n"),
    "content-type-two-params": _mail(
        BASE + "Content-Type: text/plain; format=flowed; charset=utf-8\n"
    ),
    "content-type-x-patch": _mail(BASE + "Content-Type: text/x-patch; charset=utf-8\n"),
    "content-type-upper": _mail(BASE + "Content-Type: TEXT/PLAIN; CHARSET=UTF-8\n"),
    "content-type-folded": _mail(BASE + "Content-Type: text/plain;\n charset=utf-8\n"),
    "content-type-no-slash": _mail(BASE + "Content-Type: textplain\n"),
    "content-type-message": _mail(BASE + "Content-Type: message/rfc822\n"),
    "content-type-twice": _mail(
        BASE + "Content-Type: text/plain; charset=latin-1\nContent-Type: multipart/mixed\n",
        b"Caf\xe9\n---\n" + DIFF,
    ),
    "quoted-printable": _mail(
        BASE + "Content-Transfer-Encoding: quoted-printable\n",
        b"Caf=C3=A9 soft=\n break\n---\n" + DIFF.replace(b"int a;", b"int a =3D 1;"),
    ),
    "quoted-printable-upper": _mail(BASE + "Content-Transfer-Encoding: Quoted-Printable\n"),
    "transfer-encoding-spaces": _mail(BASE + "Content-Transfer-Encoding: base64 \n"),
    "transfer-encoding-8bit": _mail(BASE + "Content-Transfer-Encoding: 8bit\n"),
    "transfer-encoding-8bit-bytes": _mail(
        BASE + "Content-Transfer-Encoding: 8bit\n".replace("8bit", "8\xe9it")
    ),
    "base64": _mail(
        BASE + "Content-Transfer-Encoding: base64\n",
        __import__("base64").encodebytes(b"Body.\n---\n" + DIFF),
    ),
    "base64-broken": _mail(BASE + "Content-Transfer-Encoding: base64\n", b"!!!not base64\n"),
    "uuencode": _mail(BASE + "Content-Transfer-Encoding: x-uuencode\n"),
    "multipart": _mail(
        BASE + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n',
        b"--b\nContent-Type: text/plain\n\nBody.\n--b\nContent-Type: text/x-patch\n\n"
        + b"---\n"
        + DIFF
        + b"--b--\n",
    ),
    "from-lines-in-body": _mail(BASE, b"From the start.\n>From quoted\nFrom x\n---\n" + DIFF),
    "in-body-from": _mail(BASE, b"From: Real Author <r@example.org>\n\nBody.\n---\n" + DIFF),
    "quoted-display-name": _mail(BASE.replace("Jane Doe", '"Doe, Jane"')),
    "quoted-name-with-dot": _mail(BASE.replace("Jane Doe", '"Jane Q. Doe"')),
    "address-bare": _mail(BASE.replace(AUTHOR, "jane@example.org")),
    "address-group": _mail(BASE.replace(AUTHOR, "Team: a@x.org, b@x.org;")),
    "address-comment": _mail(BASE.replace(AUTHOR, "jane@example.org (Jane Doe)")),
    "to-and-cc": _mail(BASE + 'To: a@x.org, B <b@x.org>\nCc: "C, D" <c@x.org>\n'),
    "series-tag": _mail(BASE.replace("[PATCH] x", "[PATCH v3 2/7] net: x")),
    "series-tag-late": _mail(BASE.replace("[PATCH] x", "[PATCH] x [1/2]")),
    "series-cover": _mail(BASE.replace("[PATCH] x", "[PATCH 0/2] cover")),
}


@pytest.mark.parametrize("name", sorted(EDGES))
def test_edge_cases_read_as_the_stdlib_reads_them(name: str) -> None:
    _assert_same_reading(EDGES[name])


def test_the_fast_split_declines_what_it_does_not_handle() -> None:
    for name in ("crlf", "cr-in-header", "form-feed-in-header", "header-without-colon"):
        assert split_header_block(EDGES[name]) is None, name
    for name in ("first-line-continuation", "envelope-kept", "no-blank-line", "bare-diff"):
        assert split_header_block(EDGES[name]) is None, name
    fields, body = split_header_block(EDGES["folded-subject"]) or ([], b"")
    assert ("Subject", "[PATCH] a long\n  subject\n\tfolded") in fields
    assert body.startswith(b"A change.")


@FUZZ
@given(mails())
def test_generated_mail_reads_as_the_stdlib_reads_it(data: bytes) -> None:
    for raw in _messages(data) or [data]:
        _assert_same_reading(raw)


ADDRESSES = [
    AUTHOR,
    "jane@example.org",
    "Jane Q. Doe <jane@example.org>",
    '"Jane Q. Doe" <jane@example.org>',
    '"" <jane@example.org>',
    '"Doe, Jane" <jane@example.org>',
    '"Doe \\"J\\"" <jane@example.org>',
    "=?UTF-8?q?J=C3=B6rg?= <j@x.org>",
    "Jörg Müller <jorg@example.org>",
    "O'Brien <ob@example.org>",
    "first.last+tag@sub.example.org",
    "Jane  Doe <jane@example.org>",
    " Jane Doe <jane@example.org>",
    "Jane Doe <jane@example.org> ",
    "Jane Doe<jane@example.org>",
    "Jane Doe <jane@example>",
    "Jane Doe <jane.@example.org>",
    "Jane Doe <jane@@example.org>",
    "Jane Doe <@example.org>",
    "Jane Doe <jane@example.org>, Bob <bob@example.org>",
    "jane@example.org (Jane)",
    "Jane <jane@[127.0.0.1]>",
    "Jane\u00a0Doe <jane@example.org>",
    "Jane\\Doe <jane@example.org>",
    "<jane@example.org>",
    "jane",
    "",
]


def _assert_plain_address_agrees(value: str) -> None:
    plain = plain_address(value)
    if plain is not None:
        assert getaddresses([value]) == [plain]
        assert parseaddr(value) == plain


@pytest.mark.parametrize("value", ADDRESSES)
def test_plain_addresses_read_as_getaddresses_reads_them(value: str) -> None:
    _assert_plain_address_agrees(value)


def test_the_common_address_forms_are_plain() -> None:
    assert plain_address(AUTHOR) == ("Jane Doe", "jane@example.org")
    assert plain_address('"Jane Q. Doe" <j@x.org>') == ("Jane Q. Doe", "j@x.org")
    assert plain_address("j@x.org") == ("", "j@x.org")
    assert plain_address("Jane Doe <jane@example.org>, b@x.org") is None


ADDRESS_PIECES = st.sampled_from(
    ["Jane", "Doe", " ", "  ", ".", '"', "\\", "<", ">", "@", ",", ";", ":", "(", ")", "[", "]",
     "jane@example.org", "<jane@example.org>", "=?UTF-8?q?J=C3=B6rg?=", "ö", "\t", "x.y", "-"]
)  # fmt: skip


@FUZZ
@given(st.lists(st.one_of(ADDRESS_PIECES, NOISE), max_size=8).map("".join))
def test_generated_addresses_read_as_getaddresses_reads_them(value: str) -> None:
    _assert_plain_address_agrees(value)


SUBJECTS = [
    "[PATCH 0042/1334] Bring attention",
    "[PATCH v2 3/7] net: fix",
    "[PATCH V2 3/7] net: fix",
    "[RFC PATCH net-next v10 12/34] x",
    "[PATCH v2  3/7] two spaces",
    "[PATCH 3/7 ] space before bracket",
    "[PATCHv2 1/2] glued",
    "[PATCH_1/2] underscore",
    "[PATCH 1/2][PATCH 2/2] twice",
    "[PATCH] x [1/2] late",
    "[PATCH\t1/2] tab",
    "[PATCH 1/\u0662] arabic digit",
    "[PATCH 1234567890/2] too many digits",
    "[1/2]",
    "[v1 1/2]",
    "[PATCH 1/2",
    "[" + "1 " * 150 + "1/2]",
    "[PATCH é 1/2] non-ascii",
    "no tag 1/2",
]


@pytest.mark.parametrize("subject", SUBJECTS)
def test_a_leading_series_tag_matches_as_re2_matches_it(subject: str) -> None:
    fast = _leading_series_tag(subject)
    reference = _SERIES_TAG.search(subject)
    if fast is not None:
        assert reference is not None
        assert fast.start() == reference.start() == 0
        assert fast.groupdict() == {k: reference.group(k) for k in fast.groupdict()}


def test_the_common_series_tags_take_the_fast_path() -> None:
    for subject in SUBJECTS[:4]:
        assert _leading_series_tag(subject) is not None, subject
    assert series_position(SUBJECTS[0]) == (42, 1334, 1)
    assert series_position(SUBJECTS[1]) == (3, 7, 2)
    assert series_position("[PATCH] x [1/2] late") == (1, 2, 1)
    assert series_position("[PATCH] no series") is None


@FUZZ
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["[", "]", "PATCH", " ", "v", "V2", "1", "/", "12", "\t", "_", "é"]),
            NOISE,
        ),
        max_size=12,
    ).map("".join)
)
def test_generated_subjects_match_as_re2_matches_them(subject: str) -> None:
    fast = _leading_series_tag(subject)
    if fast is not None:
        reference = _SERIES_TAG.search(subject)
        assert reference is not None and reference.start() == 0
        assert fast.groupdict() == {k: reference.group(k) for k in fast.groupdict()}


DATES = [
    "Fri, 19 Apr 2024 19:39:21 -0400",
    "Thu, 01 Jan 2026 00:00:00 +0000",
    "Thu, 01 Jan 2026 00:00:00 -0000",
    "Mon, 01 Jan 2026 00:00:00 +0000",  # a wrong weekday: the stdlib writes the right one
    "Thu, 1 Jan 2026 00:00:00 +0000",
    "Thu, 01 Jan 2026 00:00:60 +0000",
    "Fri, 30 Feb 2024 10:00:00 +0100",
    "Sat, 31 Dec 9999 23:59:59 +2359",
    "Sat, 31 Dec 9999 23:59:59 +2400",
    "Sun, 05 May 2024 12:00:00 +0575",
    "Sun, 05 May 0000 12:00:00 +0000",
    "Fri, 01 Jan 0099 00:00:00 +0000",
    "Sun, 05 May 2024 12:00:00 GMT",
    "Sun, 05 May 24 12:00:00 +0000",
    "5 May 2024 12:00 +0000",
    "not a date",
]


def _stdlib_datetime(value: str) -> datetime | str:
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError) as error:
        return type(error).__name__


def _fast_datetime(value: str) -> datetime | str:
    try:
        return mail_datetime(value)
    except (TypeError, ValueError) as error:
        return type(error).__name__


def _assert_date_agrees(value: str) -> None:
    fast = _fast_datetime(value)
    reference = _stdlib_datetime(value)
    assert fast == reference
    assert repr(fast) == repr(reference)  # the same zone, not just the same instant
    raw = f"Date: {value}\n\n".encode()
    expected = value if isinstance(reference, str) else format_datetime(reference)
    assert Headers(BytesParser(policy=policy.compat32).parsebytes(raw).raw_items()).get(
        "Date"
    ) == " ".join(expected.split())


@pytest.mark.parametrize("value", DATES)
def test_dates_read_as_the_stdlib_reads_them(value: str) -> None:
    _assert_date_agrees(value)


@FUZZ
@given(
    st.datetimes(
        timezones=st.builds(timezone, st.integers(-1439, 1439).map(lambda m: timedelta(minutes=m))),
    )
)
def test_generated_dates_read_as_the_stdlib_reads_them(moment: datetime) -> None:
    _assert_date_agrees(format_datetime(moment.replace(microsecond=0)))
