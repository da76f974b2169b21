"""
The 79 hostile inputs of issue 16 (tests/hostile.py), end to end through `patchvet check`: no
traceback, none silently passed, each under 10 s of CPU, memory a small multiple of the input.

"Not silently passed" means each input ends one of two ways: analysed (a contribution in the
report, whose findings describe what git would apply), or refused (exit 2 with a one-line
reason, or listed as skipped with a failing exit). A skip with exit 0 — looking away — fails.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.hostile import Hostile, all_hostile

HOSTILE = {hostile.name: hostile for hostile in all_hostile()}
CPU_SECONDS = 10.0
OVERHEAD = 48 * 1024 * 1024
"""Memory any run may use whatever its input (the model, the registry, the report)."""
PER_BYTE = 40
"""And in proportion to the input: parsed text is held as str, lines and records."""


def _argv(path: Path, hostile: Hostile) -> list[str]:
    where = ["--github-event", str(path)] if hostile.filename.endswith(".json") else [str(path)]
    return ["check", *where, "--format", "json", "--fail-on", "hold"]


@pytest.fixture(scope="module", autouse=True)
def _warm(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Load the model and registries once, so no input is charged for them."""
    from patchvet.check import assess
    from patchvet.policy import load_preset
    from tests.helpers import added, contribution

    assess(contribution(files=(added("a.py", "x = 1"),)), load_preset("default"))


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = HOSTILE[name]
    path = tmp_path / hostile.filename
    path.write_bytes(hostile.data)
    tracemalloc.start()
    start = time.thread_time()
    try:
        code, out, err = run_cli(capsys, *_argv(path, hostile))
        spent = time.thread_time() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "Traceback" not in err
    assert spent < CPU_SECONDS, f"{name}: {spent:.1f} s of CPU"
    assert peak < OVERHEAD + PER_BYTE * len(hostile.data), f"{name}: {peak / 1e6:.0f} MB"
    if code == 2:
        assert err.startswith("patchvet: "), err
        return
    assert code in (0, 1), err
    report = json.loads(out)
    assert not report["skipped"] or code != 0, "skipped with exit 0: " + repr(report["skipped"])
    for item in report["contributions"]:
        assert item["verdict"] in ("pass", "flag", "hold", "reject")
        incomplete = [f for f in item["findings"] if f["id"] == "analysis/incomplete"]
        if incomplete:
            assert item["verdict"] in ("hold", "reject") and code == 1
    assert report["contributions"] or report["skipped"]
