"""
A patch series judged as one unit: the worst verdict of its patches, the findings that drive it,
and what changed since the previous revision when the thread held one.

Maintainers of mailing-list projects answer a series, not a patch: "v3 is still missing the
sign-off on 2/5" is the sentence this module lets every format write.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath

from patchvet.records import Assessment, Contribution, Verdict


def series_key(contribution: Contribution) -> tuple[str, int] | None:
    """Which series (and revision) a contribution belongs to; None for a lone patch."""
    series = contribution.series
    if series is None or series.total < 2:
        return None
    where = series.thread or _origin(contribution.source)
    return (f"{where}\x00{series.cover_title or ''}\x00{series.total}", series.version)


def _origin(source: str) -> str:
    """
    Where a series' patches come from: the mbox (`file.mbox#2`), or, for patch files, their
    folder: `git format-patch` writes one file per patch of a series into one folder.
    """
    if "#" in source:
        return source.rsplit("#", 1)[0]
    return str(PurePath(source).parent)


@dataclass(frozen=True)
class SeriesEntry:
    """
    What a series keeps of one of its patches once judged: small, so a worker process can send
    it instead of the whole assessment.
    """

    key: tuple[str, int]
    """`series_key` of the patch."""
    title: str
    version: int
    total: int
    index: int
    verdict: Verdict
    judged: tuple[tuple[str, Verdict], ...]
    """(finding id, its verdict) for each finding of the patch."""


def series_entry(assessment: Assessment) -> SeriesEntry | None:
    """The patch's entry in its series; None for a lone patch."""
    contribution = assessment.contribution
    key = series_key(contribution)
    series = contribution.series
    if key is None or series is None:
        return None
    return SeriesEntry(
        key=key,
        title=series.cover_title or contribution.title,
        version=series.version,
        total=series.total,
        index=series.index,
        verdict=assessment.verdict,
        judged=tuple((j.finding.id, j.verdict) for j in assessment.findings),
    )


@dataclass
class SeriesOutcome:
    """One revision of one series, as its patches were judged."""

    title: str
    version: int
    total: int
    verdicts: dict[int, Verdict] = field(default_factory=dict)
    judged: dict[int, list[tuple[str, Verdict]]] = field(default_factory=dict)
    appeared: tuple[str, ...] | None = None
    """Finding ids new since the previous revision; None when it was not in the thread."""
    gone: tuple[str, ...] = ()

    @property
    def verdict(self) -> Verdict:
        """The worst verdict of any patch."""
        return max(self.verdicts.values(), default=Verdict.PASS)

    @property
    def missing(self) -> tuple[int, ...]:
        """Patch numbers not judged (not in the input, or unreadable)."""
        return tuple(i for i in range(1, self.total + 1) if i not in self.verdicts)

    @property
    def findings(self) -> set[str]:
        """Every finding id raised on any patch."""
        return {finding for items in self.judged.values() for finding, _ in items}

    @property
    def drivers(self) -> list[tuple[str, int]]:
        """(finding id, patch number) for each finding at the series' worst verdict."""
        worst = self.verdict
        if worst is Verdict.PASS:
            return []
        return [
            (finding, index)
            for index, items in sorted(self.judged.items())
            for finding, verdict in items
            if verdict == worst
        ]

    def add(self, entry: SeriesEntry) -> None:
        """Count one patch of this revision."""
        self.verdicts[entry.index] = entry.verdict
        self.judged[entry.index] = list(entry.judged)

    def summary(self) -> str:
        """`v2, 5 patches: HOLD, driven by disclosure/missing (2/5, 4/5)` and the changes."""
        drivers: dict[str, list[str]] = {}
        for finding, index in self.drivers:
            drivers.setdefault(finding, []).append(f"{index}/{self.total}")
        text = f"v{self.version}, {self.total} patches: {self.verdict.value.upper()}"
        if drivers:
            text += ", driven by " + "; ".join(
                f"{finding} ({', '.join(dict.fromkeys(where))})"
                for finding, where in drivers.items()
            )
        if self.missing:
            text += f"; not judged: {', '.join(f'{i}/{self.total}' for i in self.missing)}"
        if self.appeared is not None:
            changes = [f"+{finding}" for finding in self.appeared]
            changes += [f"-{finding}" for finding in self.gone]
            text += f"; since v{self.version - 1}: " + (", ".join(changes) or "same findings")
        return text


class SeriesBook:
    """Series outcomes as assessments stream past; earlier revisions registered for comparison."""

    def __init__(self) -> None:
        self.outcomes: dict[tuple[str, int], SeriesOutcome] = {}
        self._previous: dict[str, Counter[str]] = {}

    def add(self, assessment: Assessment) -> None:
        """Count a patch if it belongs to a series."""
        self.add_entry(series_entry(assessment))

    def add_entry(self, entry: SeriesEntry | None) -> None:
        """`add` for a patch a worker process has already reduced to its `series_entry`."""
        if entry is None:
            return
        outcome = self.outcomes.get(entry.key)
        if outcome is None:
            outcome = SeriesOutcome(entry.title, entry.version, entry.total)
            self.outcomes[entry.key] = outcome
        outcome.add(entry)

    def add_previous(self, thread: str, assessments: list[Assessment]) -> None:
        """The patches of the revision before, to say which findings appeared or went away."""
        found: Counter[str] = Counter()
        for assessment in assessments:
            for judged in assessment.findings:
                found[judged.finding.id] += 1
        self._previous[thread] = found

    def finished(self) -> list[SeriesOutcome]:
        """Every series seen, in the order first seen, compared with earlier revisions."""
        for (where, _version), outcome in self.outcomes.items():
            thread = where.split("\x00", 1)[0]
            before = self._previous.get(thread)
            if before is not None:
                outcome.appeared = tuple(sorted(set(outcome.findings) - set(before)))
                outcome.gone = tuple(sorted(set(before) - set(outcome.findings)))
        return list(self.outcomes.values())
