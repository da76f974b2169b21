from __future__ import annotations

import pytest

from patchvet.github.client import GitHubClient, GitHubError
from tests.github.conftest import REPO, seed_pull
from tests.github.double import GitHubDouble


def _files(count: int) -> list[dict[str, object]]:
    return [
        {
            "filename": f"src/f{n}.py",
            "status": "added",
            "additions": 1,
            "deletions": 0,
            "changes": 1,
            "patch": "@@ -0,0 +1 @@\n+x = 1",
        }
        for n in range(count)
    ]


def test_pagination_follows_link_headers(github: GitHubDouble, client: GitHubClient) -> None:
    seed_pull(github.state, files=_files(250))
    files = client.pull_files(REPO, 42)
    assert [f["filename"] for f in files] == [f"src/f{n}.py" for n in range(250)]
    pages = [p for m, p in github.state.requests if p.endswith("/files")]
    assert len(pages) == 3


def test_files_stop_at_github_s_3000(github: GitHubDouble, client: GitHubClient) -> None:
    seed_pull(github.state, files=_files(3500))
    assert len(client.pull_files(REPO, 42)) == 3000


def test_5xx_is_retried_with_backoff(
    github: GitHubDouble, client: GitHubClient, sleeps: list[float]
) -> None:
    seed_pull(github.state)
    github.state.fail(f"/repos/{REPO}/pulls/42", 502, times=2)
    assert client.pull(REPO, 42)["number"] == 42
    assert sleeps == [1, 2]


def test_secondary_rate_limit_waits_retry_after(
    github: GitHubDouble, client: GitHubClient, sleeps: list[float]
) -> None:
    seed_pull(github.state)
    github.state.fail("/users/", 403, times=1, **{"Retry-After": "7"})
    assert client.user("jdoe")["id"] == 5551234
    assert sleeps == [7.0]


def test_primary_quota_spent_waits_for_reset(
    github: GitHubDouble, client: GitHubClient, sleeps: list[float]
) -> None:
    seed_pull(github.state)
    github.state.fail(
        "/users/", 429, times=1, **{"x-ratelimit-remaining": "0", "x-ratelimit-reset": "0"}
    )
    assert client.user("jdoe")["login"] == "jdoe"
    assert sleeps == [0.0]


def test_persistent_failure_is_a_clear_error(github: GitHubDouble, client: GitHubClient) -> None:
    github.state.fail("/repos/", 503, times=10)
    with pytest.raises(GitHubError, match="503"):
        client.pull(REPO, 1)


def test_gets_are_cached_per_run(github: GitHubDouble, client: GitHubClient) -> None:
    seed_pull(github.state)
    client.user("jdoe")
    client.user("jdoe")
    assert [p for _, p in github.state.requests].count("/users/jdoe") == 1


def test_missing_token_is_refused(github: GitHubDouble) -> None:
    anonymous = GitHubClient(None, github.url, sleep=lambda _: None)
    with pytest.raises(GitHubError, match="401"):
        anonymous.pull(REPO, 42)
    anonymous.close()
