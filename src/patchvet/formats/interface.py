"""
The output formats behind one enum. A reporter writes as assessments stream past: `start`,
then `add` per contribution, then `finish` with what was skipped and the verdict counts.

A format whose contributions are written without any state of the reporter (JSON) also has a
fragment writer: worker processes write each contribution's text themselves and send only that
text, its verdict and its place in a series (`Written`), which the reporter then copies out.
"""

from __future__ import annotations

import enum
import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TextIO

from patchvet.formats.series import SeriesBook, SeriesEntry
from patchvet.policy import Policy
from patchvet.records import Assessment, Contribution, Location, Skipped, Verdict


def byline(contribution: Contribution) -> str:
    """`Jane <jane@…>`, or `Jane <jane@…>, sent by Bot <bot@…>` when a mail's sender differs."""
    author = contribution.author.display()
    mail = contribution.mail
    if (
        mail is None
        or (mail.sender.email or "").lower() == (contribution.author.email or "").lower()
    ):
        return author
    proof = f", attested by {mail.attestation}" if mail.attestation else ""
    return f"{author}, sent by {mail.sender.display()}{proof}"


def counted(count: int, noun: str) -> str:
    """`1 line`, `2 lines`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def describe_location(location: Location) -> str:
    """`path:line:column`, or the short commit id."""
    if location.path:
        where = location.path
        if location.line is not None:
            where += f":{location.line}"
            if location.column is not None:
                where += f":{location.column}"
        return where
    return location.commit[:12] if location.commit else ""


@dataclass(frozen=True)
class Written:
    """
    A contribution already written out in the report's format (by a worker process), with what
    the main process still counts: its verdict and its entry in a series.
    """

    verdict: Verdict
    series: SeriesEntry | None
    text: str


class Reporter(ABC):
    """Writes one report to `out` incrementally."""

    def __init__(self, out: TextIO, policy: Policy) -> None:
        self.out = out
        self.policy = policy
        self.series = SeriesBook()

    def accept(self, assessment: Assessment) -> None:
        """Count the contribution into its series, then write it."""
        self.series.add(assessment)
        self.add(assessment)

    def accept_written(self, written: Written) -> None:
        """`accept` for a contribution this format's fragment writer has already written."""
        self.series.add_entry(written.series)
        self.add_written(written.text)

    def add_written(self, text: str) -> None:
        """Write one contribution's text as `OutputFormat.fragment_writer` made it."""
        # Only formats with a fragment writer are sent text; the others override nothing.
        raise TypeError(f"{type(self).__name__} writes each contribution itself")

    def start(self) -> None:  # noqa: B027 - optional hook
        """Write whatever precedes the first contribution."""

    @abstractmethod
    def add(self, assessment: Assessment) -> None:
        """Write one contribution."""

    @abstractmethod
    def finish(self, skipped: Sequence[Skipped], counts: Mapping[Verdict, int]) -> None:
        """Write whatever follows the last contribution."""


class OutputFormat(enum.Enum):
    """The formats `--format` accepts."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"
    CHECKPATCH = "checkpatch"
    REPLY = "reply"

    def reporter(self, out: TextIO, policy: Policy) -> Reporter:
        """The reporter for this format."""
        # Only the chosen format's module: the text reporter alone needs rich.
        module, name = _REPORTERS[self]
        reporter: type[Reporter] = getattr(importlib.import_module(module), name)
        return reporter(out, policy)

    def fragment_writer(self) -> Callable[[Assessment], str] | None:
        """
        The function that writes one contribution's part of this format's report on its own,
        so another process can run it; None when the reporter keeps state between contributions.
        """
        found = _FRAGMENT_WRITERS.get(self)
        if found is None:
            return None
        module, name = found
        writer: Callable[[Assessment], str] = getattr(importlib.import_module(module), name)
        return writer


_FRAGMENT_WRITERS = {
    OutputFormat.JSON: ("patchvet.formats.json", "contribution_text"),
}

_REPORTERS = {
    OutputFormat.TEXT: ("patchvet.formats.text", "TextReporter"),
    OutputFormat.JSON: ("patchvet.formats.json", "JsonReporter"),
    OutputFormat.MARKDOWN: ("patchvet.formats.markdown", "MarkdownReporter"),
    OutputFormat.SARIF: ("patchvet.formats.sarif", "SarifReporter"),
    OutputFormat.CHECKPATCH: ("patchvet.formats.checkpatch", "CheckpatchReporter"),
    OutputFormat.REPLY: ("patchvet.formats.reply", "ReplyReporter"),
}
