"""
Property-based fuzzing of policy loading: any text a project puts in `.patchvet.toml` loads as
a policy or is refused with one `PatchvetError` — no other exception, and a policy that loads
can judge (its globs compile).
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from patchvet.errors import PatchvetError
from patchvet.paths import first_match
from patchvet.policy.loader import load_text
from tests.fuzzing import FUZZ, NOISE

KEYS = st.sampled_from(
    [
        "extends", "mode", "name", "[ai]", "stance", "[size]", "exclude", "max_lines",
        "[protected_paths.core]", "paths", "reason", "verdict", "[verdicts]", '"ci-change/*"',
        '"analysis/*"', "[analysis]", "budget_seconds", "[ci]", "extra_paths", "[rate]",
        "window_hours", "[ignore]", "[actions]", "hold", "[[x]]", "[tool.patchvet]",
    ]
)  # fmt: skip
VALUES = st.sampled_from(
    [
        '"default"', '"linux"', '"nope"', '"enforce"', '"ban"', "0", "-1", "1e308", "nan",
        "99999999999999999999999", '["*.lock", "[z-a]"]', '["src/**", "*a*a*a*a*b"]', "[]",
        '"hold"', '"pass"', "true", "{}", '{ paths = ["core/"], reason = "x" }', "0.001",
        '["summary", "label:x"]', '"' + "a" * 300 + '"', "[[[[[[[[[[]]]]]]]]]]",
    ]
)  # fmt: skip


@st.composite
def _policies(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        key = draw(KEYS)
        lines.append(key if key.startswith("[") else f"{key} = {draw(st.one_of(VALUES, NOISE))}")
    return "\n".join(lines) + "\n"


@FUZZ
@given(st.one_of(_policies(), NOISE))
def test_policy_text_loads_or_is_refused_with_one_error(text: str) -> None:
    try:
        policy = load_text(text, "fuzz.toml")
    except PatchvetError as error:
        assert str(error)
        return
    first_match("src/a.py", policy.size.exclude)
    for entry in policy.protected_paths.values():
        first_match("src/a.py", entry.paths)
    assert policy.analysis.budget_seconds > 0
