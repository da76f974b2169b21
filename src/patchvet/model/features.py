"""
What the agent-likelihood model looks at, computed the same way for training and scoring.

Two kinds of features, both from a contribution stripped of explicit marks:

- dense measurements of the message (shape, Markdown, bullets, conventional prefix) and of the
  diff (size, spread, tests, comment density and style, line lengths, docstrings, type hints);
- hashed tokens (a stable CRC32, so scores do not depend on the interpreter's hash seed) of the
  message words and word pairs, of the words in added comments, of identifiers in added code,
  and of file extensions and directory names.

Lock files and agent instruction files are not read (`strip.is_unread_file`).
"""

from __future__ import annotations

import itertools
import math
import operator
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from patchvet.budget import look
from patchvet.compiled import added_counts as _COMPILED_ADDED_COUNTS
from patchvet.compiled import bucket_counts as _COMPILED_BUCKET_COUNTS
from patchvet.model.strip import is_unread_file, strip_code_lines, strip_subject, strip_text
from patchvet.records import ChangeStatus, Contribution, SourceKind

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

HASH_BITS = 20
HASH_SIZE = 1 << HASH_BITS
MAX_ADDED_LINES = 400
"""Added lines read per contribution: enough for style, bounded for speed."""
MESSAGE_BODY_READ = 600
"""Characters of the message body the hashed tokens read. A long explanation must not count as
evidence by its length alone: a body's opening says how its author writes, and reading every
paragraph of a careful three-page rationale would only add up many faint leanings."""
MESSAGE_CHARS_CAP = 1200
"""Message lengths beyond this count as this long (with caps on lines, paragraphs, bullets)."""

CAPS: dict[str, int] = {
    "msg_log_chars": MESSAGE_CHARS_CAP,
    "msg_lines": 20,
    "msg_bullets": 12,
    "msg_backticks": 24,
    "msg_paragraphs": 8,
}
"""Counts read up to a cap: beyond it more of the same says nothing more about the author."""

_WORD = re.compile(r"[a-z][a-z0-9']{1,30}")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,40}")
_COMMENT = re.compile(r"^\s*(?:#|//|/\*|\*|--|;;|<!--)\s?(.*)$")
_AREA_PREFIX = re.compile(r"^[\w.,/*{}+-]{1,60}(?:\([^)]*\))?!?:\s+")
"""`fix(parser): `, `netdev-dpdk: `, `package/foo: `: the project's subject convention, not
the author's, so it is removed before anything reads the subject."""
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+\.)\s+")
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2705\u274c\u26a0]")
_TEST_PATH = re.compile(
    r"(?:^|/)(?:tests?|spec|__tests__|testing)(?:/|$)|(?:_test|\.test|\.spec|Tests?)\.\w+$|(?:^|/)test_[^/]*$"
)
_DOC_PATH = re.compile(r"\.(?:md|rst|txt|adoc)$|(?:^|/)docs?/")
_SENTENCE_COMMENT = re.compile(r"^[A-Z][^.!?]*[a-z)][.]$")
_TYPE_HINT = re.compile(
    r"\)\s*->\s*\w|:\s*(?:str|int|bool|float|list|dict|None|Optional|string|number|boolean)\b"
)
_IMPERATIVE = frozenset({
    "add", "fix", "update", "remove", "implement", "refactor", "improve", "use", "make",
    "support", "allow", "bump", "enhance", "introduce", "ensure", "handle", "create", "move",
    "rename", "replace", "clean", "simplify",
})  # fmt: skip

DENSE_NAMES: tuple[str, ...] = (
    "msg_log_chars", "msg_lines", "msg_has_body", "msg_bullets", "msg_headers", "msg_bold",
    "msg_backticks", "msg_fences", "msg_emoji", "subj_log_chars", "subj_capitalized",
    "subj_period", "subj_imperative", "msg_paragraphs", "msg_bullet_frac",
    "msg_words_per_line", "msg_colon_lines", "diff_log_added", "diff_log_deleted",
    "diff_log_files", "diff_add_ratio", "diff_test_frac", "diff_doc_frac", "diff_new_frac",
    "diff_dirs", "added_comment_frac", "added_sentence_comment_frac", "added_blank_frac",
    "added_mean_len", "added_max_len", "added_trailing_ws_frac", "added_tab_frac",
    "added_type_hint_frac", "added_emoji", "added_todo", "added_docstring_frac",
    "added_nonascii_frac", "added_long_comment_frac", "added_print_frac",
)  # fmt: skip


@dataclass(frozen=True)
class View:
    """A contribution as the model sees it: marks stripped, added lines bounded."""

    subject: str
    body: str
    paths: tuple[tuple[str, str, int, int], ...]
    """(path, status, additions, deletions) per file."""
    added: tuple[str, ...]


_TEXT = operator.attrgetter("text")


def view(contribution: Contribution) -> View:
    """The stripped view of a contribution (a PR is read as its title and description)."""
    if contribution.kind is SourceKind.PULL_REQUEST or not contribution.commits:
        subject, body = contribution.title, contribution.description
    else:
        message = "\n\n".join(commit.message for commit in contribution.commits)
        subject, _, body = message.partition("\n")
    read = [change for change in contribution.files if not is_unread_file(change.path)]
    paths = tuple((change.path, change.status.value, change.additions, change.deletions)
                  for change in read)  # fmt: skip
    added: list[str] = []
    for change in read:
        room = MAX_ADDED_LINES - len(added)
        if room <= 0:
            break
        added += map(_TEXT, change.added_lines[:room])
    return View(strip_subject(subject), strip_text(body), paths, strip_code_lines(added))


def _frac(count: int, total: int) -> float:
    return count / total if total else 0.0


def subject_read(subject: str) -> str:
    """The subject as the model reads it: without a leading area or conventional prefix."""
    return _AREA_PREFIX.sub("", subject, count=1)


def _capped(count: int, cap: int) -> float:
    return math.log1p(min(count, cap))


def _message_features(subject: str, body: str) -> list[float]:
    subject = subject_read(subject)
    lines = [line for line in body.split("\n") if line.strip()]
    first_word = subject.split(" ", 1)[0].lower().rstrip(":") if subject else ""
    bullets = sum(1 for line in lines if _BULLET.match(line))
    words = sum(len(line.split()) for line in lines)
    return [
        _capped(len(subject) + len(body), CAPS["msg_log_chars"]),
        _capped(len(lines), CAPS["msg_lines"]),
        float(bool(lines)),
        _capped(bullets, CAPS["msg_bullets"]),
        math.log1p(sum(1 for line in lines if line.lstrip().startswith("#"))),
        math.log1p(body.count("**")),
        _capped(body.count("`"), CAPS["msg_backticks"]),
        math.log1p(body.count("```")),
        float(not (subject + body).isascii() and _EMOJI.search(subject + body) is not None),
        math.log1p(len(subject)),
        float(subject[:1].isupper()),
        float(subject.endswith(".")),
        float(first_word in _IMPERATIVE),
        _capped(body.count("\n\n"), CAPS["msg_paragraphs"]),
        _frac(bullets, len(lines)),
        _frac(words, len(lines)),
        _frac(sum(1 for line in lines if line.rstrip().endswith(":")), len(lines)),
    ]


_LONG_COMMENT = 60
"""Characters beyond which a comment counts as long."""


@lru_cache(maxsize=1 << 12)
def _path_kind(path: str) -> tuple[bool, bool]:
    """(a test file, a documentation file): a project's paths recur from patch to patch."""
    return _TEST_PATH.search(path) is not None, _DOC_PATH.search(path) is not None


def _added_counts_in_python(lines: tuple[str, ...]) -> tuple[int, ...]:
    """What `_diff_features` counts over the added lines, as `_kernels.added_counts` does."""
    comments = [found.group(1) for found in map(_COMMENT.match, lines) if found]
    # Counted with C-level maps, and a count whose needle (no newline in it) is nowhere in the
    # joined lines is 0 without a look at each line: most patches have no TODO, docstring,
    # print call or non-ASCII line.
    joined = "\n".join(lines)

    def with_any(*needles: str) -> int:
        present = [needle for needle in needles if needle in joined]
        if not present:
            return 0
        has = [map(operator.contains, lines, itertools.repeat(needle)) for needle in present]
        return sum(has[0]) if len(has) == 1 else sum(map(any, zip(*has, strict=True)))

    lengths = list(map(len, lines)) or [0]
    return (
        len(comments),
        len(list(filter(None, map(_SENTENCE_COMMENT.match, map(str.strip, comments))))),
        list(map(str.strip, lines)).count(""),
        sum(lengths),
        max(lengths),
        sum(map(str.__ne__, lines, map(str.rstrip, lines))),
        sum(map(str.startswith, lines, itertools.repeat("\t"))),
        len(list(filter(None, map(_TYPE_HINT.search, lines)))),
        with_any("TODO"),
        with_any('"""', "'''", "/**"),
        sum(map(_LONG_COMMENT.__lt__, map(len, comments))),
        with_any("print(", "console.log"),
    )


def _diff_features(view: View, compiled: bool = True) -> list[float]:
    added_total = sum(p[2] for p in view.paths)
    deleted_total = sum(p[3] for p in view.paths)
    files = len(view.paths)
    kinds = [_path_kind(p[0]) for p in view.paths]
    tests = sum(test for test, _ in kinds)
    docs = sum(doc for _, doc in kinds)
    new = sum(1 for p in view.paths if p[1] == ChangeStatus.ADDED.value)
    dirs = len({p[0].rsplit("/", 1)[0] if "/" in p[0] else "" for p in view.paths})
    lines = view.added
    n = len(lines)
    # The compiled kernel counts lines that are all ASCII (so no emoji and no non-ASCII line).
    counted = (
        _COMPILED_ADDED_COUNTS(lines) if compiled and _COMPILED_ADDED_COUNTS is not None else None
    )
    if counted is None:
        counted = _added_counts_in_python(lines)
        ascii = all(map(str.isascii, lines))
        emoji = not ascii and _EMOJI.search("\n".join(lines)) is not None
        non_ascii = 0 if ascii else sum(1 for line in lines if not line.isascii())
    else:
        emoji, non_ascii = False, 0
    (comments, sentences, blank, length, longest, trailing, tabs, hints, todo, docstrings,
     long_comments, prints) = counted  # fmt: skip
    return [
        math.log1p(added_total),
        math.log1p(deleted_total),
        math.log1p(files),
        _frac(added_total, added_total + deleted_total),
        _frac(tests, files),
        _frac(docs, files),
        _frac(new, files),
        math.log1p(dirs),
        _frac(comments, n),
        _frac(sentences, comments),
        _frac(blank, n),
        math.log1p(length / max(n, 1)),
        math.log1p(longest),
        _frac(trailing, n),
        _frac(tabs, n),
        _frac(hints, n),
        float(emoji),
        math.log1p(todo),
        _frac(docstrings, n),
        _frac(non_ascii, n),
        _frac(long_comments, comments),
        _frac(prints, n),
    ]


def dense(view: View, *, compiled: bool = True) -> list[float]:
    """
    The dense features, in `DENSE_NAMES` order (`compiled` false counts the added lines in
    Python even where the compiled kernel is built: the same values).
    """
    return _message_features(view.subject, view.body) + _diff_features(view, compiled)


_DIGITS = "0123456789"


def _line_shape(line: str) -> str:
    """Indentation, first and last character class and length: formatting habits."""
    # No cache: most added lines are new, and a bounded cache's look-up cost more than this.
    stripped = line.strip()
    if not stripped:
        return "blank"
    indent = (len(line) - len(line.lstrip())) // 4
    first = stripped[0]
    if first.isalnum():
        first = "A" if first.isupper() else "a"
    last = stripped[-1]
    if last.isalnum():
        last = "w"
    size = len(stripped) // 20
    return _DIGITS[indent if indent < 4 else 4] + first + last + _DIGITS[size if size < 6 else 6]


def message_read(view: View) -> str:
    """The message as the hashed tokens read it: subject without prefix, the body's opening."""
    return f"{subject_read(view.subject)}\n{view.body[:MESSAGE_BODY_READ]}"


_GRAM_WIDTHS = (3, 5)
"""Letter sequences of the message the model reads (`m3:`, `m5:` tokens)."""
_CHUNK = 4096
"""Tokens hashed between two looks at the time budget."""


def _grams(message: str, width: int) -> Iterator[str]:
    size = len(message)
    grams = map(message.__getitem__, map(slice, range(size), range(width, size + 1)))
    return map(f"m{width}:".__add__, grams)


def _message_tokens(message: str, subject: str, grams: bool = True) -> list[str]:
    """
    The tokens of the message as `message_read` gives it, in order (without its letter
    sequences when `grams` is false); `subject` is `subject_read` of the subject.
    Built with C-level maps: a message yields thousands of n-grams.
    """
    tokens: list[str] = []
    if grams:
        for width in _GRAM_WIDTHS:
            tokens += _grams(message, width)
    look()
    tokens += ["ms:" + _line_shape(line) for line in message.split("\n")]
    message_words = _WORD.findall(message.lower())
    tokens += map("m:".__add__, message_words)
    tokens += [f"mb:{a}_{b}" for a, b in itertools.pairwise(message_words)]
    if subject:
        tokens.append(f"s0:{subject.split(' ', 1)[0].lower()}")
    return tokens


def _line_tokens(line: str) -> list[str]:
    """One added line's tokens, in order (also for the kernel, on a line it cannot read)."""
    tokens = ["sh:" + _line_shape(line)]
    comment = _COMMENT.match(line)
    if comment:
        words = _WORD.findall(comment.group(1).lower())
        tokens += map("c:".__add__, words)
        tokens += [f"cb:{a}_{b}" for a, b in itertools.pairwise(words)]
    else:
        tokens += map("a:".__add__, _IDENT.findall(line))
    return tokens


def _tokens(view: View, grams: bool = True) -> list[str]:
    """Every token, in order (without the message's letter sequences when `grams` is false)."""
    tokens = _message_tokens(message_read(view), subject_read(view.subject), grams)
    for line in view.added:  # up to MAX_ADDED_LINES a contribution
        tokens += _line_tokens(line)
    for path, status, _, _ in view.paths:
        name = path.rsplit("/", 1)[-1]
        tokens.append(f"x:{name.rsplit('.', 1)[-1] if '.' in name else ''}")
        tokens.append(f"st:{status}")
        tokens += map("d:".__add__, path.split("/")[:-1])
    return tokens


_BIN_PREFIXES = tuple(f"b:{name}:" for name in DENSE_NAMES)


def _binned(values: list[float]) -> list[str]:
    """Dense measurements as coarse bins, so the linear model can bend around thresholds."""
    return [
        prefix + str(round(value * 2)) for prefix, value in zip(_BIN_PREFIXES, values, strict=True)
    ]


@lru_cache(maxsize=1)
def _gram_tables() -> tuple[dict[int, int], NDArray[np.uint32]]:
    """
    CRC-32 of `m{width}:` and `width` bytes, taken apart byte by byte. CRC-32 is affine over
    GF(2): for messages of one length, crc(a ^ b) = crc(a) ^ crc(b) ^ crc(0). So the CRC of the
    prefix and bytes x1…xw is crc(prefix, 0…0) ^ D[w-1][x1] ^ … ^ D[0][xw], where D[d][v] is
    the change byte v makes with d bytes after it (whatever came before it, so one table serves
    every width). That gives every n-gram's CRC of an ASCII message in a few array operations,
    exactly equal to `zlib.crc32` of the token (checked in tests). Returns ({width: crc of
    the prefix and zeros}, D).
    """
    import numpy as np

    widest = max(_GRAM_WIDTHS)
    zeros = {width: zlib.crc32(f"m{width}:".encode() + bytes(width)) for width in _GRAM_WIDTHS}
    prefix = f"m{widest}:".encode()
    tables = np.zeros((widest, 256), dtype=np.uint32)
    for after in range(widest):
        for value in range(256):
            data = bytearray(widest)
            data[widest - 1 - after] = value
            tables[after, value] = zlib.crc32(prefix + bytes(data)) ^ zeros[widest]
    return zeros, tables


def _gram_buckets(message: str) -> NDArray[np.int64]:
    """
    The buckets of every `m3:` then every `m5:` token of an ASCII message, in order. A wider
    sequence's bytes past the first few are a narrower one's, so its CRC reuses the narrower
    sequences' sums and adds only the bytes in front.
    """
    import numpy as np

    data = np.frombuffer(message.encode("ascii"), dtype=np.uint8)
    zeros, tables = _gram_tables()
    parts = []
    narrower: NDArray[np.uint32] | None = None
    narrower_width = 0
    for width in sorted(_GRAM_WIDTHS):
        count = len(data) - width + 1
        if count <= 0:
            break
        front = width - narrower_width
        if narrower is None:
            sums = tables[width - 1][data[:count]]
            first = 1
        else:
            sums = narrower[front:]
            first = 0
        for place in range(first, front):
            sums = sums ^ tables[width - 1 - place][data[place : place + count]]
        narrower, narrower_width = sums, width
        parts.append(sums ^ np.uint32(zeros[width]))
        look()
    if not parts:
        return np.zeros(0, dtype=np.int64)
    found = np.concatenate(parts).astype(np.int64)
    found &= HASH_SIZE - 1
    return found


def _hash(token: str) -> int:
    return zlib.crc32(token.encode("utf-8", "replace")) & (HASH_SIZE - 1)


def _buckets_of(tokens: list[str]) -> NDArray[np.int64]:
    """
    The bucket of each token, in order: each token encoded and hashed by C-level maps, no
    Python call per token. (Hashing is cheaper than looking tokens up in a large cache: the
    cache's memory is what the processor waits for.) The time budget is looked at between
    chunks: a one-megabyte subject has hundreds of thousands of words.
    """
    import numpy as np

    parts = []
    for start in range(0, len(tokens), _CHUNK):
        look()
        chunk = tokens[start : start + _CHUNK]
        encoded = map(str.encode, chunk, itertools.repeat("utf-8"), itertools.repeat("replace"))
        parts.append(np.fromiter(map(zlib.crc32, encoded), dtype=np.int64, count=len(chunk)))
    found = parts[0] if len(parts) == 1 else np.concatenate(parts or [np.zeros(0, np.int64)])
    found &= HASH_SIZE - 1
    return found


@lru_cache(maxsize=1)
def _log1p_table() -> NDArray[np.float64]:
    """`math.log1p` of the counts a bucket usually has, so a count costs an array lookup."""
    import numpy as np

    return np.array([math.log1p(count) for count in range(_LOG1P_TABLE_SIZE)], dtype=np.float64)


_LOG1P_TABLE_SIZE = 1024


def _bucket_counts(
    view: View, dense_values: list[float], compiled: bool = True
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """
    (buckets, how many tokens fall in each), buckets in the order of their first token.

    With the compiled kernel (`patchvet._kernels`, unless `compiled` is false) every token,
    the dense values' bins included, is made, hashed and counted in C; it hands the lines it
    does not read as plain bytes (not ASCII) back to `_message_tokens` and `_line_tokens`.
    Otherwise the letter sequences of an ASCII message (most of the tokens) are hashed as
    arrays; the other tokens through `_buckets_of`. Then every bucket, in token order, is
    counted with two sorts of (value, position) keys: the first gives each bucket its count
    and first position, the second puts the buckets in the order of those first positions.
    That is the order, and so the floating-point sum, of counting them one token at a time.
    """
    import numpy as np

    made = compiled_counts(view, dense_values) if compiled else None
    if made is not None:
        found, counted = made
        return np.frombuffer(found, dtype=np.int64), np.frombuffer(counted, dtype=np.int64)

    message = message_read(view)
    vectorised = message.isascii()
    tokens = _tokens(view, grams=not vectorised)
    tokens += _binned(dense_values)
    hashed_tokens = _buckets_of(tokens)
    every = np.concatenate((_gram_buckets(message), hashed_tokens)) if vectorised else hashed_tokens
    look()
    size = len(every)
    if size == 0:
        return every, every
    # A bucket has HASH_BITS bits and a position fewer than 32: one int64 key holds both, so a
    # plain (fast, unstable) sort of distinct keys orders by bucket, then by position.
    keys = (every << _POSITION_BITS) | np.arange(size, dtype=np.int64)
    keys.sort()
    sorted_buckets = keys >> _POSITION_BITS
    first_of_bucket = np.empty(size, dtype=bool)
    first_of_bucket[0] = True
    np.not_equal(sorted_buckets[1:], sorted_buckets[:-1], out=first_of_bucket[1:])
    starts = np.flatnonzero(first_of_bucket)
    counts = np.empty_like(starts)
    counts[:-1] = starts[1:]
    counts[-1] = size
    counts -= starts
    firsts = keys[starts] & _POSITION_MASK
    order = (firsts << _POSITION_BITS) | np.arange(len(starts), dtype=np.int64)
    order.sort()
    order &= _POSITION_MASK
    return sorted_buckets[starts][order], counts[order]


_POSITION_BITS = 32
_POSITION_MASK = (1 << _POSITION_BITS) - 1


COMPILED = _COMPILED_BUCKET_COUNTS is not None and _COMPILED_ADDED_COUNTS is not None
"""Whether the compiled kernel is built (the features are the same either way)."""


def compiled_counts(view: View, dense_values: list[float]) -> tuple[bytearray, bytearray] | None:
    """
    The compiled kernel's (buckets, counts) in first-token order, as native int64 arrays'
    bytes (no numpy needed to read them), or None where the kernel is not built.
    """
    if _COMPILED_BUCKET_COUNTS is None:
        return None
    return _COMPILED_BUCKET_COUNTS(
        message_read(view), subject_read(view.subject), view.added, view.paths,
        _BIN_PREFIXES, dense_values, HASH_SIZE - 1, _message_tokens, _line_tokens, look,
    )  # fmt: skip


def _log1p(counts: NDArray[np.int64]) -> NDArray[np.float64]:
    import numpy as np

    if len(counts) and int(counts.max()) >= _LOG1P_TABLE_SIZE:
        return np.fromiter(map(math.log1p, counts.tolist()), dtype=np.float64, count=len(counts))
    return _log1p_table()[counts]


def hashed_arrays(
    view: View, dense_values: list[float] | None = None, *, compiled: bool = True
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """
    The items of `hashed` as (buckets, log(1 + count)) arrays, in the same order. `compiled`
    false computes them in Python even where the compiled kernel is built (the same values).
    """
    measured = dense_values if dense_values is not None else dense(view)
    buckets, counts = _bucket_counts(view, measured, compiled)
    return buckets, _log1p(counts)


def hashed(
    view: View, dense_values: list[float] | None = None, *, compiled: bool = True
) -> dict[int, float]:
    """Hashed token counts, log-scaled: {bucket: log(1 + count)}, in first-token order."""
    buckets, values = hashed_arrays(view, dense_values, compiled=compiled)
    return dict(zip(buckets.tolist(), values.tolist(), strict=True))


# -- plain words for every input, so a score can be explained -------------------------------
#
# Every dense measurement and every kind of hashed token has an entry here: the signal it
# belongs to and how to say its value to a maintainer. A new feature needs an entry (a test
# checks it); `model/explain.py` reads only this registry, never the feature code above.


@dataclass(frozen=True)
class Describe:
    """One input in plain words: the signal it belongs to and its value as a phrase."""

    signal: str
    """A key of `SIGNALS`."""
    phrase: Callable[[float], str]
    """From the dense value (as `dense` computes it) to words with the value in them."""


SIGNALS: dict[str, str] = {
    "message-length": "length of the message",
    "message-markdown": "Markdown in the message",
    "message-wording": "wording of the message",
    "subject-style": "style of the subject line",
    "comments": "comments in the added code",
    "code-identifiers": "names in the added code",
    "code-layout": "layout of the added lines",
    "diff-shape": "size and spread of the change",
    "tests-docs": "tests and documentation in the change",
    "files": "kinds of files changed",
}
"""Signal id to its name, in the order a report lists ties."""


def _count(unit: str, cap: int | None = None) -> Callable[[float], str]:
    def phrase(value: float) -> str:
        count = round(math.expm1(value))
        return (
            f"{count:,} or more {unit}" if cap is not None and count >= cap else f"{count:,} {unit}"
        )

    return phrase


def _share(what: str, of: str = "of added lines") -> Callable[[float], str]:
    return lambda value: f"{what} on {value:.0%} {of}"


def _flag(yes: str, no: str) -> Callable[[float], str]:
    return lambda value: yes if value >= 0.5 else no


DENSE_DESCRIPTIONS: dict[str, Describe] = {
    "msg_log_chars": Describe(
        "message-length", _count("characters in the message", CAPS["msg_log_chars"])
    ),
    "msg_lines": Describe(
        "message-length", _count("non-blank lines in the message body", CAPS["msg_lines"])
    ),
    "msg_has_body": Describe("message-length", _flag("a message body", "no message body")),
    "msg_bullets": Describe(
        "message-markdown", _count("Markdown bullets in the message", CAPS["msg_bullets"])
    ),
    "msg_headers": Describe("message-markdown", _count("Markdown headings in the message")),
    "msg_bold": Describe("message-markdown", _count("`**` bold markers in the message")),
    "msg_backticks": Describe(
        "message-markdown", _count("backticks in the message", CAPS["msg_backticks"])
    ),
    "msg_fences": Describe("message-markdown", _count("code fences in the message")),
    "msg_emoji": Describe("message-markdown", _flag("emoji in the message", "no emoji")),
    "subj_log_chars": Describe("subject-style", _count("characters in the subject")),
    "subj_capitalized": Describe(
        "subject-style", _flag("a capitalized subject", "a lower-case subject")
    ),
    "subj_period": Describe(
        "subject-style", _flag("a subject ending in a period", "no period after the subject")
    ),
    "subj_imperative": Describe(
        "subject-style",
        _flag("a subject opening with a stock verb (Add, Fix, Update…)", "no stock verb first"),
    ),
    "msg_paragraphs": Describe(
        "message-length", _count("paragraph breaks in the message", CAPS["msg_paragraphs"])
    ),
    "msg_bullet_frac": Describe("message-markdown", _share("bullets", "of the message's lines")),
    "msg_words_per_line": Describe(
        "message-length", lambda value: f"{value:.1f} words per message line"
    ),
    "msg_colon_lines": Describe(
        "message-markdown", _share("lines ending in a colon", "of the message's lines")
    ),
    "diff_log_added": Describe("diff-shape", _count("added lines")),
    "diff_log_deleted": Describe("diff-shape", _count("deleted lines")),
    "diff_log_files": Describe("diff-shape", _count("files changed")),
    "diff_add_ratio": Describe(
        "diff-shape", lambda value: f"additions are {value:.0%} of the changed lines"
    ),
    "diff_test_frac": Describe("tests-docs", _share("test files", "of the changed files")),
    "diff_doc_frac": Describe("tests-docs", _share("documentation files", "of the changed files")),
    "diff_new_frac": Describe("diff-shape", _share("new files", "of the changed files")),
    "diff_dirs": Describe("diff-shape", _count("directories touched")),
    "added_comment_frac": Describe("comments", _share("comments")),
    "added_sentence_comment_frac": Describe(
        "comments", _share("full-sentence comments", "of the added comments")
    ),
    "added_blank_frac": Describe("code-layout", _share("blank lines")),
    "added_mean_len": Describe(
        "code-layout", lambda value: f"added lines of {math.expm1(value):.0f} characters on average"
    ),
    "added_max_len": Describe("code-layout", _count("characters in the longest added line")),
    "added_trailing_ws_frac": Describe("code-layout", _share("trailing whitespace")),
    "added_tab_frac": Describe("code-layout", _share("tab indentation")),
    "added_type_hint_frac": Describe("code-layout", _share("type annotations")),
    "added_emoji": Describe("code-layout", _flag("emoji in the added lines", "no emoji")),
    "added_todo": Describe("comments", _count("TODO notes in the added lines")),
    "added_docstring_frac": Describe("comments", _share("docstrings or doc comments")),
    "added_nonascii_frac": Describe("code-layout", _share("non-ASCII characters")),
    "added_long_comment_frac": Describe(
        "comments", _share("comments over 60 characters", "of the added comments")
    ),
    "added_print_frac": Describe("code-layout", _share("print or console.log calls")),
}
"""Every name in `DENSE_NAMES`; its coarse bins (`b:NAME:BIN` tokens) share its signal."""


@dataclass(frozen=True)
class TokenKind:
    """A kind of hashed token: its signal, and how to list the tokens that weighed most."""

    signal: str
    listing: str
    """Introduces the strongest tokens of this kind, e.g. `message words`."""


TOKEN_KINDS: dict[str, TokenKind] = {
    "m3": TokenKind("message-wording", "spellings typical of agent messages, in"),
    "m5": TokenKind("message-wording", "spellings typical of agent messages, in"),
    "ms": TokenKind("message-markdown", "message line layouts"),
    "m": TokenKind("message-wording", "words typical of agent messages"),
    "mb": TokenKind("message-wording", "phrases typical of agent messages"),
    "s0": TokenKind("subject-style", "the subject's first word"),
    "sh": TokenKind("code-layout", "added line layouts"),
    "c": TokenKind("comments", "words typical of agent comments"),
    "cb": TokenKind("comments", "phrases typical of agent comments"),
    "a": TokenKind("code-identifiers", "names in added code"),
    "x": TokenKind("files", "file types"),
    "st": TokenKind("files", "file statuses"),
    "d": TokenKind("files", "directories"),
}
"""Every token prefix `tokens` yields (`b:` bins are described with their dense measurement)."""


def tokens(view: View, dense_values: list[float]) -> Iterable[str]:
    """Every hashed token of a view, as `hashed` counts them (for explanations)."""
    return itertools.chain(_tokens(view), _binned(dense_values))


def token_bucket(token: str) -> int:
    """The hashed bucket of one token."""
    return _hash(token)


def describe_shape(shape: str) -> str:
    """A `_line_shape` code in words: `0-w2` is 'unindented, starts with -, 40-59 chars'."""
    if shape == "blank" or len(shape) < 4:
        return "blank lines"
    indent, first, last, size = shape[0], shape[1], shape[2], shape[3:]
    opener = {"A": "a capital", "a": "a lower-case letter"}.get(first, f"'{first}'")
    closer = "a word" if last == "w" else f"'{last}'"
    low = int(size) * 20 if size.isdigit() else 0
    length = f"{low}+" if size == "6" else f"{low}-{low + 19}"
    depth = "unindented" if indent == "0" else f"indent {indent}"
    return f"{depth}, from {opener} to {closer}, {length} chars"
