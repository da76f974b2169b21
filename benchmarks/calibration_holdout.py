"""
Per-project calibration held out in time: calibrate on a repository's commits before
2022-01-01, then count how many of its 2022 commits (all written before coding agents, so all
human) reach the calibrated threshold, and how many reach the shipped one.

This is what `patchvet calibrate --before 2022-01-01` does, followed by `patchvet check` on
2022; the library calls are the same ones the command makes. Give each repository as
NAME=PATH (a clone or a bare mirror):

    python benchmarks/calibration_holdout.py strace/strace=../clones/strace \
        pypa/pip=../clones/pip --json /tmp/holdout.json

Prints a Markdown table (the one in docs/model.md, "Per-project calibration").
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from patchvet.model.calibrate import (
    DEFAULT_RATE,
    MIN_CONTRIBUTIONS,
    choose_threshold,
    flag_rate,
    score_history,
)
from patchvet.model.scorer import shipped_model
from patchvet.records import Contribution
from patchvet.sources.git import read_git_commits

CALIBRATE_BEFORE = "2022-01-01"
HELD_OUT_UNTIL = "2023-01-01"


def _shas(repo: Path, *selection: str) -> list[str]:
    listed = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--no-merges", *selection, "HEAD", "--"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return listed.stdout.split()


def _contributions(repo: Path, shas: list[str]) -> list[Contribution]:
    return [item for item in read_git_commits(shas, repo) if isinstance(item, Contribution)]


def evaluate(name: str, repo: Path, limit: int, rate: float) -> dict[str, object]:
    """One repository's row."""
    model = shipped_model()
    assert model is not None, "this build has no model"
    started = time.monotonic()
    train_shas = _shas(repo, f"--before={CALIBRATE_BEFORE}T00:00:00Z", f"--max-count={limit}")
    train = score_history(_contributions(repo, train_shas), model, CALIBRATE_BEFORE)
    outcome = choose_threshold(train.scores, model.threshold, rate, MIN_CONTRIBUTIONS)
    test_shas = _shas(
        repo, f"--since={CALIBRATE_BEFORE}T00:00:00Z", f"--before={HELD_OUT_UNTIL}T00:00:00Z"
    )
    test = score_history(_contributions(repo, test_shas), model, HELD_OUT_UNTIL)
    return {
        "repository": name,
        "calibration_commits": len(train.scores),
        "calibration_span": f"{train.first} to {train.last}",
        "trusted": outcome.trusted,
        "threshold": outcome.threshold,
        "default_threshold": model.threshold,
        "calibration_rate": outcome.rate,
        "calibration_rate_default": outcome.default_rate,
        "held_out_commits": len(test.scores),
        "held_out_flagged": sum(1 for s in test.scores if s >= outcome.threshold),
        "held_out_rate": flag_rate(test.scores, outcome.threshold),
        "held_out_flagged_default": sum(1 for s in test.scores if s >= model.threshold),
        "held_out_rate_default": flag_rate(test.scores, model.threshold),
        "seconds": round(time.monotonic() - started, 1),
    }


def _table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| repository | calibrated on (before 2022) | threshold | 2022 commits "
        "| flagged, shipped threshold | flagged, calibrated |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {row['repository']} | {row['calibration_commits']} "
        f"({row['calibration_span']}) | {row['threshold']:.4f} | {row['held_out_commits']} "
        f"| {row['held_out_flagged_default']} ({row['held_out_rate_default']:.2%}) "
        f"| {row['held_out_flagged']} ({row['held_out_rate']:.2%}) |"
        for row in rows
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", nargs="+", metavar="NAME=PATH")
    parser.add_argument("--limit", type=int, default=3000, help="calibration commits per repo")
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    rows = []
    for spec in args.repos:
        name, _, path = spec.partition("=")
        row = evaluate(name, Path(path), args.limit, args.rate)
        print(json.dumps(row), file=sys.stderr, flush=True)
        rows.append(row)
    print(_table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
