"""
The core loop: contributions in, assessments out, one at a time.

`assess` runs every analyzer over one contribution and lets the policy judge the findings;
`check` does that lazily over a stream, so memory does not grow with the number of inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from patchvet.analyzers import ANALYZERS, Subject, compute_signals, measure
from patchvet.analyzers.identity import withhold_unattested_vouch
from patchvet.analyzers.size import SizeMeasure
from patchvet.analyzers.standing import exemption, exemption_note
from patchvet.budget import BudgetExceeded, budget, stage
from patchvet.policy import Policy, judge
from patchvet.policy.catalog import incomplete_finding
from patchvet.records import Assessment, Contribution, Finding, Scores, Skipped, SourceKind
from patchvet.sources import SourceItem

if TYPE_CHECKING:
    from patchvet.ledger import LedgerView, SqlLedger

ISSUE_FAMILIES = frozenset(
    {"agent-fingerprint", "policy", "identity", "rate", "honeypot", "account"}
)
"""What an issue is checked for: it has no commits, files, sign-offs or disclosure trailers."""


def assess(
    contribution: Contribution, policy: Policy, history: LedgerView | None = None
) -> Assessment:
    """
    Analyze one contribution (with the ledger's view of its author) and judge it.

    An analyzer that fails does not stop the others, and never drops the contribution: its
    failure becomes an `analysis/incomplete` finding, judged at least `hold` (fail closed).
    So does running out of the policy's time budget (`analysis.budget_seconds`), which stops
    the analysis where it is and names what was left undone, and every part of it that the
    source could not read (`Contribution.unread`).
    """
    findings = [incomplete_finding(reason) for reason in contribution.unread]
    history = withhold_unattested_vouch(contribution, history)
    exempt = exemption(contribution, policy)
    skipped = set(policy.maintainers.exempt_families) if exempt else set()
    families = [family for family in ANALYZERS if family not in skipped]
    if contribution.kind is SourceKind.ISSUE:
        families = [family for family in families if family in ISSUE_FAMILIES]
    signals = None
    with budget(policy.analysis.budget_seconds):
        try:
            stage("the AI signals")
            signals = compute_signals(contribution, policy)
        except BudgetExceeded as spent:
            findings.append(incomplete_finding(_unfinished(spent, families)))
        except Exception as error:  # noqa: BLE001 - hostile input must be reported, not dropped
            findings.append(incomplete_finding(f"signals failed: {_describe(error)}"))
        if signals is not None:
            findings += _analyze(Subject(contribution, policy, signals, history), families)
    try:
        size = measure(contribution, policy)
    except Exception:  # noqa: BLE001 - the size analyzer has reported it; count every line
        changed = sum(change.additions + change.deletions for change in contribution.files)
        size = SizeMeasure(changed, len(contribution.files), 0, 0)
    if exempt:
        findings.append(exemption_note(exempt, policy))
    verdict, judged = judge(findings, policy)
    return Assessment(
        contribution=contribution,
        verdict=verdict,
        findings=judged,
        scores=Scores(
            size_lines=size.lines,
            size_bucket=size.bucket,
            files=size.files,
            agent_likelihood=signals.likelihood if signals is not None else None,
        ),
    )


def _analyze(subject: Subject, families: list[str]) -> list[Finding]:
    """The findings of the analyzers of `families`, until the time budget runs out."""
    findings: list[Finding] = []
    for index, family in enumerate(families):
        try:
            stage(f"the {family} analyzer")
            findings.extend(ANALYZERS[family](subject))
        except BudgetExceeded as spent:
            findings.append(incomplete_finding(_unfinished(spent, families[index:])))
            break
        except Exception as error:  # noqa: BLE001 - hostile input must be reported, not dropped
            findings.append(incomplete_finding(f"{family} analyzer failed: {_describe(error)}"))
    return findings


def _unfinished(spent: BudgetExceeded, families: list[str]) -> str:
    return f"{spent} (CPU time); not analysed: {', '.join(families)}"


def _describe(error: Exception) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text[:200]}" if text else type(error).__name__


def project_of(contribution: Contribution, default: str) -> str:
    """The ledger's project for a contribution: the GitHub repository, else `default`."""
    if contribution.kind in (SourceKind.PULL_REQUEST, SourceKind.ISSUE):
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
        history = ledger.view(item, policy, where) if ledger else None
        assessment = assess(item, policy, history)
        if ledger is not None and tick is not None:
            ledger.record(assessment, where, policy)
            tick()
        yield assessment
