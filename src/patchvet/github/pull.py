"""
A pull request fetched through the API, and the policy read from its base branch.

The policy comes from the base commit, never the head: a pull request cannot weaken the policy
that judges it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from patchvet.github.client import GitHubClient
from patchvet.policy import Policy, load_preset
from patchvet.policy.loader import DEFAULT_PRESET, PROJECT_FILE, load_text
from patchvet.records import Contribution
from patchvet.sources.github import (
    GitHubCommit,
    GitHubFile,
    GitHubPullRequest,
    GitHubReview,
    GitHubUser,
    pull_request_contribution,
)

T = TypeVar("T")


def fetch_contribution(client: GitHubClient, repo: str, number: int) -> Contribution:
    """
    The pull request with its files, commits, reviews and its author's account.

    Only the pull request itself must be read. A part GitHub will not give (an error after the
    client's retries) or that does not read as GitHub's shape is left out and named in
    `unread`: the contribution is then judged on the rest and held as `analysis/incomplete`
    (fail closed), rather than the whole run failing and the pull request never being vetted.
    """
    pull = GitHubPullRequest.model_validate(client.pull(repo, number))
    unread: list[str] = []

    def read(what: str, fetch: Callable[[], T]) -> T | None:
        try:
            return fetch()
        except Exception as error:  # noqa: BLE001 - any failure to read is reported, held
            text = " ".join(str(error).split())[:200]
            unread.append(f"could not read the pull request's {what}: "
                          f"{type(error).__name__}: {text}")  # fmt: skip
            return None

    files = read("files", lambda: [GitHubFile.model_validate(item)
                                   for item in client.pull_files(repo, number)])  # fmt: skip
    commits = read("commits", lambda: [GitHubCommit.model_validate(item)
                                       for item in client.pull_commits(repo, number)])  # fmt: skip
    account = read("author's account",
                   lambda: GitHubUser.model_validate(client.user(pull.user.login)))  # fmt: skip
    reviews = read("reviews", lambda: [GitHubReview.model_validate(item)
                                       for item in client.pull_reviews(repo, number)])  # fmt: skip
    contribution = pull_request_contribution(repo, pull, files, commits, account, reviews)
    return replace(contribution, unread=tuple(unread)) if unread else contribution


def policy_from_base(client: GitHubClient, repo: str, base_sha: str) -> Policy:
    """`.patchvet.toml` (or `[tool.patchvet]` in `pyproject.toml`) at the base commit."""
    text = client.file_at(repo, PROJECT_FILE, base_sha)
    if text is not None:
        return load_text(text, f"{repo}@{base_sha[:12]}:{PROJECT_FILE}")
    pyproject = client.file_at(repo, "pyproject.toml", base_sha)
    if pyproject is not None:
        try:
            declares = "patchvet" in tomllib.loads(pyproject).get("tool", {})
        except tomllib.TOMLDecodeError:
            declares = False
        if declares:
            return load_text(pyproject, f"{repo}@{base_sha[:12]}:pyproject.toml")
    return load_preset(DEFAULT_PRESET)
