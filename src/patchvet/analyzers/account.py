"""
`account`: what the author's public GitHub account shows, as the Action or the App read it.

Advice only: the policy engine caps the family at `flag`, exempt and vouched authors are not
read, and an author with merged work in the repository is not scored. The finding lists the
signals behind the reading and says how to dispute it.
"""

from __future__ import annotations

from collections.abc import Iterator

from patchvet.analyzers.interface import Subject
from patchvet.records import Confidence, Finding, Severity

DISPUTE = (
    "Account signals are weak evidence alone and never decide. If this reading is wrong, say "
    "so: a maintainer can vouch for you, and vouched contributors are not scored."
)


def account(subject: Subject) -> Iterator[Finding]:
    """`account/automation-pattern` or `account/mixed-pattern` from the account reading."""
    reading = subject.contribution.account
    if reading is None or reading.classification not in ("automation", "mixed"):
        return
    signals = "; ".join(f"{meaning} ({evidence}, {weight:+d})"
                        for _, weight, meaning, evidence in reading.signals[:5])  # fmt: skip
    automation = reading.classification == "automation"
    yield Finding(
        id="account/automation-pattern" if automation else "account/mixed-pattern",
        severity=Severity.LOW if automation else Severity.INFO,
        confidence=Confidence.MEDIUM if automation else Confidence.LOW,
        message=f"The author's public GitHub activity reads as {reading.classification} "
        f"(score {reading.score}/100 as of {reading.as_of[:10]})",
        evidence=signals,
        remedy=DISPUTE,
    )
