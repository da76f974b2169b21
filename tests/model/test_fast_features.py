"""
Parts of the feature code rewritten for speed give exactly what their plain form gives, on
every kind of character a line can hold.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from patchvet.model.features import _line_shape


def plain_line_shape(line: str) -> str:
    stripped = line.strip()
    if not stripped:
        return "blank"
    indent = min(4, (len(line) - len(line.lstrip())) // 4)
    first = stripped[0] if not stripped[0].isalnum() else ("A" if stripped[0].isupper() else "a")
    last = stripped[-1] if not stripped[-1].isalnum() else "w"
    return f"{indent}{first}{last}{min(6, len(stripped) // 20)}"


PIECES = st.sampled_from(
    [" ", "    ", "\t", "\u3000", "\x1c", "\xa0", "a", "Z", "É", "ß", "٣", "7", "_", "#", "}",
     "x" * 25, "y" * 150, "// note", "\r", "😀"]
)  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join))
def test_line_shapes_are_those_of_the_plain_definition(line: str) -> None:
    assert _line_shape(line) == plain_line_shape(line)
