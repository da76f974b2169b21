"""The Action judges agent likelihood with the calibrated threshold from the base branch."""

from __future__ import annotations

from pathlib import Path

from patchvet.github.action import run_action
from patchvet.github.client import GitHubClient
from patchvet.model.calibrate import fingerprint
from patchvet.model.scorer import shipped_model
from tests.cli.test_calibrate import AGENT_MESSAGE
from tests.github.conftest import BASE_SHA, REPO, seed_pull, write_event
from tests.github.double import GitHubDouble

TITLE, _, BODY = AGENT_MESSAGE.partition("\n\n")


def _likelihood_evidence(github: GitHubDouble, client: GitHubClient, tmp_path: Path) -> str:
    seeded = seed_pull(github.state, title=TITLE, body=BODY)
    # No explicit marks, so the score speaks on its own: no agent branch, no agent co-author.
    seeded["pull_request"]["head"]["ref"] = "feature/validation"
    for commit in github.state.commits[(REPO, 42)]:
        commit["commit"]["message"] = commit["commit"]["message"].split("\n\n")[0]
    run = run_action(client, write_event(tmp_path, seeded))
    assert run is not None
    [finding] = [
        j.finding for j in run.assessment.findings if j.finding.id == "agent-likelihood/high-score"
    ]
    assert finding.details  # explained
    return f"{finding.message} | {finding.evidence}"


def test_calibrated_threshold_from_the_base_policy(
    github: GitHubDouble, client: GitHubClient, tmp_path: Path
) -> None:
    model = shipped_model()
    assert model is not None
    assert "uncalibrated threshold" in _likelihood_evidence(github, client, tmp_path)
    github.state.contents[(REPO, ".patchvet.toml", BASE_SHA)] = (
        'extends = "default"\n[likelihood]\nthreshold = 0.5\n[likelihood.calibration]\n'
        f'model = "{fingerprint(model)}"\ncommits = 1234\nrange = "HEAD before 2023-01-01"\n'
        "false_flag_rate = 0.0097\n"
    )
    text = _likelihood_evidence(github, client, tmp_path)
    assert "calibrated threshold 0.50" in text and "uncalibrated" not in text
    assert "calibrated on 1,234 of this project's commits" in text
