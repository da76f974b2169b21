"""
A command imports what it needs: `check` on one patch neither the service stack, nor training,
nor the ledger store, nor rich off a terminal, and builds no policy validator for a preset;
`--version` hardly anything. (Start-up time itself is measured by benchmarks/check_speed.py.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PATCH = Path(__file__).parent.parent / "assets" / "patches" / "0002-core-count-distinct-items.patch"


NOT_FOR_ONE_PATCH = (
    "rich",  # off a terminal the text report is written directly
    "patchvet.service", "celery", "redis", "psycopg", "starlette",
    "patchvet.model.train", "scipy", "sklearn",
    "patchvet.ledger.store", "patchvet.ledger.interface", "sqlite3",  # no ledger asked for
    "patchvet.cli.ledger",
    "patchvet.sources.github",  # pydantic wire shapes, for --github-event only
    "importlib.metadata",  # pydantic's plugin scan, run when a first validator is built
    "pydantic",  # a preset is taken as written: nothing to validate
    "concurrent.futures", "multiprocessing",  # no worker pool for one input
    "patchvet.sources.inbox",  # no public-inbox thread named
    "email.parser", "email.feedparser",  # a plain format-patch mail is split without them
    "patchvet.model.explain",  # the score is below the threshold: nothing to explain
    "patchvet.model.calibrate",  # no calibrated threshold to check against the model
    "patchvet.policy.validate", "difflib",  # a preset is not validated
)  # fmt: skip


# What rich reads to decide it writes to a terminal, left out: the runs here write to a pipe.
_OFF_A_TERMINAL = {
    name: value
    for name, value in os.environ.items()
    if name not in ("FORCE_COLOR", "TTY_COMPATIBLE")
}


def _modules_after(*argv: str, environ: dict[str, str] | None = None) -> set[str]:
    code = (
        "import contextlib, io, json, sys\n"
        "from patchvet.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    try:\n        main({list(argv)!r})\n    except SystemExit:\n        pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**_OFF_A_TERMINAL, **(environ or {})},
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def _loaded(modules: set[str], prefix: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for name in modules)


def test_checking_one_patch_imports_only_what_it_uses() -> None:
    for report in ("text", "json"):
        modules = _modules_after("check", str(PATCH), "--format", report)
        assert _loaded(modules, "patchvet.model.scorer")  # the model scored the patch
        assert not _loaded(modules, "numpy")  # in plain Python: importing numpy cost more
        assert _loaded(modules, "patchvet.formats." + report)
        for unneeded in NOT_FOR_ONE_PATCH:
            assert not _loaded(modules, unneeded), (report, unneeded)


def test_a_preset_policy_imports_no_validation() -> None:
    assert not _loaded(_modules_after("check", str(PATCH), "--policy", "linux"), "pydantic")


def test_a_project_policy_file_is_validated(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('extends = "default"\n[size]\nmax_files = 5\n', encoding="utf-8")
    modules = _modules_after("check", str(PATCH), "--policy", str(policy))
    assert _loaded(modules, "pydantic") and _loaded(modules, "patchvet.policy.checked")


def test_a_text_report_on_a_terminal_brings_rich() -> None:
    assert _loaded(_modules_after("check", str(PATCH), environ={"FORCE_COLOR": "1"}), "rich")


def test_version_imports_no_command() -> None:
    modules = _modules_after("--version")
    assert not _loaded(modules, "patchvet.cli.check")
    assert not _loaded(modules, "pydantic")


def _blas_threads(argv: list[str] | None, environ: dict[str, str]) -> list[int]:
    """OpenBLAS's threads in a process that ran `patchvet ARGV` (none: only imported numpy)."""
    run = (
        "import contextlib, io\n"
        "from patchvet.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    try:\n        main({argv!r})\n    except SystemExit:\n        pass\n"
    )
    code = (
        (run if argv is not None else "") + "import numpy, threadpoolctl\n"
        "print([pool['num_threads'] for pool in threadpoolctl.threadpool_info()\n"
        "       if pool['internal_api'] == 'openblas'])\n"
    )
    env = {name: value for name, value in os.environ.items() if name != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**env, **environ},
    )  # fmt: skip
    found: list[int] = json.loads(done.stdout.splitlines()[-1])
    return found


def test_a_check_keeps_openblas_to_one_thread_unless_told_otherwise() -> None:
    assert _blas_threads(["check", str(PATCH)], {}) == [1]
    assert _blas_threads(["check", str(PATCH)], {"OPENBLAS_NUM_THREADS": "2"}) == [2]
    # Training keeps OpenBLAS's own choice, whatever this machine's cores make it.
    assert _blas_threads(["model"], {}) == _blas_threads(None, {})


def test_git_is_asked_for_the_repository_only_when_something_reads_it(tmp_path: Path) -> None:
    # A `git` that leaves a mark: with a named policy, a check of a file needs no repository.
    marker = tmp_path / "asked"
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n", encoding="utf-8")
    fake.chmod(0o755)
    environ = {"PATH": f"{fake.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    _modules_after("check", str(PATCH), "--policy", "default", environ=environ)
    assert not marker.exists()
    _modules_after("check", str(PATCH), environ=environ)  # the project's own policy is looked for
    assert marker.exists()
