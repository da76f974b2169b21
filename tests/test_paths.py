from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patchvet.model.strip import is_unread_file
from patchvet.paths import LOCK_FILES, first_match, glob_problem, is_lock_file, matches
from patchvet.policy import load_preset


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("a/b/Cargo.lock", "Cargo.lock", True),
        ("Cargo.lock.bak", "Cargo.lock", False),
        (".github/workflows/ci.yml", ".github/workflows/*", True),
        ("sub/.github/workflows/ci.yml", ".github/workflows/*", False),
        ("src/deep/x/y.rs", "src/**/*.rs", True),
        ("src/y.rs", "src/**/*.rs", True),
        ("vendor/lib/a.c", "vendor/", True),
        ("a.c", "[!a].c", False),
    ],
)
def test_globs(path: str, pattern: str, expected: bool) -> None:
    assert matches(path, pattern) is expected


def test_one_list_of_lock_files_serves_size_model_and_dependencies() -> None:
    excluded = load_preset("default").size.exclude
    for name in LOCK_FILES:
        assert is_lock_file(f"web/{name}")
        assert first_match(f"web/{name}", excluded) is not None  # not counted as size
        assert is_unread_file(f"web/{name}")  # not read by the model
    assert not is_lock_file("src/lock.py")


def _backtracking_translation(pattern: str) -> re.Pattern[str]:
    """The glob translation patchvet used with `re` before RE2: the meaning to keep."""
    anchored = "/" in pattern.rstrip("/")
    body = pattern.strip("/") + ("/**" if pattern.endswith("/") else "")
    out, i = [], 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif body[i] in "*?":
            out.append("[^/]*" if body[i] == "*" else "[^/]")
            i += 1
        elif body[i] == "[" and body.find("]", i + 1) != -1:
            end = body.find("]", i + 1)
            klass = body[i + 1 : end]
            klass = "^" + klass[1:] if klass.startswith("!") else klass
            out.append("[" + klass.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(body[i]))
            i += 1
    return re.compile(("" if anchored else "(?:.*/)?") + "".join(out) + "$")


GLOB_PIECES = st.sampled_from(["*", "**", "**/", "?", "/", "a", "b", ".", "[ab]", "[!a]", "-"])
PATH_PIECES = st.sampled_from(["a", "b", "/", ".", "-", "ab", "é", "\n"])


@settings(max_examples=400, deadline=None)
@given(
    globs=st.lists(st.lists(GLOB_PIECES, min_size=1, max_size=6).map("".join), max_size=4),
    path=st.lists(PATH_PIECES, max_size=12).map("".join),
)
def test_globs_match_as_they_did_with_re(globs: list[str], path: str) -> None:
    expected = next((g for g in globs if _backtracking_translation(g).match(path)), None)
    assert first_match(path, globs) == expected
    for glob in globs:
        assert matches(path, glob) == (_backtracking_translation(glob).match(path) is not None)


def test_an_invalid_glob_says_why() -> None:
    assert glob_problem("[z-a]") == "glob '[z-a]': invalid character class range: z-a"
    assert glob_problem("src/**/*.py") is None
    with pytest.raises(ValueError, match="z-a"):
        first_match("a.py", ["*.py", "[z-a]"])
    # A set with several bad globs names the first, whichever order they come in.
    for bad in (["[y-b]", "*.py", "[z-a]"], ["*.py", "[z-a]", "[y-b]"]):
        with pytest.raises(ValueError) as raised:
            first_match("a.py", bad)
        assert str(raised.value) == glob_problem(next(g for g in bad if glob_problem(g)))
