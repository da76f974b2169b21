"""Exit codes users can trust: an input that cannot be read never passes silently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import GitRepo, run_cli

SIGNED = "Fix\n\nSigned-off-by: Jane Doe <jane@example.org>"


def _patch(repo: GitRepo, tmp_path: Path) -> bytes:
    repo.commit(SIGNED, {"a.c": "int a;\nint b;\nint c;\n"})
    return repo.git("format-patch", "--stdout", "HEAD~1")


def _hostile(name: str, patch: bytes, tmp_path: Path) -> Path:
    """The real shapes from the hostile-input campaign (issue 16), made from a real patch."""
    shapes = {
        "missing": None,
        "not-a-patch": b"Hello,\n\nthis is a letter, not a patch.\n",
        "nul-in-added-line": patch.replace(b"+int b;", b"+int b;\x00"),
        "lying-hunk": patch.replace(b"@@ -0,0 +1,3 @@", b"@@ -0,0 +1,7 @@"),
        "truncated-hunk": patch[: patch.index(b"+int b;")],
        "damaged-hunk-header": patch.replace(b"@@ -0,0 +1,3 @@", b"@@ -0,0 +1,three @@"),
        "damaged-diff-header": patch.replace(b"diff --git", b"dif --git").replace(
            b"--- /dev/null", b"-- /dev/null"
        ),
    }
    target = tmp_path / f"{name}.patch"
    content = shapes[name]
    if content is not None:
        assert content != patch
        target.write_bytes(content)
    return target


SHAPES = [
    "missing", "not-a-patch", "nul-in-added-line", "lying-hunk", "truncated-hunk",
    "damaged-hunk-header", "damaged-diff-header",
]  # fmt: skip


@pytest.mark.parametrize("shape", SHAPES)
def test_unreadable_input_is_an_error(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], shape: str
) -> None:
    patch = _patch(repo, tmp_path)
    good = tmp_path / "good.patch"
    good.write_bytes(patch)
    bad = str(_hostile(shape, patch, tmp_path))
    base = ["check", str(good), bad, "--format", "json", "--fail-on", "flag"]

    code, out, err = run_cli(capsys, *base)
    assert code == 2, err
    report = json.loads(out)
    assert len(report["contributions"]) == 1  # the good one is still judged and shown
    assert [s["source"] for s in report["skipped"]] == [bad]
    assert "1 input could not be read or held no patch" in err
    assert "--skip-unreadable" in err and "Traceback" not in err

    code, out, err = run_cli(capsys, *base, "--skip-unreadable")
    assert code == 0, err
    assert json.loads(out)["skipped"][0]["source"] == bad

    code, _, _ = run_cli(capsys, *base, "--skip-unreadable", "--fail-on-skipped")
    assert code == 1


def test_replies_in_a_mailbox_are_not_errors(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patch = _patch(repo, tmp_path)
    reply = (
        b"From nobody Mon Sep 17 00:00:00 2001\nFrom: Max <max@example.org>\n"
        b"Subject: Re: [PATCH] Fix\n\nLooks good to me.\n"
    )
    mbox = tmp_path / "thread.mbox"
    mbox.write_bytes(patch + b"\n" + reply)
    code, out, err = run_cli(capsys, "check", str(mbox), "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert len(report["contributions"]) == 1
    assert report["skipped"][0]["source"] == f"{mbox}#2"
    # Alone, the same reply holds no patch: that is an error.
    alone = tmp_path / "reply.eml"
    alone.write_bytes(reply)
    assert run_cli(capsys, "check", str(alone))[0] == 2
