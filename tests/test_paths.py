from __future__ import annotations

import pytest

from patchvet.model.strip import is_unread_file
from patchvet.paths import LOCK_FILES, first_match, is_lock_file, matches
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
