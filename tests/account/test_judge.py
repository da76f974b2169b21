"""Each account signal fires on the behaviour it names, and not without it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from patchvet.account import AccountSnapshot, judge_account
from patchvet.account.snapshot import event_from_api
from tests.account.streams import NOW, burst, event, maintainer, pull, stamp


def _snapshot(
    events: list[dict[str, Any]],
    age_days: int = 1000,
    merged: int | None = 0,
    closed: int | None = 0,
    repos: int = 3,
    login: str = "someone",
) -> AccountSnapshot:
    parsed = tuple(e for e in (event_from_api(raw) for raw in events) if e is not None)
    return AccountSnapshot(
        login=login,
        fetched_at=stamp(NOW),
        id=1,
        created_at=stamp(NOW - timedelta(days=age_days)),
        public_repos=repos,
        events=parsed,
        merged_elsewhere=merged,
        closed_unmerged_elsewhere=closed,
    )


def parse(stamped: str) -> datetime:
    return datetime.fromisoformat(stamped.replace("Z", "+00:00"))


def _weights(snapshot: AccountSnapshot) -> dict[str, int]:
    return {s.id: s.weight for s in judge_account(snapshot).signals if s.known}


def _filler(count: int = 12) -> list[dict[str, Any]]:
    return [
        event("WatchEvent", f"a/b{i}", NOW - timedelta(days=i % 20, hours=i)) for i in range(count)
    ]


def test_account_age_tiers() -> None:
    assert _weights(_snapshot(_filler(), age_days=5))["account/age"] == 20
    assert _weights(_snapshot(_filler(), age_days=60))["account/age"] == 10
    assert _weights(_snapshot(_filler(), age_days=3000))["account/age"] == -10
    assert "account/age" not in _weights(_snapshot(_filler(), age_days=200))


def test_pull_request_burst_across_foreign_repositories() -> None:
    prs = [pull("someone", f"o{i}/r", NOW - timedelta(minutes=20 * i)) for i in range(12)]
    assert _weights(_snapshot(prs))["account/pr-burst"] == 25
    own = [pull("someone", f"someone/r{i}", NOW - timedelta(minutes=20 * i)) for i in range(12)]
    assert "account/pr-burst" not in _weights(_snapshot(own))  # its own repositories
    spread = [pull("someone", f"o{i}/r", NOW - timedelta(days=2 * i)) for i in range(12)]
    assert "account/pr-burst" not in _weights(_snapshot(spread))


def test_fork_burst_and_fork_to_pull_request_chains() -> None:
    weights = _weights(_snapshot(burst("someone", 10)))
    assert weights["account/fork-burst"] == 15 and weights["account/fork-pr-chain"] == 20
    assert _weights(_snapshot(burst("someone", 15)))["account/fork-pr-chain"] == 25
    prs_only = [e for e in burst("someone", 10) if e["type"] == "PullRequestEvent"]
    assert "account/fork-pr-chain" not in _weights(_snapshot(prs_only))


def test_agent_branch_names() -> None:
    assert _weights(_snapshot(burst("someone", 4)))["account/agent-branches"] == 30
    plain_names = [
        {**e, "payload": {**e["payload"], "ref": "fix-typo"}} if e["type"] == "CreateEvent" else e
        for e in burst("someone", 4)
        if e["type"] != "PullRequestEvent"
    ]
    assert "account/agent-branches" not in _weights(_snapshot(plain_names))


def test_agent_marks_in_pushed_commits() -> None:
    mark = "Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>"
    pushes = [
        event(
            "PushEvent",
            "someone/x",
            NOW - timedelta(hours=i),
            ref="refs/heads/main",
            commits=[{"message": mark}],
        )
        for i in range(4)
    ]
    assert _weights(_snapshot(pushes + _filler()))["account/agent-commits"] == 25
    clean = [
        event(
            "PushEvent",
            "someone/x",
            NOW - timedelta(hours=i),
            ref="refs/heads/main",
            commits=[{"message": "Fix"}],
        )
        for i in range(4)
    ]
    assert "account/agent-commits" not in _weights(_snapshot(clean + _filler()))


def test_no_rest_window() -> None:
    busy = [
        event("PushEvent", "someone/x", NOW - timedelta(minutes=90 * i), ref="main")
        for i in range(80)
    ]
    assert _weights(_snapshot(busy))["account/no-rest"] == 15
    sleeping = [e for e in busy if (NOW - parse(e["created_at"])).seconds // 3600 % 24 < 16]
    assert "account/no-rest" not in _weights(_snapshot(sleeping))


def test_comment_then_pull_request_within_minutes() -> None:
    events = []
    for i in range(3):
        when = NOW - timedelta(hours=5 * i + 1)
        events.append(event("IssueCommentEvent", f"o{i}/r", when, action="created"))
        events.append(pull("someone", f"o{i}/r", when + timedelta(minutes=3)))
    assert _weights(_snapshot(events + _filler()))["account/comment-then-pr"] == 15
    slow = [
        {**e, "created_at": stamp(NOW - timedelta(days=3))}
        if e["type"] == "IssueCommentEvent"
        else e
        for e in events
    ]
    assert "account/comment-then-pr" not in _weights(_snapshot(slow + _filler()))


def test_closed_unmerged_share_and_merged_credit() -> None:
    assert _weights(_snapshot(_filler(), merged=2, closed=30))["account/closed-unmerged"] == 20
    weights = _weights(_snapshot(_filler(), merged=40, closed=10))
    assert weights["account/merged-elsewhere"] == -30 and "account/closed-unmerged" not in weights


def test_event_type_diversity() -> None:
    pushes = [
        event("PushEvent", "someone/x", NOW - timedelta(hours=5 * i), ref="main") for i in range(40)
    ]
    assert _weights(_snapshot(pushes))["account/monotone"] == 10
    talk = [event("IssueCommentEvent", "o/r", NOW - timedelta(hours=5 * i + 1)) for i in range(5)]
    assert "account/monotone" not in _weights(_snapshot(pushes + talk))


def test_organic_credit_for_reviews_issues_and_own_projects() -> None:
    weights = _weights(_snapshot(maintainer("someone"), repos=40))
    assert weights["account/reviews-given"] == -15
    assert weights["account/issues-over-time"] == -15
    assert weights["account/own-projects"] == -10


def test_forks_seen_in_the_events_are_not_own_projects() -> None:
    forks = [
        event("ForkEvent", f"o{i}/r", NOW - timedelta(days=i), forkee={"full_name": f"s/r{i}"})
        for i in range(8)
    ]
    assert "account/own-projects" not in _weights(_snapshot(forks + _filler(), repos=8))
    assert _weights(_snapshot(_filler(), repos=8))["account/own-projects"] == -10


def test_prolific_maintainer_is_organic_and_burst_account_is_automation() -> None:
    human = judge_account(
        _snapshot(
            maintainer("fisker"), age_days=4000, merged=900, closed=80, repos=150, login="fisker"
        )
    )
    assert human.classification == "organic", human.signals
    bot = judge_account(_snapshot(burst("fresh"), age_days=6, merged=1, closed=40, login="fresh"))
    assert bot.classification == "automation" and bot.score == 100


def test_thin_public_data_is_unknown_not_suspicious() -> None:
    judgement = judge_account(_snapshot(_filler(3), age_days=2, merged=None, closed=None))
    assert judgement.classification == "unknown"
    assert any(not s.known for s in judgement.signals)


@pytest.mark.parametrize("hours", [1, 10])
def test_as_of_ignores_later_events(hours: int) -> None:
    snapshot = _snapshot(burst("fresh", 12), age_days=6, merged=0, closed=0, login="fresh")
    earlier = judge_account(snapshot, NOW - timedelta(days=5))
    assert earlier.events == 0 and earlier.classification == "unknown"
    assert judge_account(snapshot, NOW - timedelta(hours=hours)).events > 0
