"""
The output formats behind one enum. A reporter writes as assessments stream past: `start`,
then `add` per contribution, then `finish` with what was skipped and the verdict counts.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import TextIO

from patchvet.formats.series import SeriesBook
from patchvet.policy import Policy
from patchvet.records import Assessment, Contribution, Skipped, Verdict


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
        from patchvet.formats.checkpatch import CheckpatchReporter
        from patchvet.formats.json import JsonReporter
        from patchvet.formats.markdown import MarkdownReporter
        from patchvet.formats.reply import ReplyReporter
        from patchvet.formats.sarif import SarifReporter
        from patchvet.formats.text import TextReporter

        classes: dict[OutputFormat, type[Reporter]] = {
            OutputFormat.TEXT: TextReporter,
            OutputFormat.JSON: JsonReporter,
            OutputFormat.MARKDOWN: MarkdownReporter,
            OutputFormat.SARIF: SarifReporter,
            OutputFormat.CHECKPATCH: CheckpatchReporter,
            OutputFormat.REPLY: ReplyReporter,
        }
        return classes[self](out, policy)
