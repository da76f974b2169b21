"""
Commits of a revision range in a local repository, one contribution each, oldest first.

One `git log -p` process streams every commit; records are cut on a NUL-framed marker (git
never prints NUL inside a textual diff), so a 10,000-commit range is read in constant memory.
git starts as soon as the range is asked for, and a thread keeps its pipe drained into a
bounded queue, so git works while this process checks the range, loads the policy, starts
workers or waits on them. Nothing from the repository is executed: external diff drivers and
textconv are disabled.
"""

from __future__ import annotations

import contextlib
import io
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

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
_BLOCK = 1 << 18
_AHEAD = 64
"""Blocks of git's output read ahead of the records asked for (at most 16 MiB)."""
_PIPE_BYTES = 1 << 20
"""The pipe from git asked for (Linux's limit for unprivileged processes): room to wait in."""
_LONGEST_PAUSE = 0.02
"""The longest wait, in seconds, for git to write more once its pipe is drained."""


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)


def _git_dir(repo: Path) -> str:
    """The repository's git directory, absolute; a folder that is none is a usage error."""
    if not repo.is_dir():
        raise SourceError(f"{repo} is not a directory", hint="pass --repo PATH to a git repository")
    found = _git(repo, "rev-parse", "--absolute-git-dir")
    if found.returncode != 0:
        raise SourceError(f"{repo} is not a git repository", hint="pass --repo PATH to a clone")
    return found.stdout.decode("utf-8", "surrogateescape").strip()


def _check_range(repo: Path, revision_range: str) -> None:
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
) -> Generator[bytes | Skipped, None, None]:
    """
    `read_git_range` before parsing: each commit as its raw `git log` record for
    `parse_record`, so that parsing can happen in other processes. Closing the generator
    before its end stops git.
    """
    if options.max_count is not None and options.max_count < 1:
        raise SourceError(
            f"-n must be at least 1, not {options.max_count}", hint="e.g. -n 500 for the newest 500"
        )
    location = _location(_git_dir(repo), mailmap or Mailmap())
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
    # git walks the range (all of it, for --reverse) while the range is checked here and the
    # caller goes on setting up; a bad range stops it before any output.
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - the stream closes it, or we do below
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
    try:
        _check_range(repo, revision_range)
    except BaseException:
        _stop(process)
        errors.close()
        raise
    stream = _stream(process, errors, f"{repo}:{revision_range}")
    next(stream)  # start draining git now; from here, closing or dropping the stream stops git
    return stream


def _trusted_location(repo: Path, mailmap: Mailmap) -> list[str]:
    """
    git options that read the repository but no file of its working tree: git always reads
    `.mailmap` from the working directory, so it runs inside the git directory (which no
    commit can write to) and is told the mailmap to use.
    """
    return _location(_git_dir(repo), mailmap)


def _location(git_dir: str, mailmap: Mailmap) -> list[str]:
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


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()
    if process.stdout is not None:
        process.stdout.close()


def _stream(
    process: subprocess.Popen[bytes], errors: IO[bytes], where: str
) -> Generator[bytes | Skipped, None, None]:
    """git's records, after one empty item that `read_git_records` takes to start the reader."""
    assert process.stdout is not None
    drained = _Drained(process.stdout)
    try:
        yield b""
        yield from _records(drained)
        if process.wait() != 0:
            errors.seek(0)
            lines = errors.read().decode("utf-8", "replace").strip().splitlines()
            # git stops at the first unreadable object (a partial clone, a corrupt pack):
            # say so, rather than let the commits after it vanish silently.
            yield Skipped(
                where,
                f"git log stopped early: {lines[-1] if lines else f'exit {process.returncode}'}",
            )
    finally:
        # A reader that stops early (an error, a closed report pipe) stops git too; the thread
        # then sees the end of the pipe, and only after it has gone is the pipe closed.
        if process.poll() is None:
            process.kill()
        drained.close()
        _stop(process)
        errors.close()


class _Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


class _Drained:
    """
    A pipe read by a thread into a bounded queue: the writer (git) never waits for this process
    to ask, only for it to fall `_AHEAD` blocks behind. `read` gives the blocks in order.

    git writes a few KiB at a time. Read as soon as each piece arrives, a commit cost several
    reads, queue hand-overs and thread switches (half a second of CPU over 10,000 commits, a
    third of all the main process did). So the pipe is enlarged, and once a read has drained
    it the thread waits for git to fill about half of it, at the pace git kept since the last
    drain (at most `_LONGEST_PAUSE`). A pipe found full shows a pace at least twice the one
    the wait assumed, so the next wait is at most half as long: git is held up only while its
    pace jumps, and only for a wait or two.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._blocks: queue.Queue[bytes] = queue.Queue(_AHEAD)
        self._closed = threading.Event()
        self._thread = threading.Thread(
            target=self._pump, args=(stream.fileno(),), name="patchvet-git-reader", daemon=True
        )
        self._thread.start()

    def _pump(self, fd: int) -> None:
        room = _pipe_bytes(fd) / 2
        since = time.monotonic()
        taken = 0  # bytes read since the last drain
        block = b"-"
        try:
            while block and not self._closed.is_set():
                block = os.read(fd, _BLOCK)  # what is there, up to a block: no waiting to fill
                self._blocks.put(block)
                taken += len(block)
                if 0 < len(block) < _BLOCK:  # drained: wait for git to fill half the pipe
                    now = time.monotonic()
                    pace = taken / max(now - since, 1e-6)
                    self._closed.wait(min(_LONGEST_PAUSE, room / max(pace, 1.0)))
                    since, taken = now, 0
        except OSError:  # reading a pipe fails only if it is broken: end the stream there
            self._blocks.put(b"")

    def read(self, size: int = _BLOCK, /) -> bytes:
        """The next block (of any size); b"" at the end."""
        return self._blocks.get()

    def close(self) -> None:
        """Stop the thread; the writer must have ended (or been killed) first."""
        self._closed.set()
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):  # unblock a full queue's `put`
                while True:
                    self._blocks.get_nowait()
            self._thread.join(0.01)


def _pipe_bytes(fd: int) -> int:
    """Enlarge the pipe `fd` reads to `_PIPE_BYTES` where the system allows; its size now."""
    if sys.platform.startswith("linux"):
        import fcntl  # Linux-only requests

        with contextlib.suppress(OSError, AttributeError):
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
        with contextlib.suppress(OSError, AttributeError):
            return int(fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ))
    return 1 << 16  # the usual size elsewhere


def _records(stream: _Readable) -> Iterator[bytes]:
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
