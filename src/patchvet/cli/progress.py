"""
A progress bar for long checks: count and rate on standard error, for a person watching.

It appears only after a couple of seconds, only when standard error is a terminal, never for
JSON or SARIF (reports for machines), and never while the report itself is being printed to
the terminal (there the report is the progress).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TextIO, TypeVar

from patchvet.formats import OutputFormat

if TYPE_CHECKING:
    from rich.progress import Progress

T = TypeVar("T")

DELAY = 2.0
"""Seconds before the bar appears: a quick check should print nothing extra."""


def wanted(fmt: OutputFormat, to_file: bool, out: TextIO, err: TextIO) -> bool:
    """Whether a check writing `fmt` should show a bar on `err`."""
    if fmt in (OutputFormat.JSON, OutputFormat.SARIF) or not _is_terminal(err):
        return False
    return to_file or not _is_terminal(out)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or fake stream
        return False


def _bar(err: TextIO) -> Progress:
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        SpinnerColumn(),
        TextColumn("checked {task.completed} contributions · {task.fields[rate]}/s"),
        TimeElapsedColumn(),
        console=Console(file=err),
        transient=True,
    )
    bar.start()
    return bar


def track(results: Iterable[T], err: TextIO, delay: float = DELAY) -> Iterator[T]:
    """Pass `results` through, showing a bar on `err` once `delay` seconds have passed."""
    started = time.monotonic()
    bar: Progress | None = None
    task = None
    count = 0
    try:
        for result in results:
            count += 1
            elapsed = time.monotonic() - started
            if bar is None and elapsed >= delay:
                bar = _bar(err)
                task = bar.add_task("check", total=None, rate="…")
            if bar is not None and task is not None:
                bar.update(task, completed=count, rate=f"{count / max(elapsed, 1e-9):.0f}")
            yield result
    finally:
        if bar is not None:
            bar.stop()
