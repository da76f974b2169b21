"""
Accounts written for the fairness check, from GitHub's documented event shapes and the behaviours
peers.md describes (not from anyone's labeled fixtures): people whom account-only tools are known
to misjudge, and automation that hides some of its marks. `python -m tests.account.personas`
prints how each is classified.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from patchvet.account import AccountSnapshot, judge_account
from patchvet.account.snapshot import event_from_api
from tests.account.streams import NOW, burst, event, maintainer, pull, stamp

Persona = Callable[[], AccountSnapshot]
DEVIN = "Co-Authored-By: devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>"  # noqa: E501
CLAUDE_FOOTER = "🤖 Generated with [Claude Code](https://claude.com/claude-code)"


def snapshot(
    login: str, events: list[dict[str, Any]], age_days: int, merged: int = 0, closed: int = 0,
    repos: int = 3,
) -> AccountSnapshot:  # fmt: skip
    """The account as `GET /users`, `/events/public` and the two searches would show it."""
    parsed = tuple(e for e in (event_from_api(raw) for raw in events) if e is not None)
    return AccountSnapshot(login=login, fetched_at=stamp(NOW), id=1,
                           created_at=stamp(NOW - timedelta(days=age_days)), public_repos=repos,
                           events=parsed, merged_elsewhere=merged,
                           closed_unmerged_elsewhere=closed)  # fmt: skip


def push(repo: str, hours_ago: float, message: str = "Fix", ref: str = "main") -> dict[str, Any]:
    """A push of one commit."""
    return event("PushEvent", repo, NOW - timedelta(hours=hours_ago), ref=f"refs/heads/{ref}",
                 commits=[{"message": message}])  # fmt: skip


def fork_then_pull(login: str, target: str, hours_ago: float, branch: str) -> list[dict[str, Any]]:
    """Fork a repository, then open a pull request from the fork minutes later."""
    when = NOW - timedelta(hours=hours_ago)
    name = target.split("/")[0]
    return [event("ForkEvent", target, when, forkee={"full_name": f"{login}/{name}"}),
            pull(login, target, when + timedelta(minutes=7), branch)]  # fmt: skip


# -- people ----------------------------------------------------------------------------------


def prolific_maintainer() -> AccountSnapshot:
    """Hundreds of events a week across many repositories, reviews, releases, a sweep."""
    return snapshot("m", maintainer("m"), 4000, merged=200, closed=20, repos=60)


def ecosystem_sweep() -> AccountSnapshot:
    """A long-standing maintainer forks 35 packages in a day to migrate their build files."""
    events = [
        e
        for i in range(35)
        for e in fork_then_pull("sweeper", f"eco{i}/pkg", 20 - 0.4 * i, "migrate-build")
    ]
    events += [event("IssueCommentEvent", f"eco{d % 6}/pkg", NOW - timedelta(days=d, hours=3),
                     action="created") for d in range(30)]  # fmt: skip
    events += [push("sweeper/tool", 24 * d + 5) for d in range(30)]
    return snapshot("sweeper", events, 3000, merged=80, closed=10, repos=40)


def web_editor_newcomer() -> AccountSnapshot:
    """Three weeks old, a dozen typo fixes in a day through GitHub's web editor (`patch-1`)."""
    events = [
        e for i in range(12) for e in fork_then_pull("newbie", f"proj{i}/docs", 14 - i, "patch-1")
    ]
    return snapshot("newbie", events, 20, repos=12)


def disclosed_agent_user() -> AccountSnapshot:
    """Works with Claude Code and says so in trailers; reviews and discusses with a team."""
    trailer = "Add cache\n\nCo-Authored-By: Claude <noreply@anthropic.com>"
    events = [push("dev/app", 24 * d + 4, trailer) for d in range(25)]
    events += [push("dev/app", 24 * d + 6, "Fix typo") for d in range(25)]
    for d in range(0, 25, 3):
        when = NOW - timedelta(days=d, hours=2)
        events.append(event("PullRequestReviewEvent", f"team{d % 4}/svc", when, action="created"))
        events.append(event("IssueCommentEvent", f"team{d % 4}/svc", when, action="created"))
    return snapshot("dev", events, 1500, merged=12, closed=3, repos=15)


def rejected_learner() -> AccountSnapshot:
    """A new account whose pull requests to big projects are mostly closed, with discussion."""
    events = [pull("learner", f"big{i}/proj", NOW - timedelta(days=3 * i), f"fix-{i}")
              for i in range(12)]  # fmt: skip
    events += [event("IssueCommentEvent", f"big{i}/proj", NOW - timedelta(days=3 * i, hours=-2),
                     action="created") for i in range(12)]  # fmt: skip
    return snapshot("learner", events, 25, merged=1, closed=11, repos=4)


def operations_team_account() -> AccountSnapshot:
    """A shared team account pushing around the clock, with reviews."""
    events = [push("ops/infra", 2 * h) for h in range(84)]
    events += [event("PullRequestReviewEvent", f"ops{i}/x", NOW - timedelta(days=i),
                     action="created") for i in range(5)]  # fmt: skip
    return snapshot("ops", events, 2000, merged=5, repos=10)


def quiet_young_person() -> AccountSnapshot:
    """A week old, a few pushes: too little to judge."""
    return snapshot("fresh", [push("fresh/site", 10 * h) for h in range(6)], 7, repos=1)


PEOPLE: dict[str, Persona] = {
    "prolific maintainer": prolific_maintainer,
    "ecosystem sweep by a maintainer": ecosystem_sweep,
    "web-editor newcomer, 12 fixes a day": web_editor_newcomer,
    "disclosed agent-assisted developer": disclosed_agent_user,
    "rejected learner": rejected_learner,
    "around-the-clock team account": operations_team_account,
    "week-old account, few events": quiet_young_person,
}

# -- automation ------------------------------------------------------------------------------


def codex_burst() -> AccountSnapshot:
    """A six-day-old account: fork, `codex/` branch and pull request, thirty times a day."""
    return snapshot("b1", burst("b1"), 6, repos=30)


def devin_low_volume() -> AccountSnapshot:
    """Six Devin pull requests over six days, Devin's branches and co-author trailers."""
    events: list[dict[str, Any]] = []
    for i in range(6):
        branch = f"devin/176450{i:04d}-fix-bug"
        when = NOW - timedelta(days=i, hours=3)
        events.append(event("CreateEvent", f"d2/r{i}", when, ref=branch, ref_type="branch"))
        events.append(push(f"d2/r{i}", 24 * i + 2.9, f"Fix bug\n\n{DEVIN}", branch))
        events.append(pull("d2", f"t{i}/r", when + timedelta(minutes=3), branch))
    return snapshot("d2", events, 60, repos=6)


def slow_claude() -> AccountSnapshot:
    """An old account: one Claude Code pull request a day for a month, most closed unmerged."""
    events: list[dict[str, Any]] = []
    for i in range(30):
        branch = f"claude/fix-parser-Xk{i}pQ"
        events.append(pull("slow", f"s{i}/r", NOW - timedelta(days=i, hours=(7 * i) % 24), branch))
        events.append(push(f"slow/r{i}", 24 * i + (7 * i) % 24 + 0.1, f"Fix\n\n{CLAUDE_FOOTER}",
                           branch))  # fmt: skip
    return snapshot("slow", events, 800, merged=2, closed=20, repos=30)


def unmarked_burst() -> AccountSnapshot:
    """Thirty pull requests to thirty repositories in a day, plain branch names, no marks."""
    events = [pull("hid", f"h{i}/r", NOW - timedelta(hours=23 - 0.75 * i), f"fix/issue-{i}")
              for i in range(30)]  # fmt: skip
    return snapshot("hid", events, 200, closed=5, repos=30)


def comment_then_pull_bounty() -> AccountSnapshot:
    """Claims an issue with a comment, opens a pull request three minutes later, fifteen times."""
    events: list[dict[str, Any]] = []
    for i in range(15):
        when = NOW - timedelta(hours=22) + timedelta(minutes=80 * i)
        events.append(event("IssueCommentEvent", f"c{i}/r", when, action="created"))
        events.append(pull("cmt", f"c{i}/r", when + timedelta(minutes=3), f"fix-{i}"))
    return snapshot("cmt", events, 45, merged=1, closed=14, repos=15)


def around_the_clock_agent() -> AccountSnapshot:
    """Pushes every two hours for six days with OpenHands trailers; forks and pull requests."""
    trailer = "Update\n\nCo-authored-by: openhands <openhands@all-hands.dev>"
    events = [push(f"clock/r{h % 9}", h, trailer) for h in range(0, 24 * 6, 2)]
    events += [e for i in range(7) for e in fork_then_pull("clock", f"f{i}/r", 24 * i + 1,
                                                            f"fix-{i}")]  # fmt: skip
    return snapshot("clock", events, 100, repos=20)


def fork_farm() -> AccountSnapshot:
    """Forty forks in a day and `copilot/` pull requests from some of them."""
    events = [event("ForkEvent", f"ff{i}/r", NOW - timedelta(minutes=20 * i),
                    forkee={"full_name": f"farm/r{i}"}) for i in range(40)]  # fmt: skip
    events += [pull("farm", f"ff{i}/r", NOW - timedelta(minutes=20 * i - 5), f"copilot/fix-{i}")
               for i in range(6)]  # fmt: skip
    return snapshot("farm", events, 10, repos=40)


AUTOMATION: dict[str, Persona] = {
    "codex burst": codex_burst,
    "Devin, six pull requests": devin_low_volume,
    "Claude Code, one a day, old account": slow_claude,
    "unmarked burst, 30 repositories": unmarked_burst,
    "comment-then-pull-request bounty hunter": comment_then_pull_bounty,
    "around-the-clock OpenHands": around_the_clock_agent,
    "fork farm": fork_farm,
}


def unmarked_rejected() -> AccountSnapshot:
    """Twenty plain pull requests over forty days, nineteen closed unmerged, nothing else."""
    events = [pull("quiet", f"q{i}/r", NOW - timedelta(days=2 * i), f"improve-{i}")
              for i in range(20)]  # fmt: skip
    return snapshot("quiet", events, 500, merged=1, closed=19, repos=1)


KNOWN_MISSES: dict[str, Persona] = {"unmarked, low volume, mostly rejected": unmarked_rejected}
"""Automation that public account data cannot tell from a person: no marks, no bursts, no
chains. It reads `organic`; only the contribution's own evidence can catch it."""


def table() -> str:
    """Each persona's classification and score, as a Markdown table."""
    rows = ["| account | written as | classified | score |", "|---|---|---|---|"]
    groups = (("person", PEOPLE), ("automation", AUTOMATION), ("automation", KNOWN_MISSES))
    for kind, group in groups:
        for name, make in group.items():
            judged = judge_account(make())
            rows.append(f"| {name} | {kind} | {judged.classification} | {judged.score} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
