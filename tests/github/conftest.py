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
    """One Action run on an event it must vet."""
    run = act_on(github, event, token, **options)
    assert run is not None, "the event was not vetted"
    return run


def act_on(github: GitHubDouble, event: Path, token: str = "t", **options: Any) -> ActionRun | None:
    """One Action run, with its own client as each workflow run has (GETs are cached per run)."""
    client = GitHubClient(token, github.url, sleep=lambda _: None)
    try:
        return run_action(client, event, **options)
    finally:
        client.close()


def seed_issue(
    state: GitHubState,
    number: int = 7,
    body: str | None = None,
    login: str = "drifter",
    association: str = "NONE",
) -> dict[str, Any]:
    """Put an issue (and its author's profile) into the double; return its `issues` event."""
    event = json.loads((GITHUB_ASSETS / "issues.opened.json").read_text())
    issue = event["issue"]
    issue["number"] = number
    issue["user"] = {**issue["user"], "login": login}
    issue["author_association"] = association
    if body is not None:
        issue["body"] = body
    state.issues[(REPO, number)] = {k: v for k, v in issue.items() if k != "labels"}
    state.users.setdefault(login, {**issue["user"], "created_at": "2019-03-01T08:00:00Z",
                                   "public_repos": 12, "followers": 4})  # fmt: skip
    event["sender"] = issue["user"]
    return dict(event)


def author_comment(
    state: GitHubState, number: int, body: str, login: str, pull: bool = False
) -> dict[str, Any]:
    """`login` comments on issue or pull request `number`; return the `issue_comment` event."""
    event = json.loads((GITHUB_ASSETS / "issue_comment.created.json").read_text())
    state.next_id += 1
    kind = "pull" if pull else "issues"
    comment = {**event["comment"], "id": state.next_id, "body": body,
               "user": {**event["comment"]["user"], "login": login},
               "html_url": f"https://github.com/{REPO}/{kind}/{number}"
               f"#issuecomment-{state.next_id}"}  # fmt: skip
    state.comments[(REPO, number)].append(comment)
    event["comment"] = comment
    event["issue"]["number"] = number
    if pull:
        event["issue"]["pull_request"] = {"url": f"https://api.github.com/repos/{REPO}/pulls/"
                                          f"{number}"}  # fmt: skip
    event["sender"] = comment["user"]
    return dict(event)
