"""
Linear-time regular expressions for contribution text, on RE2.

Python's `re` backtracks: a pattern with nested or adjacent ambiguous repetition takes
polynomial or exponential time on text shaped against it, and contribution text is shaped by
whoever sends it. RE2 runs every pattern in time linear in the text, so a hostile line costs what
its length costs. What RE2 gives up (look-around, back-references) is written out in Python by
the callers.

Two differences from `re` to keep in mind when writing patterns: `\\w`, `\\d`, `\\s` and `\\b` are
ASCII-only, and `$` matches only at the very end (use `(?m)` for line ends).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any, Protocol, cast

import re2  # type: ignore[import-untyped]

# A lone surrogate (from a JSON `\ud800` escape or a surrogate-escaped path) cannot be encoded
# for RE2; replacing it keeps every offset the same.
_SURROGATE = re.compile("[\ud800-\udfff]")


class Match(Protocol):
    """The part of a match object the callers use (the same as `re.Match[str]`)."""

    def group(self, group: int | str = 0, /) -> str | Any: ...
    def __getitem__(self, group: int | str, /) -> str | Any: ...
    def start(self, group: int | str = 0, /) -> int: ...
    def end(self, group: int | str = 0, /) -> int: ...


class PatternError(ValueError):
    """A pattern RE2 cannot run: a syntax error, or a feature that needs backtracking."""

    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(f"pattern {pattern!r} is not a linear-time pattern: {reason}")
        self.reason = reason


def _reason(error: Exception) -> str:
    detail = error.args[0] if error.args else ""
    return detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False
    return options


def _scrubbed(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


# The compiled automaton's own anchors, to ask it directly whether a text holds a match; None
# (and every question through the module's public path) should a release of `re2` not have them.
_ANCHOR: Any = getattr(getattr(getattr(re2, "_re2", None), "RE2", None), "Anchor", None)
_UNANCHORED, _AT_START, _WHOLE = (
    (_ANCHOR.UNANCHORED, _ANCHOR.ANCHOR_START, _ANCHOR.ANCHOR_BOTH) if _ANCHOR else (None,) * 3
)


class Pattern:
    """A compiled pattern with the `re` methods patchvet uses; every call is linear in `text`."""

    __slots__ = ("_automaton", "_regex", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        try:
            self._regex = re2.compile(pattern, _options())
        except re2.error as error:
            raise PatternError(pattern, _reason(error)) from None
        automaton = getattr(self._regex, "_regexp", None)
        self._automaton = automaton if _ANCHOR is not None and hasattr(automaton, "Match") else None

    def _finds_nothing(self, text: str, pos: int, anchor: Any) -> bool:
        """
        True when RE2 finds no match in `text` from `pos`, asked of the compiled automaton
        itself: the first step of the module's own search, without the rest. Most searches
        find nothing, and the module's path to that answer (a generator, offsets converted
        between characters and bytes) cost as much as the scan of a short text. False when the
        question cannot be put this way; the caller then asks the module, which also builds
        the match when there is one.
        """
        if self._automaton is None or not 0 <= pos <= len(text) or (pos and not text.isascii()):
            return False  # a start past the first character is a byte offset only in ASCII
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: the module's path scrubs it
            return False
        return bool(self._automaton.Match(anchor, data, pos, len(data))[0][0] == -1)

    @property
    def groups(self) -> int:
        """How many capturing groups the pattern has."""
        return cast(int, self._regex.groups)

    def search(self, text: str, pos: int = 0) -> Match | None:
        """The leftmost match in `text` at or after `pos`."""
        if self._finds_nothing(text, pos, _UNANCHORED):
            return None
        return cast("Match | None", self._call(lambda t: self._regex.search(t, pos), text))

    def match(self, text: str, pos: int = 0) -> Match | None:
        """A match starting at `pos` in `text`."""
        if self._finds_nothing(text, pos, _AT_START):
            return None
        return cast("Match | None", self._call(lambda t: self._regex.match(t, pos), text))

    def fullmatch(self, text: str) -> Match | None:
        """A match of the whole of `text`."""
        if self._finds_nothing(text, 0, _WHOLE):
            return None
        return cast("Match | None", self._call(self._regex.fullmatch, text))

    def finditer(self, text: str) -> Iterator[Match]:
        """Every non-overlapping match, left to right, found as they are asked for."""
        if self._finds_nothing(text, 0, _UNANCHORED):
            return iter(())
        try:
            found = self._regex.finditer(text)
            first = next(found, None)
        except UnicodeEncodeError:
            found = self._regex.finditer(_scrubbed(text))
            first = next(found, None)
        if first is None:
            return iter(())
        return cast("Iterator[Match]", itertools.chain((first,), found))

    def sub(self, replacement: str, text: str) -> str:
        """`text` with every match replaced by `replacement` (taken literally)."""
        if self._finds_nothing(text, 0, _UNANCHORED):
            return text
        return cast(str, self._call(lambda t: self._regex.sub(lambda _: replacement, t), text))

    @staticmethod
    def _call(method: Callable[[str], Any], text: str) -> Any:
        try:
            return method(text)
        except UnicodeEncodeError:
            return method(_scrubbed(text))


def compile_linear(pattern: str) -> Pattern:
    """Compile `pattern` for RE2; raises ValueError when it needs backtracking features."""
    return Pattern(pattern)


class PatternSet:
    """
    Many patterns matched against the whole of a text in one linear pass, answering which of
    them (by position in the set) matched first.
    """

    __slots__ = ("_set", "patterns")

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.patterns = patterns
        self._set: Any = None
        if not patterns:
            return
        self._set = re2.Set.FullMatchSet(_options())
        for pattern in patterns:
            try:
                self._set.Add(pattern)
            except re2.error:
                raise ValueError(f"pattern {pattern!r} is not a valid RE2 pattern") from None
        self._set.Compile()

    def first(self, text: str) -> int | None:
        """The index of the first pattern that matches all of `text`, or None."""
        if self._set is None:
            return None
        try:
            found = self._set.Match(text)
        except UnicodeEncodeError:
            found = self._set.Match(_scrubbed(text))
        return min(found) if found else None
