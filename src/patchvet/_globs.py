"""
Path patterns as maintainers write them: gitignore-like globs with `**`.

A pattern without a slash matches the file name at any depth (`*.lock`); with a slash it is
anchored at the repository root (`.github/workflows/*`); `**` spans directories.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=4096)
def _compile(pattern: str) -> re.Pattern[str]:
    anchored = "/" in pattern.rstrip("/")
    body = pattern.strip("/")
    if pattern.endswith("/"):
        body += "/**"
    out = []
    i = 0
    while i < len(body):
        char = body[i]
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            end = body.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
                i += 1
            else:
                klass = body[i + 1 : end]
                klass = "^" + klass[1:] if klass.startswith("!") else klass
                out.append("[" + klass.replace("\\", "\\\\") + "]")
                i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(prefix + "".join(out) + "$")


def matches(path: str, pattern: str) -> bool:
    """True if `path` (relative, forward slashes) matches the glob `pattern`."""
    return _compile(pattern).match(path) is not None


def first_match(path: str, patterns: Iterable[str]) -> str | None:
    """The first pattern that matches `path`, or None."""
    for pattern in patterns:
        if matches(path, pattern):
            return pattern
    return None
