"""
How often `identity/style-shift` fires on honest history: replay a repository's whole
pre-2023 history (before coding agents, so every shift is a false alarm) into a fresh ledger,
exactly as `patchvet check --git REV --record` does, and count the findings.

    python benchmarks/style_shift_replay.py strace/strace=../clones/strace --json /tmp/s.json

Give each repository as NAME=PATH (a clone or a bare mirror). Prints a Markdown table (the one
in docs/model.md, "Style continuity"), and each finding's commit, score and baseline on
standard error so they can be read.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from patchvet.check import check
from patchvet.ledger import open_ledger
from patchvet.policy import load_preset
from patchvet.records import Assessment
from patchvet.sources import read_git_range

BEFORE = "2023-01-01"


def replay(name: str, repo: Path) -> dict[str, object]:
    """One repository's row."""
    last = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--max-count=1", f"--before={BEFORE}T00:00:00Z",
         "HEAD", "--"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    policy = load_preset("default")
    started = time.monotonic()
    assessed = scored = fired = authors_with_baseline = 0
    with tempfile.TemporaryDirectory() as folder:
        ledger = open_ledger(f"sqlite:///{Path(folder) / 'ledger.db'}")
        try:
            items = read_git_range(last, repo, signatures=True)
            for result in check(items, policy, ledger, name, record=True):
                if not isinstance(result, Assessment):
                    continue
                assessed += 1
                scored += result.scores.agent_likelihood is not None
                for judged in result.findings:
                    if judged.finding.id == "identity/style-shift":
                        fired += 1
                        print(f"{name} {result.contribution.id[:12]} "
                              f"{judged.finding.evidence}", file=sys.stderr)  # fmt: skip
            authors_with_baseline = ledger.execute(
                "SELECT COUNT(*) FROM (SELECT person_id FROM contributions "
                "WHERE agent_likelihood IS NOT NULL GROUP BY person_id "
                "HAVING COUNT(*) > ?) AS t",
                (policy.identity.style_shift_after,),
            ).fetchone()[0]
        finally:
            ledger.close()
    return {
        "repository": name,
        "until": last[:12],
        "contributions": assessed,
        "scored": scored,
        "authors_with_baseline": int(authors_with_baseline),
        "style_shift": fired,
        "rate": fired / assessed if assessed else 0.0,
        "seconds": round(time.monotonic() - started, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", nargs="+", metavar="NAME=PATH")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    rows = []
    for spec in args.repos:
        name, _, path = spec.partition("=")
        row = replay(name, Path(path))
        print(json.dumps(row), file=sys.stderr, flush=True)
        rows.append(row)
    print("| repository | contributions replayed | authors with a baseline | style-shift | rate |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['repository']} | {row['contributions']} | {row['authors_with_baseline']} "
              f"| {row['style_shift']} | {row['rate']:.2%} |")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
