"""
Markdown for a pull-request comment or a GitHub job summary. The first line is a hidden marker
so the GitHub integration can find and update its own comment. All contribution text is
escaped: nothing a contributor writes can format, link, mention or inject HTML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from patchvet.formats._escape import markdown as md
from patchvet.formats.interface import Reporter, byline, counted, describe_location
from patchvet.records import Assessment, Skipped, SourceKind, Verdict

MARKER = "<!-- patchvet-report -->"
VERDICT_BADGE = {
    Verdict.PASS: "✅ pass",
    Verdict.FLAG: "🟡 flag",
    Verdict.HOLD: "🟠 hold",
    Verdict.REJECT: "🔴 reject",
}


class MarkdownReporter(Reporter):
    """One section per contribution, findings in a collapsible list, a summary at the end."""

    def start(self) -> None:
        extends = f", extends `{md(self.policy.extends)}`" if self.policy.extends else ""
        self.out.write(f"{MARKER}\n## patchvet\n\n")
        self.out.write(f"Policy `{md(self.policy.name)}`{extends} · mode **{self.policy.mode}**")
        if self.policy.origin:
            self.out.write(f" · read from <code>{md(self.policy.origin, 160)}</code>")
        if self.policy.source:
            self.out.write(f" · source: {md(self.policy.source)}")
        self.out.write("\n")

    def add(self, assessment: Assessment) -> None:
        contribution = assessment.contribution
        scores = assessment.scores
        write = self.out.write
        tag = f"{md(contribution.series.tag)} " if contribution.series else ""
        write(f"\n### {VERDICT_BADGE[assessment.verdict]} · {tag}{md(contribution.title, 120)}\n\n")
        size = (
            "an issue"  # no diff to measure
            if contribution.kind is SourceKind.ISSUE
            else f"{counted(scores.size_lines, 'changed line')} (size {scores.size_bucket}) in "
            f"{counted(scores.files, 'file')}"
        )
        write(
            f"<code>{md(contribution.source, 100)}</code> by "
            f"{md(byline(contribution), 200)} · {size}"
        )
        if scores.agent_likelihood is not None:
            write(f" · agent likelihood {scores.agent_likelihood:.2f}")
        write("\n")
        if assessment.override is not None:
            override = assessment.override
            write(
                f"\n**Overridden by {md(override.by, 60)}** ({md(override.via, 120)}): "
                f"{md(override.reason, 300)}. patchvet's verdict was "
                f"{VERDICT_BADGE[override.original]}.\n"
            )
        if not assessment.findings:
            write("\nNo findings.\n")
            return
        blocking = any(j.verdict is not Verdict.PASS for j in assessment.findings)
        findings = counted(len(assessment.findings), "finding")
        write(f"\n<details{' open' if blocking else ''}><summary>{findings}</summary>\n\n")
        for judged in assessment.findings:
            finding = judged.finding
            write(
                f"- **{judged.verdict.value}** <code>{md(finding.id)}</code> "
                f"({finding.severity.value}): {md(finding.message, 300)}\n"
            )
            if judged.ignored is not None:
                write(f"  - ignored by the policy: {md(judged.ignored, 300)}\n")
            where = ", ".join(filter(None, (describe_location(x) for x in finding.locations)))
            if where:
                write(f"  - where: <code>{md(where, 300)}</code>\n")
            for detail in finding.details:
                write(f"  - {md(detail.text, 300)}\n")
            if finding.evidence:
                write(f"  - evidence: <code>{md(finding.evidence, 300)}</code>\n")
            if finding.remedy:
                write(f"  - fix: {md(finding.remedy, 400)}\n")
        write("\n</details>\n")

    def finish(self, skipped: Sequence[Skipped], counts: Mapping[Verdict, int]) -> None:
        write = self.out.write
        total = sum(counts.values())
        parts = ", ".join(f"{counts.get(v, 0)} {v.value}" for v in Verdict)
        for outcome in self.series.finished():
            write(f"\n**Series** {md(outcome.title, 120)}: {md(outcome.summary(), 600)}\n")
        write(f"\n---\n**{counted(total, 'contribution')}:** {parts}")
        if skipped:
            write(f" · {len(skipped)} skipped\n\n")
            for item in skipped[:50]:
                write(f"- skipped <code>{md(item.source, 100)}</code>: {md(item.reason, 200)}\n")
            if len(skipped) > 50:
                write(f"- … and {len(skipped) - 50} more\n")
        else:
            write("\n")
        write(
            "\n<sub>patchvet advises; maintainers decide. A finding you think is wrong can be "
            "discussed with the maintainers.</sub>\n"
        )
