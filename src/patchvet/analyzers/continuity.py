"""
`identity/style-shift`: a contribution whose style departs sharply from its author's own
established baseline, such as a contributor whose thirty earlier contributions all scored low
suddenly submitting one at 0.95, or a new signing key together with a break in style.

People's styles are stable; an account that changes hands, or starts relaying an agent's work,
often is not. Still this is only a prompt to look: low severity, and never without a long,
consistently low baseline, so it stays rare on honest histories (see docs/model.md).
"""

from __future__ import annotations

from collections.abc import Iterator

from patchvet.analyzers.interface import Subject
from patchvet.analyzers.likelihood import effective_threshold
from patchvet.ledger.identity import contribution_keys
from patchvet.model.scorer import shipped_model
from patchvet.records import Confidence, Detail, Finding, Severity

STEADY_HIGH = 0.3
"""A baseline counts as established-low when 90% of its scores are at most this."""
SHIFTED = 0.9
"""A score this high after such a baseline is a shift on its own (or the project's calibrated
threshold, when that is higher)."""
SHIFTED_WITH_NEW_KEY = 0.6
"""With a signing key never seen from this person, a lower score is enough."""


def style_shift(subject: Subject) -> Iterator[Finding]:
    """The finding, when the score jumps far above the contributor's own baseline."""
    history, score = subject.history, subject.signals.likelihood
    needed = subject.policy.identity.style_shift_after
    if history is None or score is None or subject.signals.agent_detected or needed == 0:
        return
    baseline = history.baseline
    if baseline is None or baseline.count < needed or baseline.high > STEADY_HIGH:
        return
    # Only the author's own signatures: GitHub signs web merges with its own key.
    signed = {value for kind, value in contribution_keys(subject.contribution) if kind == "key"}
    new_keys = sorted(signed - baseline.keys) if baseline.keys else []
    model = shipped_model()
    # A project that calibrated to a higher threshold sees such scores from honest people.
    shifted = SHIFTED
    if model is not None:
        shifted = max(SHIFTED, effective_threshold(subject.policy.likelihood, model).value)
    if score < shifted and not (new_keys and score >= SHIFTED_WITH_NEW_KEY):
        return
    jump = score - baseline.median
    key_note = f", signed with a key never seen from them ({new_keys[0][:24]})" if new_keys else ""
    details = [
        Detail("score", f"this contribution scores {score:.2f}", round(score, 4)),
        Detail(
            "baseline_median",
            f"median of their {baseline.count} earlier scored contributions: "
            f"{baseline.median:.2f} (90% at or below {baseline.high:.2f})",
            round(baseline.median, 4),
        ),
        Detail("jump", f"a jump of {jump:+.2f} from their usual style", round(jump, 4)),
    ]
    if new_keys:
        details.append(Detail("new_signing_key", f"new signing key {new_keys[0]}", 1.0))
    yield Finding(
        id="identity/style-shift",
        severity=Severity.LOW,
        confidence=Confidence.LOW,
        message=f"This contribution's style departs sharply from its author's own record: "
        f"agent likelihood {score:.2f} against a median of {baseline.median:.2f} over "
        f"{baseline.count} earlier contributions{key_note}",
        evidence=f"baseline median {baseline.median:.3f}, 90th percentile {baseline.high:.3f} "
        f"over {baseline.count}; score {score:.3f}; jump {jump:+.3f}",
        remedy="Often nothing: people change tools and habits. Worth a word with the "
        "contributor if the account may have changed hands or an agent is submitting for them.",
        details=tuple(details),
    )
