"""
Trailers read the way git reads them (`git interpret-trailers --parse`, git's trailer.c).

git's rules, which people rely on without knowing them:

- The message ends at the first line starting with `---` and whitespace (a patch's divider),
  unless told otherwise; trailing comment (`#`) and blank lines are ignored, and so is an old
  `Conflicts:` block at the end.
- The first paragraph is the title and never holds trailers.
- Only the last paragraph can be the trailer block. It is one when every line is a trailer, or
  when it holds a git-generated line (`Signed-off-by: `, `(cherry picked from commit `) and at
  least a quarter of its lines are trailers. So `[Andre: rebase]` notes, `(cherry picked …)`
  lines and `Coverity ID: 123` (a space inside the key) may sit among the trailers.
- A trailer is a key of letters, digits and dashes, optional blanks, then `:`. An indented line
  continues the trailer above it; the value is unfolded into one line.

One extension, for sign-off and disclosure only (`stacked_trailers`): maintainers often add a
`Reviewed-by:` paragraph below the author's trailers. git reads only the last paragraph; a
preceding paragraph made only of trailers is read too, so the author's sign-off is not lost.
"""

from __future__ import annotations

import re

from patchvet.records import Trailer

_GIT_GENERATED = ("Signed-off-by: ", "(cherry picked from commit ")
_KEY = re.compile(r"^[A-Za-z0-9-]+[ \t]*:")  # `^`: only ever matched at a line's start
# git's isspace(): only these four; a form feed or a non-breaking space is content.
_SPACE = " \t\r\n"
_BLANK = re.compile(r"[ \t\r\n]*")
_FOLD = re.compile(r"\n[ \t\r\n]*")
_CUT_LINE = "# ------------------------ >8 ------------------------"


def _separator(line: str) -> int:
    """Where the `:` of a `Key:` line is, or -1 (git's find_separator with ':' only)."""
    match = _KEY.match(line)
    return match.end() - 1 if match else -1


def _is_blank(line: str) -> bool:
    return _BLANK.fullmatch(line) is not None


def _lines(text: str) -> list[str]:
    """
    Split on newlines only: git treats `\\r`, form feeds and the like as line content. Every
    line counts as ended by a newline, as in a commit message.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _message_lines(message: str, divider: bool) -> list[str]:
    lines = _lines(message)
    if divider:
        for index, line in enumerate(lines):
            if line.startswith("---") and (len(line) == 3 or line[3] in _SPACE):
                lines = lines[:index]
                break
    return lines[: _kept(lines)]


def _kept(lines: list[str]) -> int:
    """How many lines remain once closing comments, blank lines and `Conflicts:` are ignored."""
    cutoff = next((i for i, line in enumerate(lines) if line == _CUT_LINE), len(lines))
    start = 0  # 0 doubles as "not in a run", exactly as in git
    in_conflicts = False
    for index, line in enumerate(lines[:cutoff]):
        if line.startswith("#") or line == "":
            start = start or index
        elif line == "Conflicts:":
            in_conflicts = True
            start = start or index
        elif in_conflicts and line.startswith("\t"):
            continue
        elif start:
            start, in_conflicts = 0, False
    return start or cutoff


def _block_start(lines: list[str], title_end: int) -> int:
    """Index of the first line of the trailer block, or len(lines) when there is none."""
    only_blank = True
    recognized = False
    trailers = non_trailers = continuations = 0
    for index in range(len(lines) - 1, title_end - 1, -1):
        line = lines[index]
        if line.startswith("#"):
            non_trailers += continuations
            continuations = 0
            continue
        if _is_blank(line):
            if only_blank:
                continue
            non_trailers += continuations
            if recognized and trailers * 3 >= non_trailers:
                return index + 1
            if trailers and not non_trailers:
                return index + 1
            return len(lines)
        only_blank = False
        if line.startswith(_GIT_GENERATED):
            trailers += 1
            continuations = 0
            recognized = True
        elif _separator(line) >= 1:
            trailers += 1
            continuations = 0
        elif line[0] in _SPACE:
            continuations += 1
        else:
            non_trailers += 1 + continuations
            continuations = 0
    return len(lines)


def _title_end(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if line.startswith("#"):
            continue
        if _is_blank(line):
            return index
    return len(lines)


def _items(block: list[str]) -> list[str]:
    """Block lines with continuation lines joined to the trailer above them."""
    items: list[list[str]] = []
    joinable = False
    for line in block:
        if joinable and line[:1] in _SPACE and line:
            items[-1].append(line)
            continue
        items.append([line])
        joinable = _separator(line) >= 1
    return ["\n".join(parts) for parts in items]


def _unfold(value: str) -> str:
    return _FOLD.sub(" ", value).strip(_SPACE)


def _to_trailers(block: list[str]) -> list[Trailer]:
    found: list[Trailer] = []
    for item in _items(block):
        if item.startswith("#"):
            continue
        at = _separator(item)
        if at >= 1:
            key = item[:at].strip(_SPACE)
            value = _unfold(item[at + 1 :].strip(_SPACE))
            found.append(Trailer(key, value, f"{key}: {value}"))
    return found


def parse_trailers(message: str, divider: bool = True) -> tuple[Trailer, ...]:
    """
    The trailers `git interpret-trailers --parse` prints for `message`, in order.

    `divider=False` reads past `---` lines, as `git log --format=%(trailers)` does for a
    commit already made (`git interpret-trailers --no-divider`).
    """
    lines = _message_lines(message, divider)
    start = _block_start(lines, _title_end(lines))
    return tuple(_to_trailers(lines[start:]))


def stacked_trailers(message: str, divider: bool = True) -> tuple[Trailer, ...]:
    """
    git's trailers, plus those of the paragraphs just above the block made only of trailers.

    `Signed-off-by: A` / blank / `Reviewed-by: B`: git reads only B's paragraph; people read
    both. A paragraph with any prose line stops the walk, so a `Key: value` line in the body
    never counts.
    """
    lines = _message_lines(message, divider)
    title_end = _title_end(lines)
    start = _block_start(lines, title_end)
    if start >= len(lines):
        return ()
    found = [_to_trailers(lines[start:])]
    end = start - 1
    while end > title_end:
        while end > title_end and _is_blank(lines[end - 1]):
            end -= 1
        begin = end
        while begin > title_end and not _is_blank(lines[begin - 1]):
            begin -= 1
        paragraph = lines[begin:end]
        if begin <= title_end or not paragraph:
            break
        if _block_start(["", *paragraph], 0) != 1 or not _all_trailers(paragraph):
            break
        found.append(_to_trailers(paragraph))
        end = begin
    return tuple(trailer for paragraph in reversed(found) for trailer in paragraph)


def _all_trailers(paragraph: list[str]) -> bool:
    """Every line a `Key: value` trailer or a continuation of one (no notes, no prose)."""
    return all(_separator(item) >= 1 for item in _items(paragraph))
