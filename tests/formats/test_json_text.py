"""The JSON report's own writer gives exactly the text of `json.dumps(value, indent=2)`."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from patchvet.formats.json import indented

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(),  # NaN and the infinities included: json writes them as NaN, Infinity
    st.text(),  # any code point, control characters and lone surrogates included
)
KEYS = st.one_of(st.text(), st.integers(-5, 5), st.none(), st.booleans(), st.floats())
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
        st.dictionaries(KEYS, inner, max_size=3),  # non-string keys: json's rules
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(VALUES, st.sampled_from(["", "  ", "    "]), st.booleans())
def test_the_text_is_json_dumps_with_indent_2(value: object, pad: str, compiled: bool) -> None:
    # `compiled`: the writer in C where it is built, else the Python one; the same text.
    expected = json.dumps(value, indent=2).replace("\n", "\n" + pad)
    assert indented(value, pad, compiled=compiled) == expected


def test_a_contribution_shaped_value() -> None:
    value = {
        "source": "0001-fix.patch",
        "title": "Fix \u202e\x1b[2J \ud800 ✅",
        "scores": {"agent_likelihood": 0.1 + 0.2, "size_lines": 3, "files": 1},
        "findings": [{"id": "policy/x", "locations": [], "details": [{"value": -0.0}]}],
        "empty": {},
        "mail": None,
    }
    expected = json.dumps(value, indent=2)
    for compiled in (True, False):
        assert indented(value, compiled=compiled) == expected
        assert indented(value, "    ", compiled=compiled) == expected.replace("\n", "\n    ")
