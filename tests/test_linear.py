"""
Every regular expression in patchvet runs in time linear in its input.

The harness finds each compiled pattern in the package (module constants, the CI patterns, the
agent registry) and feeds it adversarial text built from the pattern's own pieces — its words and
punctuation, repeated, padded with runs of spaces, letters and digits, ended with a character
that makes the match fail late. Timing a size and eight times that size, linear work grows about
eightfold and quadratic work sixty-fourfold; the bound sits between the two, with slack for a
shared machine.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import signal
import time
from collections.abc import Callable, Iterator
from types import FrameType

import pytest

import patchvet
from patchvet import linear
from patchvet.linear import Pattern, PatternSet, compile_linear
from patchvet.marks import load_registry

Runner = Callable[[str], object]


def _modules() -> Iterator[object]:
    for info in pkgutil.walk_packages(patchvet.__path__, "patchvet."):
        if ".cli" in info.name or info.name.endswith("__main__"):
            continue
        yield importlib.import_module(info.name)


def _drain(matches: Iterator[object]) -> int:
    """Run a search to the end without keeping its matches (that would time the allocator)."""
    return sum(1 for _ in matches)


def _runner(pattern: re.Pattern[str] | Pattern) -> Runner:
    return lambda text: _drain(pattern.finditer(text))


def _bytes_runner(pattern: re.Pattern[bytes]) -> Runner:
    return lambda text: _drain(pattern.finditer(text.encode("utf-8", "surrogatepass")))


def _patterns() -> dict[str, tuple[str, Runner]]:
    """Every pattern in the package: name -> (source text, a function that runs it fully)."""
    found: dict[str, tuple[str, Runner]] = {}

    def add(name: str, value: object) -> None:
        if isinstance(value, re.Pattern | Pattern) and isinstance(value.pattern, str):
            found[name] = (value.pattern, _runner(value))
        elif isinstance(value, re.Pattern) and isinstance(value.pattern, bytes):
            source = value.pattern.decode("utf-8", "replace")
            found[name] = (source, _bytes_runner(value))
        elif hasattr(value, "regex") and isinstance(value.regex, Pattern):
            add(name, value.regex)

    for module in _modules():
        for attr, value in vars(module).items():
            where = f"{getattr(module, '__name__', '?')}.{attr}"
            if isinstance(value, tuple | list):
                for index, item in enumerate(value):
                    add(f"{where}[{index}]", item)
            else:
                add(where, value)
    registry = load_registry()
    for agent in registry.agents:
        for kind in ("email_patterns", "names", "subjects", "branches"):
            for index, pattern in enumerate(getattr(agent, kind)):
                add(f"agents.{agent.id}.{kind}[{index}]", pattern)
    for index, message in enumerate(registry.message_patterns):
        add(f"agents.{message.agent.id}.message[{index}]", message.pattern)
    return found


PATTERNS = _patterns()
FILLERS = (" ", "a", "1", "-", "=a", "[1 ")
ENDINGS = ("!", "\x00", " ", "\n", "<", ")", '"')
"""Characters that end the text so a match fails late, after the engine has tried its hardest."""


def _pieces(source: str) -> set[str]:
    """The words and punctuation a pattern is made of: what makes it try hardest."""
    words = set(re.findall(r"[A-Za-z0-9_]{2,}", source.replace("\\s", " ").replace("\\d", "1")))
    marks = {c for c in source if not c.isalnum() and c not in "\\^$()?*+{}|"}
    return words | marks | set(FILLERS)


def _segments(source: str) -> list[str]:
    """The literal stretches of a pattern (`Binary files `, ` and `), first ones first."""
    found = re.findall(r"(?:[A-Za-z0-9 _:=,/#@-]|\\[^A-Za-z0-9])+", source)
    return [re.sub(r"\\(.)", r"\1", segment) for segment in found if segment.strip()][:10]


def adversarial(source: str, size: int) -> Iterator[str]:
    """Text of about `size` characters shaped against the pattern `source`."""
    segments = _segments(source)
    for head in segments:
        for repeated in segments:
            for end in ENDINGS[:3]:
                yield head + (repeated * (size // len(repeated) + 1))[:size] + end
    for piece in sorted(_pieces(source)):
        for end in ENDINGS:
            yield (piece * (size // len(piece) + 1))[:size] + end
        for filler in FILLERS:
            unit = piece + filler
            yield (unit * (size // len(unit) + 1))[:size] + "\x00"
            yield piece + filler * size + "!"


class Overrun(Exception):
    """A pattern ran past the harness's hard limit."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Overrun


def _cost(run: Runner, texts: list[str]) -> float:
    # CPU time of this process, best of three: the ratio must not depend on what else the
    # machine runs (wall time on a loaded 2-core CI machine made it fail now and then).
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for text in texts:
            run(text)
        best = min(best, time.process_time() - start)
    return best


def test_the_harness_finds_the_patterns_that_read_contribution_text() -> None:
    names = set(PATTERNS)
    for expected in (
        "patchvet.analyzers.dependency._NPM_SPEC",
        "patchvet.analyzers.dependency._REQ_LINE",
        "patchvet.analyzers.ci_change._PATTERNS[0]",
        "patchvet.sources._message._SERIES_TAG",
        "patchvet.sources.github._LINKED_ISSUE",
        "patchvet.model.strip._TRAILER_LINE",
    ):
        assert expected in names
    assert any(name.startswith("agents.") for name in names)
    assert len(PATTERNS) >= 50


@pytest.mark.parametrize(
    "source",
    [
        r"^\s*a\s*\s*x",
        r"^Binary files (.+) and (.+) differ$",  # patchvet's diff parser, before
        r"\s*\(#\d+\)\s*$",  # the model's squash-number stripper, before
        r"^<?([^<>\s]+@[^<>\s]+?)>?$",  # the Message-ID reader, before
    ],
)
def test_the_harness_catches_a_backtracking_pattern(source: str) -> None:
    run = _runner(re.compile(source))
    # Eight times the text costs a backtracking pattern about 64 times the time; at 500
    # characters each text's fixed cost was large enough to bring the ratio near 20 on CI.
    small, large = list(adversarial(source, 1000)), list(adversarial(source, 8000))
    assert _cost(run, large) > 24 * _cost(run, small)


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pattern_runs_in_linear_time(name: str) -> None:
    source, run = PATTERNS[name]
    small = list(adversarial(source, 1_000))
    large = list(adversarial(source, 8_000))
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(60)
    try:
        _cost(run, small[:5])  # warm up
        small_cost, large_cost = _cost(run, small), _cost(run, large)
    except Overrun:
        pytest.fail(f"{name} ran for a minute on adversarial text: {source!r}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert large_cost < 24 * small_cost + 0.05, (name, source, small_cost, large_cost)


def test_linear_patterns_accept_lone_surrogates() -> None:
    pattern = compile_linear(r"b+")
    found = pattern.search("a\udcffbb")
    assert found is not None and found.start() == 2
    assert pattern.sub("-", "\ud800bb") == "\ufffd-"
    assert PatternSet(("a.b",)).first("a\udcffb") == 0


def test_patterns_that_need_backtracking_are_refused() -> None:
    for source in (r"(?!x)y", r"(a)\1", r"(?<=a)b"):
        with pytest.raises(ValueError, match="not a linear-time pattern"):
            compile_linear(source)


def _texts_for(source: str) -> list[str]:
    """Text made of the pattern's own words: some of it matches, most of it does not."""
    words = re.findall(r"[A-Za-z]{2,}|[^\w\s\\()?*+|\[\]{}^$]", source)[:12] or ["x"]
    joined = " ".join(words)
    return [
        "",
        joined,
        joined.upper(),
        joined + "\n" + joined.lower() + "\n",
        "nothing here at all\n" * 3,
        "é " + joined + " ü",
        "\udcff " + joined,
        "\t".join(reversed(words)),
    ]


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_a_search_answers_as_the_re2_module_does(name: str) -> None:
    """Searches that find nothing skip the module's match path: the answers must not change."""
    source, _ = PATTERNS[name]
    try:
        pattern = compile_linear(source)
    except ValueError:
        return  # a `re` pattern that RE2 cannot run
    module = pattern._regex
    for text in _texts_for(source):
        safe = text.encode("utf-8", "replace").decode("utf-8")  # the module refuses surrogates
        if safe != text:
            assert (pattern.search(text) is None) == (
                module.search(text.replace("\udcff", "\ufffd")) is None
            )
            continue
        for pos in (0, 1, len(text) // 2, len(text) + 3):
            expected = module.search(text, pos)
            found = pattern.search(text, pos)
            assert (found is None) == (expected is None), (source, text, pos)
            if found is not None and expected is not None:
                assert (found.start(), found.end()) == expected.span()
            assert (pattern.match(text, pos) is None) == (module.match(text, pos) is None)
        assert (pattern.fullmatch(text) is None) == (module.fullmatch(text) is None)
        assert [(m.start(), m.end()) for m in pattern.finditer(text)] == [
            m.span() for m in module.finditer(text)
        ]
        assert pattern.sub("<>", text) == module.sub(lambda _: "<>", text)


def test_a_search_that_finds_nothing_is_answered_by_the_automaton() -> None:
    pattern = compile_linear(r"\bclaude\b")
    assert pattern._automaton is not None  # this release of re2 can be asked directly
    assert pattern._finds_nothing("a commit message\n" * 50, 0, linear._UNANCHORED)
    assert not pattern._finds_nothing("with claude", 0, linear._UNANCHORED)
    assert not pattern._finds_nothing("claude was here", 0, linear._AT_START)
    assert pattern._finds_nothing("see claude", 0, linear._AT_START)
    assert not pattern._finds_nothing("é claude", 1, linear._UNANCHORED)  # not a byte offset
