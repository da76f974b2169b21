"""
From findings to a verdict: each finding gets the verdict the policy maps it to, and the
contribution gets the highest of them (`pass` when there are none). A finding the policy's
`[ignore]` covers is kept, with its reason, but judged `pass`.
"""

from __future__ import annotations

from collections.abc import Iterable

from patchvet.policy.schema import Policy
from patchvet.records import Finding, JudgedFinding, Verdict

# A statistical score is evidence for a human to weigh, never grounds to refuse on its own.
# So are an account's public habits: weak alone (AUC ≈ 0.5 in a 42,536-PR study), never a block.
_SCORE_ONLY_CEILING = {"agent-likelihood": Verdict.FLAG, "account": Verdict.FLAG}
# What patchvet could not analyse is never passed on the policy's say-so (fail closed).
_FLOOR = {"analysis": Verdict.HOLD}


def judge(findings: Iterable[Finding], policy: Policy) -> tuple[Verdict, tuple[JudgedFinding, ...]]:
    """The contribution's verdict and every finding with its own, most severe first."""
    judged = []
    for finding in findings:
        reason = policy.ignored(finding)
        if reason is not None:
            # Still listed, with the maintainers' reason, so nothing disappears silently.
            judged.append(JudgedFinding(finding, Verdict.PASS, ignored=reason))
            continue
        verdict = policy.verdict_for(finding)
        ceiling = _SCORE_ONLY_CEILING.get(finding.family)
        if ceiling is not None and verdict > ceiling:
            verdict = ceiling
        floor = _FLOOR.get(finding.family)
        if floor is not None and verdict < floor:
            verdict = floor
        judged.append(JudgedFinding(finding, verdict))
    judged.sort(key=lambda j: (j.verdict.rank, j.finding.severity.rank), reverse=True)
    overall = max((j.verdict for j in judged), default=Verdict.PASS)
    return overall, tuple(judged)
