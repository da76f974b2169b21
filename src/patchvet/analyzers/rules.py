"""
`policy`: the project's own AI rules (a ban, an approval requirement, human-only submission),
applied to the AI signals. These findings carry the project's words so the reason is clear.
"""

from __future__ import annotations

from collections.abc import Iterator

from patchvet.analyzers.interface import Subject
from patchvet.records import Confidence, Finding, Location, Severity

_AGENT_ACCOUNTS = ("author", "pr-author", "committer")


def _evidence(subject: Subject) -> tuple[str, tuple[Location, ...]]:
    signals = subject.signals
    items = [(m.evidence, m.location) for m in signals.marks]
    items += [(d.evidence, d.location) for d in signals.disclosures]
    return items[0][0], tuple(location for _, location in items[:5])


def policy_rules(subject: Subject) -> Iterator[Finding]:
    """Findings for AI involvement that the policy bans or gates."""
    ai = subject.policy.ai
    signals = subject.signals
    contribution = subject.contribution
    note = f" {ai.note}" if ai.note else ""
    if ai.bot_authors == "forbid":
        for mark in signals.marks:
            if mark.kind in _AGENT_ACCOUNTS:
                yield Finding(
                    id="policy/agent-submission",
                    severity=Severity.HIGH,
                    confidence=mark.confidence,
                    message=f"Submitted by an agent account ({mark.agent}); this project accepts "
                    "only contributions submitted by a human." + note,
                    evidence=mark.evidence,
                    remedy="A human contributor who understands the change must submit it.",
                    locations=(mark.location,),
                )
                break
    if not signals.ai_involved:
        return
    evidence, locations = _evidence(subject)
    if ai.stance == "ban":
        yield Finding(
            id="policy/ai-content",
            severity=Severity.HIGH,
            confidence=Confidence.HIGH if signals.marks else Confidence.MEDIUM,
            message="AI-generated content is not accepted by this project." + note,
            evidence=evidence,
            remedy="Rewrite the change without AI-generated content, or ask the maintainers "
            "whether an exception applies.",
            locations=locations,
        )
    elif ai.stance == "approval":
        approved = any(
            trailer.key.lower() in {k.lower() for k in ai.approval_trailers}
            for commit in contribution.commits
            for trailer in commit.trailers
        ) or bool(
            {label.lower() for label in contribution.labels}
            & {label.lower() for label in ai.approval_labels}
        )
        if not approved:
            yield Finding(
                id="policy/approval-required",
                severity=Severity.MEDIUM,
                confidence=Confidence.HIGH if signals.marks else Confidence.MEDIUM,
                message="AI-assisted content needs prior approval here, and none is recorded."
                + note,
                evidence=evidence,
                remedy="Obtain the approval the project requires and record it"
                + (
                    f" with a `{ai.approval_trailers[0]}:` trailer."
                    if ai.approval_trailers
                    else "."
                ),
                locations=locations,
            )
