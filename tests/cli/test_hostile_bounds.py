"""Numbers, ids, nesting and paths from hostile data or typos: one-line errors, no crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import GitRepo, run_cli

GITHUB = Path(__file__).parents[1] / "assets" / "github"


def _event(tmp_path: Path, change: Any) -> Path:
    event = json.loads((GITHUB / "pull_request.opened.json").read_text("utf-8"))
    change(event)
    target = tmp_path / "event.json"
    target.write_text(json.dumps(event), encoding="utf-8")
    return target


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif"])
def test_fixes_with_5000_digits_does_not_crash_any_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    def body(event: dict[str, Any]) -> None:
        event["pull_request"]["body"] = "Fixes #" + "9" * 5000 + "\n\nFixes #17"

    code, out, err = run_cli(
        capsys, "check", "--github-event", str(_event(tmp_path, body)), "--format", fmt
    )
    assert code == 0, err
    assert "Traceback" not in err and out


def test_json_nested_100000_deep_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, out, err = run_cli(capsys, "check", "--github-event", str(deep))
    assert code == 2 and out == ""
    assert "nested too deeply" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_5000_digit_number_in_json_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = tmp_path / "huge.json"
    huge.write_text('{"pull_request": {"number": ' + "7" * 5000 + "}}", encoding="utf-8")
    code, _, err = run_cli(capsys, "check", "--github-event", str(huge))
    assert code == 2 and "not valid JSON" in err and "Traceback" not in err


def test_a_github_id_of_10_to_the_30_is_refused_before_the_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def huge_id(event: dict[str, Any]) -> None:
        event["pull_request"]["user"]["id"] = 10**30

    db = tmp_path / "ledger.db"
    code, out, err = run_cli(
        capsys, "check", "--github-event", str(_event(tmp_path, huge_id)),
        "--record", "--db", f"sqlite:///{db}",
    )  # fmt: skip
    assert code == 2 and out == ""
    assert "pull_request.user.id" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("missing-dir/report.json", "does not exist"),
        (".", "is a directory"),
        ("/dev/full", "cannot write: No space left on device"),
    ],
)
def test_output_path_errors_are_one_line(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str, message: str
) -> None:
    code, out, err = run_cli(
        capsys, "check", "--git", "HEAD", "--repo", str(repo.path), "-o", str(tmp_path / target)
    )
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--github-event", "{tmp}"],
        ["--github-event", "{tmp}/nope.json"],
        ["x.patch", "--policy", "{tmp}/nope.toml"],
        ["x.patch", "--policy", "{tmp}"],
        ["--git", "HEAD", "--repo", "{tmp}/nope"],
    ],
)
def test_every_path_a_user_types_gets_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run_cli(capsys, "check", *(a.format(tmp=tmp_path) for a in argv))
    assert code == 2 and out == ""
    assert err.startswith("patchvet: error:") and "Traceback" not in err


@pytest.mark.parametrize("spec", ["1" + "0" * 30, "9" * 5000])
def test_a_huge_numeric_id_typed_for_the_ledger_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spec: str
) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    for argv in (["vouch", spec, "--reason", "x"], ["show", spec]):
        code, _, err = run_cli(capsys, "ledger", *argv, "--db", db)
        assert code == 2 and "is not a GitHub id" in err and "Traceback" not in err


def test_a_db_path_in_a_missing_directory_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'typo' / 'deeper' / 'ledger.db'}"
    code, out, err = run_cli(capsys, "ledger", "show", "ann@example.org", "--db", db)
    assert code == 2 and out == ""
    assert err.startswith("patchvet: error:") and "is not a directory" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2
    assert not (tmp_path / "typo").exists()
