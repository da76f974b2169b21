"""
What every source produces: a lazy stream of contributions, with unreadable parts as `Skipped`.

A source turns an input into `Contribution` objects and decides nothing about them.
"""

from __future__ import annotations

from typing import TypeAlias

from patchvet.records import Contribution, Skipped

SourceItem: TypeAlias = Contribution | Skipped
"""One item of a source's stream."""
