"""
The trusted side of a revision range: its base commit, and files as they are there.

In `--git` mode the policy and `.mailmap` come from the base of the range, never from the
working tree or the commits being judged: a contribution cannot weaken the policy that judges
it, nor map its author onto someone the project trusts.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from patchvet.errors import SourceError


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)


def range_base(repo: Path, revision_range: str) -> str | None:
    """
    The commit the range is judged against: its excluded side (`main` in `main..feature`, the
    merge base in `main...feature`), or None when the range has none (`HEAD` alone).
    """
    if not repo.is_dir():
        raise SourceError(f"{repo} is not a directory", hint="pass --repo PATH to a git repository")
    done = _git(repo, "rev-parse", "--end-of-options", revision_range)
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SourceError(
            f"git cannot read the range {revision_range!r}: {reason[0] if reason else 'unknown'}",
            hint="use a range such as HEAD~10..HEAD or main..feature",
        )
    lines = done.stdout.decode("ascii", "replace").split()
    excluded = [line[1:] for line in lines if line.startswith("^")]
    return excluded[0] if excluded else None


def file_at(repo: Path, commit: str, path: str) -> str | None:
    """The text of `path` at `commit`, or None when it is not there."""
    done = _git(repo, "cat-file", "blob", "--end-of-options", f"{commit}:{path}")
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")
