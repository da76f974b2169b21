"""Types of the compiled hot paths (`_kernels.c`); optional, the Python code gives the same."""

from collections.abc import Callable, Sequence
from typing import Protocol

class BucketCounts(Protocol):
    def __call__(
        self,
        message: str,
        subject: str,
        added: Sequence[str],
        paths: Sequence[tuple[str, str, int, int]],
        extra: Sequence[str],
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
