"""
`check` on every core: the inputs cut into jobs, analysed in worker processes, reported in order.

The main process only lists the work: patch files (each read whole by one worker, so an mbox's
cover letter stays with its series) and raw `git log` records. Workers read, parse, analyse
and judge; the main process takes their results back in input order and streams them to the
reporter. At most a few batches per worker are in flight, so memory stays flat however many
inputs there are. The report is the one a single process writes (tests/cli/test_parallel.py).

For a format with a fragment writer (JSON), workers also write each contribution's part of
the report, and only that text, the verdict and the series entry cross back: the main process
neither unpickles assessments nor encodes them, it copies text out, so it never becomes the
one core the others wait for. Other formats get assessments without the text of added lines:
no reporter reads it, and it is most of a contribution's size.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import itertools
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from patchvet.check import assess
from patchvet.errors import PatchvetError
from patchvet.formats.interface import OutputFormat, Written
from patchvet.formats.series import series_entry
from patchvet.model.scorer import expect_volume, shipped_model
from patchvet.policy import Policy
from patchvet.records import Assessment, Contribution, Skipped
from patchvet.sources import SourceItem, read_path
from patchvet.sources.git import parse_record
from patchvet.sources.git_history import KnownAuthors

if TYPE_CHECKING:
    from concurrent.futures import Future


@dataclass(frozen=True)
class PatchFile:
    """A patch or mbox file, cited in the report as `label`."""

    path: str
    label: str


@dataclass(frozen=True)
class GitRecord:
    """One commit as `git log` printed it."""

    data: bytes


Job: TypeAlias = PatchFile | GitRecord | Contribution | Skipped
"""A unit of work; a contribution or skip read in the main process travels as it is."""
Result: TypeAlias = Assessment | Skipped | Written

FIRST_BATCH = 16
"""Jobs in the first task, judged in this process before the workers start (and all of a small
check's work, when it is no more than this): small, so that workers start soon."""
BATCH = 64
"""Jobs per later task. Each task costs the pool's threads in this process a wake-up, a
hand-over and a result to take back: with 16 jobs a task, 0.35 s of this process's CPU over
10,000 commits (a third of all it did); with 64, 0.15 s."""
IN_FLIGHT = 4
"""Tasks queued per worker: keeps every worker busy while bounding memory."""

_policy: Policy | None = None
_known: KnownAuthors | None = None
_writer: Callable[[Assessment], str] | None = None


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


_PR_SET_PDEATHSIG = 1
"""prctl(2): the signal the kernel sends this process when its parent dies."""
_WATCH_SECONDS = 1.0


def _die_with_parent(parent: int) -> None:
    """
    End this worker when the `check` that started it ends, however it ends.

    A worker waits on a queue whose writing end every worker also holds, so a `check` killed
    with SIGKILL would leave its workers waiting for ever. On Linux the kernel kills them with
    their parent (PR_SET_PDEATHSIG); elsewhere a thread watches for the parent to change.
    """
    if sys.platform.startswith("linux"):
        import ctypes  # only workers need it

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # it died before the request took effect
                    os._exit(1)
                return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="patchvet-parent-watch", daemon=True).start()


def _start_worker(
    policy: Policy, parent: int, known: KnownAuthors | None, fmt: OutputFormat | None
) -> None:
    global _policy, _known, _writer  # one policy and format per worker process, set at its start
    _die_with_parent(parent)
    _policy = policy
    _known = known
    _writer = fmt.fragment_writer() if fmt is not None else None


def items_of(job: Job, known: KnownAuthors | None = None) -> Iterable[SourceItem]:
    """
    What a job holds, read in this process; with `known`, each commit carries its author's
    record in the history before the range.
    """
    if isinstance(job, GitRecord):
        return (parse_record(job.data, known.record_for if known is not None else None),)
    items = read_path(Path(job.path), job.label) if isinstance(job, PatchFile) else (job,)
    return items if known is None else map(known.attach_item, items)


def _slim(assessment: Assessment) -> Assessment:
    files = tuple(dataclasses.replace(f, added_lines=()) for f in assessment.contribution.files)
    return dataclasses.replace(
        assessment, contribution=dataclasses.replace(assessment.contribution, files=files)
    )


def _as_it_is(assessment: Assessment) -> Result:
    return assessment


def _to_send(assessment: Assessment) -> Result:
    """What crosses back to the main process: the written text if the format has a writer."""
    if _writer is None:
        return _slim(assessment)
    return Written(assessment.verdict, series_entry(assessment), _writer(assessment))


def _run(
    jobs: list[Job],
    policy: Policy,
    finish: Callable[[Assessment], Result] = _as_it_is,
    known: KnownAuthors | None = None,
) -> list[Result]:
    results: list[Result] = []
    for job in jobs:
        for item in items_of(job, known):
            if isinstance(item, Skipped):
                results.append(item)
            else:
                results.append(finish(assess(item, policy)))
    return results


def _run_in_worker(jobs: list[Job]) -> list[Result]:
    assert _policy is not None
    return _run(jobs, _policy, _to_send, _known)


def _batches(jobs: Iterator[Job]) -> Iterator[list[Job]]:
    batch: list[Job] = []
    size = FIRST_BATCH
    for job in jobs:
        batch.append(job)
        if len(batch) == size:
            yield batch
            batch = []
            size = BATCH
    if batch:
        yield batch


def check_parallel(
    jobs: Iterable[Job],
    policy: Policy,
    workers: int,
    known: KnownAuthors | None = None,
    fmt: OutputFormat | None = None,
) -> Iterator[Result]:
    """
    Assess every job's contributions with `workers` processes; yield results in input order.
    With `known`, each contribution carries its author's record in the repository's history.
    With `fmt`, workers write each contribution in that format when it has a fragment writer
    and yield it `Written`; otherwise (and in this process) results are assessments.

    A single batch of work, or `workers` of 1, runs in this process: starting workers would
    cost more than it saves. Otherwise the first batch runs here too, before workers start.
    """
    batches = _batches(iter(jobs))
    head = list(itertools.islice(batches, 2))
    if workers <= 1 or len(head) < 2:
        with _collector_for_volume():
            for batch in itertools.chain(head, batches):
                yield from _run(batch, policy, known=known)
        return
    if policy.likelihood.enabled:
        shipped_model()  # loaded once here, before workers fork
        expect_volume()  # and numpy's arrays score the rest (imported before the fork too)
    with _collector_for_volume():
        # The first batch is judged here, before the workers fork: what analysis sets up on
        # first use (patterns and the automata they build as they match, caches) is then set
        # up once and inherited, not once in every worker.
        first, *rest = head
        yield from _run(first, policy, known=known)
        gc.freeze()  # and it joins the objects the collector leaves alone
        yield from _pooled(itertools.chain(rest, batches), policy, workers, known, fmt)


COLLECT_EVERY = 20_000
"""New container objects between two runs of the cycle collector while a check runs."""


@contextlib.contextmanager
def _collector_for_volume() -> Iterator[None]:
    """
    The cycle collector set for a long run of analysis, then as it was.

    Nearly all that analysis allocates is freed by reference counting, yet by default the
    collector runs every 700 new containers and each full pass walks every module, policy and
    model object: about 6% of a check's CPU. Those long-lived objects are frozen out of its
    passes (in forked workers too, which then also leave their pages shared with this process,
    as the `gc.freeze` documentation advises), and it runs every `COLLECT_EVERY` containers:
    it still collects the cycles there are, about 30 times less often.
    """
    threshold = gc.get_threshold()
    # A process started for the command froze its modules already (cli/main.py); objects
    # frozen by someone else stay frozen, since the collector cannot thaw only ours.
    thaw = gc.get_freeze_count() == 0
    gc.freeze()
    gc.set_threshold(COLLECT_EVERY, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if thaw:
            gc.unfreeze()


def _pooled(
    batches: Iterator[list[Job]],
    policy: Policy,
    workers: int,
    known: KnownAuthors | None,
    fmt: OutputFormat | None,
) -> Iterator[Result]:
    # Imported here: a check of a few inputs starts no pool (a tenth of its start-up).
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # fork: workers start in milliseconds with patchvet (and the model) already loaded.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pending: deque[Future[list[Result]]] = deque()
    with ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(policy, os.getpid(), known, fmt),
    ) as pool:
        try:
            for batch in batches:
                pending.append(pool.submit(_run_in_worker, batch))
                if len(pending) >= workers * IN_FLIGHT:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        except BrokenProcessPool:
            raise PatchvetError(
                "a worker process died (out of memory?)", hint="run again with --jobs 1"
            ) from None
        finally:
            for future in pending:
                future.cancel()
