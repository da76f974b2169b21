"""
Terminal report: one block per contribution, verdict first, then each finding with where it
is, its evidence and its remedy. Every piece of contribution text is made inert first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TextIO

from rich.console import Console
from rich.text import Text

from patchvet.formats._escape import plain
from patchvet.formats.interface import Reporter, byline, counted, describe_location
from patchvet.policy import Policy
from patchvet.records import Assessment, Skipped, Verdict

VERDICT_STYLE = {
    Verdict.PASS: "bold green",
    Verdict.FLAG: "bold yellow",
    Verdict.HOLD: "bold magenta",
    Verdict.REJECT: "bold red",
}
_SEVERITY_STYLE = {"info": "dim", "low": "yellow", "medium": "magenta", "high": "bold red"}


class TextReporter(Reporter):
    """Readable at a glance; colours only on a terminal."""

    def __init__(self, out: TextIO, policy: Policy) -> None:
        super().__init__(out, policy)
        self.console = Console(file=out, soft_wrap=True, highlight=False, markup=False, emoji=False)

    def start(self) -> None:
        extends = f", extends {self.policy.extends}" if self.policy.extends else ""
        self.console.print(
            Text(
                f"patchvet · policy {plain(self.policy.name, 80)}{extends} · {self.policy.mode}"
                + (f" · from {plain(self.policy.origin, 160)}" if self.policy.origin else ""),
                style="dim",
            )
        )

    def add(self, assessment: Assessment) -> None:
        contribution = assessment.contribution
        scores = assessment.scores
        line = Text("\n")
        line.append(f"{assessment.verdict.value.upper():<6}", VERDICT_STYLE[assessment.verdict])
        line.append(f" {plain(contribution.source, 80)}", "bold")
        tag = f"{contribution.series.tag} " if contribution.series else ""
        line.append(f" · {tag}{plain(contribution.title, 100)}")
        self.console.print(line)
        self.console.print(
            Text(
                f"       by {plain(byline(contribution), 200)} · "
                f"{counted(scores.size_lines, 'line')} ({scores.size_bucket}) in "
                f"{counted(scores.files, 'file')}"
                + (
                    f" · agent likelihood {scores.agent_likelihood:.2f}"
                    if scores.agent_likelihood is not None
                    else ""
                ),
                style="dim",
            )
        )
        if assessment.override is not None:
            override = assessment.override
            self.console.print(
                Text(
                    f"       overridden by {plain(override.by, 60)} ({plain(override.via, 100)}):"
                    f" {plain(override.reason, 300)}; patchvet said {override.original.value}",
                    style="bold",
                )
            )
        for judged in assessment.findings:
            finding = judged.finding
            head = Text("       ")
            head.append(f"[{finding.severity.value}]", _SEVERITY_STYLE[finding.severity.value])
            head.append(f" {finding.id}", "bold")
            head.append(f" → {judged.verdict.value}", VERDICT_STYLE[judged.verdict])
            if judged.ignored is not None:
                head.append(f" (ignored: {plain(judged.ignored, 200)})", "dim")
            head.append(f"  {plain(finding.message, 300)}")
            self.console.print(head)
            where = ", ".join(filter(None, (describe_location(loc) for loc in finding.locations)))
            for label, value in (("where", where), ("evidence", finding.evidence),
                                 ("fix", finding.remedy)):  # fmt: skip
                if value:
                    self.console.print(
                        Text(
                            f"           {label}: {plain(value, 300)}",
                            style="dim" if label != "fix" else "",
                        )
                    )
                if label == "where":
                    for detail in finding.details:
                        self.console.print(Text(f"           · {plain(detail.text, 300)}"))

    def finish(self, skipped: Sequence[Skipped], counts: Mapping[Verdict, int]) -> None:
        for outcome in self.series.finished():
            line = Text("\nSERIES ")
            line.append(f"{plain(outcome.title, 100)}", "bold")
            line.append(f" · {plain(outcome.summary(), 600)}", VERDICT_STYLE[outcome.verdict])
            self.console.print(line)
        total = sum(counts.values())
        summary = Text(f"\n{counted(total, 'contribution')}: ")
        parts = [(verdict, counts.get(verdict, 0)) for verdict in Verdict]
        for index, (verdict, count) in enumerate(parts):
            summary.append(f"{count} {verdict.value}", VERDICT_STYLE[verdict] if count else "dim")
            summary.append(", " if index < len(parts) - 1 else "")
        if skipped:
            summary.append(f" · {len(skipped)} skipped", "bold")
        self.console.print(summary)
        for item in skipped:
            self.console.print(
                Text(f"  skipped {plain(item.source, 120)}: {plain(item.reason, 300)}", style="dim")
            )
