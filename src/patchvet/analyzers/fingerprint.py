"""
`agent-fingerprint`: explicit marks that a coding agent produced or co-wrote the contribution.

Each finding names the agent and quotes the mark, so a maintainer can verify it in seconds.
Marks are high-specificity, low-sensitivity evidence: their absence proves nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from patchvet.analyzers.interface import Subject
from patchvet.records import Finding, Severity

_WHAT = {
    "author": ("agent-author", "is the commit author"),
    "committer": ("agent-committer", "is the committer"),
    "pr-author": ("agent-author", "opened this pull request"),
    "co-author": ("agent-trailer", "is named in an identity trailer"),
    "footer": ("agent-footer", "left its generated-with footer"),
    "session-link": ("session-link", "session link is present"),
    "trailer": ("agent-trailer", "left its trailer"),
    "branch": ("agent-branch", "branch naming pattern is used"),
    "subject": ("agent-subject", "commit subject prefix is used"),
}


def agent_fingerprint(subject: Subject) -> Iterator[Finding]:
    """One finding per (agent, kind of mark), quoting the first instance as evidence."""
    grouped: dict[tuple[str, str], list[int]] = {}
    marks = subject.signals.marks
    for index, mark in enumerate(marks):
        grouped.setdefault((mark.agent, mark.kind), []).append(index)
    for (agent, kind), indexes in grouped.items():
        first = marks[indexes[0]]
        name, verb = _WHAT[kind]
        more = f" (and {len(indexes) - 1} more)" if len(indexes) > 1 else ""
        yield Finding(
            id=f"agent-fingerprint/{name}",
            severity=Severity.LOW,
            confidence=first.confidence,
            message=f"{agent} {verb}{more}",
            evidence=first.evidence,
            remedy=(
                "Nothing to fix if the project accepts agent work: make sure the disclosure "
                "the policy asks for is present and that a human reviewed every line."
            ),
            locations=tuple(marks[i].location for i in indexes),
        )
