"""Shared fixtures: real git repositories, and the path to shipped test assets."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import GitRepo, make_repo

ASSETS = Path(__file__).parent / "assets"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """A fresh git repository with one commit."""
    return make_repo(tmp_path / "repo")


@pytest.fixture
def assets() -> Path:
    """The directory of hand-written test inputs."""
    return ASSETS
