"""
Off a terminal the text report is written without rich, and must be byte for byte what rich
wrote: compared line by line with rich itself, and whole reports with rich's own rendering.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text as RichText

from patchvet.check import assess
from patchvet.formats import OutputFormat
from patchvet.formats.text import LinePrinter, Text
from patchvet.policy.loader import load_text
from patchvet.records import Assessment, Contribution, Skipped
from patchvet.sources import read_path

ASSETS = Path(__file__).parent.parent / "assets" / "patches"

LINES = [
    ("plain words", [], ""),
    ("\nREJECT", [(" 0001.patch", "bold"), (" · [PATCH v2 1/3] Fix it", "")], ""),
    ("", [], "dim"),
    ("       by Jane <j@x.org> · 3 lines (XS) in 1 file", [], "dim"),
    ("wide 漢字 and combining e\u0301 and emoji 🤖", [("  → flag", "bold yellow")], ""),
    ("a\ttab", [("\tand another", "bold")], ""),  # rich expands tabs: through rich
    ("bell\a back\b vt\v ff\f cr\r", [("\r\n", "")], ""),  # rich drops these: through rich
    ("trailing spaces   ", [("   ", "dim")], ""),
    ("x" * 300, [(" " * 20, "")], ""),  # longer than any terminal: soft-wrapped, never cut
    ("two\nlines\n", [("\n", "")], "bold"),
]


def _rich(first: str, rest: list[tuple[str, str]], style: str) -> str:
    out = io.StringIO()
    console = Console(file=out, soft_wrap=True, highlight=False, markup=False, emoji=False)
    line = RichText(first, style=style)
    for text, part_style in rest:
        line.append(text, part_style)
    console.print(line)
    return out.getvalue()


@pytest.mark.parametrize(("first", "rest", "style"), LINES)
def test_a_line_is_written_as_rich_writes_it_off_a_terminal(
    first: str, rest: list[tuple[str, str]], style: str
) -> None:
    out = io.StringIO()
    line = Text(first, style=style)
    for text, part_style in rest:
        line.append(text, part_style)
    LinePrinter(out).print(line)
    assert out.getvalue() == _rich(first, rest, style)


def _report() -> str:
    # A protected path whose name carries a tab and a carriage return: finding ids are printed
    # as the policy names them, so those lines go through rich.
    policy = load_text(
        '[protected_paths."core\\tpaths\\r"]\npaths = ["tally/**", "net/**"]\nreason = "the core"\n'
        '[protected_paths.docs]\npaths = ["*.md", "docs/**"]\nreason = "docs"\n',
        "test.toml",
    )
    items = [item for item in read_path(ASSETS) if isinstance(item, Contribution)]
    assessments: list[Assessment] = [assess(item, policy) for item in items]
    assert any("\t" in judged.finding.id for a in assessments for judged in a.findings)
    out = io.StringIO()
    reporter = OutputFormat.TEXT.reporter(out, policy)
    reporter.start()
    for assessment in assessments:
        reporter.accept(assessment)
    skipped = [Skipped("gone.patch", "no such file or directory")]
    reporter.finish(skipped, {a.verdict: 1 for a in assessments})
    return out.getvalue()


def test_a_whole_report_is_what_rich_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    direct = _report()
    # rich on a dumb terminal renders every line itself, and without colours.
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("TERM", "dumb")
    through_rich = _report()
    assert direct == through_rich
    assert "\x1b[" not in direct and "protected-path/core " in direct
    assert "\t" not in direct and "\r" not in direct  # expanded and dropped, as rich does


def test_a_terminal_gets_colours(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert "\x1b[" in _report()
