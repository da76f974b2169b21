"""`check` in worker processes writes exactly the report one process writes, in input order."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from patchvet.cli.parallel import BATCH, FIRST_BATCH
from tests.helpers import FAST_IMPORT_ENV, make_history, run_cli

ASSETS = Path(__file__).parent.parent / "assets" / "patches"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A history of 150 commits, and a folder of its patches with a series and bad files."""
    root = tmp_path_factory.mktemp("parallel")
    history = make_history(root / "history", 150, authors=20)
    folder = root / "patches"
    subprocess.run(
        ["git", "-C", str(history), "format-patch", "-q", "-o", str(folder / "a"), "--root"],
        check=True,
        env=FAST_IMPORT_ENV,
    )
    shutil.copytree(ASSETS, folder / "b")
    (folder / "b" / "garbage.patch").write_bytes(bytes(range(256)) * 8)
    (folder / "c.eml").write_text("Subject: hello\n\nA reply without a diff.\n")
    assert len(list(folder.rglob("*.patch"))) > FIRST_BATCH + 2 * BATCH  # several tasks in flight
    return history, folder


@pytest.mark.parametrize("fmt", ["json", "sarif", "text", "markdown"])
def test_a_folder_reports_the_same_with_one_or_two_processes(
    inputs: tuple[Path, Path], fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, folder = inputs
    args = ["check", str(folder), "--format", fmt, "--skip-unreadable"]
    one = run_cli(capsys, *args, "--jobs", "1")
    two = run_cli(capsys, *args, "--jobs", "2")
    assert one == two
    if fmt == "json":
        report = json.loads(one[1])
        sources = [item["source"] for item in report["contributions"]]
        assert len(sources) > FIRST_BATCH + 2 * BATCH
        assert sources == sorted(sources, key=lambda s: (Path(s.split("#")[0]).parts, s))
        assert {item["source"] for item in report["skipped"]} >= {
            str(folder / "b" / "garbage.patch"),
            str(folder / "c.eml"),
        }


def test_a_git_range_reports_the_same_with_one_or_two_processes(
    inputs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    history, _ = inputs
    args = ["check", "--git", "HEAD~140..HEAD", "--repo", str(history), "--format", "json"]
    one = run_cli(capsys, *args, "--jobs", "1")
    two = run_cli(capsys, *args, "--jobs", "2")
    assert one == two
    assert len(json.loads(two[1])["contributions"]) == 140


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_collector_is_as_it_was_after_a_check(
    inputs: tuple[Path, Path], jobs: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # A check tunes the cycle collector for its own run; whoever called it gets theirs back.
    _, folder = inputs
    before = gc.get_threshold(), gc.get_freeze_count()
    run_cli(capsys, "check", str(folder / "a"), "--format", "json", "--jobs", jobs)
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_objects_frozen_before_a_check_stay_frozen(
    inputs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # As `patchvet` itself freezes its modules once loaded: a check must not thaw them.
    _, folder = inputs
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        run_cli(capsys, "check", str(folder / "a"), "--format", "json", "--jobs", "2")
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


def test_jobs_must_be_a_positive_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        run_cli(capsys, "check", "x.patch", "--jobs", "0")
    assert exited.value.code == 2
    assert "expected a whole number of processes" in capsys.readouterr().err


def test_format_patch_files_in_one_folder_are_one_series(
    inputs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # git format-patch numbers every file of a run `[PATCH n/150]`: one series, not 150.
    _, folder = inputs
    _, out, _ = run_cli(capsys, "check", str(folder / "a"), "--format", "json")
    report = json.loads(out)
    assert len(report["contributions"]) == 150
    (series,) = report["series"]
    assert series["total"] == 150 and series["missing"] == []


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
def test_workers_die_when_check_is_killed(tmp_path: Path) -> None:
    # After a first batch of patches (judged by the check itself, before its workers start),
    # each input is a FIFO no one writes to: every worker blocks opening one, as a worker busy
    # with a long patch would be, when the check that started it is killed with SIGKILL.
    first = sorted(str(path) for path in ASSETS.glob("*.patch"))[:1] * FIRST_BATCH
    fifos = []
    for n in range(3 * BATCH):
        fifo = tmp_path / f"{n:03}.patch"
        os.mkfifo(fifo)
        fifos.append(str(fifo))
    command = [sys.executable, "-m", "patchvet", "check", *first, *fifos, "--jobs", "2"]
    check = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
            workers = _children(check.pid)
        assert len(workers) >= 2, "the pool never started"
        check.kill()
        check.wait()
        deadline = time.monotonic() + 20
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(map(_alive, workers)), "a worker outlived the killed check"
    finally:
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        check.kill()
        check.wait()
