"""`patchvet calibrate` and `ledger verdict` through `main`, on real repositories and ledgers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from patchvet.ledger import open_ledger
from patchvet.ledger.corrections import LIKELIHOOD, correct, revoke
from patchvet.model.scorer import shipped_model
from patchvet.policy.loader import load_file
from tests.helpers import GitRepo, run_cli
from tests.ledger.conftest import ledger_url  # noqa: F401  (both engines)

AGENT_MESSAGE = (
    "Add comprehensive input validation for the configuration loader\n\n"
    "## Summary\n\nThis PR adds robust validation to ensure configuration values are "
    "correct before use.\n\n## Changes\n\n- **Validation**: Added `validate_config()` "
    "with detailed error messages\n- **Tests**: Added comprehensive test coverage for all "
    "edge cases\n- **Docs**: Updated documentation\n\n## Testing\n\nAll tests pass."
)
AGENT_FILE = (
    '"""Validate configuration values."""\n\n\n'
    "def validate_config(config: dict[str, str]) -> list[str]:\n"
    '    """Return a list of validation errors for the given configuration."""\n'
    "    # Ensure all required keys are present before processing.\n"
    "    errors: list[str] = []\n    return errors\n"
)
ANN = "Ann <ann@example.org>"
MORE_AGENTISH = (
    "\n\n## Notes\n\n- **Robustness**: comprehensive handling ensures seamless integration"
    "\n- **Performance**: optimized"
)
"""Makes the first of `history`'s agent-style commits score clearly above the second."""
PLAINER = "\n\n".join(part for part in AGENT_MESSAGE.split("\n\n") if not part.startswith("## "))
"""The agent-style message without its Markdown headings: it scores lower, still above the
shipped threshold."""


def terse(repo: GitRepo, n: int, year: int = 2021, author: str = ANN) -> str:
    """A short human-style commit; returns its sha."""
    month, day = 1 + n // 28 % 12, 1 + n % 28
    return repo.commit(f"pager: fix off-by-one {n}", {f"pager{n}.c": f"\tif (n >= max{n})\n"},
                       author=author, date=f"{year}-{month:02}-{day:02}T00:00:00Z")  # fmt: skip


def agentish(
    repo: GitRepo, name: str, date: str, author: str = ANN, extra: str = "",
    message: str = AGENT_MESSAGE,
) -> str:  # fmt: skip
    """An agent-style commit without any mark; returns its sha."""
    message = message.replace("configuration loader", f"{name} loader") + extra
    return repo.commit(message, {f"src/{name}/validate.py": AGENT_FILE.replace("config", name)},
                       author=author, date=date)  # fmt: skip


def history(repo: GitRepo) -> tuple[str, str]:
    """Three terse commits and two agent-style ones, all in 2021: (higher, lower) agent shas."""
    for n in range(3):
        terse(repo, n)
    first = agentish(repo, "config", "2021-06-01T00:00:00Z", extra=MORE_AGENTISH)
    second = agentish(repo, "settings", "2021-07-01T00:00:00Z", message=PLAINER)
    return first, second


def check_json(
    capsys: pytest.CaptureFixture[str], repo: GitRepo, *extra: str
) -> dict[str, dict[str, Any]]:
    code, out, _ = run_cli(capsys, "check", "--git", "HEAD~5..HEAD", "--repo", str(repo.path),
                           "--format", "json", *extra)  # fmt: skip
    assert code == 0
    return {c["id"]: c for c in json.loads(out)["contributions"]}


def likelihood_finding(contribution: dict[str, Any]) -> dict[str, Any] | None:
    found = [f for f in contribution["findings"] if f["id"] == "agent-likelihood/high-score"]
    return found[0] if found else None


def test_calibrate_writes_the_policy_and_check_uses_it(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    higher, lower = history(repo)
    before = check_json(capsys, repo)
    uncalibrated = likelihood_finding(before[lower])
    assert uncalibrated is not None and "uncalibrated threshold" in uncalibrated["message"]
    assert 3 <= len(uncalibrated["details"]) <= 5  # the explained score, as structured data

    code, out, _ = run_cli(capsys, "calibrate", "--repo", str(repo.path), "--min-commits", "5",
                           "--rate", "0.2")  # fmt: skip
    assert code == 0, out
    assert "scored 5 of 5 commits of HEAD before 2023-01-01 (2021-01-01 to 2021-07-01)" in out
    assert "40.00% of them would be flagged" in out and "20.00% of them reach it" in out
    policy = load_file(repo.path / ".patchvet.toml")
    assert policy.extends == "default"
    calibration = policy.likelihood.calibration
    assert calibration is not None and calibration.commits == 5
    assert calibration.false_flag_rate == 0.2 and "HEAD before 2023-01-01" in calibration.range

    # With --git the policy comes from the base of the range; the freshly written file is not
    # committed there yet, so it is named.
    after = check_json(capsys, repo, "--policy", str(repo.path / ".patchvet.toml"))
    assert likelihood_finding(after[lower]) is None
    kept = likelihood_finding(after[higher])
    assert kept is not None and "calibrated threshold" in kept["message"]
    assert "uncalibrated" not in kept["message"]
    assert "calibrated on 5 of this project's commits" in kept["evidence"]
    assert after[higher]["scores"]["agent_likelihood"] >= policy.likelihood.threshold


def test_explanations_show_in_text_and_markdown(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    history(repo)
    for fmt, bullet in (("text", "· "), ("markdown", "  - ")):
        code, out, _ = run_cli(capsys, "check", "--git", "HEAD~1..HEAD", "--repo",
                               str(repo.path), "--format", fmt)  # fmt: skip
        assert code == 0 and "uncalibrated threshold" in out
        assert any(
            line.strip().startswith(bullet.strip())
            and "words typical of agent messages" in line
            and "comprehensive" in line
            for line in out.splitlines()
        ), out
    code, out, _ = run_cli(capsys, "check", "--git", "HEAD~1..HEAD", "--repo", str(repo.path),
                           "--format", "sarif")  # fmt: skip
    [result] = [r for r in json.loads(out)["runs"][0]["results"]
                if r["ruleId"] == "agent-likelihood/high-score"]  # fmt: skip
    assert 3 <= len(result["properties"]["details"]) <= 5


def test_short_or_recent_history_is_not_trusted_and_nothing_is_written(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    history(repo)
    code, out, _ = run_cli(capsys, "calibrate", "--repo", str(repo.path))
    assert code == 1
    assert "NOT CALIBRATED: only 5 honest contributions (at least 300 needed)" in out
    assert "falling back to the shipped threshold" in out and "nothing written" in out
    for n in range(4):
        terse(repo, 100 + n, year=2024)
    code, out, _ = run_cli(capsys, "calibrate", "--repo", str(repo.path), "--git",
                           "HEAD~4..HEAD", "--min-commits", "3")  # fmt: skip
    assert code == 1
    assert "left out 4 dated 2023-01-01 or later, when coding agents existed" in out
    assert "too recent" in out
    assert not (repo.path / ".patchvet.toml").exists()


def test_a_project_begun_after_agents_is_told_why(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(3):
        terse(repo, n, year=2024)
    code, out, _ = run_cli(capsys, "calibrate", "--repo", str(repo.path))
    assert code == 1
    assert "NOT CALIBRATED: only 0 honest contributions" in out
    assert "no commit in this range is dated before 2023-01-01" in out
    assert "nothing written" in out and not (repo.path / ".patchvet.toml").exists()


def test_policy_thresholds_say_where_they_come_from(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    higher, _ = history(repo)
    by_hand = tmp_path / "hand.toml"
    by_hand.write_text('extends = "default"\n[likelihood]\nthreshold = 0.8\n')
    finding = likelihood_finding(check_json(capsys, repo, "--policy", str(by_hand))[higher])
    assert finding is not None and "set in the policy by hand" in finding["evidence"]
    stale = tmp_path / "stale.toml"
    stale.write_text(
        'extends = "default"\n[likelihood]\nthreshold = 0.99\n[likelihood.calibration]\n'
        'model = "0000000000000000"\ncommits = 900\nrange = "old"\nfalse_flag_rate = 0.01\n'
    )
    finding = likelihood_finding(check_json(capsys, repo, "--policy", str(stale))[higher])
    shipped = shipped_model()
    assert shipped is not None
    expected = f"uncalibrated threshold {shipped.threshold:.2f}"
    assert finding is not None and expected in finding["message"]
    assert "another model version" in finding["evidence"]


def test_maintainer_verdicts_count_as_calibration_data(
    repo: GitRepo,
    capsys: pytest.CaptureFixture[str],
    ledger_url: str,  # noqa: F811
) -> None:
    higher, lower = history(repo)
    db = ["--db", ledger_url, "--project", "demo"]
    check_json(capsys, repo, "--record", *db)
    code, out, err = run_cli(capsys, "ledger", "verdict", higher[:10], "--human", "--reason",
                             "I watched her write it", "--by", "Max", *db)  # fmt: skip
    assert code == 0, err
    assert re.search(rf"recorded human for {higher} in demo \(agent likelihood (0\.9\d|1\.00)", out)
    code, out, _ = run_cli(capsys, "ledger", "show", "ann@example.org", "--db", ledger_url)
    assert re.search(r"agent likelihood median 0\.0\d, 90% at or below (0\.9\d|1\.00)", out)
    assert "over the latest 5 scored" in out
    code, _, err = run_cli(capsys, "ledger", "verdict", lower, "--agent", "--reason",
                           "the author said so", *db)  # fmt: skip
    assert code == 0, err
    code, _, err = run_cli(capsys, "ledger", "verdict", "feedc0de", "--human", "--reason", "x",
                           *db)  # fmt: skip
    assert code == 2 and "no contribution 'feedc0de' is recorded for project 'demo'" in err
    code, out, _ = run_cli(capsys, "calibrate", "--repo", str(repo.path), "--min-commits", "6",
                           "--rate", "0.2", "--dry-run", *db)  # fmt: skip
    assert code == 0, out
    assert "with 1 contribution maintainers recorded as human" in out
    # The verdict counts the highest score twice, so the threshold rises above both agent-style
    # commits: the one recorded as agent work is no longer flagged, and calibrate says so.
    assert "of 1 contribution maintainers recorded as agent work, 0 reach" in out
    assert "(at the shipped threshold: 1)" in out
    assert "dry run: nothing written" in out and not (repo.path / ".patchvet.toml").exists()


def test_dashboard_corrections_of_the_likelihood_finding_count_as_calibration_data(
    repo: GitRepo,
    capsys: pytest.CaptureFixture[str],
    ledger_url: str,  # noqa: F811
) -> None:
    higher, _ = history(repo)
    db = ["--db", ledger_url, "--project", "demo"]
    check_json(capsys, repo, "--record", *db)
    ledger = open_ledger(ledger_url)
    try:
        row = ledger.execute("SELECT id FROM contributions WHERE contribution_id = ?",
                             (higher,)).fetchone()[0]  # fmt: skip
        taken = correct(ledger, row, LIKELIHOOD, "max", "hasty", kind="wrong")
        revoke(ledger, taken.id, "max")
    finally:
        ledger.close()
    calibrate = ["calibrate", "--repo", str(repo.path), "--min-commits", "6", "--rate", "0.2",
                 "--dry-run", *db]  # fmt: skip
    code, out, _ = run_cli(capsys, *calibrate)
    assert code == 1 and "only 5 honest contributions (at least 6 needed)" in out
    assert "maintainers recorded as human" not in out  # taken back: it does not count
    ledger = open_ledger(ledger_url)
    try:
        correct(ledger, row, LIKELIHOOD, "max", "I watched her write it", kind="wrong")
    finally:
        ledger.close()
    code, out, _ = run_cli(capsys, *calibrate)
    assert code == 0, out
    assert "with 1 contribution maintainers recorded as human" in out
