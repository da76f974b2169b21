"""
The core loop: contributions in, assessments out, one at a time.

`assess` runs every analyzer over one contribution and lets the policy judge the findings;
`check` does that lazily over a stream, so memory does not grow with the number of inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from patchvet.analyzers import ANALYZERS, Subject, compute_signals, measure
from patchvet.models import Assessment, Contribution, Finding, Scores, Skipped
from patchvet.policy import Policy, judge
from patchvet.sources import SourceItem


class AnalyzerFailure(Exception):
    """An analyzer raised on some input; the contribution is skipped rather than half-judged."""


def assess(contribution: Contribution, policy: Policy) -> Assessment:
    """Analyze one contribution and judge it under `policy`."""
    signals = compute_signals(contribution, policy)
    subject = Subject(contribution, policy, signals)
    findings: list[Finding] = []
    for family, analyzer in ANALYZERS.items():
        try:
            findings.extend(analyzer(subject))
        except Exception as error:
            raise AnalyzerFailure(
                f"{family} analyzer failed: {type(error).__name__}: {error}"
            ) from error
    verdict, judged = judge(findings, policy)
    size = measure(contribution, policy)
    return Assessment(
        contribution=contribution,
        verdict=verdict,
        findings=judged,
        scores=Scores(
            size_lines=size.lines,
            size_bucket=size.bucket,
            files=size.files,
            agent_likelihood=signals.likelihood,
        ),
    )


def check(items: Iterable[SourceItem], policy: Policy) -> Iterator[Assessment | Skipped]:
    """Assess every contribution of a stream; pass `Skipped` items through in order."""
    for item in items:
        if isinstance(item, Skipped):
            yield item
            continue
        try:
            yield assess(item, policy)
        except AnalyzerFailure as failure:
            yield Skipped(item.source, str(failure))
