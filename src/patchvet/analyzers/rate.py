"""
`rate`: how fast one contributor submits, how many of their contributions are open at once
(limits by trust tier), and the project-wide circuit breaker on agent-made merges.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from patchvet.analyzers.interface import Subject
from patchvet.records import Confidence, Finding, Severity, SourceKind


def _over_limit(
    name: str, count: int, limits: Mapping[Any, int], tier: str, what: str, remedy: str
) -> Iterator[Finding]:
    """A finding when `count` exceeds the limit for `tier` (no limit set: nothing)."""
    limit = limits.get(tier)
    if limit is not None and count > limit:
        yield Finding(
            id=f"rate/{name}",
            severity=Severity.MEDIUM,
            confidence=Confidence.HIGH,
            message=f"{count} {what} from this contributor (limit for {tier} contributors: "
            f"{limit})",
            evidence=f"tier {tier}",
            remedy=remedy,
        )


def rate(subject: Subject) -> Iterator[Finding]:
    """Rate and circuit-breaker findings from the ledger view (nothing without a ledger)."""
    history = subject.history
    if history is None:
        return
    rules = subject.policy.rate
    tier = history.tier
    if subject.contribution.kind is not SourceKind.COMMIT:
        # A commit of a revision range is part of a push or a branch, not a submission of its
        # own (its pull request or mailed series is): submissions are pull requests, patches
        # and issues, and the ledger's window counts only those.
        yield from _over_limit(
            "submissions", history.in_window + 1, rules.max_per_window, tier,
            f"contributions in {rules.window_hours:g} hours",
            "Slow down: fewer, well-reviewed changes get merged faster.",
        )  # fmt: skip
    if subject.contribution.state == "open":
        yield from _over_limit(
            "open-contributions", history.open_contributions + 1, rules.max_open, tier,
            "open contributions", "Let the open ones land or close before opening more.",
        )  # fmt: skip
        if subject.signals.agent_detected:
            yield from _over_limit(
                "open-agent-contributions", history.open_agent_contributions + 1,
                rules.max_open_agent, tier, "open agent-made contributions",
                "Keep one AI-assisted pull request open at a time.",
            )  # fmt: skip
    breaker = history.breaker
    if breaker is not None and breaker.paused and subject.signals.agent_detected:
        limits = subject.policy.circuit_breaker
        yield Finding(
            id="rate/circuit-breaker",
            severity=Severity.MEDIUM,
            confidence=Confidence.HIGH,
            message=f"New agent-made contributions are paused: {100 * breaker.agent_share:.0f}% "
            f"of the {breaker.merged} merged in the last {limits.window_days:g} days were "
            f"agent-made (limit {100 * limits.max_agent_share:.0f}%, cooldown "
            f"{limits.cooldown_days:g} days)",
            evidence=f"tripped {breaker.since[:10]}" if breaker.since else "over the limit",
            remedy="Wait for the share to fall and the cooldown to pass, or ask a maintainer.",
        )
