"""
Who the repository already knows: authors' commits in the history a range builds on.

The range's base is the accepted history the vetted commits build on: the excluded side of
`A..B` (the merge base of `A...B`), or, for a window such as `HEAD -n 400`, the parents of the
vetted commits that are not vetted themselves (the boundary of the oldest ones). Its newest
`HISTORY_LIMIT` non-merge commits are counted per author email in one streamed `git log`,
mapped with the same trusted `.mailmap` as the range, run in the git directory so no file of
the working tree is read. The vetted commits never count: a branch cannot vouch for itself.
"""

from __future__ import annotations

import dataclasses
import subprocess
import tempfile
from collections import Counter
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from patchvet.records import AuthorRecord, Contribution, Identity, Skipped, SourceKind
from patchvet.sources.git import Mailmap, RangeOptions, _trusted_location
from patchvet.sources.interface import SourceItem

HISTORY_LIMIT = 20_000
"""The newest commits of the base that are counted: bounds the cost on huge histories."""

WHERE = "in the repository's history before this range"


@dataclass(frozen=True)
class KnownAuthors:
    """Commits per (mapped, lower-case) author email in the history a range builds on."""

    commits: Mapping[str, int]
    counted: int
    """How many commits were read (at most `HISTORY_LIMIT`)."""
    where: str = WHERE

    def record_of(self, contribution: Contribution) -> AuthorRecord:
        """The author's record there (0 commits for an author it does not know)."""
        return self.record_for(contribution.author)

    def record_for(self, author: Identity) -> AuthorRecord:
        """`record_of` by the (mapped) author alone, for a contribution being built."""
        email = (author.email or "").lower()
        return AuthorRecord(self.commits.get(email, 0) if email else 0, self.where)

    def attach(self, item: Contribution) -> Contribution:
        """`item` carrying its author's record."""
        return dataclasses.replace(item, author_record=self.record_of(item))

    def attach_item(self, item: SourceItem) -> SourceItem:
        """`attach` for a commit of the stream; anything else (a patch file, a skip) as it is."""
        if isinstance(item, Skipped) or item.kind is not SourceKind.COMMIT:
            return item
        return self.attach(item)


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)


def _excluded(repo: Path, revision_range: str) -> list[str]:
    done = _git(repo, "rev-parse", "--end-of-options", revision_range)
    if done.returncode != 0:
        return []
    lines = done.stdout.decode("ascii", "replace").split()
    return [line[1:] for line in lines if line.startswith("^")]


def boundary(repo: Path, shas: list[str], first_parent: bool = False) -> list[str]:
    """Parents of the commits `shas` that are not among them: where a window starts from."""
    vetted = set(shas)
    if not vetted:
        return []
    done = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--no-walk=unsorted", "--parents", "--stdin"],
        input="\n".join(shas).encode() + b"\n",
        capture_output=True,
        check=False,
    )
    found: dict[str, None] = {}
    for line in done.stdout.decode("ascii", "replace").splitlines():
        parents = line.split()[1:]
        for parent in parents[:1] if first_parent else parents:
            if parent not in vetted:
                found[parent] = None
    return list(found)


def range_base_tips(
    repo: Path, revision_range: str, options: RangeOptions | None = None
) -> tuple[list[str], set[str]]:
    """
    (the commits whose history is the range's base, the vetted commits to leave out of it).

    For `A..B` the base is `A`; for a window (`REV -n N`) the boundary parents of the vetted
    commits; a range that is the whole history (`REV` alone) has no base.
    """
    options = options or RangeOptions()
    excluded = _excluded(repo, revision_range)
    if excluded:
        return excluded, set()
    if options.max_count is None:
        return [], set()
    listed = _git(repo, "rev-list", *options.arguments(), "--end-of-options", revision_range, "--")
    shas = listed.stdout.decode("ascii", "replace").split() if listed.returncode == 0 else []
    return boundary(repo, shas, options.first_parent), set(shas)


def known_authors(
    repo: Path,
    tips: list[str],
    vetted: AbstractSet[str] = frozenset(),
    mailmap: Mailmap | None = None,
    limit: int = HISTORY_LIMIT,
) -> KnownAuthors | None:
    """
    Count the non-merge commits per author email in the newest `limit` commits of the history
    of `tips`, leaving out `vetted`; None when there are no tips or git cannot read them.
    """
    if not tips:
        return None
    location = _trusted_location(repo, mailmap or Mailmap())
    # Without commits to leave out, only the email is printed and lines are counted in C.
    shown = "%H %aE" if vetted else "%aE"
    command = [
        "git", *location, "log", "--no-merges", f"--max-count={limit + len(vetted)}",
        f"--format={shown}", "--stdin", "--",
    ]  # fmt: skip
    counts: Counter[str] = Counter()
    counted = 0
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors
        ) as process,
    ):
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write("\n".join(tips).encode() + b"\n")
        process.stdin.close()
        lines: Counter[bytes] = Counter()
        if not vetted:
            lines.update(process.stdout)
            counted = lines.total()
        for line in process.stdout:
            sha, _, address = line.partition(b" ")
            if counted < limit and sha.decode("ascii", "replace") not in vetted:
                counted += 1
                lines[address] += 1
        if process.wait() != 0:
            return None
    for line, times in lines.items():
        email = line.rstrip(b"\n").decode("utf-8", "replace").lower()
        if email:
            counts[email] += times
    return KnownAuthors(dict(counts), counted)


def repository_standing(
    repo: Path,
    revision_range: str,
    options: RangeOptions | None = None,
    mailmap: Mailmap | None = None,
    limit: int = HISTORY_LIMIT,
) -> KnownAuthors | None:
    """The authors the history before `revision_range` knows (see the module's doc)."""
    tips, vetted = range_base_tips(repo, revision_range, options)
    return known_authors(repo, tips, vetted, mailmap, limit)
