"""
Find tool output pasted into a message: a size report (`bloat-o-meter`, `size`), a benchmark
or timing table. It is another program's text, like a lock file in a diff: it says nothing
about who wrote the message, and a model that has never seen a project's reports reads their
columns as structured, agent-like prose (busybox's honest commits, 22% of which paste a size
report, were its highest-scoring human commits).

A table here is a run of consecutive lines laid out in columns with runs of spaces or tabs, at
least one of them a row of two or more figures; its header, rules, summary line and the short
caption that introduces it (a line ending in a colon) go with it. Markdown tables (`| a | b |`)
are written by people and agents alike, as prose, and are kept.
"""

from __future__ import annotations

import re

_COLUMNS = re.compile(r"\t|\s{2,}")
"""The gap between two columns: a tab, or two or more spaces (one space is prose)."""
_FIGURE = re.compile(r"[-+~(]?\d[\d.,:]*(?:[eE][-+]?\d+)? ?[A-Za-zµ%/]*(?: ?± ?\d[\d.,]*%?)?\)?")
"""One cell holding a figure: `+22`, `105712`, `317 ns/op`, `1.23µs ± 2%`, `-10.5%`."""
_FIGURE_CELL_MAX = 24
"""A figure cell is short: a longer cell that starts with a digit is a sentence."""
_RULE = re.compile(r"[-=_~+* ]*")
_RULE_MIN = 3
"""Characters of `-`, `=`, `_`, `~` that make a line a rule between parts of a table."""
_CAPTION_MAX = 80
"""A caption is a short line; a longer one ending in a colon is a sentence that stays."""


def _cells(line: str) -> list[str]:
    return [cell for cell in _COLUMNS.split(line.strip()) if cell]


def _figures(cells: list[str]) -> int:
    return sum(
        1 for cell in cells if len(cell) <= _FIGURE_CELL_MAX and _FIGURE.fullmatch(cell) is not None
    )


def _is_rule(line: str) -> bool:
    stripped = line.strip()
    marks = sum(stripped.count(mark) for mark in "-=_~")
    return marks >= _RULE_MIN and _RULE.fullmatch(stripped) is not None


def _kind(line: str) -> str:
    """`figures` (a row of two or more figures), `table` (columns, a rule) or `text`."""
    stripped = line.strip()
    if not stripped or stripped.startswith("|"):
        return "text"
    if _is_rule(line):
        return "table"
    if "\t" not in stripped and "  " not in stripped:
        return "text"
    cells = _cells(stripped)
    if len(cells) < 2:
        return "text"
    return "figures" if _figures(cells) >= 2 else "table"


def strip_tool_output(text: str) -> str:
    """`text` without pasted tables of figures (see the module docstring); the rest unchanged."""
    if "\t" not in text and "  " not in text:
        return text  # no columns, no table: most messages
    lines = text.split("\n")
    kinds = [_kind(line) for line in lines]
    drop = [False] * len(lines)
    start = 0
    while start < len(lines):
        if kinds[start] == "text":
            start += 1
            continue
        end = start
        while end < len(lines) and kinds[end] != "text":
            end += 1
        if end - start >= 2 and "figures" in kinds[start:end]:
            for index in range(start, end):
                drop[index] = True
            caption = start - 1
            if caption >= 0 and _is_caption(lines[caption]):
                drop[caption] = True
        start = end
    if not any(drop):
        return text
    kept: list[str] = []
    for index, line in enumerate(lines):
        if drop[index]:
            continue
        # The blank line that followed a dropped table, after a blank line or at the start,
        # would leave a double gap where the table was.
        if not line.strip() and index and drop[index - 1] and (not kept or not kept[-1].strip()):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def _is_caption(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and stripped.endswith(":") and len(stripped) <= _CAPTION_MAX
