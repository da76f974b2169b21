"""Sources: patch files and mboxes, local git ranges, saved GitHub pull-request events."""

from patchvet.sources.git import RangeOptions, read_git_range
from patchvet.sources.github import read_github_event
from patchvet.sources.interface import SourceItem
from patchvet.sources.mbox import read_path, read_stream

__all__ = [
    "RangeOptions",
    "SourceItem",
    "read_git_range",
    "read_github_event",
    "read_path",
    "read_stream",
]
