"""
Agent names are removed only from text in which the pattern's RE2 twin finds one; the twin must
never pass over a text the pattern would have changed, so the stripped text is exactly what the
pattern alone gives.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from patchvet.model.strip import (
    _AGENT_NAMES,
    _CHECKLIST_LINE,
    _HTML_COMMENT,
    _MARK_LINE,
    _TRAILER_LINE,
    _names_no_agent,
    _without_trailing_rules,
    strip_code_line,
    strip_code_lines,
    strip_subject,
    strip_text,
)
from patchvet.model.tool_output import strip_tool_output

# Every name the pattern knows, in the cases and joinings it accepts, and near misses.
NAMES = [
    "Claude", "claude code", "CLAUDE-Code", "Anthropic", "copilot", "Devin", "codex", "OpenAI",
    "ChatGPT", "gpt4", "GPT-4o", "gpt-3.5-turbo", "Cursor Agent", "cursoragent", "amp", "AMP",
    "Aider", "Jules", "gemini", "OpenHands", "opendevin", "Crush", "opencode", "Qwen", "warp",
    "Sonnet", "opus", "Haiku", "LLM", "AI-generated", "ai generated", "AI-Assisted",
    "ai assisted", "example", "timestamp", "gp", "claud", "llama", "generated", "assist",
]  # fmt: skip
PIECES = st.sampled_from(
    [*NAMES, " ", "-", "_", ".", "\n", "x", "1", "(", ")", "é", "\u212a", "ſ", "İ", "ı"]
)
TEXT = st.lists(PIECES, max_size=10).map("".join)


@settings(max_examples=2000, deadline=None)
@given(TEXT)
def test_a_text_passed_over_has_no_agent_name(text: str) -> None:
    if _names_no_agent(text):
        assert _AGENT_NAMES.search(text) is None


@settings(max_examples=600, deadline=None)
@given(st.lists(TEXT, max_size=6))
def test_stripping_equals_the_pattern_alone(lines: list[str]) -> None:
    lines = [line.replace("\n", " ") for line in lines]
    assert strip_code_lines(lines) == tuple(_AGENT_NAMES.sub("", line) for line in lines)
    for line in lines:
        assert strip_code_line(line) == _AGENT_NAMES.sub("", line)


def test_each_known_name_is_looked_at() -> None:
    for name in NAMES:
        if _AGENT_NAMES.search(name):
            assert not _names_no_agent(f"x {name} y"), name
    assert strip_subject("Use Claude for docs") == "Use  for docs"
    assert _names_no_agent("Fix the parser for nested lists")


MARK_PIECES = st.sampled_from(
    ["Generated with ", "GENERATED WITH", "co-authored", "Co-Authored-By: A <a@b>", "🤖",
     "claude.ai/code", "https://chatgpt.com/x", "cursor.com", "/sessions/1", "devin.ai",
     "ampcode.com/t", "opencode.ai", "charm.land", "copilot-swe-agent", "Signed-off-by: A",
     "- [x] done", "<!-- note -->", "\n", "\r\n", " ", "text", "K", "ſ", "---------", "==="]
)  # fmt: skip


def plain_strip_text(text: str) -> str:
    text = _HTML_COMMENT.sub("", text.replace("\r\n", "\n"))
    kept = [
        line
        for line in text.split("\n")
        if not _TRAILER_LINE.match(line)
        and not _MARK_LINE.search(line)
        and not _CHECKLIST_LINE.match(line)
    ]
    body = _without_trailing_rules(_AGENT_NAMES.sub("", "\n".join(kept)).strip())
    return strip_tool_output(body.strip())


@settings(max_examples=1500, deadline=None)
@given(st.lists(MARK_PIECES, max_size=10).map("".join))
def test_free_text_is_stripped_as_line_by_line(text: str) -> None:
    assert strip_text(text) == plain_strip_text(text)
