"""
The compiled hot paths of `patchvet._kernels`, each None where patchvet was installed without
a C compiler: its callers then run the Python that gives the same results.

Loaded here once, for every part that has a compiled path (`sources`, `model`, `formats`).
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from patchvet._kernels import AddedCounts, BucketCounts, IndentJson, ReadHunk


def _load() -> ModuleType | None:
    try:
        import patchvet._kernels as kernels
    except ImportError:
        return None
    return kernels


_KERNELS = _load()

added_counts: AddedCounts | None = getattr(_KERNELS, "added_counts", None)
"""The dense features' counts over ASCII added lines (`model/features.py`)."""
bucket_counts: BucketCounts | None = getattr(_KERNELS, "bucket_counts", None)
"""The model's hashed tokens made, hashed and counted (`model/features.py`)."""
indent_json: IndentJson | None = getattr(_KERNELS, "indent_json", None)
"""The JSON report's indented writer (`formats/json.py`)."""
read_hunk: ReadHunk | None = getattr(_KERNELS, "read_hunk", None)
"""The diff parser's loop over a hunk's lines (`sources/_diff.py`)."""
