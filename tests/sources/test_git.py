from __future__ import annotations

import gc
import os
import threading
import time
from pathlib import Path

import pytest

from patchvet.errors import SourceError
from patchvet.records import Contribution, Skipped
from patchvet.sources import RangeOptions, read_git_range
from patchvet.sources.git import _PIPE_BYTES, Mailmap, _pipe_bytes, parse_record, read_git_records
from tests.helpers import GitRepo


def test_range_yields_commits_oldest_first(repo: GitRepo) -> None:
    first = repo.commit(
        "Add parser\n\nSigned-off-by: Jane Doe <jane@example.org>",
        {"parser.py": "def parse():\n    return 1\n"},
    )
    second = repo.commit(
        "Tweak parser",
        {"parser.py": "def parse():\n    return 2\n"},
        author="Bob <BOB@Example.org>",
    )
    items = list(read_git_range("HEAD~2..HEAD", repo.path))
    assert [item.source for item in items] == [first, second]
    one, two = items
    assert isinstance(one, Contribution) and isinstance(two, Contribution)
    assert one.commits[0].trailers[0].value == "Jane Doe <jane@example.org>"
    assert one.files[0].additions == 2
    assert two.author.email == "bob@example.org"
    assert (two.files[0].additions, two.files[0].deletions) == (1, 1)


def test_binary_and_unicode_paths(repo: GitRepo) -> None:
    repo.commit("Add assets", {"data/blob.bin": bytes(range(256)), "docs/café.md": "é\n"})
    [item] = list(read_git_range("HEAD~1..HEAD", repo.path))
    assert isinstance(item, Contribution)
    files = {f.path: f for f in item.files}
    assert files["data/blob.bin"].binary
    assert files["docs/café.md"].added_lines[0].text == "é"


def test_merge_commit_carries_branch_name(repo: GitRepo) -> None:
    repo.git("checkout", "-q", "-b", "copilot/fix-123")
    repo.commit("Fix it", {"a.txt": "a\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("Other", {"b.txt": "b\n"})
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge pull request #5 from someone/copilot/fix-123",
        "copilot/fix-123",
    )
    merges = RangeOptions(merges=True)
    items = [
        i
        for i in read_git_range("HEAD~1..HEAD", repo.path, options=merges)
        if isinstance(i, Contribution)
    ]
    merge = next(i for i in items if i.commits[0].is_merge)
    assert merge.head_ref == "copilot/fix-123"


def test_bad_range_is_a_usage_error(repo: GitRepo) -> None:
    with pytest.raises(SourceError, match="cannot read the range"):
        read_git_range("no-such-ref..HEAD", repo.path)


def test_option_shaped_range_is_not_an_option(repo: GitRepo) -> None:
    with pytest.raises(SourceError):
        read_git_range("--output=/tmp/x", repo.path)


def test_not_a_repository(tmp_path: object) -> None:
    with pytest.raises(SourceError, match="not a git repository"):
        read_git_range("HEAD", Path(str(tmp_path)))


def test_unreadable_object_is_reported_not_dropped(repo: GitRepo) -> None:
    repo.commit("Add big file", {"big.txt": "x\n" * 10})
    repo.commit("Later", {"later.txt": "y\n"})
    blob = repo.git("rev-parse", "HEAD~1:big.txt").decode().strip()
    (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    items = list(read_git_range("HEAD~2..HEAD", repo.path))
    assert isinstance(items[-1], Skipped)
    assert "git log stopped early" in items[-1].reason
    assert "unable to read" in items[-1].reason


def test_mailmap_canonical_author_with_raw_alias(repo: GitRepo) -> None:
    base = repo.commit("Map", {".mailmap": "Jane Doe <jane@example.org> <jd@old.example>\n"})
    repo.commit("Old address", {"x.txt": "x\n"}, author="J D <jd@old.example>")
    [raw] = list(read_git_range("HEAD~1..HEAD", repo.path))  # no mailmap named: none applies
    assert isinstance(raw, Contribution) and raw.author.email == "jd@old.example"
    [item] = list(read_git_range("HEAD~1..HEAD", repo.path, mailmap=Mailmap(f"{base}:.mailmap")))
    assert isinstance(item, Contribution)
    assert item.author.email == "jane@example.org"
    assert [alias.email for alias in item.author_aliases] == ["jd@old.example"]
    assert item.state == "merged" and item.created_at is not None


def _merged_history(repo: GitRepo) -> tuple[str, str, str]:
    """main: A, then a merge of a branch holding B and C (15 added lines in all)."""
    a = repo.commit("A", {"a.txt": "a\n"})
    repo.git("checkout", "-q", "-b", "topic")
    b = repo.commit("B", {"b.txt": "b\n" * 5})
    repo.commit("C", {"c.txt": "c\n" * 10})
    repo.git("checkout", "-q", "main")
    repo.commit("D", {"d.txt": "d\n"})
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'topic'", "topic")
    return a, b, repo.git("rev-parse", "HEAD").decode().strip()


def _subjects(items: list[Contribution | Skipped]) -> list[str]:
    return [item.title for item in items if isinstance(item, Contribution)]


def test_merges_are_skipped_unless_asked_for(repo: GitRepo) -> None:
    a, _, _ = _merged_history(repo)
    assert _subjects(list(read_git_range(f"{a}..HEAD", repo.path))) == ["B", "C", "D"]
    with_merges = list(read_git_range(f"{a}..HEAD", repo.path, options=RangeOptions(merges=True)))
    assert _subjects(with_merges) == ["B", "C", "D", "Merge branch 'topic'"]


def test_first_parent_judges_a_merge_as_the_change_it_brought(repo: GitRepo) -> None:
    a, _, merge = _merged_history(repo)
    mainline = RangeOptions(merges=True, first_parent=True)
    items = list(read_git_range(f"{a}..HEAD", repo.path, options=mainline))
    assert _subjects(items) == ["D", "Merge branch 'topic'"]
    merged = items[-1]
    assert isinstance(merged, Contribution) and merged.id == merge
    assert sum(f.additions for f in merged.files) == 15
    only_direct = RangeOptions(first_parent=True)
    assert _subjects(list(read_git_range(f"{a}..HEAD", repo.path, options=only_direct))) == ["D"]


def test_max_count_keeps_the_newest_oldest_first(repo: GitRepo) -> None:
    for name in ("X", "Y", "Z"):
        repo.commit(name, {f"{name}.txt": "x\n"})
    newest = list(read_git_range("HEAD", repo.path, options=RangeOptions(max_count=2)))
    assert _subjects(newest) == ["Y", "Z"]
    with pytest.raises(SourceError, match="at least 1"):
        read_git_range("HEAD", repo.path, options=RangeOptions(max_count=0))


def _git_children() -> list[int]:
    """This process's `git` children still running (not zombies), from /proc."""
    found = []
    for task in Path("/proc/self/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                stat = Path(f"/proc/{child}/stat").read_text()
            except OSError:
                continue
            name, state = stat.split("(", 1)[1].rsplit(")", 1)
            if name == "git" and state.split()[0] != "Z":
                found.append(int(child))
    return found


def _wait_for_no_git(seconds: float = 30.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (running := _git_children()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return running


LINUX_PROC = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")


@LINUX_PROC
def test_git_runs_ahead_of_the_reader_and_every_record_arrives(repo: GitRepo) -> None:
    # About 1.2 MB of `git log -p` output, far more than a pipe holds: git can only finish
    # before anyone asks for a record if the stream drains its pipe by itself.
    shas = [
        repo.commit(f"Add table {n}", {f"table{n}.c": f"int t{n}[] = {{{n}}};\n" * 4000})
        for n in range(10)
    ]
    records = read_git_records("HEAD~10..HEAD", repo.path)
    assert _wait_for_no_git() == [], "git waited for the reader"
    # Nothing can be read from the repository any more: every record is already here.
    (repo.path / ".git").rename(repo.path / "moved-away")
    read = list(records)
    assert [record[:40].decode() for record in read if isinstance(record, bytes)] == shas
    items = [parse_record(record) for record in read if isinstance(record, bytes)]
    assert all(isinstance(item, Contribution) for item in items)
    assert [item.files[0].additions for item in items if isinstance(item, Contribution)] == [
        4000
    ] * 10


@LINUX_PROC
def test_the_pipe_from_git_is_enlarged_to_hold_what_git_writes_while_the_reader_waits() -> None:
    limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    reading, writing = os.pipe()
    try:
        assert _pipe_bytes(reading) == (
            _PIPE_BYTES if limit >= _PIPE_BYTES or os.geteuid() == 0 else 1 << 16
        )
    finally:
        os.close(reading)
        os.close(writing)


@LINUX_PROC
def test_a_stream_dropped_unread_or_half_read_stops_git(repo: GitRepo) -> None:
    for n in range(3):
        repo.commit(f"Add {n}", {f"f{n}.txt": "x\n" * 200_000})  # 1.2 MB of diff
    unread = read_git_records("HEAD~3..HEAD", repo.path)
    del unread
    gc.collect()
    assert _wait_for_no_git() == []
    half = read_git_records("HEAD~3..HEAD", repo.path)
    next(half)
    half.close()  # what a check that stops early (a closed report pipe) does
    assert _wait_for_no_git() == []
    threads = [t for t in threading.enumerate() if t.name == "patchvet-git-reader"]
    assert threads == []


def test_bad_range_leaves_no_git_running(repo: GitRepo) -> None:
    with pytest.raises(SourceError, match="cannot read the range"):
        read_git_records("no-such-ref..HEAD", repo.path)
    if Path("/proc/self/task").is_dir():
        assert _wait_for_no_git() == []
