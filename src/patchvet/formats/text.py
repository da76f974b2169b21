"""
Terminal report: one block per contribution, verdict first, then each finding with where it
is, its evidence and its remedy. Every piece of contribution text is made inert first.

rich colours the report on a terminal. Elsewhere (a pipe, a file, CI logs) rich would write
each line as it is, so the line is written directly and rich is not imported: it was 20-40 ms
of a one-patch check's start-up. A line rich would change (a tab it expands, a control
character it drops) still goes through rich.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

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
_RICH_CHANGES = re.compile("[\t\a\b\v\f\r]")
"""What rich does not write as it is: tabs (expanded) and the control characters it drops."""

if TYPE_CHECKING:
    from rich.console import Console


class Text:
    """A line of the report and the style of each part, as rich's `Text` takes them."""

    def __init__(self, text: str = "", style: str = "") -> None:
        self.style = style
        self.parts: list[tuple[str, str]] = [(text, "")]

    def append(self, text: str, style: str = "") -> None:
        """Add `text` in `style` (rich's style names) to the end of the line."""
        self.parts.append((text, style))

    @property
    def plain(self) -> str:
        """The line without its styles."""
        return "".join(text for text, _ in self.parts)


def _rich_writes_plain(out: TextIO) -> bool:
    """
    Whether rich would treat `out` as no terminal and write text without styles: its own rule
    (`rich.console.Console.is_terminal`), for the cases a command line meets. Anything else
    (IDLE, Jupyter) is left to rich.
    """
    if "idlelib" in sys.modules or "IPython" in sys.modules:
        return False
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "0"
    force_color = os.environ.get("FORCE_COLOR")
    if force_color is not None:
        return force_color == ""
    try:
        return not out.isatty()
    except ValueError:  # a closed file: rich says no terminal too
        return True


class LinePrinter:
    """Prints report lines as rich would, importing rich only for a line that needs it."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.direct = _rich_writes_plain(out)
        self._console: Console | None = None

    def print(self, line: Text) -> None:
        """Write one line and flush it (as rich does, so it interleaves with stderr alike)."""
        text = line.plain
        if self.direct and not _RICH_CHANGES.search(text):
            self.out.write(text + "\n")
            self.out.flush()
            return
        from rich.text import Text as RichText

        styled = RichText(line.parts[0][0], style=line.style)
        for part, style in line.parts[1:]:
            styled.append(part, style)
        self._rich().print(styled)

    def _rich(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(
                file=self.out, soft_wrap=True, highlight=False, markup=False, emoji=False
            )
        return self._console


class TextReporter(Reporter):
    """Readable at a glance; colours only on a terminal."""

    def __init__(self, out: TextIO, policy: Policy) -> None:
        super().__init__(out, policy)
        self.console = LinePrinter(out)

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
