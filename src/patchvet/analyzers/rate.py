"""
`rate`: how fast one contributor submits, how many of their contributions are open at once
(limits by trust tier), and the project-wide circuit breaker on agent-made merges.
"""

from __future__ import annotations

from collections.abc import Iterator

from patchvet.analyzers.interface import Subject
from patchvet.models import Confidence, Finding, Severity


def rate(subject: Subject) -> Iterator[Finding]:
    """Rate and circuit-breaker findings from the ledger view (nothing without a ledger)."""
    history = subject.history
    if history is None:
        return
    rules = subject.policy.rate
    tier = history.tier
    count = history.in_window + 1
    limit = rules.max_per_window.get(tier)  # type: ignore[call-overload]
    if limit is not None and count > limit:
        yield Finding(
            id="rate/submissions",
            severity=Severity.MEDIUM,
            confidence=Confidence.HIGH,
            message=f"{count} contributions in {rules.window_hours:g} hours from this "
            f"contributor (limit for {tier} contributors: {limit})",
            evidence=f"tier {tier}; {history.prior_contributions} recorded before",
            remedy="Slow down: fewer, well-reviewed changes get merged faster.",
        )
    if subject.contribution.state == "open":
        yield from _open_limits(subject)
    breaker = history.breaker
    if breaker is not None and breaker.paused and subject.signals.agent_detected:
        rules_cb = subject.policy.circuit_breaker
        yield Finding(
            id="rate/circuit-breaker",
            severity=Severity.MEDIUM,
            confidence=Confidence.HIGH,
            message=f"New agent-made contributions are paused: {100 * breaker.agent_share:.0f}% "
            f"of the {breaker.merged} merged in the last {rules_cb.window_days:g} days were "
            f"agent-made (limit {100 * rules_cb.max_agent_share:.0f}%, cooldown "
            f"{rules_cb.cooldown_days:g} days)",
            evidence=f"tripped {breaker.since[:10]}" if breaker.since else "over the limit",
            remedy="Wait for the share to fall and the cooldown to pass, or ask a maintainer.",
        )


def _open_limits(subject: Subject) -> Iterator[Finding]:
    history = subject.history
    assert history is not None
    rules = subject.policy.rate
    open_now = history.open_contributions + 1
    limit = rules.max_open.get(history.tier)  # type: ignore[call-overload]
    if limit is not None and open_now > limit:
        yield Finding(
            id="rate/open-contributions",
            severity=Severity.MEDIUM,
            confidence=Confidence.HIGH,
            message=f"{open_now} open contributions from this contributor (limit for "
            f"{history.tier} contributors: {limit})",
            evidence=f"tier {history.tier}",
            remedy="Let the open ones land or close before opening more.",
        )
    agent_limit = rules.max_open_agent.get(history.tier)  # type: ignore[call-overload]
    if agent_limit is not None and subject.signals.agent_detected:
        open_agent = history.open_agent_contributions + 1
        if open_agent > agent_limit:
            yield Finding(
                id="rate/open-agent-contributions",
                severity=Severity.MEDIUM,
                confidence=Confidence.HIGH,
                message=f"{open_agent} open agent-made contributions from this contributor "
                f"(limit for {history.tier} contributors: {agent_limit})",
                evidence=f"tier {history.tier}",
                remedy="Keep one AI-assisted pull request open at a time.",
            )
