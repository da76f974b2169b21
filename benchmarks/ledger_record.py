"""
Time `patchvet check --git` over a 10,000-commit history with and without `--record`.

    python benchmarks/ledger_record.py [--commits 10000] [--db postgresql://…]

The target is recording within 2x the time of checking alone.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.helpers import make_history  # the same history the ledger tests replay


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    """Build the history, time both runs, print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--db", help="ledger URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    patchvet = shutil.which("patchvet")
    if patchvet is None:
        print("patchvet is not installed: python3 -m pip install .", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="patchvet-ledger-") as raw:
        work = Path(raw)
        repo = make_history(work / "repo", args.commits)
        base = [patchvet, "check", "--git", "HEAD", "--repo", str(repo), "--format", "json",
                "-o", str(work / "report.json")]  # fmt: skip
        db = args.db or f"sqlite:///{work / 'ledger.db'}"
        plain = _timed(base)
        recorded = _timed([*base, "--record", "--db", db])
    print(f"commits:            {args.commits + 0}")
    print(f"check:              {plain:.1f} s ({args.commits / plain:.0f} commits/s)")
    print(f"check --record:     {recorded:.1f} s ({args.commits / recorded:.0f} commits/s)")
    print(f"ratio:              {recorded / plain:.2f}x (target: at most 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
