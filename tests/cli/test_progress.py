"""The progress bar: on a terminal's standard error after a delay; never for JSON or SARIF,
never when standard error is not a terminal, never over a report printed to the terminal."""

from __future__ import annotations

import io
import os
import pty
from collections.abc import Iterator
from typing import TextIO

import pytest

from patchvet.cli.progress import track, wanted
from patchvet.formats import OutputFormat


@pytest.fixture
def terminal() -> Iterator[tuple[TextIO, int]]:
    """A pseudo-terminal: (the stream a program writes to, the fd to read what it showed)."""
    reader, writer = pty.openpty()
    stream = os.fdopen(writer, "w", encoding="utf-8")
    try:
        yield stream, reader
    finally:
        stream.close()
        os.close(reader)


def _shown(reader: int) -> str:
    chunks: list[bytes] = []
    while True:
        readable = os.read(reader, 65536) if _ready(reader) else b""
        if not readable:
            return b"".join(chunks).decode("utf-8", "replace")
        chunks.append(readable)


def _ready(fd: int) -> bool:
    import select

    return bool(select.select([fd], [], [], 0.2)[0])


def test_the_bar_is_wanted_only_for_a_person_watching(terminal: tuple[TextIO, int]) -> None:
    tty, _ = terminal
    piped = io.StringIO()
    assert wanted(OutputFormat.TEXT, to_file=False, out=piped, err=tty)
    assert wanted(OutputFormat.MARKDOWN, to_file=True, out=tty, err=tty)
    assert not wanted(OutputFormat.TEXT, to_file=False, out=tty, err=tty)  # the report shows
    assert not wanted(OutputFormat.TEXT, to_file=True, out=piped, err=piped)  # not a terminal
    for machine in (OutputFormat.JSON, OutputFormat.SARIF):
        assert not wanted(machine, to_file=True, out=piped, err=tty)
        assert not wanted(machine, to_file=False, out=piped, err=tty)


def test_a_long_check_shows_count_and_rate(terminal: tuple[TextIO, int]) -> None:
    tty, reader = terminal
    passed = list(track(range(500), tty, delay=0.0))
    tty.flush()
    assert passed == list(range(500))
    shown = _shown(reader)
    assert "contributions" in shown and "/s" in shown


def test_a_quick_check_shows_nothing(terminal: tuple[TextIO, int]) -> None:
    tty, reader = terminal
    assert list(track(range(5), tty)) == list(range(5))
    tty.flush()
    assert _shown(reader) == ""
