"""Two processes recording at once lose nothing; a killed recorder leaves the ledger consistent."""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from patchvet.ledger import open_ledger
from tests.helpers import make_history
from tests.ledger.test_ledger import commit, run

PER_WORKER = 40


def _record(url: str, worker: int) -> None:
    ledger = open_ledger(url)
    items = [
        commit(worker * 1000 + n, f"w{worker}-{n % 5}@x.example", f"2026-01-01T00:{n:02d}:00Z")
        for n in range(PER_WORKER)
    ]
    run(ledger, items)
    ledger.close()


def test_two_processes_recording_at_once_lose_nothing(ledger_url: str) -> None:
    open_ledger(ledger_url).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_record, args=(ledger_url, w)) for w in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    ledger = open_ledger(ledger_url)
    assert ledger.execute("SELECT COUNT(*) FROM contributions").fetchone()[0] == 2 * PER_WORKER
    persons = ledger.execute("SELECT COUNT(DISTINCT person_id) FROM contributions").fetchone()[0]
    assert persons == 10
    ledger.close()


def test_killed_recorder_leaves_a_consistent_ledger(tmp_path: Path) -> None:
    repo = make_history(tmp_path / "history", 3000)
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    command = [
        sys.executable,
        "-m",
        "patchvet",
        "check",
        "--git",
        "HEAD",
        "--repo",
        str(repo),
        "--record",
        "--db",
        url,
        "--format",
        "json",
        "-o",
        "/dev/null",
    ]
    process = subprocess.Popen(command)
    ledger_file = tmp_path / "ledger.db"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if ledger_file.exists():
            # A plain reader: opening the ledger would migrate, which waits for the writer.
            with contextlib.closing(
                sqlite3.connect(f"file:{ledger_file}?mode=ro", uri=True)
            ) as probe:
                try:
                    recorded = probe.execute("SELECT COUNT(*) FROM contributions").fetchone()[0]
                except sqlite3.OperationalError:
                    recorded = 0
            if recorded >= 20:
                break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    ledger = open_ledger(url)
    assert ledger.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    partial = ledger.execute("SELECT COUNT(*) FROM contributions").fetchone()[0]
    assert 20 <= partial < 3000
    orphans = ledger.execute(
        "SELECT COUNT(*) FROM findings WHERE contribution NOT IN (SELECT id FROM contributions)"
    ).fetchone()[0]
    unowned = ledger.execute(
        "SELECT COUNT(*) FROM contributions WHERE person_id IS NULL"
    ).fetchone()[0]
    assert (orphans, unowned) == (0, 0)
    ledger.close()
    # Replaying the whole range completes the record without duplicates.
    assert subprocess.run(command, check=False).returncode == 0
    ledger = open_ledger(url)
    assert ledger.execute("SELECT COUNT(*) FROM contributions").fetchone()[0] == 3000
    ledger.close()
