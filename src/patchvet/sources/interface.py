"""
What every source produces: a lazy stream of contributions, with unreadable parts as `Skipped`.

A source turns an input into `Contribution` objects and decides nothing about them.
"""

from __future__ import annotations

from typing import TypeAlias

from patchvet.records import Contribution, Skipped

SourceItem: TypeAlias = Contribution | Skipped
"""One item of a source's stream."""


class EarlierRevisions:
    """
    The revision before the judged one, per thread, kept aside for a range-diff note (the
    inbox source fills it; it lives here so that a check of files need not import that source).
    """

    def __init__(self) -> None:
        self.by_thread: dict[str, list[Contribution]] = {}
