"""
Terse lines in the shape of the kernel's checkpatch.pl: `FILE:LINE: LEVEL: id: message`, one per
finding, then `total: N errors, M warnings, K checks`. Editors and scripts read it as they read a
compiler's output.

A finding's level follows the verdict the policy gives it: `reject` and `hold` are ERROR (the
patch cannot go in as it is), `flag` is WARNING, and an advisory finding that changes nothing
is CHECK. A finding without a file is cited by the contribution's source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TextIO

from patchvet.formats._escape import plain
from patchvet.formats.interface import Reporter
from patchvet.policy import Policy
from patchvet.records import Assessment, Location, Skipped, Verdict

LEVELS = {Verdict.REJECT: "ERROR", Verdict.HOLD: "ERROR", Verdict.FLAG: "WARNING",
          Verdict.PASS: "CHECK"}  # fmt: skip


def _place(location: Location | None, source: str) -> str:
    if location is None or not location.path:
        return plain(source, 200)
    where = plain(location.path, 200)
    return f"{where}:{location.line}" if location.line is not None else where


class CheckpatchReporter(Reporter):
    """One line per finding, and a total."""

    def __init__(self, out: TextIO, policy: Policy) -> None:
        super().__init__(out, policy)
        self.errors = self.warnings = self.checks = 0

    def add(self, assessment: Assessment) -> None:
        contribution = assessment.contribution
        tag = f"{contribution.series.tag} " if contribution.series else ""
        for judged in assessment.findings:
            finding = judged.finding
            level = LEVELS[judged.verdict]
            if level == "ERROR":
                self.errors += 1
            elif level == "WARNING":
                self.warnings += 1
            else:
                self.checks += 1
            where = _place(finding.locations[0] if finding.locations else None, contribution.source)
            self.out.write(f"{where}: {level}: {finding.id}: {tag}{plain(finding.message, 300)}\n")

    def finish(self, skipped: Sequence[Skipped], counts: Mapping[Verdict, int]) -> None:
        for item in skipped:
            self.errors += 1
            self.out.write(f"{plain(item.source, 200)}: ERROR: input/skipped: "
                           f"{plain(item.reason, 300)}\n")  # fmt: skip
        total = sum(counts.values())
        self.out.write(
            f"total: {self.errors} errors, {self.warnings} warnings, {self.checks} checks, "
            f"{total} contributions\n"
        )
