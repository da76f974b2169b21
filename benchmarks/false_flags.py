"""
False flags of the agent-likelihood model on honest, pre-agent history, per repository.

For each repository: its most recent non-merge commits authored before 2023-01-01 (before
coding agents wrote commits, so all human), bots left out, scored by the shipped model at its
default threshold with no calibration, as `patchvet check --git` scores them. A commit is
flagged when it would get `agent-likelihood/high-score`: score at or above the threshold and
no explicit agent mark. Give each repository as NAME=PATH or a path whose folder is named
OWNER+NAME (a clone or a bare mirror):

    python benchmarks/false_flags.py openvswitch/ovs=../clones/ovs nginx/nginx=../clones/nginx \
        --json /tmp/false-flags.json

Prints the Markdown table of docs/model.md ("False flags on evaluation repositories"), with
the flag rate by length of the message body, where the old model failed.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from patchvet.marks import detect_marks, load_registry
from patchvet.model.dataset import repository_name
from patchvet.model.scorer import read_model, shipped_model
from patchvet.records import Contribution
from patchvet.sources.git import read_git_commits

BEFORE = "2023-01-01"
_BOT = re.compile(
    r"\[bot\]|\bbot\b|dependabot|renovate|github-actions|pre-commit-ci|allcontributors"
    r"|greenkeeper|snyk|mergify|semantic-release",
    re.IGNORECASE,
)
BODY_LENGTHS = ((0, 200), (200, 800), (800, 1600), (1600, 3200), (3200, None))


def human_commits(repo: Path, limit: int) -> list[str]:
    """The most recent `limit` non-merge, non-bot commits authored before `BEFORE`."""
    listed = subprocess.run(
        ["git", "-C", str(repo), "log", "--no-merges", "--format=%H%x1f%an %ae%x1f%aI",
         f"--before={BEFORE}T00:00:00Z", "HEAD", "--"],
        capture_output=True, check=True,
    )  # fmt: skip
    chosen = []
    for line in listed.stdout.decode("utf-8", "replace").splitlines():
        sha, who, date = line.split("\x1f")
        if date[:10] < BEFORE and not _BOT.search(who):
            chosen.append(sha)
            if len(chosen) == limit:
                break
    return chosen


def _bucket(length: int) -> int:
    return next(
        n
        for n, (low, high) in enumerate(BODY_LENGTHS)
        if low <= length and (high is None or length < high)
    )


def measure(
    name: str, repo: Path, limit: int, threshold: float | None, model_path: Path | None
) -> dict[str, Any]:
    """One repository's row."""
    model = read_model(model_path) if model_path else shipped_model()
    assert model is not None, "this build has no model"
    cut = model.threshold if threshold is None else threshold
    registry = load_registry()
    commits = flagged = 0
    by_length = [[0, 0] for _ in BODY_LENGTHS]
    for item in read_git_commits(human_commits(repo, limit), repo):
        if not isinstance(item, Contribution):
            continue
        commits += 1
        score = model.score(item)
        body = item.commits[0].message.partition("\n")[2].strip() if item.commits else ""
        row = by_length[_bucket(len(body))]
        row[0] += 1
        if score is not None and score >= cut and not detect_marks(item, registry):
            flagged += 1
            row[1] += 1
    return {
        "repository": name, "commits": commits, "flagged": flagged,
        "rate": flagged / commits if commits else 0.0, "threshold": cut,
        "by_body_length": [
            {"from": low, "below": high, "commits": n, "flagged": f}
            for (low, high), (n, f) in zip(BODY_LENGTHS, by_length, strict=True)
        ],
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description="False flags on pre-2023 human history")
    parser.add_argument("repos", nargs="+", metavar="[OWNER/NAME=]PATH")
    parser.add_argument("--limit", type=int, default=3000, help="commits per repository")
    parser.add_argument("--threshold", type=float, help="default: the model's own")
    parser.add_argument("--model", type=Path, help="a model file (default: the shipped one)")
    parser.add_argument("--json", type=Path, metavar="FILE")
    args = parser.parse_args()
    rows = []
    print("| repository | commits | flagged | rate | by body length: <200 · 200–799 · "
          "800–1,599 · 1,600–3,199 · 3,200+ |")  # fmt: skip
    print("|---|---|---|---|---|")
    for spec in args.repos:
        name, path = repository_name(spec)
        row = measure(name, path, args.limit, args.threshold, args.model)
        rows.append(row)
        by_length = " · ".join(
            f"{b['flagged'] / b['commits']:.1%}" if b["commits"] else "—"
            for b in row["by_body_length"]
        )
        print(
            f"| {name} | {row['commits']} | {row['flagged']} | {row['rate']:.2%} | {by_length} |",
            flush=True,
        )
    commits = sum(r["commits"] for r in rows)
    flagged = sum(r["flagged"] for r in rows)
    print(f"| **pooled** | {commits} | {flagged} | {flagged / max(commits, 1):.2%} | |")
    if args.json:
        args.json.write_text(json.dumps({"before": BEFORE, "repositories": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
