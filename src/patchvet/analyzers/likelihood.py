"""
`agent-likelihood`: the statistical estimate that an agent produced a contribution that
carries no explicit mark. It is evidence for a reviewer, never proof: the policy engine caps
its verdict at `flag`, and it is not reported when explicit marks already say more.
"""

from __future__ import annotations

from collections.abc import Iterator

from patchvet.analyzers.interface import Subject
from patchvet.model.scorer import shipped_model
from patchvet.records import Confidence, Finding, Severity


def agent_likelihood(subject: Subject) -> Iterator[Finding]:
    """A low-severity finding when the score reaches the policy's threshold."""
    score = subject.signals.likelihood
    model = shipped_model()
    if score is None or model is None or subject.signals.agent_detected:
        return
    threshold = subject.policy.likelihood.threshold
    if threshold is None:
        threshold = model.threshold
    if score < threshold:
        return
    yield Finding(
        id="agent-likelihood/high-score",
        severity=Severity.LOW,
        confidence=Confidence.MEDIUM,
        message=f"The style of this change resembles autonomous-agent work (likelihood "
        f"{score:.2f}, threshold {threshold:.2f})",
        evidence=f"agent_likelihood={score:.3f}; at the default threshold about 1% of human "
        "commits of similar size score this high",
        remedy="Nothing to do if a person wrote it: this is a statistical estimate, not an "
        "accusation. If an agent helped, disclose it the way the project asks.",
    )
