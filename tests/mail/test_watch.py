"""`patchvet watch`: every new series judged once, across restarts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import GitRepo, run_cli
from tests.mail.inbox import Inbox, format_series, message_id

SIGNED = "\n\nSigned-off-by: Jane Doe <jane@example.org>"


def _two_threads(repo: GitRepo, tmp_path: Path, inbox: Inbox) -> tuple[list[str], list[bytes]]:
    """A two-patch v1 series (patch 2 unsigned) and a lone patch: their ids, and v1's mails."""
    repo.commit("net: add a helper" + SIGNED, {"net/helper.c": "int h(void);\n"})
    repo.commit("net: use the helper", {"net/user.c": "int u(void);\n"})  # no sign-off
    v1 = format_series(repo, tmp_path / "a", 2, 1, "Helpers\n\nTwo.")
    first = inbox.add_thread(v1)
    repo.commit("doc: fix a typo" + SIGNED, {"README": "hello, world\n"})
    out = tmp_path / "b"
    repo.git("format-patch", "-q", "--thread", "-o", str(out), "HEAD~1")
    (single,) = sorted(out.iterdir())
    lone = single.read_text(encoding="utf-8").split("\n", 1)[1].encode()
    second = inbox.add_thread([lone])
    return [first[0], second[0]], v1


def _watch(capsys: pytest.CaptureFixture[str], inbox: Inbox, tmp_path: Path,
           *extra: str) -> list[str]:  # fmt: skip
    code, out, err = run_cli(capsys, "watch", "--inbox", inbox.url, "--policy", "linux",
                             "--state", str(tmp_path / "state.json"),
                             "--replies", str(tmp_path / "replies"), *extra)  # fmt: skip
    assert code == 0, err
    return [line for line in out.splitlines() if not line.startswith("  ")]


def test_each_series_is_judged_once_and_new_revisions_again(
    repo: GitRepo, tmp_path: Path, inbox: Inbox, capsys: pytest.CaptureFixture[str]
) -> None:
    threads, v1 = _two_threads(repo, tmp_path, inbox)
    judged = _watch(capsys, inbox, tmp_path, "--once")
    assert len(judged) == 2
    assert judged[0].startswith(threads[0]) and "v1, 2 patches: HOLD" in judged[0]
    assert judged[1].startswith(threads[1]) and "doc: fix a typo · PASS" in judged[1]
    assert [p.name for p in (tmp_path / "replies").iterdir()] == [f"{threads[0]}.mbox"]
    assert _watch(capsys, inbox, tmp_path, "--once") == []  # nothing new

    repo.git("reset", "-q", "--hard", "HEAD~2")
    repo.commit("net: use the helper" + SIGNED, {"net/user.c": "int u(void);\n"})
    v2 = format_series(repo, tmp_path / "v2", 2, 2, "Helpers\n\nSigned now.",
                       in_reply_to=threads[0])  # fmt: skip
    inbox.add_thread([*v1, *v2])  # one thread, as the archive has it
    (line,) = _watch(capsys, inbox, tmp_path, "--once")
    assert "v2, 2 patches: PASS" in line and "since v1: -signoff/missing" in line
    state = json.loads((tmp_path / "state.json").read_text())
    assert message_id(v2[1]) in state["judged"]


def test_a_restart_loses_and_duplicates_nothing(
    repo: GitRepo, tmp_path: Path, inbox: Inbox, capsys: pytest.CaptureFixture[str]
) -> None:
    threads, _ = _two_threads(repo, tmp_path, inbox)
    first = _watch(capsys, inbox, tmp_path, "--limit", "1")  # stopped after one series
    second = _watch(capsys, inbox, tmp_path, "--once")  # restarted
    third = _watch(capsys, inbox, tmp_path, "--once")
    judged = [line.split(":", 1)[0] for line in first + second + third]
    assert sorted(judged) == sorted(threads)
    assert third == []


def test_an_unreachable_inbox_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "watch", "--inbox", "http://127.0.0.1:9/list", "--once",
                           "--state", str(tmp_path / "s.json"))  # fmt: skip
    assert code == 2 and err.startswith("patchvet: error: cannot fetch")
