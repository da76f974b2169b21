"""Builders shared by the tests: real git repositories and small domain objects."""

from __future__ import annotations

import os
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from patchvet.analyzers import Subject, compute_signals
from patchvet.check import assess
from patchvet.cli import main
from patchvet.policy import Policy, load_preset
from patchvet.records import (
    AddedLine,
    Assessment,
    ChangeStatus,
    Commit,
    Contribution,
    FileChange,
    Identity,
    SourceKind,
)
from patchvet.sources._message import parse_trailers

GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
}


@dataclass
class GitRepo:
    """A real repository in a temporary directory."""

    path: Path

    def git(self, *args: str, stdin: bytes | None = None, date: str | None = None) -> bytes:
        """Run git here and return its standard output."""
        env = {**os.environ, **GIT_ENV}
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
        done = subprocess.run(
            ["git", "-C", str(self.path), *args],
            input=stdin,
            capture_output=True,
            env=env,
            check=True,
        )
        return done.stdout

    def write(self, name: str, content: str | bytes) -> None:
        """Write a file (creating directories)."""
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")

    def commit(
        self,
        message: str,
        files: dict[str, str | bytes],
        author: str = "Jane Doe <jane@example.org>",
        date: str | None = None,
    ) -> str:
        """Write `files`, commit them with `message` as `author` (at `date`), return the sha."""
        for name, content in files.items():
            self.write(name, content)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", f"--author={author}", "-m", message, date=date)
        return self.git("rev-parse", "HEAD").decode().strip()


def make_repo(path: Path) -> GitRepo:
    """An empty repository with an identity and a first commit."""
    path.mkdir(parents=True, exist_ok=True)
    repo = GitRepo(path)
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "user.name", "Jane Doe")
    repo.git("config", "user.email", "jane@example.org")
    repo.commit("Initial commit", {"README": "hello\n"})
    return repo


def added(path: str, *lines: str, status: ChangeStatus = ChangeStatus.MODIFIED) -> FileChange:
    """A file change that adds `lines`."""
    return FileChange(
        path=path,
        status=status,
        additions=len(lines),
        added_lines=tuple(AddedLine(i + 1, text) for i, text in enumerate(lines)),
    )


def contribution(
    message: str = "Fix a bug\n\nSigned-off-by: Jane Doe <jane@example.org>",
    files: tuple[FileChange, ...] = (),
    author: Identity | None = None,
    kind: SourceKind = SourceKind.PATCH,
    description: str = "",
    labels: tuple[str, ...] = (),
    head_ref: str | None = None,
) -> Contribution:
    """A one-commit contribution built directly, for analyzer tests."""
    who = author or Identity(name="Jane Doe", email="jane@example.org")
    commit = Commit(
        sha="a" * 40,
        author=who,
        committer=who,
        subject=message.split("\n", 1)[0],
        message=message,
        trailers=parse_trailers(message),
    )
    return Contribution(
        source="test.patch",
        id="a" * 40,
        kind=kind,
        title=commit.subject,
        author=who if kind is not SourceKind.PULL_REQUEST else (author or Identity(login="jane")),
        commits=(commit,),
        files=files,
        description=description,
        labels=labels,
        head_ref=head_ref,
    )


def subject(item: Contribution, policy: Policy | str = "default") -> Subject:
    """The analyzer input for `item` under a policy or preset name."""
    resolved = load_preset(policy) if isinstance(policy, str) else policy
    return Subject(item, resolved, compute_signals(item, resolved))


def judge(item: Contribution, policy: str = "default") -> Assessment:
    """Assess `item` under a preset."""
    return assess(item, load_preset(policy))


def ids(assessment: Assessment) -> set[str]:
    """The finding ids of an assessment."""
    return {judged.finding.id for judged in assessment.findings}


FAST_IMPORT_ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def make_history(path: Path, commits: int, authors: int = 300, seed: int = 3) -> Path:
    """A repository of `commits` commits by `authors` people, built fast with git fast-import."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True, env=FAST_IMPORT_ENV)
    lines = []
    when = 1_600_000_000
    for mark in range(1, commits + 1):
        who = rng.randrange(authors)
        when += rng.randint(60, 7200)
        body = "".join(
            f"def f_{mark}_{n}(x):\n    return x + {n}\n" for n in range(rng.randint(1, 12))
        )
        message = f"module: change {mark}\n\nWhy change {mark} is needed.\n"
        if rng.random() < 0.2:
            message += "\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
        lines += [
            "commit refs/heads/main",
            f"mark :{mark}",
            f"author Dev {who} <dev{who}@example.org> {when} +0000",
            f"committer Dev {who} <dev{who}@example.org> {when} +0000",
            f"data {len(message.encode())}",
            message,
        ]
        if mark > 1:
            lines.append(f"from :{mark - 1}")
        lines += [
            f"M 100644 inline src/m{rng.randrange(200)}.py",
            f"data {len(body.encode())}",
            body,
            "",
        ]
    stream = "\n".join(lines).encode()
    subprocess.run(
        ["git", "-C", str(path), "fast-import", "--quiet"],
        input=stream,
        check=True,
        env=FAST_IMPORT_ENV,
    )
    subprocess.run(
        ["git", "-C", str(path), "reset", "-q", "--hard", "main"], check=True, env=FAST_IMPORT_ENV
    )
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `patchvet ARGV…` in-process: (exit code, standard output, standard error)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
