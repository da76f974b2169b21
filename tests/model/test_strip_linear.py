"""
The mark-stripping patterns were rewritten to run in linear time; the model must see exactly
what it saw before (its scores stay identical), so each is checked against the old pattern.
"""

from __future__ import annotations

import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from patchvet.model.strip import _TRAILER_LINE, strip_subject, strip_text

OLD_TRAILER_LINE = re.compile(
    r"^\s*[A-Za-z][A-Za-z0-9-]*(?:-by|-ID|-Id|-Url|-URL|-Session|-with|-for)\s*:.*$"
)
OLD_PR_NUMBER = re.compile(r"\s*\(#\d+\)\s*$")

PIECES = st.sampled_from(
    [" ", "\t", "\u3000", "a", "B", "1", "-", ":", "-by", "-ID", "-Url", "-Session", "-with",
     "-for", "by", "(#", ")", "#", "(", "12", "\n", "x"]
)  # fmt: skip
TEXT = st.lists(PIECES, max_size=14).map("".join)


@settings(max_examples=600, deadline=None)
@given(TEXT)
def test_trailer_lines_are_recognised_as_before(line: str) -> None:
    assert (_TRAILER_LINE.match(line) is None) == (OLD_TRAILER_LINE.match(line) is None)


@settings(max_examples=600, deadline=None)
@given(TEXT)
def test_squash_numbers_are_removed_as_before(subject: str) -> None:
    # strip_subject also removes agent names; none of the pieces is one.
    expected = OLD_PR_NUMBER.sub("", subject)
    if not re.match(r"^\s*initial plan\s*$", expected, re.IGNORECASE):
        assert strip_subject(subject) == expected.strip()


def test_hostile_trailer_and_subject_shapes_stay_linear() -> None:
    def cost(size: int) -> float:
        line = "Ack" + "-by" * size + " " * size + "x"
        subject = "a" + " " * size + "(#1)x"
        start = time.perf_counter()
        strip_text(line)
        strip_subject(subject)
        return time.perf_counter() - start

    small, large = cost(5_000), cost(40_000)
    assert large < 40 * small + 0.5, (small, large)
