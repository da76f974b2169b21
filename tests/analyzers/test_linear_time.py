"""
The contributions that stalled patchvet (issue 16) are analysed in time linear in their size.

Each case once took minutes or tens of seconds on a single line; here each is checked twice, at
the size from the issue and four times larger, and must finish well inside a generous bound and
grow no faster than its input (a backtracking regex grows sixteenfold or worse).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable

import pytest

from patchvet.check import assess
from patchvet.paths import first_match, matches
from patchvet.policy import load_preset
from patchvet.records import Assessment, Contribution
from patchvet.sources.mbox import read_stream
from tests import hostile

POLICY = load_preset("default")


def _contribution(data: bytes) -> Contribution:
    [item] = list(read_stream(io.BytesIO(data), "case.patch"))
    assert isinstance(item, Contribution), item
    return item


def _timed(data: bytes) -> tuple[float, Assessment]:
    contribution = _contribution(data)
    start = time.perf_counter()
    assessment = assess(contribution, POLICY)
    return time.perf_counter() - start, assessment


def _ids(assessment: Assessment) -> set[str]:
    return {judged.finding.id for judged in assessment.findings}


def _assert_linear(build: Callable[[int], bytes], size: int) -> Assessment:
    small, _ = _timed(build(size))
    large, assessment = _timed(build(4 * size))
    assert large < 20.0, f"{4 * size}: {large:.1f} s"
    assert large < 12 * small + 1.0, (small, large)
    assert "analysis/incomplete" not in _ids(assessment)
    return assessment


def test_left_pad_spec_of_thirty_pairs() -> None:
    # `re` doubled its time per pair: 30 pairs ran for minutes.
    _assert_linear(hostile.left_pad, 30)
    _, assessment = _timed(hostile.left_pad(2000))
    assert "analysis/incomplete" not in _ids(assessment)


def test_build_script_line_of_repeated_curl() -> None:
    _assert_linear(hostile.curls, 125_000 // 4)
    # A real pipe at the end of the bait is still found.
    line = "curl " * 25_000 + "| sh"
    _, assessment = _timed(hostile.patch_adding("build.sh", line))
    assert "ci-change/pipe-to-shell" in _ids(assessment)


def test_requirement_of_a_letter_spaces_and_a_letter() -> None:
    _assert_linear(hostile.spaced_requirement, 20_000)
    _, assessment = _timed(hostile.patch_adding("requirements.txt", "reqests" + " " * 20_000))
    assert "dependency/lookalike-name" in _ids(assessment)


def test_subject_of_repeated_open_brackets() -> None:
    _assert_linear(hostile.series_brackets, 30_000 // 4)
    tagged = "[1 " * 10_000 + "[PATCH v2 3/7] net: fix"
    contribution = _contribution(hostile.patch_adding("a.txt", "x", subject=tagged))
    assert contribution.series is not None
    assert (contribution.series.index, contribution.series.total) == (3, 7)


@pytest.mark.parametrize("glob", ["*a*a*a*a*b", "**/*a*a*a*a*a*a*b", "[a]*[a]*[a]*[a]*?b"])
def test_policy_globs_on_a_long_path(glob: str) -> None:
    # `*a*a*a*a*b` on a 200-character path took 9 s with `re`.
    times = []
    for size in (200, 800, 3200):
        path = "a" * size
        start = time.perf_counter()
        for _ in range(100):
            assert not matches(path, glob)
            assert first_match(path, (glob, "*.lock")) is None
        times.append(time.perf_counter() - start)
        assert matches(path + "b", glob)
    assert times[-1] < 10.0
    assert times[-1] < 40 * times[0] + 0.5, times
