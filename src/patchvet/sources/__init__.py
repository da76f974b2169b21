"""Sources: patch files and mboxes, local git ranges, saved GitHub pull-request events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from patchvet.sources.git import RangeOptions, read_git_range
from patchvet.sources.interface import SourceItem
from patchvet.sources.mbox import read_path, read_stream

if TYPE_CHECKING:
    from patchvet.sources.github import read_github_event

__all__ = [
    "RangeOptions",
    "SourceItem",
    "read_git_range",
    "read_github_event",
    "read_path",
    "read_stream",
]


def __getattr__(name: str) -> Any:
    """
    The GitHub reader on first use: its wire shapes are pydantic models, which a check of
    patch files or a git range never needs.
    """
    if name == "read_github_event":
        from patchvet.sources.github import read_github_event

        return read_github_event
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
