"""
Hot paths written with `str` methods and merged glob sets answer exactly as the patterns and
per-set lookups they replace.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from patchvet.analyzers.ci_change import _SURFACES, _surface
from patchvet.analyzers.dependency import (
    _MANIFEST_ECOSYSTEMS,
    _MANIFEST_GLOBS,
    _MANIFESTS,
    _normalize,
)
from patchvet.paths import first_index, first_match

NAME = st.lists(st.sampled_from(["a", "B", "z9", "-", "_", ".", "--", "._-", "É"]), max_size=12)


@settings(max_examples=1000, deadline=None)
@given(NAME.map("".join), st.sampled_from(["pypi", "crates", "npm", "go"]))
def test_names_normalise_as_the_separator_pattern_does(name: str, ecosystem: str) -> None:
    lowered = name.lower()
    expected = re.sub(r"[-_.]+", "-", lowered) if ecosystem in ("pypi", "crates") else lowered
    assert _normalize(ecosystem, name) == expected


def test_a_long_run_of_separators_is_one_hyphen() -> None:
    assert _normalize("pypi", "a" + "-_." * 20_000 + "b") == "a-b"


PATH = st.lists(
    st.sampled_from(
        [".github/workflows/ci.yml", "Makefile", "src/", "a.sh", "scripts/release-x", "build.rs",
         "requirements/dev.txt", "pyproject.toml", "package.json", "Cargo.toml", "go.mod",
         "docs/", "x.mk", "tools/", "gen.py", "CMakeLists.txt", ".husky/pre-commit"]
    ),
    min_size=1, max_size=3,
).map("".join)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(PATH, st.sampled_from([[], ["tools/**"], ["*.py", "Makefile"]]))
def test_one_look_up_finds_the_surface_the_sets_in_turn_found(path: str, extra: list[str]) -> None:
    expected = next(
        (name for name, (_, _, globs) in _SURFACES.items() if first_match(path, globs)),
        "build-script" if extra and first_match(path, extra) else None,
    )
    assert _surface(path, extra) == expected


@settings(max_examples=600, deadline=None)
@given(PATH)
def test_one_look_up_finds_the_manifest_ecosystem(path: str) -> None:
    expected = next(
        (ecosystem for ecosystem, globs in _MANIFESTS.items() if first_match(path, globs)), None
    )
    index = first_index(path, _MANIFEST_GLOBS)
    assert (None if index is None else _MANIFEST_ECOSYSTEMS[index]) == expected
