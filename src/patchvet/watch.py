"""
Continuous watch of a public-inbox list: every new series (or new revision of one) judged once.

Each poll reads the inbox's feed of new messages, fetches the thread of each patch not judged
yet, and judges the thread's newest revision as a unit. What was judged is kept in a state file,
written atomically after every series, so a watch that is stopped — even in the middle of a
series — resumes where it was: a series whose judgement was not saved is judged again, and what
it writes (replies named by Message-ID, ledger records keyed by contribution) is written over,
never twice.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from patchvet.check import assess, check
from patchvet.errors import PatchvetError
from patchvet.formats.series import SeriesBook, SeriesOutcome
from patchvet.ledger import SqlLedger
from patchvet.policy import Policy
from patchvet.records import Assessment, Contribution, Skipped
from patchvet.sources.inbox import (
    Revision,
    fetch_thread,
    new_messages,
    read_revision,
    series_from_thread,
)

STATE_VERSION = 1
MAX_REMEMBERED = 200_000
"""Message-IDs kept in the state file; the oldest are forgotten first."""


class WatchState:
    """The Message-IDs already judged, persisted atomically as JSON."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.judged: dict[str, None] = {}
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                self.judged = dict.fromkeys(str(m) for m in data.get("judged", []))
            except (OSError, ValueError, AttributeError) as error:
                raise PatchvetError(
                    f"watch state {path} is unreadable: {error}",
                    hint="move it aside to start afresh (every series will be judged again)",
                ) from None

    def seen(self, message_id: str) -> bool:
        """Whether this message was judged already."""
        return message_id in self.judged

    def add(self, message_ids: list[str]) -> None:
        """Remember these, and save at once."""
        for message_id in message_ids:
            self.judged[message_id] = None
        while len(self.judged) > MAX_REMEMBERED:
            del self.judged[next(iter(self.judged))]
        self.save()

    def save(self) -> None:
        """Write to a temporary file beside the state, then rename over it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"version": STATE_VERSION, "judged": list(self.judged)})
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".watch-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            Path(temporary).replace(self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


@dataclass(frozen=True)
class JudgedSeries:
    """One revision of a series, judged."""

    thread: str
    revision: Revision
    assessments: tuple[Assessment, ...]
    skipped: tuple[Skipped, ...]
    outcome: SeriesOutcome | None
    """The series line; None for a lone patch."""


def _message_ids(revision: Revision) -> list[str]:
    parts = [revision.cover] if revision.cover else []
    return [m.message_id for m in [*parts, *revision.patches] if m.message_id]


def poll(
    base: str,
    state: WatchState,
    policy: Policy,
    ledger: SqlLedger | None = None,
    project: str = "local",
    limit: int | None = None,
    on_error: Callable[[str], None] | None = None,
) -> Iterator[JudgedSeries]:
    """
    Judge every series new since the last poll, oldest first. The caller handles each one
    (replies, output) before asking for the next; only then is it marked judged.
    """
    done = 0
    for entry in reversed(new_messages(base)):
        if limit is not None and done >= limit:
            return
        if state.seen(entry.message_id):
            continue
        try:
            found = series_from_thread(fetch_thread(base, entry.message_id), entry.message_id)
        except PatchvetError as error:
            if on_error is not None:
                on_error(f"{entry.message_id}: {error.message}")
            continue
        revision = found.newest
        ids = _message_ids(revision)
        if ids and all(state.seen(message_id) for message_id in ids):
            state.add([entry.message_id])  # an older revision's mail: the newest was judged
            continue
        thread = ids[0] if ids else entry.message_id
        items = list(read_revision(revision, thread))
        results = list(check(items, policy, ledger, project, record=ledger is not None))
        assessments = tuple(r for r in results if isinstance(r, Assessment))
        book = SeriesBook()
        for assessment in assessments:
            book.add(assessment)
        if found.previous is not None:
            before = [
                i for i in read_revision(found.previous, thread) if isinstance(i, Contribution)
            ]
            book.add_previous(thread, [assess(item, policy) for item in before])
        outcomes = book.finished()
        yield JudgedSeries(
            thread,
            revision,
            assessments,
            tuple(r for r in results if isinstance(r, Skipped)),
            outcomes[0] if outcomes else None,
        )
        state.add([*ids, entry.message_id])
        done += 1
