"""The model shipped inside the package, as `patchvet check` uses it."""

from __future__ import annotations

from dataclasses import replace

from patchvet.check import assess
from patchvet.model.scorer import shipped_model
from patchvet.policy import load_preset
from patchvet.records import Verdict
from tests.helpers import added, contribution

AGENT_STYLE = contribution(
    message=(
        "Add comprehensive input validation for the configuration loader\n\n"
        "## Summary\n\nThis PR adds robust validation to ensure configuration values are "
        "correct before use.\n\n## Changes\n\n- **Validation**: Added `validate_config()` "
        "with detailed error messages\n- **Tests**: Added comprehensive test coverage for all "
        "edge cases\n- **Docs**: Updated documentation\n\n## Testing\n\nAll tests pass."
    ),
    files=tuple(
        added(
            f"src/config/validate_{n}.py",
            '"""Validate configuration values."""',
            "",
            "def validate_config(config: dict[str, str]) -> list[str]:",
            '    """Return a list of validation errors for the given configuration."""',
            "    # Ensure all required keys are present before processing.",
            "    errors: list[str] = []",
            "    return errors",
        )
        for n in range(4)
    ),
)
TERSE_HUMAN = contribution(
    message="fix off-by-one in pager", files=(added("pager.c", "\tif (n >= max)"),)
)


def test_model_ships_small_and_calibrated() -> None:
    model = shipped_model()
    assert model is not None
    assert 0.5 < model.threshold < 1.0
    evaluation = model.metadata["evaluation"]["model"]["pooled"]
    assert evaluation["auroc"] > 0.9
    assert set(model.metadata["repositories"]) >= {"simonw/datasette", "PRQL/prql"}


def test_scores_rank_styles_and_stay_probabilities() -> None:
    model = shipped_model()
    assert model is not None
    agentish, terse = model.score(AGENT_STYLE), model.score(TERSE_HUMAN)
    assert agentish is not None and terse is not None
    assert 0.0 <= terse < agentish <= 1.0
    assert model.score(AGENT_STYLE) == agentish  # deterministic


def test_score_alone_never_goes_beyond_flag() -> None:
    policy = replace(load_preset("default"), verdicts={"agent-likelihood/*": "reject"})
    assessment = assess(AGENT_STYLE, policy)
    judged = [j for j in assessment.findings if j.finding.family == "agent-likelihood"]
    assert judged and all(j.verdict is Verdict.FLAG for j in judged)
    assert assessment.scores.agent_likelihood is not None


def test_explicit_marks_make_the_score_finding_redundant() -> None:
    marked = contribution(
        message=AGENT_STYLE.commits[0].message
        + "\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
        files=AGENT_STYLE.files,
    )
    ids = {j.finding.id for j in assess(marked, load_preset("default")).findings}
    assert "agent-likelihood/high-score" not in ids
    assert "agent-fingerprint/agent-trailer" in ids


def test_policy_can_switch_the_model_off() -> None:
    base = load_preset("default")
    policy = replace(base, likelihood=replace(base.likelihood, enabled=False))
    assert assess(AGENT_STYLE, policy).scores.agent_likelihood is None


def test_lock_file_only_changes_get_no_score() -> None:
    lock_only = contribution(
        message=AGENT_STYLE.commits[0].message,
        files=(added("web/pnpm-lock.yaml", "lockfileVersion: '9.0'", "packages: {}"),),
    )
    assessment = assess(lock_only, load_preset("default"))
    assert assessment.scores.agent_likelihood is None
    assert not [j for j in assessment.findings if j.finding.family == "agent-likelihood"]
