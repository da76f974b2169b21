"""
`unicode`: characters in added lines that make code read differently from how it runs —
bidirectional controls (Trojan Source, CVE-2021-42574), invisible characters, and identifiers
that mix scripts (homoglyphs) — with the exact file, line and column.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from patchvet.analyzers.interface import Subject
from patchvet.budget import checkpoint
from patchvet.paths import PROSE_FILES, first_match
from patchvet.records import AddedLine, Confidence, FileChange, Finding, Location, Severity

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_INVISIBLE = "\u200b\u2060\u2061\u2062\u2063\u2064\u00ad\u180e\u3164\u115f\u1160\uffa0\u034f"
# Variation selectors choose how the previous symbol is drawn (emoji or text style), which is
# normal after a symbol; a run of them, or one after a plain letter, encodes hidden bytes (the
# GlassWorm technique).
_SELECTORS = "\ufe00-\ufe0f\U000e0100-\U000e01ef"
_KEYCAP_BASES = "#*0123456789"
# Joiners are legitimate inside emoji sequences and in Indic and Arabic text; they are suspicious
# only beside ASCII, where they can split or disguise an identifier or a string.
_JOINERS = "\u200c\u200d"
_SUSPECT = re.compile(f"[{_BIDI}{_INVISIBLE}{_JOINERS}{_SELECTORS}\ufeff\U000e0000-\U000e007f]")
_SELECTOR = re.compile(f"[{_SELECTORS}]")
# Prose and translations legitimately mix scripts (and their typos are not attacks).
_WORD = re.compile(r"[^\W\d_][\w]*")
_CONFUSABLE_SCRIPTS = {"CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC"}


def _name(char: str) -> str:
    return unicodedata.name(char, f"U+{ord(char):04X}")


def _kind(line: str, index: int) -> str | None:
    char = line[index]
    if char in _BIDI:
        return "bidi-control"
    if char in _JOINERS:
        before = line[index - 1] if index > 0 else " "
        after = line[index + 1] if index + 1 < len(line) else " "
        return "invisible" if before.isascii() or after.isascii() else None
    if char == "\ufeff" and index == 0:
        return None
    if _SELECTOR.match(char):
        before = line[index - 1] if index > 0 else " "
        harmless = not before.isascii() or before in _KEYCAP_BASES
        return None if harmless and not _SELECTOR.match(before) else "invisible"
    return "invisible"


def plain_escape(text: str) -> str:
    """The line with every suspicious character spelled out, so the evidence shows it."""
    return _SUSPECT.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


@lru_cache(maxsize=4096)
def _script(char: str) -> str:
    # Bounded: a text's letters come from a few scripts, looked up again and again.
    return _name(char).split(" ", 1)[0]


def _mixed_scripts(line: str) -> Iterator[tuple[int, str, set[str]]]:
    for word in _WORD.finditer(line):
        text = word.group()
        if text.isascii():
            continue
        scripts = set(map(_script, filter(str.isalpha, text)))
        if "LATIN" in scripts and scripts & _CONFUSABLE_SCRIPTS:
            yield word.start(), text, scripts


def _line_findings(change: FileChange, line: AddedLine, prose: bool) -> Iterator[Finding]:
    text = line.text
    hits: dict[str, list[tuple[int, str]]] = {}
    for match in _SUSPECT.finditer(text):
        kind = _kind(text, match.start())
        if kind is not None:
            hits.setdefault(kind, []).append((match.start() + 1, match.group()))
    for kind, found in hits.items():
        column, char = found[0]
        names = sorted({f"{_name(c)} (U+{ord(c):04X})" for _, c in found})
        columns = ", ".join(str(col) for col, _ in found)
        yield Finding(
            id=f"unicode/{kind}",
            severity=Severity.HIGH,
            confidence=Confidence.HIGH,
            message=f"{', '.join(names)} in {change.path} line {line.number} "
            f"column{'s' if len(found) > 1 else ''} {columns}"
            + (
                ": it can reorder how code is displayed"
                if kind == "bidi-control"
                else ": it is invisible in review"
            ),
            evidence=plain_escape(text.strip()[:300]),
            remedy=f"Remove the character, or escape it (\\u{ord(char):04x}) if it is meant "
            "to be data.",
            locations=(Location(path=change.path, line=line.number, column=column),),
        )
    if prose or not _has_confusable_letters(text):  # no word of the line can mix scripts
        return
    for column, word, scripts in _mixed_scripts(text):
        yield Finding(
            id="unicode/mixed-script",
            severity=Severity.MEDIUM,
            confidence=Confidence.MEDIUM,
            message=f"Identifier `{word}` mixes {' and '.join(sorted(scripts))} letters "
            f"({change.path} line {line.number})",
            evidence=text.strip()[:300],
            remedy="Use one script per identifier; look-alike letters hide a different name.",
            locations=(Location(path=change.path, line=line.number, column=column + 1),),
        )


_TEXT = operator.attrgetter("text")


def _has_confusable_letters(text: str) -> bool:
    """Whether a letter of `_CONFUSABLE_SCRIPTS` is anywhere in `text` (each letter named once)."""
    letters = {char for char in set(text) if not char.isascii() and char.isalpha()}
    return any(_script(char) in _CONFUSABLE_SCRIPTS for char in letters)


def unicode_chars(subject: Subject) -> Iterator[Finding]:
    """Findings for suspicious characters in every added line (ASCII lines cost nothing)."""
    for change in subject.contribution.files:
        # Most files add only ASCII: one C-level look at all their added text passes them.
        text = "".join(map(_TEXT, change.added_lines))
        if text.isascii():
            continue
        prose = first_match(change.path, PROSE_FILES) is not None
        # A line has findings only with a suspect character, or (outside prose) a word with a
        # letter of a script that looks Latin: a file with neither anywhere is passed whole.
        if _SUSPECT.search(text) is None and (prose or not _has_confusable_letters(text)):
            continue
        for line in change.added_lines:
            checkpoint()
            if not line.text.isascii():
                yield from _line_findings(change, line, prose)
