"""
An analysis that runs out of its time budget is an `analysis/incomplete` finding, held, with the
reason — never a hang and never a pass — in the library and through the CLI.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import replace
from pathlib import Path

import pytest

from patchvet.check import assess
from patchvet.policy import load_preset
from patchvet.policy.catalog import ANALYSIS_INCOMPLETE
from patchvet.records import Verdict
from tests import hostile
from tests.helpers import added, contribution, run_cli

WORKFLOW = ".github/workflows/ci.yml"
# Each line uses a secret, so the CI patterns read every line (a workflow whose lines none of
# them matches is passed over with one search, within any budget).
LINES = [f"      - run: echo step {n} ${{{{ secrets.TOKEN }}}}" for n in range(40_000)]


def test_an_overrun_is_held_with_the_reason() -> None:
    item = contribution(files=(added(WORKFLOW, *LINES), added("a.py", "x = 1")))
    policy = load_preset("default")
    tight = replace(policy, analysis=replace(policy.analysis, budget_seconds=0.01))
    result = assess(item, tight)
    assert result.verdict is Verdict.HOLD
    [incomplete] = [j for j in result.findings if j.finding.id == ANALYSIS_INCOMPLETE]
    assert incomplete.verdict is Verdict.HOLD
    assert "the time budget of 0.01 s ran out in the" in incomplete.finding.evidence
    assert "not analysed: " in incomplete.finding.evidence
    # What ran before the budget was spent is still reported.
    assert result.scores.size_lines == len(LINES) + 1


def test_the_default_budget_analyses_a_large_contribution_fully() -> None:
    item = contribution(files=(added(WORKFLOW, *LINES[:5_000]),))
    policy = load_preset("default")
    assert policy.analysis.budget_seconds == 5.0
    result = assess(item, policy)
    assert ANALYSIS_INCOMPLETE not in {j.finding.id for j in result.findings}
    assert "ci-change/workflow" in {j.finding.id for j in result.findings}


def test_the_cli_holds_an_overrun_and_fails_on_hold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patch = tmp_path / "big.patch"
    patch.write_text(hostile.mail(diff=hostile.added(WORKFLOW, LINES)), encoding="utf-8")
    policy = tmp_path / "policy.toml"
    policy.write_text('extends = "default"\n\n[analysis]\nbudget_seconds = 0.01\n')
    code, out, err = run_cli(
        capsys, "check", str(patch), "--policy", str(policy), "--format", "json",
        "--fail-on", "hold",
    )  # fmt: skip
    assert code == 1, err
    [item] = json.loads(out)["contributions"]
    assert item["verdict"] == "hold"
    [finding] = [f for f in item["findings"] if f["id"] == ANALYSIS_INCOMPLETE]
    assert "time budget of 0.01 s" in finding["evidence"]


def test_a_budget_must_be_positive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[analysis]\nbudget_seconds = 0\n")
    code, _, err = run_cli(capsys, "check", "-", "--policy", str(policy))
    assert code == 2
    assert "budget_seconds" in err


def _megabyte_subject(alphabet: str) -> str:
    letters = random.Random(16)
    return "".join(letters.choice(alphabet) for _ in range(1_000_000))


@pytest.mark.parametrize("alphabet", ["abcdefghijklmnopqrstuvwxyz ABC.,", "äöüßéèêçñ 日本語 abc"])
def test_a_megabyte_subject_is_held_within_the_budget(alphabet: str) -> None:
    # Issue 16: the model's features and the explanation of a high score read every letter
    # sequence of the subject; a megabyte of them ran for minutes with no checkpoint.
    subject = _megabyte_subject(alphabet)
    item = contribution(subject, files=(added("a.py", "x = 1"),))
    policy = load_preset("default")
    budget = 0.5
    tight = replace(policy, analysis=replace(policy.analysis, budget_seconds=budget))
    started = time.thread_time()
    result = assess(item, tight)
    spent = time.thread_time() - started
    assert result.verdict is Verdict.HOLD
    [incomplete] = [j for j in result.findings if j.finding.id == ANALYSIS_INCOMPLETE]
    assert f"the time budget of {budget:g} s ran out in the" in incomplete.finding.evidence
    # The budget is looked at between chunks of work: an overrun stops soon after it.
    assert spent < budget + 3.0
