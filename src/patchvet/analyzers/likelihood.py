"""
`agent-likelihood`: the statistical estimate that an agent produced a contribution that
carries no explicit mark. It is evidence for a reviewer, never proof: the policy engine caps
its verdict at `flag`, and it is not reported when explicit marks already say more.

Every finding names the signals that pushed the score up the most, computed exactly from the
model, and says whether its threshold was calibrated on the project's own history.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from patchvet.analyzers.interface import Subject
from patchvet.model.scorer import LikelihoodModel, shipped_model
from patchvet.policy.schema import LikelihoodRules
from patchvet.records import Confidence, Detail, Finding, Severity


@dataclass(frozen=True)
class Threshold:
    """The threshold a score is judged against, and where it comes from, in words."""

    value: float
    calibrated: bool
    source: str


def effective_threshold(rules: LikelihoodRules, model: LikelihoodModel) -> Threshold:
    """The policy's calibrated threshold when it was chosen for this model, else the fallback."""
    default = (
        "the model's default threshold, not calibrated for this project (about 1% of the "
        "training set's human commits reach it; `patchvet calibrate` fits it to this project)"
    )
    calibration = rules.calibration
    if rules.threshold is not None and calibration is not None:
        # Imported here, as `explain` below: most checks need neither (a one-patch check's
        # start-up is mostly imports).
        from patchvet.model.calibrate import fingerprint

        if calibration.model == fingerprint(model):
            verdicts = calibration.human_verdicts
            also = f" and {verdicts:,} maintainer verdicts" if verdicts else ""
            return Threshold(
                rules.threshold,
                True,
                f"calibrated on {calibration.commits:,} of this project's commits{also} "
                f"({calibration.range}), where {calibration.false_flag_rate:.1%} of human "
                "work reaches it",
            )
        return Threshold(
            model.threshold,
            False,
            default.replace("not calibrated for this project", "the policy's calibration "
                            "was for another model version; run `patchvet calibrate` again"),
        )  # fmt: skip
    if rules.threshold is not None:
        return Threshold(rules.threshold, False, "set in the policy by hand, not calibrated")
    return Threshold(model.threshold, False, default)


def distinguishing_digits(score: float, threshold: float, most: int = 4) -> int:
    """
    The fewest decimals (two at least) at which a score reads above the threshold it reached:
    with a threshold of 0.9946, a score of 0.995 shown as `1.00` against `0.99` would
    overstate it.
    """
    digits = 2
    while digits < most and float(shown(score, digits)) <= float(f"{threshold:.{digits}f}"):
        digits += 1
    return digits


def shown(value: float, digits: int) -> str:
    """A score with `digits` decimals, rounded down: a score below 1 never reads 1."""
    scale = 10**digits
    return f"{math.floor(value * scale) / scale:.{digits}f}"


def agent_likelihood(subject: Subject) -> Iterator[Finding]:
    """A low-severity finding when the score reaches the threshold, with its reasons."""
    score = subject.signals.likelihood
    model = shipped_model()
    if score is None or model is None or subject.signals.agent_detected:
        return
    threshold = effective_threshold(subject.policy.likelihood, model)
    if score < threshold.value:
        return
    from patchvet.model.explain import explain

    explanation = explain(model, subject.contribution)
    pushes = explanation.pushes() if explanation is not None else ()
    because = ", ".join(push.name for push in pushes)
    kind = "calibrated threshold" if threshold.calibrated else "uncalibrated threshold"
    digits = distinguishing_digits(score, threshold.value)
    yield Finding(
        id="agent-likelihood/high-score",
        severity=Severity.LOW,
        confidence=Confidence.MEDIUM,
        message=f"The style of this change resembles autonomous-agent work (likelihood "
        f"{shown(score, digits)}, {kind} {threshold.value:.{digits}f})"
        + (f". Most telling: {because}" if because else ""),
        evidence=f"agent_likelihood={score:.3f}; threshold {threshold.value:.4f}: "
        f"{threshold.source}",
        remedy="Nothing to do if a person wrote it: this is a statistical estimate, not an "
        "accusation. If an agent helped, disclose it the way the project asks.",
        details=tuple(Detail(push.signal, push.text, round(push.weight, 4)) for push in pushes),
    )
