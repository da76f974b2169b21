"""Types of the compiled hot paths (`_kernels.c`); optional, the Python code gives the same."""

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

_Line = TypeVar("_Line")

class BucketCounts(Protocol):
    def __call__(
        self,
        message: str,
        subject: str,
        added: Sequence[str],
        paths: Sequence[tuple[str, str, int, int]],
        bins: Sequence[str],
        values: Sequence[float],
        mask: int,
        message_tokens: Callable[[str, str], list[str]],
        line_tokens: Callable[[str], list[str]],
        look: Callable[[], None],
        /,
    ) -> tuple[bytearray, bytearray]: ...

bucket_counts: BucketCounts
"""
The model's hashed-token buckets and counts of one contribution in first-token order, as
native int64 arrays: `features._bucket_counts` computed in C.
"""

class ReadHunk(Protocol):
    def __call__(
        self,
        lines: list[str],
        at: int,
        added: list[_Line],
        make_line: Callable[[int, str], _Line] | tuple[type[_Line], str, str],
        /,
    ) -> tuple[int, int, int, int, int, int]: ...

read_hunk: ReadHunk
"""
One diff hunk, its header at `lines[at]`, as `sources._diff._read_hunk_in_python` reads it:
(status, next line, old left, new left, additions, deletions). Each added line is
`make_line(number, text)`, or with (cls, name, name) an instance of `cls` whose two attributes
the kernel sets (`sources._diff.record_maker` says when a class allows it).
"""

class AddedCounts(Protocol):
    def __call__(self, lines: Sequence[str], /) -> tuple[int, ...] | None: ...

added_counts: AddedCounts
"""
What `features._diff_features` counts over the added lines (comments, sentence comments, blank,
total length, longest, trailing whitespace, tabs, type hints, TODO, docstrings, long comments,
print calls), or None when a line is not ASCII or holds a line break.
"""

class IndentJson(Protocol):
    def __call__(self, value: object, pad: str, quote: Callable[[str], str], /) -> str | None: ...

indent_json: IndentJson
"""
`json.dumps(value, indent=2)` with `pad` before every line but the first, or None for a value
the Python writer must decide (a subclass of dict, list or tuple, a key that is not a str).
"""
