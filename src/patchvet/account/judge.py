"""
An account's public behaviour, judged with signals a maintainer can check, and fairly.

Research on 42,536 pull requests found single account features (age under 30 days, no
followers, no repositories) predict nothing alone, and burstiness was inverted. So no signal
decides by itself: `automation` needs a high total *and* one of the signals that only automation
produces at scale (agent branch names or commit marks, fork-to-pull-request chains, pull-request
bursts across many repositories); organic credit (merged work elsewhere, reviews given, issues
over weeks, releases, a long-lived account) subtracts; and when public data is thin the answer
is `unknown`, never a guess. Every signal carries its weight, its meaning and its evidence.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from patchvet.account.snapshot import AccountSnapshot, Event, moment
from patchvet.marks import AgentRegistry, load_registry
from patchvet.sources._message import trailer_lines

AUTOMATION_AT = 60
MIXED_AT = 35
THIN = 10
"""Fewer public events than this, and no decisive signal: `unknown`."""
DECISIVE = frozenset({"account/agent-branches", "account/agent-commits"})
"""Explicit agent marks decide at any volume."""
DECISIVE_AT_SCALE = {"account/pr-burst": 40, "account/fork-pr-chain": 25}
"""A burst or fork chains decide only at a scale a person does not reach by hand (the weight
says the scale): a newcomer making a dozen typo fixes through GitHub's web editor forks each
repository and opens a pull request minutes later, a dozen times a day, and research found
bursty authors merge *more*, so a mid-sized burst alone is never `automation`."""
CHAIN_AT_SCALE = 15
DAY = timedelta(hours=24)


@dataclass(frozen=True)
class AccountSignal:
    """One observation: positive weight leans to automation, negative is organic credit."""

    id: str
    weight: int
    meaning: str
    evidence: str
    known: bool = True
    """False when the data it needs could not be read: then it weighs nothing."""


@dataclass(frozen=True)
class AccountJudgement:
    """The classification with everything behind it."""

    login: str
    as_of: str
    classification: str
    """`organic`, `mixed`, `automation` or `unknown`."""
    score: int
    """0 (organic) to 100 (automation): the clamped sum of the signals' weights."""
    signals: tuple[AccountSignal, ...]
    events: int
    missing: dict[str, str]


def _owner(repo: str) -> str:
    return repo.split("/", 1)[0].lower()


def _max_in_window(times: Sequence[tuple[datetime, str]], window: timedelta) -> tuple[int, str]:
    """The most distinct keys inside any window, and when that window started."""
    ordered = sorted(times)
    best, start = 0, ""
    left = 0
    for right in range(len(ordered)):
        while ordered[right][0] - ordered[left][0] > window:
            left += 1
        distinct = len({key for _, key in ordered[left : right + 1]})
        if distinct > best:
            best, start = distinct, ordered[left][0].isoformat()
    return best, start


def _age(snapshot: AccountSnapshot, now: datetime) -> Iterable[AccountSignal]:
    days = snapshot.age_days(now)
    if days is None:
        yield AccountSignal("account/age", 0, "account age", "GitHub did not say", known=False)
        return
    if days < 30:
        yield AccountSignal("account/age", 20, "the account is under 30 days old", f"{days} days")
    elif days < 90:
        yield AccountSignal("account/age", 10, "the account is under 90 days old", f"{days} days")
    elif days >= 730:
        yield AccountSignal("account/age", -10, "a long-standing account", f"{days} days")


def _foreign_prs(login: str, events: Sequence[Event]) -> list[Event]:
    return [
        e
        for e in events
        if e.type == "PullRequestEvent"
        and e.action == "opened"
        and _owner(e.target or e.repo) != login.lower()
    ]


def _bursts(login: str, events: Sequence[Event]) -> Iterable[AccountSignal]:
    prs = _foreign_prs(login, events)
    count, start = _max_in_window([(e.when, (e.target or e.repo).lower()) for e in prs], DAY)
    if count >= 25:
        yield AccountSignal(
            "account/pr-burst",
            40,
            "pull requests to many repositories within a day",
            f"{count} repositories in 24 h from {start[:16]}",
        )
    elif count >= 10:
        yield AccountSignal(
            "account/pr-burst",
            25,
            "pull requests to many repositories within a day",
            f"{count} repositories in 24 h from {start[:16]}",
        )
    forks = [(e.when, e.repo.lower()) for e in events if e.type == "ForkEvent"]
    count, start = _max_in_window(forks, DAY)
    if count >= 8:
        yield AccountSignal(
            "account/fork-burst",
            25 if count >= 20 else 15,
            "many forks within a day",
            f"{count} forks in 24 h from {start[:16]}",
        )


def _chains(login: str, events: Sequence[Event]) -> Iterable[AccountSignal]:
    prs = _foreign_prs(login, events)
    forks = [e for e in events if e.type == "ForkEvent"]
    chained = 0
    for pr in prs:
        target = (pr.target or pr.repo).lower()
        if any(f.repo.lower() == target and timedelta(0) <= pr.when - f.when <= DAY for f in forks):
            chained += 1
    if chained >= 5 and chained >= 0.8 * len(prs):
        yield AccountSignal(
            "account/fork-pr-chain",
            25 if chained >= CHAIN_AT_SCALE else 20,
            "fork, branch and pull request in lockstep, repository after repository",
            f"{chained} of {len(prs)} pull requests came within a day of forking their repository",
        )


def _rest(events: Sequence[Event]) -> Iterable[AccountSignal]:
    if len(events) < 50:
        return
    times = sorted(e.when for e in events)
    latest = times[-1]
    recent = [t for t in times if latest - t <= timedelta(days=7)]
    if len(recent) < 50 or recent[-1] - recent[0] < timedelta(hours=72):
        return
    longest = max(b - a for a, b in itertools.pairwise(recent))
    if longest < timedelta(hours=3):
        yield AccountSignal(
            "account/no-rest",
            15,
            "activity around the clock with no rest window",
            f"longest pause {longest} over {(recent[-1] - recent[0]).days} days",
        )


def _comment_then_pr(events: Sequence[Event]) -> Iterable[AccountSignal]:
    comments = [e for e in events if e.type == "IssueCommentEvent"]
    repos = set()
    for pr in (e for e in events if e.type == "PullRequestEvent" and e.action == "opened"):
        target = (pr.target or pr.repo).lower()
        if any(
            c.repo.lower() == target and timedelta(0) <= pr.when - c.when <= timedelta(minutes=5)
            for c in comments
        ):
            repos.add(target)
    if len(repos) >= 3:
        yield AccountSignal(
            "account/comment-then-pr",
            15,
            "a comment, then a pull request within minutes, in repository after repository",
            f"{len(repos)} repositories",
        )


def _agent_marked(message: str, registry: AgentRegistry) -> bool:
    """A footer or session link of an agent, or an agent named in a co-author trailer."""
    if any(p.pattern.search(message) for p in registry.message_patterns):
        return True
    return any(
        key.strip().lower() in ("co-authored-by", "co-developed-by")
        and registry.by_address(value) is not None
        for key, _, value in (line.partition(":") for line in trailer_lines(message))
    )


def _marks(events: Sequence[Event]) -> Iterable[AccountSignal]:
    registry = load_registry()
    branches = [
        e.ref
        for e in events
        if e.ref
        and ((e.type == "CreateEvent" and e.ref_type == "branch") or e.type == "PullRequestEvent")
    ]
    agent_branches = [
        b for b in branches if any(p.match(b) for a in registry.agents for p in a.branches)
    ]
    if len(agent_branches) >= 3 and len(agent_branches) >= 0.5 * len(branches):
        yield AccountSignal(
            "account/agent-branches",
            30,
            "branches named the way coding agents name them",
            f"{len(agent_branches)} of {len(branches)}: "
            + ", ".join(sorted(set(agent_branches))[:3]),
        )
    marked = [m for e in events for m in e.messages if _agent_marked(m, registry)]
    if len(marked) >= 3:
        yield AccountSignal(
            "account/agent-commits",
            25,
            "pushed commits carry coding-agent marks",
            f"{len(marked)} commits, e.g. {marked[0].splitlines()[0][:80]!r}",
        )


def _diversity(events: Sequence[Event]) -> Iterable[AccountSignal]:
    if len(events) < 30:
        return
    counts = Counter(e.type for e in events)
    entropy = -sum(c / len(events) * math.log2(c / len(events)) for c in counts.values())
    human = {
        "IssueCommentEvent",
        "PullRequestReviewEvent",
        "PullRequestReviewCommentEvent",
        "IssuesEvent",
    }
    if entropy < 1.0 and not human & set(counts):
        yield AccountSignal(
            "account/monotone",
            10,
            "few kinds of activity and no conversation",
            f"entropy {entropy:.2f} bits over {len(counts)} event types",
        )


def _elsewhere(snapshot: AccountSnapshot) -> Iterable[AccountSignal]:
    merged, closed = snapshot.merged_elsewhere, snapshot.closed_unmerged_elsewhere
    if merged is None or closed is None:
        reason = snapshot.missing.get("search", "not asked")
        yield AccountSignal(
            "account/merged-elsewhere",
            0,
            "pull requests merged elsewhere",
            f"unknown: {reason}",
            known=False,
        )
        return
    credit = -30 if merged >= 25 else -20 if merged >= 10 else -10 if merged >= 3 else 0
    if credit:
        yield AccountSignal(
            "account/merged-elsewhere",
            credit,
            "pull requests merged in other people's repositories",
            f"{merged} merged",
        )
    if closed >= 10 and closed >= 0.7 * (merged + closed):
        yield AccountSignal(
            "account/closed-unmerged",
            20,
            "most pull requests elsewhere were closed without merging",
            f"{closed} closed unmerged, {merged} merged",
        )


def _organic(
    snapshot: AccountSnapshot, events: Sequence[Event], now: datetime
) -> Iterable[AccountSignal]:
    reviewed = {
        e.repo
        for e in events
        if e.type in ("PullRequestReviewEvent", "PullRequestReviewCommentEvent")
    }
    if len(reviewed) >= 2:
        yield AccountSignal(
            "account/reviews-given",
            -15,
            "reviews other people's work",
            f"reviews in {len(reviewed)} repositories",
        )
    issues = [e for e in events if e.type == "IssuesEvent" and e.action == "opened"]
    if len({e.repo for e in issues}) >= 2 and issues:
        span = max(e.when for e in issues) - min(e.when for e in issues)
        if span >= timedelta(days=7):
            yield AccountSignal(
                "account/issues-over-time",
                -15,
                "opens issues over weeks, in several repositories",
                f"{len(issues)} issues over {span.days} days",
            )
    releases = sum(e.type == "ReleaseEvent" for e in events)
    # GitHub counts forks among public repositories: a fork farm's forks are not its projects.
    forks = sum(e.type == "ForkEvent" for e in events)
    own = (snapshot.public_repos or 0) - forks
    old_projects = own >= 5 and (snapshot.age_days(now) or 0) >= 365
    if releases or old_projects:
        evidence = (
            f"{releases} releases"
            if releases
            else f"{own} public repositories that are not recent forks"
        )
        yield AccountSignal("account/own-projects", -10, "maintains projects of its own", evidence)


def judge_account(snapshot: AccountSnapshot, as_of: datetime | None = None) -> AccountJudgement:
    """Classify the account as it stood at `as_of` (default: when it was fetched)."""
    now = as_of or moment(snapshot.fetched_at)
    events = [e for e in snapshot.events if e.when <= now]
    signals: list[AccountSignal] = [*_age(snapshot, now)]
    if "events" in snapshot.missing:
        signals.append(
            AccountSignal(
                "account/events",
                0,
                "recent public activity",
                f"unknown: {snapshot.missing['events']}",
                known=False,
            )
        )
    signals += [
        *_bursts(snapshot.login, events),
        *_chains(snapshot.login, events),
        *_rest(events),
        *_comment_then_pr(events),
        *_marks(events),
        *_diversity(events),
        *_elsewhere(snapshot),
        *_organic(snapshot, events, now),
    ]
    score = max(0, min(100, sum(s.weight for s in signals)))
    decisive = any(
        (s.id in DECISIVE and s.weight > 0) or s.weight >= DECISIVE_AT_SCALE.get(s.id, 1000)
        for s in signals
    )
    if len(events) < THIN and not decisive:
        classification = "unknown"
    elif score >= AUTOMATION_AT and decisive:
        classification = "automation"
    elif score >= MIXED_AT:
        classification = "mixed"
    else:
        classification = "organic"
    return AccountJudgement(
        snapshot.login,
        now.isoformat(),
        classification,
        score,
        tuple(signals),
        len(events),
        dict(snapshot.missing),
    )
