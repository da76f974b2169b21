from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from tests.helpers import GitRepo, run_cli

AGENT_MESSAGE = "Add feature\n\nCo-Authored-By: Claude <noreply@anthropic.com>"


def test_check_git_range_json(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit(AGENT_MESSAGE, {"feature.py": "print('hi')\n"})
    code, out, err = run_cli(
        capsys, "check", "--git", "HEAD~1..HEAD", "--repo", str(repo.path), "--format", "json"
    )
    assert code == 0, err
    report = json.loads(out)
    [item] = report["contributions"]
    assert item["verdict"] == "flag"
    assert report["policy"]["name"] == "default"


def test_fail_on_sets_exit_code(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit(AGENT_MESSAGE, {"feature.py": "print('hi')\n"})
    base = ["check", "--git", "HEAD~1..HEAD", "--repo", str(repo.path)]
    assert run_cli(capsys, *base, "--fail-on", "flag")[0] == 1
    assert run_cli(capsys, *base, "--fail-on", "hold")[0] == 0
    assert run_cli(capsys, *base, "--policy", "qemu")[0] == 1  # qemu rejects


def test_project_policy_is_read_from_the_repository(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("Add policy", {".patchvet.toml": 'extends = "gentoo"\n'})
    repo.commit(AGENT_MESSAGE, {"feature.py": "print('hi')\n"})
    code, out, _ = run_cli(
        capsys, "check", "--git", "HEAD~1..HEAD", "--repo", str(repo.path), "--format", "json"
    )
    assert code == 1
    assert json.loads(out)["policy"]["extends"] == "gentoo"


def test_files_directories_and_skips(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("Fix\n\nSigned-off-by: Jane Doe <jane@example.org>", {"a.c": "int a;\n"})
    patches = tmp_path / "patches"
    repo.git("format-patch", "-q", "-o", str(patches), "HEAD~1")
    (patches / "junk.patch").write_bytes(b"\x00\x01\x02garbage")
    code, out, err = run_cli(
        capsys,
        "check",
        str(patches),
        str(tmp_path / "missing.mbox"),
        "--format",
        "json",
        "--policy",
        "linux",
        "--skip-unreadable",
    )
    assert code == 0
    report = json.loads(out)
    assert len(report["contributions"]) == 1
    assert report["contributions"][0]["verdict"] == "pass"
    reasons = {Path(s["source"]).name: s["reason"] for s in report["skipped"]}
    assert reasons == {
        "junk.patch": "binary data, not a patch",
        "missing.mbox": "no such file or directory",
    }
    assert err.count("patchvet: skipped") == 2
    assert "Traceback" not in err


def test_stdin(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.commit(AGENT_MESSAGE, {"a.c": "int a;\n"})
    data = repo.git("format-patch", "--stdout", "HEAD~1")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run_cli(capsys, "check", "-", "--format", "markdown")
    assert code == 0
    assert "Claude Code" in out


def test_github_event(capsys: pytest.CaptureFixture[str], assets: Path) -> None:
    github = assets / "github"
    code, out, err = run_cli(
        capsys,
        "check",
        "--github-event",
        str(github / "pull_request.opened.json"),
        "--github-files",
        str(github / "pulls-files.pages.json"),
        "--github-commits",
        str(github / "pulls-commits.json"),
        "--format",
        "json",
    )
    assert code == 0, err
    [item] = json.loads(out)["contributions"]
    assert item["source"] == "example/widgets#42"
    found = {f["id"] for f in item["findings"]}
    assert {
        "agent-fingerprint/agent-branch",
        "agent-fingerprint/agent-footer",
        "agent-fingerprint/agent-trailer",
        "dependency/lookalike-name",
        "binary/added",
    } <= found
    assert item["verdict"] == "hold"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check"], "nothing to check"),
        (["check", "x.patch", "--policy", "no-such-preset"], "unknown policy preset"),
        (["check", "--git", "HEAD", "--repo", "/nonexistent"], "not a directory"),
        (["check", "--github-files", "f.json", "x.patch"], "need --github-event"),
        (["policy"], "needs an action"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert out == ""


def test_output_file(repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.sarif"
    code, out, _ = run_cli(
        capsys,
        "check",
        "--git",
        "HEAD",
        "--repo",
        str(repo.path),
        "--format",
        "sarif",
        "-o",
        str(target),
    )
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"


def test_git_range_options_reach_git(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    base = repo.git("rev-parse", "HEAD").decode().strip()
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("On topic", {"t.txt": "t\n" * 4})
    repo.git("checkout", "-q", "main")
    repo.commit("On main", {"m.txt": "m\n"})
    repo.git("merge", "-q", "--no-ff", "-m", "Merge topic", "topic")

    def titles(*extra: str) -> list[str]:
        argv = ["check", "--repo", str(repo.path), "--git", f"{base}..HEAD", "--format", "json"]
        code, out, _ = run_cli(capsys, *argv, *extra)
        assert code == 0
        return sorted(c["title"] for c in json.loads(out)["contributions"])

    assert titles() == ["On main", "On topic"]
    assert titles("--merges") == ["Merge topic", "On main", "On topic"]
    assert titles("--first-parent", "--merges") == ["Merge topic", "On main"]
    assert titles("-n", "1", "--first-parent", "--merges") == ["Merge topic"]
