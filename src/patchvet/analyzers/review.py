"""
`review`: approvals given by bots or coding agents. Several policies (Fedora, LLVM, Rust) say
an AI must never be the arbiter that lets a change in; a human approval must.
"""

from __future__ import annotations

from collections.abc import Iterator

from patchvet.analyzers.interface import Subject
from patchvet.marks import load_registry
from patchvet.records import Confidence, Finding, Severity


def review(subject: Subject) -> Iterator[Finding]:
    """One finding per approval from an agent account, when the policy forbids them."""
    if subject.policy.review.agent_approvals != "forbid":
        return
    registry = load_registry()
    for item in subject.contribution.reviews:
        if item.state != "APPROVED":
            continue
        agent = registry.by_identity(item.reviewer)
        is_bot = item.reviewer.is_app_account()
        if agent is None and not is_bot:
            continue
        who = agent.name if agent else item.reviewer.login
        yield Finding(
            id="review/agent-approval",
            severity=Severity.MEDIUM,
            confidence=Confidence.HIGH if agent else Confidence.MEDIUM,
            message=f"Approved by {who}, an automated account: an approval must come from a "
            "human reviewer",
            evidence=f"@{item.reviewer.login} {item.state}",
            remedy="Ask a maintainer to review; bot approvals are advisory only.",
        )
