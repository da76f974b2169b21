"""The pipeline fails closed: what could not be analysed is reported and held, never dropped."""

from __future__ import annotations

from dataclasses import replace

from patchvet.check import assess, check
from patchvet.policy import Policy, load_preset
from patchvet.policy.catalog import ANALYSIS_INCOMPLETE
from patchvet.policy.schema import VerdictName
from patchvet.records import Assessment, Verdict
from tests.helpers import added, contribution


def _broken_policy(verdicts: dict[str, VerdictName] | None = None) -> Policy:
    """A policy that got past validation with a bad glob (as `[z-a]` once did)."""
    policy = load_preset("default")
    size = replace(policy.size, exclude=["[z-a]"])
    return replace(policy, size=size, verdicts=verdicts or {})


def test_an_analyzer_failure_is_a_held_finding_not_a_skip() -> None:
    item = contribution(
        "Add x\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
        files=(added("src/a.py", "x = 1"),),
    )
    [result] = list(check([item], _broken_policy()))
    assert isinstance(result, Assessment)
    assert result.verdict is Verdict.HOLD
    [incomplete] = [j for j in result.findings if j.finding.id == ANALYSIS_INCOMPLETE]
    assert "size analyzer failed" in incomplete.finding.evidence
    assert "invalid character class range: z-a" in incomplete.finding.evidence
    # The other analyzers still ran.
    assert "agent-fingerprint/agent-trailer" in {j.finding.id for j in result.findings}
    assert result.scores.size_lines == 1


def test_a_policy_cannot_pass_what_was_not_analysed() -> None:
    item = contribution(files=(added("src/a.py", "x = 1"),))
    result = assess(item, _broken_policy({"analysis/*": "pass"}))
    assert result.verdict is Verdict.HOLD
