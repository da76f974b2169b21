"""
The compiled kernels (`patchvet._kernels`) give exactly the model features the Python code
gives: same buckets, same counts, same order, on every kind of text; they stop when the time
budget runs out, and refuse arguments of the wrong shape. (The hunk reader is compared with
the Python one in `tests/sources/test_diff.py`.)
"""

from __future__ import annotations

import dataclasses
import pickle
import shutil
import zlib
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patchvet.budget import BudgetExceeded, budget
from patchvet.model import features
from patchvet.model.features import View, dense, hashed
from patchvet.records import AddedLine
from patchvet.sources._diff import record_maker
from tests.fuzzing import FUZZ
from tests.model.test_score_equality import reference_hashed

pytestmark = pytest.mark.skipif(
    not features.COMPILED and shutil.which("cc") is None,
    reason="installed without a C compiler: only the Python features exist",
)


def test_the_kernel_is_built_where_a_compiler_is() -> None:
    # `pip install -e .` builds it in place; an install that silently lost it would test
    # only the Python path below.
    assert features.COMPILED


# Pieces of real messages and code, and every kind of character the fast paths must hand back
# to Python: line breaks inside a line, Unicode spaces and case folding (the Kelvin sign folds
# to an ASCII k), lone surrogates (encoded as `?`), the ASCII separators `\s` also matches.
PIECES = st.sampled_from(
    ["a", "Z", "_", "7", "'", " ", "    ", "\t", "\n", "\r", "\x0b", "\x1c", "\x1f", "\x00",
     "\x7f", "#", "//", "/*", "*", "--", ";;", "<!--", "-", "/", ".", ":", "(", "}", "foo",
     "Bar_baz", "don't", "x" * 45, "y1" * 20, "K", "\u212a", "İ", "É", "ß", "\xa0", "\u3000",
     "\ud800", "\udcff", "😀", "添加"]
)  # fmt: skip
TEXT = st.lists(PIECES, max_size=24).map("".join)
ASCII_TEXT = st.text(alphabet=st.characters(max_codepoint=127), max_size=80)
LINES = st.lists(st.one_of(TEXT, ASCII_TEXT), max_size=12)
STATUS = st.sampled_from(["added", "modified", "deleted", "renamed", "copied", "\u212a"])
PATHS = st.lists(
    st.tuples(st.one_of(TEXT, ASCII_TEXT), STATUS, st.integers(0, 9), st.integers(0, 9)),
    max_size=5,
)


Paths = list[tuple[str, str, int, int]]


def _view(subject: str, body: str, added: list[str], paths: Paths) -> View:
    return View(subject, body, tuple(paths), tuple(added))


@FUZZ
@given(st.one_of(TEXT, ASCII_TEXT), st.one_of(TEXT, ASCII_TEXT), LINES, PATHS)
def test_compiled_features_equal_the_python_ones(
    subject: str, body: str, added: list[str], paths: Paths
) -> None:
    seen = _view(subject, body, added, paths)
    measured = dense(seen)
    assert measured == dense(seen, compiled=False)
    compiled = list(hashed(seen, measured).items())
    assert compiled == list(hashed(seen, measured, compiled=False).items())
    assert compiled == list(reference_hashed(seen).items())


# Code-shaped pieces for the dense counts: comments of every marker, sentences, type hints,
# docstrings, print calls, TODO notes, trailing spaces and tabs.
CODE_PIECES = st.sampled_from(
    ["#", "//", "/*", "*", "--", ";;", "<!--", " ", "\t", "\x1c", "\n", "Fix the parser.",
     "Fix it", "(x).", "e.g. this.", "Why?", "a" * 61, ") -> int", ")->", ") - > x", ":", ": str",
     ":string", ": strx", ":None", ": Optional[int]", "boolean", '"""', "'''", "/**",
     "print(", "console.log", "TODO", "É", "😀", "\u3000"]
)  # fmt: skip
CODE_LINES = st.lists(
    st.one_of(st.lists(CODE_PIECES, max_size=8).map("".join), ASCII_TEXT), max_size=12
)


@FUZZ
@given(CODE_LINES, PATHS)
def test_compiled_dense_counts_equal_the_python_ones(added: list[str], paths: Paths) -> None:
    seen = _view("Fix it", "", added, paths)
    assert dense(seen) == dense(seen, compiled=False)


@FUZZ
@given(ASCII_TEXT, st.text(alphabet=st.characters(max_codepoint=127), max_size=700), LINES)
def test_compiled_features_of_ascii_messages_equal_the_python_ones(
    subject: str, body: str, added: list[str]
) -> None:
    # Most messages are ASCII: the kernel reads them whole, letter sequences included.
    seen = _view(subject, body, added, [("src/a.py", "modified", 1, 0)])
    assert list(hashed(seen).items()) == list(hashed(seen, compiled=False).items())


def test_words_and_names_longer_than_a_token_are_cut_as_the_patterns_cut_them() -> None:
    line = "x = " + "Abc_" * 30 + " " + "q" * 70 + " 9zz a1 __init__"
    seen = _view("Fix " + "w" * 75, "it's " + "long" * 20, [line, "# " + "c" * 64], [])
    assert list(hashed(seen).items()) == list(reference_hashed(seen).items())


def _bucket_counts(look: Callable[[], None], **changes: object) -> tuple[bytearray, bytearray]:
    from patchvet._kernels import bucket_counts

    arguments: dict[str, object] = {
        "message": "Fix it\nbody", "subject": "Fix it", "added": ("x = 1",),
        "paths": (("a.py", "modified", 1, 0),), "bins": ["b:x:"], "values": [0.2], "mask": 1023,
        "message_tokens": features._message_tokens, "line_tokens": features._line_tokens,
    }  # fmt: skip
    arguments |= changes
    return bucket_counts(*arguments.values(), look)  # type: ignore[arg-type,call-arg]


def test_the_kernel_looks_at_the_budget_as_the_work_grows() -> None:
    looks: list[None] = []
    _bucket_counts(lambda: looks.append(None))
    small = len(looks)
    looks.clear()
    big = "word " * 200_000
    _bucket_counts(lambda: looks.append(None), message=big, added=(big,) * 3)
    assert small == 2
    assert len(looks) > 600  # ~3 million tokens, a look each 4,096


def test_a_spent_budget_stops_the_kernel() -> None:
    seen = _view("x" * 4_000_000, "", ["y" * 1_000_000], [])
    with pytest.raises(BudgetExceeded), budget(0.000_001):
        hashed(seen, [0.0] * len(features.DENSE_NAMES))


@pytest.mark.parametrize(
    "changes",
    [
        {"message": b"bytes"},
        {"added": ("ok", 3)},
        {"added": 5},
        {"paths": (("a.py",),)},
        {"paths": ((b"a.py", "modified", 1, 0),)},
        {"bins": [None]},
        {"bins": ["b:"], "values": [float("nan")]},
        {"bins": ["b:"], "values": [float("inf")]},
        {"bins": ["b:"], "values": ["1"]},
        {"bins": ["b:", "c:"], "values": [1.0]},
        {"mask": -1},
        {"mask": 1 << 40},
        {"line_tokens": None},
        {"message": "\u212a", "message_tokens": lambda message, subject: ("not", "a list")},
    ],
)
def test_arguments_of_the_wrong_shape_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises((TypeError, ValueError, OverflowError)):
        _bucket_counts(lambda: None, **changes)


def test_counts_are_in_first_token_order() -> None:
    bins = ["b", "a", "b", "c", "a", "b"]
    found, counted = _bucket_counts(
        lambda: None, message="", subject="", added=(), paths=(), bins=bins, values=[0.0] * 6,
        mask=0xFFFFFFFF,
    )  # fmt: skip
    assert np.frombuffer(found, dtype=np.int64).tolist() == [
        zlib.crc32(token) for token in (b"ms:blank", b"b0", b"a0", b"c0")
    ]
    assert np.frombuffer(counted, dtype=np.int64).tolist() == [1, 3, 2, 1]


def _read_hunk(**changes: object) -> tuple[int, int, int, int, int, int]:
    from patchvet._kernels import read_hunk

    arguments: dict[str, object] = {
        "lines": ["@@ -1 +1,2 @@", " same", "+new"], "at": 0, "added": [],
        "make_line": AddedLine,
    }  # fmt: skip
    arguments |= changes
    return read_hunk(*arguments.values())  # type: ignore[arg-type]


def test_the_hunk_reader_reads_a_hunk() -> None:
    added: list[AddedLine] = []
    assert _read_hunk(added=added) == (0, 3, 0, 0, 1, 0)
    assert added == [AddedLine(2, "new")]


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("@@ -1 +1,2 @@", 0), ("@@@ -1 +1,2 @@@ f()", 0), ("@@ -1,0 +1,2 @@", 2),
        ("@@ -1 +1,2 @", 3), ("@ -1 +1,2 @@", 3), ("@@ -1, +1,2 @@", 3),
        ("@@ -12345678901 +1,2 @@", 3), ("@@ -1 +1,12345678901 @@", 3), ("@@ -1 +1,2@@", 3),
        ("@@ -1 +\u0661,2 @@", 4), ("@@", 3),
    ],
)  # fmt: skip
def test_hunk_headers_are_read_as_the_pattern_reads_them(header: str, status: int) -> None:
    assert _read_hunk(lines=[header, " same", "+new"])[0] == status


@pytest.mark.parametrize(
    "changes",
    [
        {"lines": ("@@ -1 +1 @@", " same")},
        {"lines": ["@@ -1 +1,2 @@", 7]},
        {"lines": [7]},
        {"added": ()},
        {"make_line": None},
        {"at": -1},
        {"at": 3},
        {"at": 1 << 70},
    ],
)
def test_the_hunk_reader_refuses_arguments_of_the_wrong_shape(changes: dict[str, object]) -> None:
    with pytest.raises((TypeError, ValueError, OverflowError)):
        _read_hunk(**changes)


def test_the_hunk_reader_stops_at_the_end_of_the_lines() -> None:
    assert _read_hunk(lines=["@@ -1,5 +1,6 @@", " a", "+b"]) == (0, 3, 4, 4, 1, 0)


def test_added_lines_made_directly_equal_those_the_class_makes() -> None:
    lines = ["@@ -1 +1,3 @@", " same", "+new", "+\u00e9t\u00e9 \ud800", "+"]
    made: list[AddedLine] = []
    called: list[AddedLine] = []
    _read_hunk(lines=lines, added=made, make_line=record_maker(AddedLine))
    _read_hunk(lines=lines, added=called, make_line=AddedLine)
    assert made == called
    assert [vars(line) for line in made] == [vars(line) for line in called]
    assert pickle.loads(pickle.dumps(made)) == called
    assert [hash(line) for line in made] == [hash(line) for line in called]
    with pytest.raises(dataclasses.FrozenInstanceError):
        made[0].text = "changed"  # type: ignore[misc]


@dataclasses.dataclass(frozen=True)
class _Checked(AddedLine):
    def __post_init__(self) -> None:
        if self.number < 0:
            raise ValueError(self.number)


@dataclasses.dataclass(frozen=True)
class _Wider(AddedLine):
    kind: str = "added"


def test_only_a_plain_two_field_dataclass_is_made_directly() -> None:
    assert record_maker(AddedLine) == (AddedLine, "number", "text")
    assert record_maker(_Checked) is _Checked
    assert record_maker(_Wider) is _Wider
