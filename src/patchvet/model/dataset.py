"""
Build the labeled dataset the agent-likelihood model is trained and evaluated on.

From local git repositories (the training repositories of shared/data/README.md):

- **agent**: a commit with an explicit agent mark (registry match on identities, trailers,
  footers, session links), or the squash commit `… (#N)` of a merged pull request that the
  AIDev-pop tables list as agent-made; the latter carries no mark at all and is the fairest
  positive;
- **human**: authored before 2023 by a non-bot account, with no mark;
- **recent**: authored in 2025 or later, no mark, not in AIDev, not a bot. Mostly human, with
  some unmarked agent work mixed in; used only to measure how much of the score is era.

Each example is written as the stripped `View` (see `strip.py`) in JSON Lines, never the raw
commit, so what is saved is what the model may learn from.
"""

from __future__ import annotations

import csv
import json
import random
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from patchvet.errors import PatchvetError
from patchvet.marks import detect_marks, load_registry
from patchvet.model.features import view
from patchvet.records import Commit, Contribution, Identity, SourceKind
from patchvet.sources._message import parse_trailers
from patchvet.sources.git import read_git_commits

_SQUASH = re.compile(r"\(#(\d+)\)\s*$")
# Bots that bump, release, deploy, back-port or merge, by name: their commits carry agents'
# trailers only when they bundle or copy someone else's change. A bot account that runs an agent
# (a project's `prql-bot`, `anthropic-code-agent[bot]`) is not among them.
_ROUTINE_NAMES = (
    r"dependabot|renovate|github-actions|pre-commit-ci|allcontributors|greenkeeper|snyk"
    r"|mergify|semantic-release"
)
_ROUTINE_BOT = re.compile(
    _ROUTINE_NAMES + r"|dotnet-maestro|dotnet bot|xerial-bot|coderabbit", re.IGNORECASE
)
# Any automation account: the routine ones, any `[bot]` or `bot`, and GitHub's web committer.
_BOT = re.compile(r"\[bot\]|\bbot\b|web-flow|" + _ROUTINE_NAMES, re.IGNORECASE)
_FIELDS = "%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%ce%x1f%B%x1e"
# Accepted review suggestions (Copilot's or Gemini's) add a co-author trailer to a human's
# commit: AI touched a few lines, but no agent produced the change, so such commits are neither
# agent nor human examples.
REVIEW_SUGGESTERS = frozenset({"GitHub Copilot", "Copilot Autofix", "Gemini Code Assist"})
HUMAN_BEFORE = "2023-01-01"
RECENT_FROM = "2025-01-01"


@dataclass(frozen=True)
class Example:
    """One labeled, stripped commit."""

    repo: str
    sha: str
    label: str
    """`agent`, `human` or `recent`."""
    how: str
    """`marks`, `aidev` or `date`."""
    agent: str
    date: str
    subject: str
    body: str
    paths: list[tuple[str, str, int, int]]
    added: list[str]

    @property
    def size(self) -> int:
        """Changed lines."""
        return sum(p[2] + p[3] for p in self.paths)


def load_aidev(root: Path) -> dict[tuple[str, int], str]:
    """(owner/name lowercased, PR number) -> agent, for merged agent PRs in AIDev-pop."""
    csv.field_size_limit(sys.maxsize)
    merged: dict[tuple[str, int], str] = {}
    for table in sorted(root.glob("*/prs.csv")):
        agent = table.parent.name
        if agent == "Human":
            continue
        with table.open(encoding="utf-8", newline="") as stream:
            for row in csv.DictReader(stream):
                if not row.get("merged_at"):
                    continue
                repo = row["repo_url"].rsplit("/repos/", 1)[-1].lower()
                merged[(repo, int(row["number"]))] = agent
    return merged


def repository_name(spec: str) -> tuple[str, Path]:
    """`owner/name=PATH`, or a PATH whose folder is named `owner+name` (as `fetch` makes)."""
    if "=" in spec:
        name, _, location = spec.partition("=")
        return name, Path(location)
    path = Path(spec)
    for part in reversed(path.resolve().parts):
        if "+" in part:
            return part.replace("+", "/", 1), path
    raise PatchvetError(
        f"cannot tell which GitHub repository {spec} is",
        hint="write it as OWNER/NAME=PATH",
    )


@dataclass(frozen=True)
class _Listed:
    sha: str
    date: str
    author: Identity
    committer: Identity
    message: str
    is_merge: bool


def _list_commits(path: Path) -> Iterator[_Listed]:
    done = subprocess.run(
        ["git", "-C", str(path), "log", f"--format={_FIELDS}", "HEAD"],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise PatchvetError(f"git log failed in {path}: {done.stderr.decode(errors='replace')}")
    for record in done.stdout.decode("utf-8", "replace").split("\x1e"):
        fields = record.strip("\n").split("\x1f")
        if len(fields) != 8:
            continue
        sha, parents, an, ae, date, cn, ce, message = fields
        yield _Listed(
            sha, date, Identity(an, ae.lower()), Identity(cn, ce.lower()), message.strip(),
            len(parents.split()) > 1,
        )  # fmt: skip


def _label(
    commit: _Listed, repo: str, aidev: dict[tuple[str, int], str]
) -> tuple[str, str, str] | None:
    """(label, how, agent) or None for commits that are neither."""
    if commit.is_merge:
        return None
    subject = commit.message.split("\n", 1)[0]
    probe = Contribution(
        source=commit.sha, id=commit.sha, kind=SourceKind.COMMIT, title=subject,
        author=commit.author,
        commits=(Commit(commit.sha, commit.author, commit.committer, subject, commit.message,
                        parse_trailers(commit.message)),),
    )  # fmt: skip
    marks = detect_marks(probe, load_registry())
    autonomous = [mark for mark in marks if mark.agent not in REVIEW_SUGGESTERS]
    who = f"{commit.author.name} {commit.author.email}"
    if autonomous:
        # A routine bot's commit that carries an agent's trailer (a "Production Deploy" squash
        # of many pull requests, a dependabot bump with an agent's fix-up, a back-port of an
        # agent's change) is the bot's bundle or copy, not one piece of agent work.
        if _ROUTINE_BOT.search(who) and not any(m.kind == "author" for m in autonomous):
            return None
        return "agent", "marks", autonomous[0].agent
    if marks:
        return None
    squash = _SQUASH.search(subject)
    if squash and (repo.lower(), int(squash.group(1))) in aidev:
        return "agent", "aidev", aidev[(repo.lower(), int(squash.group(1)))]
    if _BOT.search(who):
        return None
    if commit.date < HUMAN_BEFORE:
        return "human", "date", ""
    if commit.date >= RECENT_FROM:
        return "recent", "date", ""
    return None


def build(
    specs: list[str],
    aidev_root: Path | None,
    out: Path,
    max_human: int = 3000,
    max_recent: int = 800,
    seed: int = 13,
) -> Counter[tuple[str, str]]:
    """Write `examples.jsonl` under `out`; return counts per (repo, label)."""
    aidev = load_aidev(aidev_root) if aidev_root else {}
    out.mkdir(parents=True, exist_ok=True)
    counts: Counter[tuple[str, str]] = Counter()
    rng = random.Random(seed)
    with (out / "examples.jsonl").open("w", encoding="utf-8") as sink:
        for spec in specs:
            repo, path = repository_name(spec)
            chosen: dict[str, tuple[str, str, str, str]] = {}
            pools: dict[str, list[tuple[str, str, str, str, str]]] = {"human": [], "recent": []}
            for commit in _list_commits(path):
                labeled = _label(commit, repo, aidev)
                if labeled is None:
                    continue
                label, how, agent = labeled
                if label == "agent":
                    chosen[commit.sha] = (label, how, agent, commit.date)
                else:
                    pools[label].append((commit.sha, label, how, agent, commit.date))
            for label, cap in (("human", max_human), ("recent", max_recent)):
                pool = pools[label]
                for sha, *rest in rng.sample(pool, min(cap, len(pool))):
                    chosen[sha] = (rest[0], rest[1], rest[2], rest[3])
            for item in read_git_commits(list(chosen), path):
                if not isinstance(item, Contribution):
                    continue
                label, how, agent, date = chosen[item.id]
                seen = view(item)
                if not seen.paths or sum(p[2] + p[3] for p in seen.paths) == 0:
                    continue
                example = Example(repo, item.id, label, how, agent, date, seen.subject,
                                  seen.body, list(seen.paths), list(seen.added))  # fmt: skip
                sink.write(json.dumps(asdict(example)) + "\n")
                counts[(repo, label)] += 1
    return counts


def read_examples(path: Path) -> Iterator[Example]:
    """Examples back from `examples.jsonl`."""
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            raw = json.loads(line)
            raw["paths"] = [tuple(p) for p in raw["paths"]]
            yield Example(**raw)
