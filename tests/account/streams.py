"""Public event streams in the shapes of `GET /users/{login}/events/public`, built for tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

NOW = datetime.fromisoformat("2026-12-01T12:00:00+00:00")


def stamp(when: datetime) -> str:
    """GitHub's timestamp form."""
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def event(kind: str, repo: str, when: datetime, **payload: Any) -> dict[str, Any]:
    """One public event as the API returns it."""
    return {
        "id": str(abs(hash((kind, repo, when)))),
        "type": kind,
        "public": True,
        "actor": {"login": "someone", "id": 1},
        "repo": {"id": 1, "name": repo},
        "payload": payload,
        "created_at": stamp(when),
    }


def pull(login: str, target: str, when: datetime, branch: str = "fix") -> dict[str, Any]:
    """A pull request opened by `login` to `target`."""
    return event(
        "PullRequestEvent",
        target,
        when,
        action="opened",
        number=1,
        pull_request={
            "head": {"ref": branch, "repo": {"full_name": f"{login}/x"}},
            "base": {"repo": {"full_name": target}},
            "merged": False,
        },
    )


def profile(login: str, created: datetime, repos: int = 3) -> dict[str, Any]:
    """`GET /users/{login}`."""
    return {
        "login": login,
        "id": 4242,
        "type": "User",
        "created_at": stamp(created),
        "public_repos": repos,
        "followers": 10,
    }


def maintainer(login: str) -> list[dict[str, Any]]:
    """A prolific long-standing maintainer: hundreds of events a week across many repositories,
    sweeping pull requests to a dozen projects in one day, reviews, issues, releases, sleep."""
    events: list[dict[str, Any]] = []
    for day in range(7):
        base = NOW - timedelta(days=day, hours=2)
        for hour in range(14):  # awake 14 hours a day
            when = base - timedelta(hours=hour)
            events.append(
                event(
                    "PushEvent",
                    f"{login}/tool",
                    when,
                    ref="refs/heads/main",
                    commits=[{"message": "Fix the parser", "author": {}}],
                )
            )
            events.append(event("IssueCommentEvent", f"org{hour % 9}/lib", when, action="created"))
            events.append(
                event(
                    "PullRequestReviewEvent",
                    f"org{hour % 7}/app",
                    when - timedelta(minutes=20),
                    action="created",
                )
            )
        events.append(event("ReleaseEvent", f"{login}/tool", base, action="published"))
        events.append(
            event("IssuesEvent", f"org{day}/lib", NOW - timedelta(days=3 * day), action="opened")
        )
    # a dependency sweep: one pull request to each of 12 projects within two hours
    events += [
        pull(login, f"proj{i}/repo", NOW - timedelta(hours=30, minutes=10 * i), "bump-deps")
        for i in range(12)
    ]
    return sorted(events, key=lambda e: e["created_at"], reverse=True)


def burst(login: str, count: int = 30) -> list[dict[str, Any]]:
    """A fresh account forking repository after repository and opening `codex/` pull requests."""
    events: list[dict[str, Any]] = []
    for i in range(count):
        start = NOW - timedelta(hours=20) + timedelta(minutes=30 * i)
        target = f"victim{i}/project"
        events.append(
            event("ForkEvent", target, start, forkee={"full_name": f"{login}/project{i}"})
        )
        events.append(
            event(
                "CreateEvent",
                f"{login}/project{i}",
                start + timedelta(minutes=2),
                ref=f"codex/fix-typo-{i}",
                ref_type="branch",
            )
        )
        events.append(pull(login, target, start + timedelta(minutes=5), f"codex/fix-typo-{i}"))
    return sorted(events, key=lambda e: e["created_at"], reverse=True)
