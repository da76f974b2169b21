from __future__ import annotations

import pytest

from patchvet.analyzers.fingerprint import agent_fingerprint
from patchvet.records import Identity, SourceKind
from tests.helpers import contribution, subject


def _findings(**kwargs: object) -> list[tuple[str, str]]:
    item = contribution(**kwargs)  # type: ignore[arg-type]
    return [(f.id, f.message) for f in agent_fingerprint(subject(item))]


@pytest.mark.parametrize(
    ("message", "agent"),
    [
        ("Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>", "Claude Code"),
        (
            "Fix\n\nCo-authored-by: Claude Opus 4.6 (1M context) <noreply@anthropic.com>",
            "Claude Code",
        ),
        (
            "Fix\n\nCo-authored-by: claude[bot] <209825114+claude[bot]@users.noreply.github.com>",
            "Claude Code",
        ),
        ("Fix\n\nCo-authored-by: Cursor <cursoragent@cursor.com>", "Cursor"),
        ("Fix\n\nMade-with: Cursor", "Cursor"),
        (
            "Fix\n\nCo-authored-by: Amp <amp@ampcode.com>\n"
            "Amp-Thread-ID: https://ampcode.com/threads/T-0199aabb-ccdd-eeff-0011-223344556677",
            "Amp",
        ),
        ("Fix\n\nCo-authored-by: aider (gpt-4o) <aider@aider.chat>", "aider"),
        ("Fix\n\nCo-authored-by: openhands <openhands@all-hands.dev>", "OpenHands"),
        (
            "Fix\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>",
            "GitHub Copilot",
        ),
        ("Fix\n\n💘 Generated with Crush\n\nCo-Authored-By: Crush <crush@charm.land>", "Crush"),
        ("Fix\n\nCo-Authored-By: Warp <agent@warp.dev>", "Warp"),
        ("Fix\n\n🤖 Generated with [opencode](https://opencode.ai)", "opencode"),
        ("Fix\n\nCo-authored-by: Qwen-Coder <qwen-coder@alibabacloud.com>", "Qwen Code"),
        ("Fix\n\nGenerated with [Devin](https://devin.ai/)", "Devin"),
        ("Fix\n\nClaude-Session: https://claude.ai/code/session_01AbCdEf", "Claude Code"),
        ("aider: fix the parser", "aider"),
    ],
)
def test_explicit_marks_name_the_agent(message: str, agent: str) -> None:
    found = _findings(message=message)
    assert found, message
    assert all(text.startswith(agent) for _, text in found)


@pytest.mark.parametrize(
    ("author", "agent"),
    [
        (
            Identity(name="Copilot", email="198982749+copilot@users.noreply.github.com"),
            "GitHub Copilot coding agent",
        ),
        (Identity(name="Paul Gauthier (aider)", email="paul@aider.chat"), "aider"),
        (Identity(name="Codex", email="codex@openai.com"), "OpenAI Codex"),
        (Identity(name="Cursor Agent", email="cursoragent@cursor.com"), "Cursor"),
        (
            Identity(
                name="google-labs-jules[bot]",
                email="161369871+google-labs-jules[bot]@users.noreply.github.com",
            ),
            "Google Jules",
        ),
    ],
)
def test_agent_authors(author: Identity, agent: str) -> None:
    found = _findings(author=author)
    assert ("agent-fingerprint/agent-author", f"{agent} is the commit author") in found


def test_pull_request_opened_by_agent_account() -> None:
    found = _findings(
        kind=SourceKind.PULL_REQUEST,
        author=Identity(login="devin-ai-integration[bot]", id=158243242),
    )
    assert ("agent-fingerprint/agent-author", "Devin opened this pull request") in found


@pytest.mark.parametrize(
    "branch",
    [
        "copilot/fix-123",
        "copilot/fix-cb24e1d7-252f-4cc2-ba24-b077f3679160",
        "claude/zen-curie-WmobL",
        "claude/issue-117-20260717-0919",
        "codex/python-3-14-support",
        "cursor/update-bug-command-files-2df4",
        "jules-4412982377496413932-36e56413",
        "devin/1734193391-improve-instructions-ui",
        "openhands/fix-tests",
    ],
)
def test_agent_branch_shapes(branch: str) -> None:
    found = _findings(head_ref=branch, kind=SourceKind.PULL_REQUEST)
    assert [fid for fid, _ in found] == ["agent-fingerprint/agent-branch"]


@pytest.mark.parametrize(
    ("kwargs"),
    [
        # People, not agents.
        {"author": Identity(name="Claude Monet", email="claude@example.fr")},
        {"author": Identity(name="Devin Booker", email="devin@example.org")},
        {"message": "Fix\n\nCo-authored-by: Claude Shannon <claude@bell-labs.example>"},
        {"message": "Fix\n\nReviewed-by: Devin Smith <devin@example.org>"},
        # Words, not marks.
        {"message": "Fix cursor blinking when Claude Code writes to the terminal"},
        {"message": "Add Copilot support to the editor plugin"},
        {"message": "Generated with care by the team"},
        {"head_ref": "cursor-scroll", "kind": SourceKind.PULL_REQUEST},
        {"head_ref": "claude/fix-typo", "kind": SourceKind.PULL_REQUEST},
        {"head_ref": "feature/codex-support", "kind": SourceKind.PULL_REQUEST},
        {"author": Identity(login="claude", id=12345), "kind": SourceKind.PULL_REQUEST},
    ],
)
def test_humans_and_bare_words_are_not_agents(kwargs: dict[str, object]) -> None:
    assert _findings(**kwargs) == []
