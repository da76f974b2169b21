"""
Property-based fuzzing of every source parser: whatever bytes arrive, a parser answers with
records or its own error (a skip with a reason, `DiffError`, `SourceError`) — never another
exception, never silence, and in time that does not blow up.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from patchvet.errors import PatchvetError
from patchvet.records import Contribution, Skipped
from patchvet.sources._diff import DiffError, parse_diff, unquote_path
from patchvet.sources._message import (
    identity_from_address,
    parse_trailers,
    series_position,
    strip_subject_tags,
    trailer_lines,
)
from patchvet.sources.git import _records, parse_record
from patchvet.sources.github import read_github_event
from patchvet.sources.mbox import read_stream
from tests import hostile
from tests.fuzzing import BODY_LINES, DIFF_LINES, FUZZ, NOISE, lines_of, mails

SECONDS = 10.0
"""Per example: the issue's bound for any hostile input, far above what any takes here."""


@FUZZ
@given(lines_of(DIFF_LINES, 60))
def test_diff_parser_answers_with_files_or_a_diff_error(lines: list[str]) -> None:
    start = time.perf_counter()
    try:
        files = parse_diff(lines)
    except DiffError as error:
        assert str(error)
    else:
        for change in files:
            assert change.additions >= len(change.added_lines) or change.binary
            assert all(line.number >= 0 for line in change.added_lines)
    assert time.perf_counter() - start < SECONDS


@FUZZ
@given(st.one_of(mails(), st.binary(max_size=300)))
def test_mail_reader_never_raises_and_never_drops_an_input(data: bytes) -> None:
    start = time.perf_counter()
    items = list(read_stream(io.BytesIO(data), "fuzz.patch"))
    assert time.perf_counter() - start < SECONDS
    assert items, "every input is reported: as a contribution or as skipped"
    for item in items:
        assert isinstance(item, Contribution | Skipped)
        if isinstance(item, Skipped):
            assert item.reason
            # A skip says what is wrong with the input; a Python error here is a parser bug.
            assert not item.reason.startswith("unreadable message"), item.reason


@FUZZ
@given(lines_of(BODY_LINES, 20))
def test_trailer_and_subject_helpers_are_total(lines: list[str]) -> None:
    message = "Subject line\n\n" + "\n".join(lines)
    for trailer in parse_trailers(message):
        assert trailer.key in message  # continuation lines are folded into the value
    for line in trailer_lines(message):
        assert line in message
    for line in lines:
        strip_subject_tags(line)
        position = series_position(line)
        if position is not None:
            assert all(number >= 0 for number in position)
        identity_from_address(line)


@FUZZ
@given(st.text(max_size=80))
def test_path_unquoting_is_total(raw: str) -> None:
    assert isinstance(unquote_path(raw), str)
    assert isinstance(unquote_path(f'"{raw}"'), str)


@st.composite
def _git_records(draw: st.DrawFn) -> bytes:
    fields = draw(st.lists(NOISE, min_size=0, max_size=12))
    diff = "\n".join(draw(lines_of(DIFF_LINES, 20)))
    record = "\x00".join(fields).encode("utf-8", "surrogatepass")
    tail = draw(st.sampled_from([b"", b"\x00PATCHVET-END\x00"]))
    return b"\x00PATCHVET-COMMIT\x00" + record + tail + diff.encode("utf-8", "surrogatepass")


@FUZZ
@given(st.lists(st.one_of(_git_records(), st.binary(max_size=60)), max_size=4))
def test_git_log_records_parse_or_skip(chunks: list[bytes]) -> None:
    for record in _records(io.BytesIO(b"".join(chunks))):
        item = parse_record(record)
        assert isinstance(item, Contribution | Skipped)


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(), NOISE,
        st.sampled_from(["opened", "User", "Bot", "2026-01-01T00:00:00Z", "main"]),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NOISE, inner, max_size=3),
    max_leaves=12,
)  # fmt: skip


@st.composite
def _events(draw: st.DrawFn) -> bytes:
    """A real-shaped event with some fields replaced by arbitrary JSON, or damaged bytes."""
    payload = json.loads(hostile.event())
    pull = payload["pull_request"]
    for key in draw(st.lists(st.sampled_from(sorted(pull)), max_size=3)):
        pull[key] = draw(JSON_VALUES)
    if draw(st.booleans()):
        payload[draw(st.sampled_from(["action", "repository", "sender", "number"]))] = draw(
            JSON_VALUES
        )
    data = json.dumps(payload).encode()
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


@FUZZ
@given(_events())
def test_github_events_are_read_or_refused_with_one_error(data: bytes) -> None:
    path = Path(f"/tmp/patchvet-fuzz-{id(data)}.json")
    path.write_bytes(data)
    try:
        items = read_github_event(path)
    except PatchvetError as error:
        assert str(error) and "\n" not in str(error).strip()
    else:
        [item] = items
        assert isinstance(item, Contribution)
    finally:
        path.unlink()
