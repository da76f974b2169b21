"""The GitHub API double and pull requests seeded into it in GitHub's shapes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from patchvet.github.action import ActionRun, run_action
from patchvet.github.client import GitHubClient
from tests.github.double import GitHubDouble, GitHubState

GITHUB_ASSETS = Path(__file__).parents[1] / "assets" / "github"
REPO = "example/widgets"
BASE_SHA = "2222222222222222222222222222222222222222"
HEAD_SHA = "1111111111111111111111111111111111111111"


@pytest.fixture
def github() -> Iterator[GitHubDouble]:
    """A running double."""
    with GitHubDouble() as double:
        yield double


@pytest.fixture
def sleeps() -> list[float]:
    """The delays the client asked for (it never really sleeps in tests)."""
    return []


@pytest.fixture
def client(github: GitHubDouble, sleeps: list[float]) -> Iterator[GitHubClient]:
    """The real client, pointed at the double."""
    real = GitHubClient("test-token", github.url, sleep=sleeps.append)
    yield real
    real.close()


def seed_pull(
    state: GitHubState,
    number: int = 42,
    title: str | None = None,
    body: str | None = None,
    files: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Put the fixture pull request (and its files, commits, author) into the double."""
    event = json.loads((GITHUB_ASSETS / "pull_request.opened.json").read_text())
    pull = event["pull_request"]
    pull["number"] = number
    if title is not None:
        pull["title"] = title
    if body is not None:
        pull["body"] = body
    pages = json.loads((GITHUB_ASSETS / "pulls-files.pages.json").read_text())
    state.pulls[(REPO, number)] = pull
    for label in pull["labels"]:
        state.add_label(REPO, number, label["name"], "alice")  # a maintainer's label
    state.files[(REPO, number)] = files if files is not None else [f for p in pages for f in p]
    state.commits[(REPO, number)] = json.loads((GITHUB_ASSETS / "pulls-commits.json").read_text())
    state.users["jdoe"] = json.loads((GITHUB_ASSETS / "users-jdoe.json").read_text())
    event["number"] = number
    return dict(event)


def write_event(tmp_path: Path, event: dict[str, Any]) -> Path:
    """Save an event payload as GitHub does for a workflow run."""
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    return path


def clean_pull(state: GitHubState, number: int = 42) -> None:
    """The contributor fixes the pull request: no agent marks, no lookalike dependency."""
    pull = state.pulls[(REPO, number)]
    pull["body"] = "Fixes #17\n\nAdds exponential backoff."
    pull["head"]["ref"] = "backoff"
    state.files[(REPO, number)] = [
        {"filename": "src/fetch.py", "status": "modified", "additions": 1, "deletions": 1,
         "changes": 2, "patch": "@@ -1,2 +1,2 @@\n import time\n-x = 1\n+x = 2"},
    ]  # fmt: skip
    for commit in state.commits[(REPO, number)]:
        commit["commit"]["message"] = commit["commit"]["message"].split("\n\n")[0]


def act(github: GitHubDouble, event: Path, token: str = "t", **options: Any) -> ActionRun:
    """One Action run, with its own client as each workflow run has (GETs are cached per run)."""
    client = GitHubClient(token, github.url, sleep=lambda _: None)
    try:
        return run_action(client, event, **options)
    finally:
        client.close()
