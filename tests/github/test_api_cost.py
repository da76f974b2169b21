"""
What a delivery costs in GitHub API calls, counted on the double, so the README's figures are the
code's: a pull request and an issue, with the account read cold and then from the ledger cache.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from patchvet.github.client import GitHubClient
from patchvet.github.vet import vet_issue, vet_pull
from patchvet.ledger import open_ledger
from tests.account.streams import NOW as STREAM_NOW
from tests.account.streams import burst, profile
from tests.github.conftest import BASE_SHA, REPO, clean_pull, seed_issue, seed_pull
from tests.github.double import GitHubDouble

POLICY = "[honeypot]\nreply_code = true\n[issues]\nvet = true\n"


def _calls(github: GitHubDouble) -> Counter[str]:
    """Reads, writes, and the account's own reads, since the last clear."""
    counts: Counter[str] = Counter()
    for method, path in github.state.requests:
        counts["reads" if method == "GET" else "writes"] += 1
        if "/events/public" in path or path == "/search/issues":
            counts["account"] += 1
    github.state.requests.clear()
    return counts


def test_what_a_pull_request_and_an_issue_cost(github: GitHubDouble, tmp_path: Path) -> None:
    state = github.state
    seed_pull(state)
    clean_pull(state)
    state.pulls[(REPO, 42)]["author_association"] = "NONE"
    state.contents[(REPO, ".patchvet.toml", BASE_SHA)] = POLICY
    state.contents[(REPO, ".patchvet.toml", "main")] = POLICY
    state.users["jdoe"] = profile("jdoe", STREAM_NOW)
    state.user_events["jdoe"] = burst("jdoe")  # 90 events: one page of 100
    ledger = open_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")

    def vet(kind: str) -> Counter[str]:
        client = GitHubClient("t", github.url, sleep=lambda _: None)  # one client per delivery
        try:
            if kind == "pull":
                vet_pull(client, REPO, 42, "github-actions[bot]", ledger=ledger)
            else:
                vet_issue(client, REPO, 7, "github-actions[bot]", ledger=ledger)
        finally:
            client.close()
        return _calls(github)

    try:
        state.requests.clear()
        cold = vet("pull")
        warm = vet("pull")
        seed_issue(state, login="jdoe")
        issue = vet("issue")
    finally:
        ledger.close()
    # pull, policy, issue events, files, commits, user, reviews, vouch list, comments (twice:
    # again just before the comment is written), and the account: one page of events and two
    # searches; writes: labels and the comment
    assert cold == {"reads": 13, "account": 3, "writes": 2}
    assert warm == {"reads": 10, "writes": 1}  # the account from the ledger; the comment edited
    # issue, repository, policy, events, comments (twice), user, vouch list; account cached
    assert issue == {"reads": 8, "writes": 1}
