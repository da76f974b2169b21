"""
The core loop: contributions in, assessments out, one at a time.

`assess` runs every analyzer over one contribution and lets the policy judge the findings;
`check` does that lazily over a stream, so memory does not grow with the number of inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from patchvet.analyzers import ANALYZERS, Subject, compute_signals, measure
from patchvet.ledger import LedgerView, SqlLedger
from patchvet.policy import Policy, judge
from patchvet.records import Assessment, Contribution, Finding, Scores, Skipped, SourceKind
from patchvet.sources import SourceItem


class AnalyzerFailure(Exception):
    """An analyzer raised on some input; the contribution is skipped rather than half-judged."""


def assess(
    contribution: Contribution, policy: Policy, history: LedgerView | None = None
) -> Assessment:
    """Analyze one contribution (with the ledger's view of its author) and judge it."""
    signals = compute_signals(contribution, policy)
    subject = Subject(contribution, policy, signals, history)
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


def project_of(contribution: Contribution, default: str) -> str:
    """The ledger's project for a contribution: the GitHub repository, else `default`."""
    if contribution.kind is SourceKind.PULL_REQUEST:
        return contribution.source.rsplit("#", 1)[0]
    return default


def check(
    items: Iterable[SourceItem],
    policy: Policy,
    ledger: SqlLedger | None = None,
    project: str = "local",
    record: bool = False,
) -> Iterator[Assessment | Skipped]:
    """
    Assess every contribution of a stream; pass `Skipped` items through in order.

    With a ledger, each contribution is judged with the ledger's view of its author as of its
    own time, and with `record` it is stored right after, so a replayed history builds the
    record the way it happened.
    """
    if ledger is None or not record:
        yield from _judge_all(items, policy, ledger, project, tick=None)
        return
    with ledger.batch() as tick:
        yield from _judge_all(items, policy, ledger, project, tick)


def _judge_all(
    items: Iterable[SourceItem],
    policy: Policy,
    ledger: SqlLedger | None,
    project: str,
    tick: Callable[[], None] | None,
) -> Iterator[Assessment | Skipped]:
    """Judge each item; with `tick` (a recording batch), record it before yielding it."""
    for item in items:
        if isinstance(item, Skipped):
            yield item
            continue
        where = project_of(item, project)
        try:
            history = ledger.view(item, policy, where) if ledger else None
            assessment = assess(item, policy, history)
        except AnalyzerFailure as failure:
            yield Skipped(item.source, str(failure))
            continue
        if ledger is not None and tick is not None:
            ledger.record(assessment, where, policy)
            tick()
        yield assessment
