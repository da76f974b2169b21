"""
A pull request fetched through the API, and the policy read from its base branch.

The policy comes from the base commit, never the head: a pull request cannot weaken the policy
that judges it.
"""

from __future__ import annotations

import tomllib

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


def fetch_contribution(client: GitHubClient, repo: str, number: int) -> Contribution:
    """The pull request with its files, commits and its author's account."""
    pull = GitHubPullRequest.model_validate(client.pull(repo, number))
    files = [GitHubFile.model_validate(item) for item in client.pull_files(repo, number)]
    commits = [GitHubCommit.model_validate(item) for item in client.pull_commits(repo, number)]
    account = GitHubUser.model_validate(client.user(pull.user.login))
    reviews = [GitHubReview.model_validate(item) for item in client.pull_reviews(repo, number)]
    return pull_request_contribution(repo, pull, files, commits, account, reviews)


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
