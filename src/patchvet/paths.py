"""
Paths: the globs maintainers write, and the classes of files every stage agrees on.

A pattern without a slash matches the file name at any depth (`*.lock`); with a slash it is
anchored at the repository root (`.github/workflows/*`); `**` spans directories.

The classes (lock, generated, vendored, prose, media, agent instruction files) live here so
that the analyzers, the model and the policy defaults cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from patchvet.linear import PatternError, PatternSet, compile_linear

_META = frozenset("\\.+*?()|[]{}^$")


def _escape(char: str) -> str:
    return "\\" + char if char in _META else char


def _translate(pattern: str) -> str:
    """The glob as an RE2 pattern over the whole path (no backtracking is ever needed)."""
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
                out.append(_escape(char))
                i += 1
            else:
                klass = body[i + 1 : end]
                klass = "^" + klass[1:] if klass.startswith("!") else klass
                out.append("[" + klass.replace("\\", "\\\\") + "]")
                i = end + 1
        else:
            out.append(_escape(char))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    # `\n?`: a path that ends in a newline matches as it always did with `re`'s `$`.
    return prefix + "".join(out) + "\n?"


@lru_cache(maxsize=1024)
def compile_globs(patterns: tuple[str, ...]) -> PatternSet:
    """
    One matcher for a whole set of globs: a path is read once, in linear time, whatever the
    globs (`*a*a*a*a*b` backtracks in a regex engine like `re`; here it cannot).
    Raises ValueError naming the first glob that is not valid.
    """
    try:
        return PatternSet(tuple(_translate(pattern) for pattern in patterns))
    except ValueError as error:
        failed = error
    # Only a set that fails is gone through glob by glob, to name the first bad one: checking
    # each glob alone first compiled every glob twice (128 RE2 compiles in a one-patch check
    # of the default policy, 4% of its instructions).
    for pattern in patterns:
        problem = glob_problem(pattern)
        if problem:
            raise ValueError(problem) from None
    raise failed


@lru_cache(maxsize=4096)
def glob_problem(pattern: str) -> str | None:
    """Why `pattern` is not a usable glob (such as a reversed range `[z-a]`), or None."""
    try:
        compile_linear(_translate(pattern))
    except PatternError as error:
        return f"glob {pattern!r}: " + error.reason.replace("\n", "\\n")
    return None


def matches(path: str, pattern: str) -> bool:
    """True if `path` (relative, forward slashes) matches the glob `pattern`."""
    return compile_globs((pattern,)).first(path) is not None


def first_match(path: str, patterns: Iterable[str]) -> str | None:
    """The first pattern that matches `path`, or None."""
    key = patterns if isinstance(patterns, tuple) else tuple(patterns)
    index = _first_index(path, key)
    return None if index is None else key[index]


def first_index(path: str, patterns: tuple[str, ...]) -> int | None:
    """
    The position in `patterns` of the first that matches `path`, or None. Several glob sets
    asked in turn (which kind of file is this?) are one question to their concatenation: the
    first match falls in the first set that has one.
    """
    return _first_index(path, patterns)


@lru_cache(maxsize=1 << 14)
def _first_index(path: str, patterns: tuple[str, ...]) -> int | None:
    # The same paths meet the same glob sets over and over (every analyzer asks about each
    # file, and a project's files recur across its patches): a bounded cache answers again.
    return compile_globs(patterns).first(path)


LOCK_FILES: tuple[str, ...] = (
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb",
    "Cargo.lock", "poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock", "go.sum",
    "composer.lock", "Gemfile.lock", "mix.lock", "flake.lock", "packages.lock.json",
)  # fmt: skip
"""Lock files: written by package managers, never by the author."""

GENERATED_FILES: tuple[str, ...] = (
    "*.min.js", "*.min.css", "*.map", "*.pb.go", "*_pb2.py", "*_pb2.pyi", "*.generated.*",
    "*.g.dart", "*.snap", "__snapshots__/", "dist/",
)  # fmt: skip
"""Build and tool output committed beside the source: minified bundles, protobuf, snapshots."""

VENDORED_FILES: tuple[str, ...] = ("vendor/", "node_modules/")
"""Other projects' code copied in."""

PROSE_FILES: tuple[str, ...] = (
    "*.po", "*.pot", "*.md", "*.rst", "*.txt", "*.adoc", "*.tex", "*.html", "*.xliff",
)  # fmt: skip
"""Human-language text, where other scripts and look-alike letters are expected."""

MEDIA_FILES: tuple[str, ...] = (
    "*.png", "*.jpg", "*.jpeg", "*.gif", "*.webp", "*.bmp", "*.ico", "*.svg", "*.ttf", "*.otf",
    "*.woff", "*.woff2", "*.wav", "*.mp3", "*.ogg", "*.flac", "*.pdf", "*.icns",
)  # fmt: skip
"""Images, fonts and sound: ordinary test data, unlike opaque blobs and archives."""

AGENT_FILES: tuple[str, ...] = (
    "CLAUDE.md", "AGENTS.md", "GEMINI.md", ".cursorrules", ".windsurfrules", ".cursor/",
    ".claude/", ".devin/", ".github/copilot-instructions.md", ".github/instructions/",
    ".aider*", ".clinerules", ".amp/",
)  # fmt: skip
"""Coding agents' instruction files: their mere presence names the tool."""


def is_lock_file(path: str) -> bool:
    """A package manager's lock file."""
    return first_match(path, LOCK_FILES) is not None
