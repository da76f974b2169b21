"""In --git mode the policy and .mailmap come from the base of the range, never the branch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import GitRepo, run_cli

MAINT = "Maint Ainer <maint@example.org>"
AGENT = "Add feature\n\nCo-Authored-By: Claude <noreply@anthropic.com>"


def _hostile_branch(repo: GitRepo, db: str, capsys: pytest.CaptureFixture[str]) -> str:
    """main bans AI and vouches for its maintainer; `feature` tries to undo both."""
    base = repo.commit(
        "Adopt a policy", {".patchvet.toml": 'extends = "linux"\n[ai]\nstance = "ban"\n'},
        author=MAINT,
    )  # fmt: skip
    repo.git("branch", "-M", "main")
    assert run_cli(capsys, "check", "--git", "HEAD", "--repo", str(repo.path),
                   "--record", "--db", db, "--skip-unreadable")[0] in (0, 1)  # fmt: skip
    code, _, err = run_cli(capsys, "ledger", "vouch", "maint@example.org", "--reason", "maintainer",
                           "--db", db)  # fmt: skip
    assert code == 0, err
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit(
        "Relax the policy",
        {".patchvet.toml": 'extends = "default"\n',
         ".mailmap": "Maint Ainer <maint@example.org> <evil@example.org>\n"},
        author="Evil <evil@example.org>",
    )  # fmt: skip
    repo.commit(AGENT, {"feature.py": "print('hi')\n"}, author="Evil <evil@example.org>")
    return base


def test_the_branch_cannot_weaken_the_policy_or_borrow_an_identity(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    base = _hostile_branch(repo, db, capsys)
    # The feature branch is checked out: its .patchvet.toml and .mailmap are in the work tree.
    assert "default" in (repo.path / ".patchvet.toml").read_text()
    code, out, err = run_cli(
        capsys, "check", "--git", "main..feature", "--repo", str(repo.path),
        "--record", "--db", db, "--format", "json", "--fail-on", "hold",
    )  # fmt: skip
    assert code == 1, err
    report = json.loads(out)
    assert report["policy"]["extends"] == "linux"
    assert report["policy"]["origin"] == f"{base[:12]}:.patchvet.toml"
    agent_commit = report["contributions"][-1]
    assert agent_commit["author"]["email"] == "evil@example.org"
    found = {f["id"] for f in agent_commit["findings"]}
    assert "policy/ai-content" in found and "identity/vouched" not in found
    assert agent_commit["verdict"] == "hold"
    # Nothing from the branch's .mailmap reached the ledger.
    _, shown, _ = run_cli(capsys, "ledger", "show", "evil@example.org", "--db", db)
    assert "maint@example.org" not in shown and "vouch" not in shown


def test_text_header_says_where_the_policy_came_from(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _hostile_branch(repo, f"sqlite:///{tmp_path / 'l.db'}", capsys)
    _, out, _ = run_cli(capsys, "check", "--git", "main..feature", "--repo", str(repo.path))
    assert f"from {base[:12]}:.patchvet.toml" in out.splitlines()[0]
    _, out, _ = run_cli(capsys, "check", "--git", "feature", "--repo", str(repo.path))
    assert "has no base to read a policy from" in out.splitlines()[0]


def test_a_named_mailmap_is_used(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit(AGENT, {"feature.py": "x = 1\n"}, author="Evil <evil@example.org>")
    mailmap = tmp_path / "trusted.mailmap"
    mailmap.write_text("Known Person <known@example.org> <evil@example.org>\n", encoding="utf-8")
    argv = ["check", "--git", "HEAD~1..HEAD", "--repo", str(repo.path), "--format", "json"]
    _, out, _ = run_cli(capsys, *argv)
    assert json.loads(out)["contributions"][0]["author"]["email"] == "evil@example.org"
    _, out, _ = run_cli(capsys, *argv, "--mailmap", str(mailmap))
    assert json.loads(out)["contributions"][0]["author"]["email"] == "known@example.org"
    code, _, err = run_cli(capsys, *argv, "--mailmap", str(tmp_path / "none"))
    assert code == 2 and "no such file" in err


def test_preset_names_and_file_paths_are_distinct(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "linux").write_text('name = "local file"\n', encoding="utf-8")
    code, out, _ = run_cli(capsys, "policy", "show", "linux", "--format", "json")
    assert code == 0 and json.loads(out)["name"] == "linux"
    assert json.loads(out)["signoff"]["required"] is True
    code, out, _ = run_cli(capsys, "policy", "show", "./linux", "--format", "json")
    assert code == 0 and json.loads(out)["name"] == "local file"
    (tmp_path / "mine").write_text('name = "mine"\n', encoding="utf-8")
    code, _, err = run_cli(capsys, "policy", "show", "mine")
    assert code == 2 and "unknown policy preset 'mine'" in err and "--policy ./mine" in err
