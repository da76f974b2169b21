"""
`size`: how auditable a change is. Lines changed outside generated and lock files, files
touched, and a Prow-style bucket (XS/S/M/L/XL/XXL at 10/30/100/500/1000 lines).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from patchvet.analyzers.interface import Subject
from patchvet.paths import first_match
from patchvet.policy.schema import BUCKETS, Policy
from patchvet.records import Confidence, Contribution, Finding, Severity

_BOUNDS = (10, 30, 100, 500, 1000)


@dataclass(frozen=True)
class SizeMeasure:
    """Line and file counts of one contribution under one policy's exclusions."""

    lines: int
    files: int
    excluded_files: int
    excluded_lines: int

    @property
    def bucket(self) -> str:
        """Prow's size label for `lines`."""
        for name, bound in zip(BUCKETS, _BOUNDS, strict=False):
            if self.lines < bound:
                return name
        return BUCKETS[-1]


def measure(contribution: Contribution, policy: Policy) -> SizeMeasure:
    """Count changed lines, leaving out files the policy calls generated."""
    if not contribution.files and contribution.reported_additions is not None:
        lines = contribution.reported_additions + (contribution.reported_deletions or 0)
        return SizeMeasure(lines, contribution.reported_files or 0, 0, 0)
    lines = excluded_lines = excluded = 0
    for change in contribution.files:
        changed = change.additions + change.deletions
        if first_match(change.path, policy.size.exclude):
            excluded += 1
            excluded_lines += changed
        else:
            lines += changed
    return SizeMeasure(lines, len(contribution.files) - excluded, excluded, excluded_lines)


def size(subject: Subject) -> Iterator[Finding]:
    """A finding when the change is large for review, too large, or too spread out."""
    rules = subject.policy.size
    size_of = measure(subject.contribution, subject.policy)
    excluded = (
        f"; {size_of.excluded_lines} lines in {size_of.excluded_files} generated or lock files "
        "not counted"
        if size_of.excluded_files
        else ""
    )
    evidence = f"{size_of.lines} changed lines in {size_of.files} files{excluded}"
    split = "Split it into smaller, self-contained changes that can each be reviewed on their own."
    if rules.max_lines is not None and size_of.lines > rules.max_lines:
        yield Finding(
            id="size/over-limit",
            severity=Severity.MEDIUM,
            confidence=Confidence.HIGH,
            message=f"{size_of.lines} changed lines exceed this project's limit of "
            f"{rules.max_lines}",
            evidence=evidence,
            remedy=split,
        )
    elif BUCKETS.index(size_of.bucket) >= BUCKETS.index(rules.flag_bucket):
        yield Finding(
            id="size/large",
            severity=Severity.LOW,
            confidence=Confidence.HIGH,
            message=f"Size {size_of.bucket}: {size_of.lines} changed lines are hard to review "
            "carefully",
            evidence=evidence,
            remedy=split,
        )
    # Files renamed or re-moded without a changed line are nothing to read.
    edited = sum(
        1
        for change in subject.contribution.files
        if (change.additions or change.deletions or change.binary)
        and not first_match(change.path, rules.exclude)
    )
    if not subject.contribution.files:
        edited = size_of.files
    if rules.max_files is not None and edited > rules.max_files:
        yield Finding(
            id="size/spread",
            severity=Severity.LOW,
            confidence=Confidence.HIGH,
            message=f"Touches {edited} files (more than {rules.max_files})",
            evidence=evidence,
            remedy=split,
        )
