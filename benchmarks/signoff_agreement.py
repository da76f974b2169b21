"""
Does patchvet's sign-off verdict agree with git's own trailer parser on real histories?

For each repository, the newest N non-merge commits are vetted by patchvet's real pipeline
(the git source, the policy, every analyzer) and, independently, each commit message is given
to `git interpret-trailers --parse --no-divider` (how git reads a commit's trailers, as
`git log --format=%(trailers)` does). A commit "has a human sign-off" for git when one of
git's `Signed-off-by:` trailers names no coding agent.

- a disagreement is `signoff/missing` where git finds a human sign-off, or no
  `signoff/missing` where git finds none and the difference is not the one documented
  extension (a trailer-only paragraph above the last one, e.g. `Reviewed-by:` added below the
  sign-off: git reads only the last paragraph);
- `signoff/author-mismatch` is checked the same way: git's sign-offs, none by the author.

Usage: python benchmarks/signoff_agreement.py REPO [REPO ...] [--commits N] [--policy linux]
Prints one table row per repository and exits 1 on any disagreement.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from patchvet.check import check
from patchvet.marks import load_registry
from patchvet.policy import load_policy
from patchvet.records import Assessment
from patchvet.sources.git import read_git_commits

_ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


@dataclass
class Row:
    """Counts for one repository."""

    name: str
    commits: int = 0
    git_without: int = 0
    missing: int = 0
    stacked: int = 0
    false_missing: int = 0
    silent: int = 0
    mismatch: int = 0
    mismatch_disagree: int = 0

    @property
    def disagreements(self) -> int:
        """Every kind of disagreement with git."""
        return self.false_missing + self.silent + self.mismatch_disagree


def _git_trailers(message: str) -> list[tuple[str, str]]:
    done = subprocess.run(
        ["git", "interpret-trailers", "--parse", "--no-divider"],
        input=message.encode("utf-8", "replace"),
        capture_output=True,
        env=_ENV,
        check=True,
    )
    pairs = []
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        pairs.append((key.strip().lower(), value.strip()))
    return pairs


def _human_signoffs(pairs: list[tuple[str, str]]) -> list[str]:
    registry = load_registry()
    return [v for k, v in pairs if k == "signed-off-by" and registry.by_address(v) is None]


def _above_last_paragraph(message: str) -> str | None:
    """The message without its last paragraph, when that paragraph follows a blank line."""
    body = message.rstrip("\n")
    cut = body.rfind("\n\n")
    return body[:cut] + "\n" if cut > 0 else None


def _stacked_signoff(message: str) -> bool:
    """git finds a human sign-off in the paragraph above the last, and that one is all trailers."""
    above = _above_last_paragraph(message)
    if above is None:
        return False
    pairs = _git_trailers(above)
    paragraph = above.rstrip("\n").rsplit("\n\n", 1)[-1].split("\n")
    return bool(_human_signoffs(pairs)) and len(pairs) == len(paragraph)


def _by_author(values: list[str], name: str, email: str) -> bool:
    for value in values:
        their_name, their_email = parseaddr(value)
        if email and their_email.lower() == email.lower():
            return True
        if name and their_name and their_name.casefold() == name.casefold():
            return True
    return False


def _messages(repo: Path, shas: list[str]) -> dict[str, tuple[str, str, str]]:
    done = subprocess.run(
        ["git", "-C", str(repo), "log", "--no-walk=unsorted", "--stdin",
         "--format=%H%x00%an%x00%ae%x00%B%x00"],
        input="\n".join(shas).encode(), capture_output=True, check=True, env=_ENV,
    )  # fmt: skip
    fields = done.stdout.decode("utf-8", "replace").split("\x00")
    found = {}
    for index in range(0, len(fields) - 3, 4):
        sha = fields[index].strip()
        found[sha] = (fields[index + 1], fields[index + 2], fields[index + 3].rstrip("\n") + "\n")
    return found


def _finding_id(item: Any) -> str:
    """Older versions held findings directly (not judged), so "before" runs work too."""
    return str(getattr(item, "finding", item).id)


def evaluate(repo: Path, commits: int, policy_name: str) -> Row:
    """Vet the newest `commits` non-merge commits of `repo` and compare with git."""
    shas = (
        subprocess.run(
            ["git", "-C", str(repo), "rev-list", "--no-merges", f"--max-count={commits}", "HEAD"],
            capture_output=True, text=True, check=True, env=_ENV,
        ).stdout.split()
    )  # fmt: skip
    policy = load_policy(policy_name, repo)
    ours: dict[str, set[str]] = {}
    for result in check(read_git_commits(shas, repo), policy):
        if isinstance(result, Assessment):
            ours[result.contribution.id] = {_finding_id(f) for f in result.findings}
    row = Row(repo.name if repo.name not in ("repo", ".git") else repo.parent.name)
    for sha, (name, email, message) in _messages(repo, shas).items():
        ids = ours.get(sha, set())
        row.commits += 1
        human = _human_signoffs(_git_trailers(message))
        missing = "signoff/missing" in ids
        row.missing += missing
        if human:
            row.false_missing += missing
            mismatch = not _by_author(human, name, email)
            row.mismatch += "signoff/author-mismatch" in ids
            row.mismatch_disagree += mismatch != ("signoff/author-mismatch" in ids)
            continue
        row.git_without += 1
        if not missing:
            if _stacked_signoff(message):
                row.stacked += 1
            else:
                row.silent += 1
                print(f"  silent where git finds no human sign-off: {sha}", file=sys.stderr)
    return row


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--policy", default="linux")
    args = parser.parse_args(argv)
    print(
        "| repository | commits | git: no human sign-off | signoff/missing | "
        "stacked paragraphs accepted | disagreements | author-mismatch |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    total = Row("total")
    for repo in args.repos:
        row = evaluate(repo, args.commits, args.policy)
        for field in ("commits", "git_without", "missing", "stacked", "false_missing", "silent",
                      "mismatch", "mismatch_disagree"):  # fmt: skip
            setattr(total, field, getattr(total, field) + getattr(row, field))
        _print(row)
    _print(total)
    return 1 if total.disagreements else 0


def _print(row: Row) -> None:
    print(
        f"| {row.name} | {row.commits} | {row.git_without} | {row.missing} | {row.stacked} "
        f"| {row.disagreements} ({row.false_missing} false, {row.silent} silent, "
        f"{row.mismatch_disagree} mismatch) | {row.mismatch} |",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
