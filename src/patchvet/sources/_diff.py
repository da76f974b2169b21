"""
A unified-diff parser for git diffs and plain `diff -u` output.

It keeps what analyzers need (paths, status, counts, binary-ness, added lines with their new
line numbers) and refuses input it cannot trust: a hunk cut short raises `DiffError`, so a
truncated or mangled patch is skipped with a reason instead of being judged on half its content.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from patchvet.compiled import read_hunk as _COMPILED_READ_HUNK
from patchvet.records import AddedLine, ChangeStatus, FileChange

# Line numbers and counts are bounded: a hunk header with thousands of digits is not a real
# one (int() refuses it), so it is malformed like any other broken header.
_HUNK = re.compile(r"^@@+ -(\d{1,10})(?:,(\d{1,10}))? \+(\d{1,10})(?:,(\d{1,10}))? @@+")
_C_ESCAPES = {"a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r"}


def _says_binary_files_differ(line: str) -> bool:
    """`Binary files A and B differ`, read without a regex: `(.+) and (.+)` is quadratic."""
    head, tail = "Binary files ", " differ"
    if not (line.startswith(head) and line.endswith(tail)):
        return False
    names = line[len(head) : len(line) - len(tail)]
    return "\n" not in names and names.find(" and ", 1, len(names) - 1) != -1


class DiffError(ValueError):
    """The diff is malformed or truncated; the message says where."""


def unquote_path(raw: str) -> str:
    """Undo git's C-style quoting of unusual paths (`"a/t\\303\\251st"` -> `a/tést`)."""
    raw = raw.strip()
    if not (len(raw) >= 2 and raw.startswith('"') and raw.endswith('"')):
        return raw.split("\t", 1)[0]
    body = raw[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        char = body[i]
        if char != "\\" or i + 1 >= len(body):
            out += char.encode("utf-8", "surrogateescape")
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in "01234567" and body[i + 1 : i + 4].isdigit():
            out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
            i += 4
        else:
            out += _C_ESCAPES.get(nxt, nxt).encode()
            i += 2
    return out.decode("utf-8", "replace")


def _strip_prefix(path: str) -> str | None:
    if path == "/dev/null":
        return None
    if path.startswith(("a/", "b/")):
        return path[2:]
    return path


@dataclass
class _FileBuilder:
    """Mutable accumulator for one file while its lines stream past."""

    old_path: str | None = None
    new_path: str | None = None
    status: ChangeStatus = ChangeStatus.MODIFIED
    binary: bool = False
    additions: int = 0
    deletions: int = 0
    new_mode: str | None = None
    added: list[AddedLine] = field(default_factory=list)

    def build(self) -> FileChange:
        path = self.new_path or self.old_path or "unknown"
        status = self.status
        if self.new_path is None and self.old_path is not None:
            status = ChangeStatus.DELETED
        elif self.old_path is None and self.new_path is not None:
            status = ChangeStatus.ADDED
        old = self.old_path if self.old_path != path else None
        if old and status is ChangeStatus.MODIFIED:
            status = ChangeStatus.RENAMED
        return FileChange(
            path=path,
            status=status,
            additions=self.additions,
            deletions=self.deletions,
            binary=self.binary,
            old_path=old,
            added_lines=tuple(self.added),
            new_mode=self.new_mode,
        )


def _git_header_paths(line: str) -> tuple[str | None, str | None]:
    """Best effort split of `diff --git a/x b/x`; exact paths come from ---/+++ or rename lines."""
    rest = line[len("diff --git ") :]
    if rest.startswith('"'):
        end = rest.find('"', 1)
        while end != -1 and rest[end - 1] == "\\":
            end = rest.find('"', end + 1)
        first, second = rest[: end + 1], rest[end + 2 :]
    else:
        half = (len(rest) - 1) // 2
        if rest[half : half + 3] == " b/":
            first, second = rest[:half], rest[half + 1 :]
        else:
            first, _, second = rest.partition(" b/")
            second = "b/" + second
    return _strip_prefix(unquote_path(first)), _strip_prefix(unquote_path(second))


_READ, _ENDS_EARLY, _MISCOUNTED, _MALFORMED, _NOT_ASCII = 0, 1, 2, 3, 4
"""How a hunk ended (`_read_hunk`'s first value); only the compiled reader says `_NOT_ASCII`
(of a header it leaves to Python: `\\d` takes digits of every script)."""

HunkRead = tuple[int, int, int, int, int, int]
"""(status, next line, old lines left, new lines left, additions, deletions)."""


def _read_hunk_in_python(
    lines: list[str], at: int, added: list[AddedLine], make_line: Callable[[int, str], AddedLine]
) -> HunkRead:
    """
    Read the hunk whose header is `lines[at]`: its body, while the header's counts say lines
    are left, appending each added line to `added`; stop at the first line that cannot be in
    a hunk (`_ENDS_EARLY`) or takes a count below zero (`_MISCOUNTED`). The compiled kernel
    does the same.
    """
    match = _HUNK.match(lines[at])
    if not match:
        return _MALFORMED, at + 1, 0, 0, 0, 0
    old_left = int(match.group(2)) if match.group(2) is not None else 1
    new_left = int(match.group(4)) if match.group(4) is not None else 1
    new_line = int(match.group(3))
    if new_left == 0:
        new_line += 1
    additions = deletions = 0
    at += 1
    total = len(lines)
    while (old_left > 0 or new_left > 0) and at < total:
        line = lines[at]
        at += 1
        kind = line[:1]
        if kind == "+":
            additions += 1
            added.append(make_line(new_line, line[1:]))
            new_line += 1
            new_left -= 1
        elif kind == "-":
            deletions += 1
            old_left -= 1
        elif kind in (" ", ""):
            # Mail clients strip the single space of empty context lines; git apply
            # accepts them, so do we.
            new_line += 1
            old_left -= 1
            new_left -= 1
        elif kind == "\\":
            continue
        else:
            return _ENDS_EARLY, at, old_left, new_left, additions, deletions
        if old_left < 0 or new_left < 0:
            return _MISCOUNTED, at, old_left, new_left, additions, deletions
    return _READ, at, old_left, new_left, additions, deletions


def record_maker(cls: type[AddedLine]) -> type[AddedLine] | tuple[type[AddedLine], str, str]:
    """
    What the compiled hunk reader makes added lines with: the class and its two field names,
    so that it sets them itself as the dataclass's `__init__` would (the same objects, a third
    of the cost), when that `__init__` is the generated one and all it does (two fields, no
    `__post_init__`, no `__new__` of the class's own); else the class, called for each line.
    """
    params = getattr(cls, "__dataclass_params__", None)
    names = [field.name for field in dataclasses.fields(cls)] if params is not None else []
    if (
        params is not None
        and params.init
        and names == ["number", "text"]
        and not hasattr(cls, "__post_init__")
        and cls.__new__ is object.__new__
    ):
        return cls, names[0], names[1]
    return cls


_MAKE_LINE = record_maker(AddedLine)


def parse_diff(lines: Iterable[str], *, compiled: bool = True) -> list[FileChange]:
    """
    Parse diff text (lines without their newline) into file changes.

    Lines before the first file header (commit message, diffstat) are ignored, as are lines
    after the last hunk (a mail signature such as `-- ` and the git version). A hunk's body is
    read by the compiled kernel where it is built (unless `compiled` is false), the same way.
    """
    read_hunk = _COMPILED_READ_HUNK if compiled else None
    rows = lines if isinstance(lines, list) else list(lines)
    files: list[FileChange] = []
    current: _FileBuilder | None = None
    old_left = new_left = 0
    in_binary_patch = False

    def finish() -> None:
        nonlocal current
        if current is not None:
            files.append(current.build())
        current = None

    at, total = 0, len(rows)
    while at < total:
        line = rows[at]
        at += 1
        if line.startswith("diff --git "):
            finish()
            in_binary_patch = False
            old, new = _git_header_paths(line)
            current = _FileBuilder(old_path=old, new_path=new)
        elif line.startswith("--- "):
            old_path = _strip_prefix(unquote_path(line[4:]))
            if current is None or current.additions or current.deletions:
                finish()
                current = _FileBuilder()
            current.old_path = old_path
        elif line.startswith("+++ ") and current is not None:
            current.new_path = _strip_prefix(unquote_path(line[4:]))
        elif current is None:
            continue
        elif line.startswith("@@"):
            status, at, old_left, new_left, additions, deletions = (
                read_hunk(rows, at - 1, current.added, _MAKE_LINE)
                if read_hunk is not None
                else _read_hunk_in_python(rows, at - 1, current.added, AddedLine)
            )
            if status == _NOT_ASCII:
                status, at, old_left, new_left, additions, deletions = _read_hunk_in_python(
                    rows, at, current.added, AddedLine
                )
            if status == _MALFORMED:
                raise DiffError(f"malformed hunk header: {line[:60]!r}")
            current.additions += additions
            current.deletions += deletions
            if status == _ENDS_EARLY:
                raise DiffError(f"hunk in {current.new_path or current.old_path} ends early")
            if status == _MISCOUNTED:
                raise DiffError(f"hunk in {current.new_path or current.old_path} is miscounted")
        elif line.startswith("new file mode "):
            current.old_path = None
            current.new_mode = line.rsplit(" ", 1)[-1]
        elif line.startswith("deleted file mode "):
            current.new_path = None
        elif line.startswith("new mode "):
            current.new_mode = line.rsplit(" ", 1)[-1]
        elif line.startswith(("rename from ", "copy from ")):
            current.old_path = unquote_path(line.split(" ", 2)[2])
            current.status = (
                ChangeStatus.RENAMED if line.startswith("rename") else ChangeStatus.COPIED
            )
        elif line.startswith(("rename to ", "copy to ")):
            current.new_path = unquote_path(line.split(" ", 2)[2])
        elif line == "GIT binary patch":
            current.binary = True
            in_binary_patch = True
        elif _says_binary_files_differ(line):
            current.binary = True
        elif in_binary_patch:
            continue
    if old_left > 0 or new_left > 0:
        assert current is not None
        raise DiffError(f"diff ends inside a hunk of {current.new_path or current.old_path}")
    finish()
    return files
