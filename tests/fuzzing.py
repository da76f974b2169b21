"""
Shared settings and generators for the property-based fuzz tests of every parser.

The test suite runs a short campaign (`PATCHVET_FUZZ_EXAMPLES`, 60 examples a property by
default); `scripts/fuzz` runs the same properties with thousands. Generators mix the pieces real
inputs are made of (diff and mail lines, trailers, JSON shapes) with arbitrary text, so the
parsers meet both near-valid input and noise.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("PATCHVET_FUZZ_EXAMPLES", "60"))

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # time is asserted per example where it matters, generously
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize="PATCHVET_FUZZ_SEED" not in os.environ,
)

HUGE = "9" * 5000
NOISE = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Z", "Cc")), max_size=30
)

DIFF_LINES = st.sampled_from(
    [
        "diff --git a/x.py b/x.py", "diff --git a/package.json b/package.json",
        'diff --git "a/t\\303\\251st" "b/t\\303\\251st"', "diff --git", "--- a/x.py",
        "+++ b/x.py", "--- /dev/null", "+++ /dev/null", "--- ", "+++ ",
        "@@ -1,2 +1,3 @@", "@@ -0,0 +1 @@", "@@ -1 +1 @@", "@@@ -1,1 -1,1 +1,2 @@@",
        f"@@ -1,{HUGE} +1 @@", f"@@ -1 +{HUGE},1 @@", "@@ -1,-2 +1 @@", "@@ x @@",
        "+added", "-removed", " context", "+\x00", "+\u202e", "+" + "a" * 300,
        "\\ No newline at end of file", "new file mode 100644", "new file mode 99x",
        "deleted file mode 100644", "old mode 100644", "new mode 100755", "rename from x",
        "rename to y", "copy from x", "copy to y", "similarity index 90%", "GIT binary patch",
        "literal 5", f"literal {HUGE}", "delta 3", "Binary files a/x and b/x differ",
        "Binary files  and  differ", "index 0000000..1111111 100644", "Index: x.c", "=" * 20,
        "", " ", "-- ", "2.45.0",
    ]
)  # fmt: skip

MAIL_HEADERS = st.sampled_from(
    [
        "From: Jane Doe <jane@example.org>", "From: <<<@@@>>>", "From:",
        "From: =?utf-8?q?J=C3=A9?= <j@x.org>",
        "Subject: [PATCH] fix", "Subject: [PATCH v2 3/7] net: fix", "Subject: [PATCH 0/2] series",
        f"Subject: [PATCH {HUGE}/{HUGE}] x", "Subject: =?utf-8?b?!!!?=", "Subject: " + "[1 " * 50,
        "Date: Thu, 1 Jan 2026 00:00:00 +0000", "Date: 99 Foo 99999", "Date:",
        "Message-ID: <a@b>", "Message-ID:", "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8", "Content-Type: text/plain; charset=nope",
        'Content-Type: multipart/mixed; boundary="b"', "Content-Type: multipart/mixed",
        "Content-Transfer-Encoding: base64", "Content-Transfer-Encoding: quoted-printable",
        "Content-Transfer-Encoding: 8bit", " folded continuation", "\tfolded", "no colon here",
        "--b", "--b--",
    ]
)  # fmt: skip

BODY_LINES = st.sampled_from(
    [
        "A change.", "", "---", "Signed-off-by: Jane Doe <jane@example.org>",
        "Co-authored-by: Claude <noreply@anthropic.com>", "Assisted-by: LLM", "Fixes: #12",
        f"Fixes #{HUGE}", "From: Other <o@x.org>", "Subject: in-body", "Date: x", " indented",
        "Generated with [Claude Code](https://claude.ai/code)", "AI use: n/a", ">From x",
        "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001",
    ]
)  # fmt: skip


def lines_of(pieces: st.SearchStrategy[str], size: int = 30) -> st.SearchStrategy[list[str]]:
    """Lists of lines drawn mostly from `pieces`, some arbitrary."""
    return st.lists(st.one_of(pieces, pieces, pieces, NOISE), max_size=size)


@st.composite
def mails(draw: st.DrawFn) -> bytes:
    """Mail-shaped bytes: headers, a blank line, a body, a diff, then damage."""
    headers = draw(lines_of(MAIL_HEADERS, 8))
    body = draw(lines_of(BODY_LINES, 10))
    diff = draw(lines_of(DIFF_LINES, 30))
    text = "\n".join([*headers, "", *body, *diff]) + draw(st.sampled_from(["", "\n", "\r\n"]))
    data = text.encode("utf-8", "surrogatepass")
    damage = draw(st.sampled_from(["none", "crlf", "nul", "cut", "bytes"]))
    if damage == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif damage == "nul" and data:
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + b"\x00" + data[at:]
    elif damage == "cut" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif damage == "bytes":
        data += draw(st.binary(max_size=40))
    return data
