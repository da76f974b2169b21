"""Each preset judges the same contributions the way its project's text says."""

from __future__ import annotations

import pytest

from patchvet.records import FileChange, Identity, SourceKind, Verdict
from tests.helpers import added, contribution, ids, judge
from tests.policy.test_loader import REQUIRED

SOB = "Signed-off-by: Jane Doe <jane@example.org>"
CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"
HUMAN = contribution(message=f"net: fix leak\n\n{SOB}", files=(added("net/x.c", "free(p);"),))
AGENT = contribution(
    message=f"net: fix leak\n\n{CLAUDE}\n{SOB}", files=(added("net/x.c", "free(p);"),)
)
DISCLOSED = contribution(
    message=f"net: fix leak\n\nAssisted-by: Claude:claude-opus-4-6 coccinelle\n{SOB}",
    files=(added("net/x.c", "free(p);"),),
)


@pytest.mark.parametrize("preset", sorted(REQUIRED))
def test_an_honest_human_patch_passes_everywhere(preset: str) -> None:
    assessment = judge(HUMAN, preset)
    assert assessment.verdict is Verdict.PASS, ids(assessment)


@pytest.mark.parametrize("preset", ["qemu", "gentoo", "servo", "zig"])
def test_bans_reject_agent_and_disclosed_ai_content(preset: str) -> None:
    assert judge(AGENT, preset).verdict is Verdict.REJECT
    assessment = judge(DISCLOSED, preset)
    assert assessment.verdict is Verdict.REJECT
    assert "policy/ai-content" in ids(assessment)


def test_qemu_explains_with_its_own_words() -> None:
    finding = next(
        j.finding for j in judge(AGENT, "qemu").findings if j.finding.id == "policy/ai-content"
    )
    assert "DECLINE" in finding.message


def test_linux_accepts_disclosed_help_and_rejects_ai_signoff() -> None:
    assert judge(DISCLOSED, "linux").verdict is Verdict.PASS
    assert judge(AGENT, "linux").verdict is Verdict.HOLD  # agent marks, no Assisted-by
    ai_sob = contribution(message="x: y\n\nSigned-off-by: Claude <noreply@anthropic.com>")
    assert judge(ai_sob, "linux").verdict is Verdict.REJECT


def test_netbsd_needs_core_approval() -> None:
    assert judge(AGENT, "netbsd").verdict is Verdict.REJECT
    approved = contribution(message=f"x: y\n\n{CLAUDE}\nApproved-by: core (2026-05-01)")
    assert judge(approved, "netbsd").verdict is not Verdict.REJECT


def test_cloud_hypervisor_refuses_bot_submissions() -> None:
    bot_pr = contribution(
        message=f"x: y\n\n{SOB}",
        kind=SourceKind.PULL_REQUEST,
        author=Identity(login="copilot-swe-agent[bot]", id=198982749),
    )
    assessment = judge(bot_pr, "cloud-hypervisor")
    assert assessment.verdict is Verdict.REJECT
    assert "policy/agent-submission" in ids(assessment)


def test_kubernetes_holds_ai_trailers_homebrew_too() -> None:
    for preset in ("kubernetes", "homebrew"):
        assert judge(DISCLOSED, preset).verdict is Verdict.HOLD


def test_rust_label_and_critical_paths() -> None:
    pr = contribution(
        message=f"x\n\n{CLAUDE}",
        kind=SourceKind.PULL_REQUEST,
        labels=("llm-assisted",),
        files=(added("compiler/rustc_mir_build/src/build.rs", "fn f() {}"),),
    )
    assessment = judge(pr, "rust")
    assert assessment.verdict is Verdict.HOLD
    assert "protected-path/critical-compiler" in ids(assessment)
    assert "disclosure/missing" not in ids(assessment)


def test_ghostty_media_in_ai_pr_is_held() -> None:
    pr = contribution(
        message=f"x\n\n{CLAUDE}",
        kind=SourceKind.PULL_REQUEST,
        description="This PR was written primarily with Claude Code.",
        files=(FileChange("images/icon.png", added("x").status, binary=True),),
    )
    assert "protected-path/media" in ids(judge(pr, "ghostty"))


def test_default_flags_agents_but_never_rejects() -> None:
    assert judge(AGENT, "default").verdict is Verdict.FLAG
    assert judge(DISCLOSED, "default").verdict is Verdict.PASS
