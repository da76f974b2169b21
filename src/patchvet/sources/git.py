"""
Commits of a revision range in a local repository, one contribution each, oldest first.

One `git log -p` process streams every commit; records are cut on a NUL-framed marker (git
never prints NUL inside a textual diff), so a 10,000-commit range is read in constant memory.
Nothing from the repository is executed: external diff drivers and textconv are disabled.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from patchvet.errors import SourceError
from patchvet.records import AuthorRecord, Commit, Contribution, Identity, Skipped, SourceKind
from patchvet.sources._diff import DiffError, parse_diff
from patchvet.sources._message import parse_trailers
from patchvet.sources.interface import SourceItem

_START = b"\x00PATCHVET-COMMIT\x00"
_END = b"\x00PATCHVET-END\x00"
_FORMAT = (
    "%x00PATCHVET-COMMIT%x00%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%aN%x00%aE%x00{key}"
    "%x00%B%x00PATCHVET-END%x00"
)
_MERGE_BRANCH = re.compile(
    r"^Merge (?:pull request #\d+ from [^/\s]+/(?P<pr>\S+)"
    r"|(?:remote-tracking )?branch '(?P<b>[^']+)')"
)
_BLOCK = 1 << 16


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)


def _check_repository(repo: Path, revision_range: str) -> None:
    if not repo.is_dir():
        raise SourceError(f"{repo} is not a directory", hint="pass --repo PATH to a git repository")
    if _git(repo, "rev-parse", "--git-dir").returncode != 0:
        raise SourceError(f"{repo} is not a git repository", hint="pass --repo PATH to a clone")
    probe = _git(repo, "rev-list", "--max-count=1", "--end-of-options", revision_range, "--")
    if probe.returncode != 0:
        reason = probe.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SourceError(
            f"git cannot read the range {revision_range!r}: {reason[0] if reason else 'unknown'}",
            hint="use a range such as HEAD~10..HEAD or main..feature",
        )


@dataclass(frozen=True)
class RangeOptions:
    """Which commits of a range become contributions."""

    merges: bool = False
    """Include merge commits. They are skipped by default: a merge brings in commits that are
    judged on their own, and git shows it no diff of its own (it would look like 0 lines)."""
    first_parent: bool = False
    """Follow only the first parent: the mainline. With `merges`, each merge is judged as the
    whole change it brought in (its diff against the first parent)."""
    max_count: int | None = None
    """Only the newest N selected commits (still reported oldest first)."""

    def arguments(self) -> list[str]:
        """The `git log` options that select these commits."""
        selected = [] if self.merges else ["--no-merges"]
        if self.first_parent:
            selected += ["--first-parent", "--diff-merges=first-parent"]
        if self.max_count is not None:
            selected.append(f"--max-count={self.max_count}")
        return selected


@dataclass(frozen=True)
class Mailmap:
    """
    Which `.mailmap` maps authors of a range: a blob at a trusted commit (`BASE:.mailmap`) or a
    file the user named; never the working tree's, which the contribution may have written.
    """

    blob: str | None = None
    file: Path | None = None


def read_git_range(
    revision_range: str,
    repo: Path,
    signatures: bool = False,
    options: RangeOptions = RangeOptions(),
    mailmap: Mailmap | None = None,
) -> Iterator[SourceItem]:
    """
    Stream the commits of `revision_range` in `repo` as contributions, oldest first.

    With `signatures`, each signed commit also carries the key that signed it (git then asks
    gpg or ssh-keygen about every signed commit, so only the ledger asks for it). Authors are
    mapped with `mailmap` only (none by default). The repository and range are checked now, so
    a mistake is reported before any output.
    """
    return (
        record if isinstance(record, Skipped) else parse_record(record)
        for record in read_git_records(revision_range, repo, signatures, options, mailmap)
    )


def read_git_records(
    revision_range: str,
    repo: Path,
    signatures: bool = False,
    options: RangeOptions = RangeOptions(),
    mailmap: Mailmap | None = None,
) -> Iterator[bytes | Skipped]:
    """
    `read_git_range` before parsing: each commit as its raw `git log` record for
    `parse_record`, so that parsing can happen in other processes.
    """
    if options.max_count is not None and options.max_count < 1:
        raise SourceError(
            f"-n must be at least 1, not {options.max_count}", hint="e.g. -n 500 for the newest 500"
        )
    _check_repository(repo, revision_range)
    location = _trusted_location(repo, mailmap or Mailmap())
    return _stream(revision_range, repo, signatures, options, location)


def _trusted_location(repo: Path, mailmap: Mailmap) -> list[str]:
    """
    git options that read the repository but no file of its working tree: git always reads
    `.mailmap` from the working directory, so it runs inside the git directory (which no
    commit can write to) and is told the mailmap to use.
    """
    found = _git(repo, "rev-parse", "--absolute-git-dir")
    git_dir = found.stdout.decode("utf-8", "surrogateescape").strip()
    options = ["-C", git_dir, "--git-dir", git_dir, "-c", f"mailmap.blob={mailmap.blob or ''}"]
    if mailmap.file is not None:
        options += ["-c", f"mailmap.file={mailmap.file.resolve()}"]
    return options


def _log_command(
    repo: Path, *selection: str, signatures: bool = False, location: list[str] | None = None
) -> list[str]:
    return [
        "git", *(location or ["-C", str(repo)]),
        "-c", "core.quotepath=on", "-c", "diff.noprefix=false", "-c", "log.showSignature=false",
        # Report the signing key without trusting anyone: no allowed-signers list is needed.
        "-c", "gpg.ssh.allowedSignersFile=/dev/null",
        "log", "--no-color", "--no-ext-diff", "--no-textconv", "-M",
        "--patch", "--format=" + _FORMAT.format(key="%GK" if signatures else ""), *selection,
    ]  # fmt: skip


def read_git_commits(shas: list[str], repo: Path, batch: int = 256) -> Iterator[SourceItem]:
    """
    The given commits, in the given order, each as a contribution.

    Commits are read in batches; a batch that git cannot finish (an object missing from a
    partial clone) is split until the unreadable commits are isolated and skipped.
    """
    for start in range(0, len(shas), batch):
        yield from _read_batch(shas[start : start + batch], repo)


def _read_batch(shas: list[str], repo: Path) -> Iterator[SourceItem]:
    command = _log_command(repo, "--no-walk=unsorted", "--stdin")
    done = subprocess.run(
        command, input="\n".join(shas).encode() + b"\n", capture_output=True, check=False
    )
    if done.returncode == 0:
        for record in _records(io.BytesIO(done.stdout)):
            yield parse_record(record)
    elif len(shas) == 1:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        yield Skipped(shas[0], f"git cannot read this commit: {reason[-1] if reason else ''}")
    else:
        middle = len(shas) // 2
        yield from _read_batch(shas[:middle], repo)
        yield from _read_batch(shas[middle:], repo)


def _stream(
    revision_range: str,
    repo: Path,
    signatures: bool,
    options: RangeOptions,
    location: list[str],
) -> Iterator[bytes | Skipped]:
    command = _log_command(
        repo,
        "--reverse",
        *options.arguments(),
        "--end-of-options",
        revision_range,
        "--",
        signatures=signatures,
        location=location,
    )
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors) as process,
    ):
        assert process.stdout is not None
        yield from _records(process.stdout)
        if process.wait() != 0:
            errors.seek(0)
            lines = errors.read().decode("utf-8", "replace").strip().splitlines()
            # git stops at the first unreadable object (a partial clone, a corrupt pack):
            # say so, rather than let the commits after it vanish silently.
            yield Skipped(
                f"{repo}:{revision_range}",
                f"git log stopped early: {lines[-1] if lines else f'exit {process.returncode}'}",
            )


def _records(stream: IO[bytes]) -> Iterator[bytes]:
    """Cut the stream into per-commit records, scanning each byte only once."""
    buffer = bytearray()
    scanned = 0
    while block := stream.read(_BLOCK):
        buffer += block
        while True:
            following = buffer.find(_START, max(len(_START), scanned - len(_START)))
            if following == -1:
                scanned = len(buffer)
                break
            yield bytes(buffer[len(_START) : following])
            del buffer[:following]
            scanned = 0
    if buffer.startswith(_START):
        yield bytes(buffer[len(_START) :])


def parse_record(
    record: bytes, standing: Callable[[Identity], AuthorRecord] | None = None
) -> SourceItem:
    """
    One record of `git log` in our format, as a contribution (or why it cannot be one). With
    `standing`, the contribution carries its (mapped) author's record in the history before
    the range, set as it is built rather than copied in afterwards.
    """
    header, found, diff = record.partition(_END)
    fields = header.decode("utf-8", "replace").split("\x00", 10)
    if not found or len(fields) != 11:
        return Skipped("git", "unparseable git log record")
    sha, parents, author_name, author_email, date, committer_name, committer_email = fields[:7]
    mapped_name, mapped_email, signing_key, message = fields[7:]
    message = message.rstrip("\n")
    subject = message.split("\n", 1)[0]
    is_merge = len(parents.split()) > 1
    try:
        files = parse_diff(diff.decode("utf-8", "replace").split("\n"))
    except DiffError as error:
        return Skipped(sha, f"corrupt diff from git: {error}")
    author = Identity(name=author_name or None, email=author_email.lower() or None)
    # .mailmap says who this author really is; the canonical identity leads, the raw one is
    # kept as an alias so the ledger links both.
    mapped = Identity(name=mapped_name or None, email=mapped_email.lower() or None)
    commit = Commit(
        sha=sha,
        author=author,
        committer=Identity(name=committer_name or None, email=committer_email.lower() or None),
        subject=subject,
        message=message,
        trailers=parse_trailers(message),
        date=date or None,
        is_merge=is_merge,
        signing_key=signing_key.strip() or None,
    )
    branch = _MERGE_BRANCH.match(subject) if is_merge else None
    return Contribution(
        source=sha,
        id=sha,
        kind=SourceKind.COMMIT,
        title=subject,
        author=mapped,
        commits=(commit,),
        files=tuple(files),
        head_ref=(branch.group("pr") or branch.group("b")) if branch else None,
        created_at=date or None,
        state="merged",
        author_aliases=(author,) if author != mapped else (),
        author_record=standing(mapped) if standing is not None else None,
    )
