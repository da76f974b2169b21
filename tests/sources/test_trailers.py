"""Trailers must read exactly as `git interpret-trailers --parse` reads them."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from patchvet.sources.trailers import parse_trailers, stacked_trailers

# Shapes seen in real kernel-style histories (written here, not copied from them).
SHAPES = {
    "plain": "fix: a bug\n\nSigned-off-by: Jane Doe <jane@example.org>\n",
    "subject only": "fix: a bug\n",
    "no blank line after title": "fix: a bug\nSigned-off-by: Jane <j@e.org>\n",
    "maintainer note inside": (
        "sunxi: add a clock\n\nBody text.\n\nSigned-off-by: Jane Doe <jane@example.org>\n"
        "[Andre: rebase and smaller fixes]\nSigned-off-by: Andre Maint <andre@example.org>\n"
    ),
    "cherry picked": (
        "lib: fix overflow\n\nLonger text.\n\nSigned-off-by: Jane <jane@example.org>\n"
        "(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)\n"
    ),
    "coverity id key with a space": (
        "misc: check a return value\n\nCoverity ID: 1234567\n"
        "Signed-off-by: Jane <jane@example.org>\n"
    ),
    "coverity only, no sign-off": "misc: fix\n\nCoverity ID: 1234567\nFixes: 0123abc\n",
    "reviewed-by paragraph after sign-off": (
        "net: fix\n\nWhy.\n\nSigned-off-by: Jane <jane@example.org>\n\n"
        "Reviewed-by: Rev Iewer <rev@example.org>\n"
    ),
    "continuation lines": (
        "x: y\n\nbody\n\nReported-by: Someone With A Very Long Name\n  <some@example.org>\n"
        "Link: https://example.org/a\n\thttps://example.org/b\n"
        "Signed-off-by: Jane <jane@example.org>\n"
    ),
    "too much prose for a sign-off block": (
        "x: y\n\nbody\n\nThis paragraph is prose.\nIt has three lines.\nAnd a fourth.\n"
        "And a fifth one too.\nSigned-off-by: Jane <jane@example.org>\n"
    ),
    "quarter rule just met": (
        "x: y\n\nbody\n\nprose one\nprose two\nprose three\n"
        "Signed-off-by: Jane <jane@example.org>\n"
    ),
    "prose among plain keys": "x: y\n\nbody\n\nAcked-by: A <a@e.org>\nnot a trailer\n",
    "divider": (
        "x: y\n\nbody\n\nSigned-off-by: Jane <jane@example.org>\n---\n"
        "v2: rebased\n\nSigned-off-by: Late <late@example.org>\n"
    ),
    "divider with text": "x: y\n\nbody\n--- a/file\n\nSigned-off-by: J <j@e.org>\n",
    "dashes inside a word": "x: y\n\nbody\n\n----\nSigned-off-by: J <j@e.org>\n",
    "trailing comments and blanks": (
        "x: y\n\nbody\n\nSigned-off-by: J <j@e.org>\n\n# a comment\n#another\n\n\n"
    ),
    "comment inside the block": (
        "x: y\n\nbody\n\nSigned-off-by: J <j@e.org>\n# note\nAcked-by: A <a@e.org>\n"
    ),
    "old conflicts block": (
        "Merge x\n\nbody\n\nSigned-off-by: J <j@e.org>\n\nConflicts:\n\tfile.c\n\tother.c\n"
    ),
    "url line counts as a key": "x: y\n\nbody\n\nhttps://example.org/issue/1\n",
    "space before colon": "x: y\n\nbody\n\nSigned-off-by : J <j@e.org>\nAcked-by:A\n",
    "empty value": "x: y\n\nbody\n\nCc:\nSigned-off-by: J <j@e.org>\n",
    "indented first line": "x: y\n\nbody\n\n  Signed-off-by: J <j@e.org>\n",
    "whitespace-only closing line": "x: y\n\nbody\n\nSigned-off-by: J <j@e.org>\n   \n",
    "carriage returns": "x: y\r\n\r\nbody\r\n\r\nSigned-off-by: J <j@e.org>\r\n",
    "lowercase sign-off is not git-generated": (
        "x: y\n\nbody\n\nprose\nmore prose\nand more\nsigned-off-by: J <j@e.org>\n"
    ),
    "two trailer paragraphs stacked": (
        "x: y\n\nbody\n\nSigned-off-by: J <j@e.org>\n\nAcked-by: A <a@e.org>\n\n"
        "Reviewed-by: R <r@e.org>\n"
    ),
    "body key line is not a trailer": "x: y\n\nNote: this is prose.\n\nmore prose\n",
    "unicode key": "x: y\n\nbody\n\nSigné-par: J <j@e.org>\n",
    "non-breaking space continuation": "x: y\n\nbody\n\nKey: a\n\u00a0b\n",
    "tab before colon": "x: y\n\nbody\n\nKey\t: value\n",
    "hash title": "#x: y\n\nSigned-off-by: J <j@e.org>\n",
    "leading blank line": "\nSigned-off-by: J <j@e.org>\n",
    "scissors": (
        "x: y\n\nbody\n\nSigned-off-by: J <j@e.org>\n"
        "# ------------------------ >8 ------------------------\nAcked-by: A\n"
    ),
}


def _git_parse(message: str, divider: bool) -> list[str]:
    command = ["git", "interpret-trailers", "--parse"] + ([] if divider else ["--no-divider"])
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(command, input=message.encode(), capture_output=True, env=env, check=True)
    return done.stdout.decode().splitlines()


@pytest.mark.parametrize("divider", [True, False], ids=["divider", "no-divider"])
@pytest.mark.parametrize("name", sorted(SHAPES))
def test_same_trailers_as_git(name: str, divider: bool) -> None:
    message = SHAPES[name]
    ours = [trailer.line for trailer in parse_trailers(message, divider=divider)]
    assert ours == _git_parse(message, divider)


def test_shapes_exercise_both_outcomes() -> None:
    """The table is not trivially agreeable: git finds trailers in some shapes, none in others."""
    found = [bool(_git_parse(message, True)) for message in SHAPES.values()]
    assert 5 < sum(found) < len(found) - 5


def test_maintainer_note_keeps_both_signoffs() -> None:
    keys = [(t.key, t.value) for t in parse_trailers(SHAPES["maintainer note inside"])]
    assert keys == [
        ("Signed-off-by", "Jane Doe <jane@example.org>"),
        ("Signed-off-by", "Andre Maint <andre@example.org>"),
    ]


def test_continuation_is_unfolded() -> None:
    values = [t.value for t in parse_trailers(SHAPES["continuation lines"])]
    assert values[0] == "Someone With A Very Long Name <some@example.org>"


def test_stacked_paragraphs_keep_the_authors_signoff() -> None:
    message = SHAPES["reviewed-by paragraph after sign-off"]
    assert [t.key for t in parse_trailers(message)] == ["Reviewed-by"]
    assert [t.key for t in stacked_trailers(message)] == ["Signed-off-by", "Reviewed-by"]
    three = [t.key for t in stacked_trailers(SHAPES["two trailer paragraphs stacked"])]
    assert three == ["Signed-off-by", "Acked-by", "Reviewed-by"]


def test_stacking_stops_at_prose_and_never_reads_the_title() -> None:
    assert stacked_trailers("Key: title\n\nAcked-by: A <a@e.org>\n") == parse_trailers(
        "Key: title\n\nAcked-by: A <a@e.org>\n"
    )
    message = "x\n\nSigned-off-by: J <j@e.org>\nprose\n\nAcked-by: A <a@e.org>\n"
    assert [t.key for t in stacked_trailers(message)] == ["Acked-by"]
    assert stacked_trailers("x\n\nprose only\n") == ()


def test_hostile_messages_stay_linear() -> None:
    huge = [
        "x\n\n" + "Acked-by: A <a@e.org>\n\n" * 20_000,
        "x\n\n" + "Signed-off-by: J <j@e.org>\n" + "  more\n" * 40_000,
        "x\n\nKey" + " " * 200_000 + "x\n",
        "x\n\n" + "-" * 200_000 + "\n",
    ]
    # CPU time, not wall time: a quadratic walk over these inputs takes minutes of CPU,
    # while a loaded machine can stretch a linear one's wall time past any bound.
    started = time.process_time()
    for message in huge:
        stacked_trailers(message)
        parse_trailers(message, divider=False)
    assert time.process_time() - started < 5
