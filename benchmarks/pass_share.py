"""
How many honest commits does a policy stop? The share of real commits that are not `pass`.

For each repository, the newest N non-merge commits authored before a date (default
2023-01-01: before coding agents, so the commits are taken as human and honest) are vetted
by patchvet's real pipeline under a policy (default: `default`), and the commits that are not
`pass` are counted, with the findings that made them so.

Run it with an older patchvet on the path (PYTHONPATH=old/src) to get the "before" figures:
the script reads only what every version has.

`--ledger` replays the commits oldest first into a temporary ledger, as
`patchvet check --git RANGE --record` does, so each commit is judged knowing its author's
earlier commits in the window (the default policy reports an established author's CI and
lock-only edits as `info`). Without it, each commit is vetted as `patchvet check --git REV -n N`
vets the window: authors are not mapped (a window has no single base to read a `.mailmap`
from), and an author with `identity.known_after` commits in the history the window builds on
(the parents of its commits outside it, newest 20,000 commits) is established; commits of the
window never count. Older versions know nothing about any author in this mode.

`--advisory ID` (repeatable) names findings judged correct advisories rather than noise; a
last column counts the commits that are not `pass` for any other reason.

Usage: python benchmarks/pass_share.py REPO [REPO ...] [--commits N] [--before DATE]
       [--ledger] [--advisory size/large --advisory ci-change/workflow]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from patchvet.check import check
from patchvet.ledger import open_ledger
from patchvet.policy import load_policy
from patchvet.records import Assessment, Verdict
from patchvet.sources.git import read_git_commits

try:  # the repository's history as the base of the window (newer versions only)
    from patchvet.sources.git_history import boundary, known_authors
except ImportError:  # pragma: no cover - an older patchvet on the path
    boundary = known_authors = None  # type: ignore[assignment]

_ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
_UNMAPPED = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "mailmap.blob", "GIT_CONFIG_VALUE_0": ""}
"""`check --git REV -n N` maps no author; a bare mirror's git would map them with HEAD's."""


def _causes(result: Any) -> list[str]:
    """Finding ids judged above `pass` (older versions: every finding above `info`)."""
    causes = []
    for item in result.findings:
        finding = getattr(item, "finding", item)
        verdict = getattr(item, "verdict", None)
        judged = verdict > Verdict.PASS if verdict is not None else None
        if judged or (judged is None and finding.severity.value != "info"):
            causes.append(finding.id)
    return causes


def _name(repo: Path) -> str:
    return repo.parent.name if repo.name in ("repo", ".git") else repo.name


def evaluate(
    repo: Path, commits: int, before: str, policy_name: str, advisory: set[str],
    ledger: bool = False,
) -> tuple[int, int, int, Counter[str]]:  # fmt: skip
    """
    (commits vetted, commits not `pass`, of which not `pass` for a cause outside `advisory`,
    how often each finding made a commit not `pass`).
    """
    shas = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--no-merges", f"--before={before}",
         f"--max-count={commits}", "HEAD"],
        capture_output=True, text=True, check=True, env=_ENV,
    ).stdout.split()  # fmt: skip
    policy = load_policy(policy_name, repo)
    vetted = stopped = other = 0
    causes: Counter[str] = Counter()
    known = None
    if not ledger and known_authors is not None:
        known = known_authors(repo, boundary(repo, shas), set(shas))
        os.environ.update(_UNMAPPED)
    with tempfile.TemporaryDirectory() as scratch:
        store = open_ledger(f"sqlite:///{scratch}/ledger.db") if ledger else None
        items = read_git_commits(shas[::-1] if ledger else shas, repo)
        if known is not None:
            items = (known.attach_item(item) for item in items)
        try:
            for result in check(items, policy, store, _name(repo), record=ledger):
                if not isinstance(result, Assessment):
                    continue
                vetted += 1
                if result.verdict > Verdict.PASS:
                    stopped += 1
                    found = set(_causes(result))
                    causes.update(found)
                    other += bool(found - advisory) or not found
        finally:
            if store is not None:
                store.close()
            for key in _UNMAPPED if known is not None else ():
                os.environ.pop(key, None)
    return vetted, stopped, other, causes


def main(argv: list[str] | None = None) -> int:
    """Print one Markdown row per repository and a total."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--commits", type=int, default=400)
    parser.add_argument("--before", default="2023-01-01")
    parser.add_argument("--policy", default="default")
    parser.add_argument("--advisory", action="append", default=[], metavar="ID")
    parser.add_argument("--ledger", action="store_true", help="replay into a temporary ledger")
    args = parser.parse_args(argv)
    print("| repository | commits | not pass | share | most frequent causes | other causes |")
    print("|---|---:|---:|---:|---|---:|")
    vetted = stopped = other = 0
    total_causes: Counter[str] = Counter()
    for repo in args.repos:
        counts = evaluate(
            repo, args.commits, args.before, args.policy, set(args.advisory), args.ledger
        )
        vetted, stopped, other = vetted + counts[0], stopped + counts[1], other + counts[2]
        total_causes.update(counts[3])
        _row(_name(repo), *counts)
    _row("total", vetted, stopped, other, total_causes)
    return 0


def _row(name: str, vetted: int, stopped: int, other: int, causes: Counter[str]) -> None:
    def share(count: int) -> str:
        return f"{100 * count / vetted:.1f}%" if vetted else "-"

    top = ", ".join(f"`{cause}` {count}" for cause, count in causes.most_common(4))
    print(
        f"| {name} | {vetted} | {stopped} | {share(stopped)} | {top} | {share(other)} |",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
