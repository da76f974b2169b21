"""AI use stated in a cover letter or below `---` applies to the whole series."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import GitRepo, run_cli

SIGNED = "\n\nSigned-off-by: Jane Doe <jane@example.org>"


def _series(repo: GitRepo, out: Path, blurb: str) -> Path:
    repo.commit("hw: add a device" + SIGNED, {"hw/dev.c": "int dev(void);\n"})
    repo.commit("hw: wire the device" + SIGNED, {"hw/board.c": "int board(void);\n"})
    repo.git("format-patch", "-q", "--cover-letter", "-o", str(out), "HEAD~2")
    mbox = out / "series.mbox"
    parts = []
    for path in sorted(out.glob("*.patch")):
        text = path.read_text(encoding="utf-8")
        parts.append(
            text.replace("*** SUBJECT HERE ***", "A device").replace("*** BLURB HERE ***", blurb)
        )
    mbox.write_text("".join(parts), encoding="utf-8")
    return mbox


def test_qemu_rejects_every_patch_of_a_series_whose_cover_letter_says_claude_drafted_it(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mbox = _series(repo, tmp_path, "Adds a device.\n\nParts of it were drafted with Claude Code.")
    code, out, _ = run_cli(capsys, "check", str(mbox), "--policy", "qemu", "--format", "json")
    report = json.loads(out)
    assert [c["verdict"] for c in report["contributions"]] == ["reject", "reject"]
    evidence = [f["evidence"] for f in report["contributions"][0]["findings"]]
    assert "Parts of it were drafted with Claude Code." in evidence
    assert report["series"][0]["verdict"] == "reject"
    assert code == 1


def test_the_same_series_without_the_statement_passes_qemu(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mbox = _series(repo, tmp_path, "Adds a device, tested on real hardware.")
    code, out, _ = run_cli(capsys, "check", str(mbox), "--policy", "qemu", "--format", "json")
    assert code == 0
    assert {c["verdict"] for c in json.loads(out)["contributions"]} == {"pass"}


def test_a_statement_in_the_notes_below_the_marker_is_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patch = tmp_path / "0001.patch"
    patch.write_text(
        "From: Jane Doe <jane@example.org>\nSubject: [PATCH] hw: fix\n\nFix it." + SIGNED
        + "\n---\nv2: rebased.\nI used ChatGPT to write the test.\n\n"
        " hw/dev.c | 1 +\n 1 file changed, 1 insertion(+)\n\n"
        "diff --git a/hw/dev.c b/hw/dev.c\n--- a/hw/dev.c\n+++ b/hw/dev.c\n"
        "@@ -1 +1,2 @@\n int dev(void);\n+int more(void);\n",
        encoding="utf-8",
    )  # fmt: skip
    code, out, _ = run_cli(capsys, "check", str(patch), "--policy", "linux", "--format", "json")
    (item,) = json.loads(out)["contributions"]
    ids = {f["id"] for f in item["findings"]}
    assert {"disclosure/present", "disclosure/wrong-form"} <= ids
    assert code == 0
