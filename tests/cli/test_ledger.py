from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from patchvet.cli import main
from patchvet.ledger import open_ledger
from tests.helpers import GitRepo
from tests.ledger.test_accounts import READING
from tests.ledger.test_ledger import pr, run


def test_record_show_vouch_import(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'l.db'}"
    repo.commit("Add a", {"a.txt": "a\n"}, author="Ann <ann@example.org>")
    repo.commit("Add b", {"b.txt": "b\n"}, author="Ann <ann@example.org>")
    assert (
        main(
            [
                "check",
                "--git",
                "HEAD~2..HEAD",
                "--repo",
                str(repo.path),
                "--record",
                "--db",
                db,
                "--format",
                "json",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["ledger", "show", "ann@example.org", "--db", db]) == 0
    shown = capsys.readouterr().out
    assert "email   ann@example.org" in shown and "contributions 2" in shown
    assert (
        main(
            ["ledger", "denounce", "ann@example.org", "--reason", "spam", "--by", "Max", "--db", db]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["ledger", "show", "ann@example.org", "--db", db]) == 0
    assert "denounce by Max" in capsys.readouterr().out
    listed = tmp_path / "VOUCHED.td"
    listed.write_text("# vouched\nalice\n-mallory slingshotting LLM output\nbad:x\n")
    assert main(["ledger", "import", str(listed), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "imported 1 vouched and 1 denounced" in out and "skipped" in out
    assert main(["ledger", "show", "mallory", "--db", db]) == 0
    assert "slingshotting LLM output" in capsys.readouterr().out


def test_default_ledger_lives_in_the_git_dir(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--git", "HEAD", "--repo", str(repo.path), "--record"]) == 0
    assert (repo.path / ".git" / "patchvet" / "ledger.db").is_file()


def test_bad_ledger_url_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ledger", "show", "x", "--db", "mysql://nope"]) == 2
    assert "unsupported ledger URL" in capsys.readouterr().err


def test_young_account_from_saved_user(
    assets: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    github = assets / "github"
    code = main(
        [
            "check",
            "--github-event",
            str(github / "pull_request.opened.json"),
            "--github-user",
            str(github / "users-jdoe.json"),
            "--db",
            f"sqlite:///{tmp_path / 'l.db'}",
            "--format",
            "json",
        ]
    )
    assert code == 0
    import json

    [item] = json.loads(capsys.readouterr().out)["contributions"]
    young = [f for f in item["findings"] if f["id"] == "identity/young-account"]
    assert young and "created 7 days before" in young[0]["message"]


def test_show_gives_the_account_as_it_looked_at_each_contribution(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'l.db'}"
    ledger = open_ledger(db)
    try:
        item = dataclasses.replace(pr(1, "burst1", 4242, "2026-11-01T09:55:00Z"), account=READING)
        run(ledger, [item])
    finally:
        ledger.close()
    assert main(["ledger", "show", "@burst1", "--db", db]) == 0
    shown = capsys.readouterr().out
    assert "account at acme/app#1 (2026-11-01): automation 85/100 as of 2026-11-01" in shown
    assert "90 public events, created 2026-10-26" in shown
    assert "pull requests to many repositories within a day (+40)" in shown
