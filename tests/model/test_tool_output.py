"""Pasted tool output (size reports, benchmark tables) is not read as the author's prose."""

from __future__ import annotations

import time

from patchvet.model.features import view
from patchvet.model.strip import strip_text
from patchvet.model.tool_output import strip_tool_output
from tests.helpers import added, contribution

SIZE_REPORT = (
    "function                                             old     new   delta\n"
    "findvar                                               35      40      +5\n"
    "mklocal                                              268     261      -7\n"
    "------------------------------------------------------------------------------\n"
    "(add/remove: 0/0 grow/shrink: 1/1 up/down: 5/-7)               Total: -2 bytes"
)


def test_a_size_report_goes_with_its_header_rule_and_summary() -> None:
    text = f"Apply the same change to ash.\n\n{SIZE_REPORT}\n\nMore after it."
    assert strip_tool_output(text) == "Apply the same change to ash.\n\nMore after it."


def test_a_report_that_is_the_whole_body_leaves_nothing() -> None:
    one_row = "function      old     new   delta\nhush_main    1149    1150      +1"
    assert strip_tool_output(one_row) == ""


def test_benchmark_tables_and_their_caption_go() -> None:
    text = (
        "Speed up the router.\n\nBenchmark results:\n"
        "Benchmark_Ctx_Accepts-12  \t 5000000\t       317 ns/op\t       0 B/op\n"
        "Benchmark_Ctx_Send-12     \t 3000000\t       402 ns/op\t      16 B/op\n\n"
        "name           old time/op    new time/op    delta\n"
        "Route-8        1.23µs ± 2%    1.10µs ± 1%   -10.5%  (p=0.000 n=10+10)\n\n"
        "Thanks."
    )
    assert strip_tool_output(text) == "Speed up the router.\n\nThanks."


def test_prose_markdown_tables_and_single_figures_stay() -> None:
    kept = (
        "Fix the parser.  It dropped 12 tokens  and 13 lines.\n\n"
        "| case | before | after |\n|---|---|---|\n| big | 12 | 10 |\n\n"
        "Before:  12.3 ms\nAfter:   10.1 ms\n\n"
        "    if (x)  return 1;\n    return 2;\n\n"
        "Results:\n1.  First\n2.  Second"
    )
    assert strip_tool_output(kept) == kept


def test_the_model_view_reads_the_message_without_the_report() -> None:
    item = contribution(
        message=f"ash: code shrink\n\n{SIZE_REPORT}\n\nSigned-off-by: A <a@example.org>",
        files=(added("shell/ash.c", "int x;"),),
    )
    assert view(item).body == ""
    assert strip_text(f"Why.\n\n{SIZE_REPORT}") == "Why."


def test_hostile_columns_stay_linear() -> None:
    def cost(size: int) -> float:
        text = "\n".join(["a  1  2"] * size + ["9" + " " * size + "9"] + ["x\t" * size])
        start = time.perf_counter()
        strip_tool_output(text)
        return time.perf_counter() - start

    small, large = cost(2_000), cost(16_000)
    assert large < 30 * small + 0.5, (small, large)
