"""
The registry's message patterns are first tried as one alternation: a text it passes over must
hold no mark of any single pattern, and every mark must still be found with its own evidence.
"""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from patchvet.marks import detect_marks, load_registry
from tests.helpers import contribution

# A text marking each pattern of the registry, and lines that almost do.
MARKED = [
    "🤖 Generated with [Claude Code](https://claude.ai/code)",
    "Claude-Session: https://claude.ai/code/session_01AbC",
    "see https://claude.ai/code/session_xyz",
    "Agent-Logs-Url: https://github.com/o/r/sessions/0a1b-2c",
    "Made-with: Cursor",
    "https://chatgpt.com/codex/tasks/task_e_68abc",
    "Amp-Thread-ID: https://ampcode.com/threads/T-0199aabb",
    "https://ampcode.com/threads/T-0199aabb-ccdd",
    "💘 Generated with Crush",
    "Generated with [Devin](https://devin.ai/)",
    "https://app.devin.ai/sessions/0123456789abcdef0123",
    "Generated with [opencode](https://opencode.ai)",
]
NEAR = [
    "Generated with [Claude](https://claude.ai)", " Made-with: Cursor", "Made-with: Cursor x",
    "https://ampcode.com/threads/T-01", "Generated with crush", "https://app.devin.ai/sessions/01",
    "Fix the parser", "Signed-off-by: A <a@b.c>", "",
]  # fmt: skip
LINES = st.lists(st.sampled_from(MARKED + NEAR), max_size=5).map("\n".join)


def test_each_pattern_has_its_example() -> None:
    registry = load_registry()
    for pattern in registry.message_patterns:
        assert any(pattern.pattern.search(text) for text in MARKED), pattern.pattern.pattern
    assert registry.message_screen is not None


@settings(max_examples=800, deadline=None)
@given(LINES)
def test_the_screen_passes_over_only_texts_without_marks(text: str) -> None:
    registry = load_registry()
    assert registry.message_screen is not None
    any_mark = any(item.pattern.search(text) for item in registry.message_patterns)
    assert (registry.message_screen.search(text) is not None) == any_mark


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=3))
def test_marks_are_those_found_without_the_screen(paragraphs: list[str]) -> None:
    registry = load_registry()
    unscreened = dataclasses.replace(registry, message_screen=None)
    item = contribution("Fix it\n\n" + "\n\n".join(paragraphs), description=paragraphs[-1])
    assert detect_marks(item, registry) == detect_marks(item, unscreened)
