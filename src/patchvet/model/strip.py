"""
Remove every explicit agent mark before the statistical model sees a contribution.

The model must learn how agent work reads, not the labels that announce it: trailers, footers,
session links, agent names, PR numbers in squash subjects (the AIDev join keys on them), and
agent instruction files all go. Training and scoring strip the same way.
"""

from __future__ import annotations

import re
from functools import cache

from patchvet.linear import Pattern, compile_linear
from patchvet.model.tool_output import strip_tool_output
from patchvet.paths import AGENT_FILES, LOCK_FILES, first_match

# These read contribution text with `re`, so each is written to run in linear time: the token
# is taken whole (possessive) and its ending checked behind it, where `[A-Za-z0-9-]*(?:-by|…)\s*`
# tried every split of a `-by-by-by…` token against every run of spaces after it.
_TRAILER_LINE = re.compile(
    r"^\s*+[A-Za-z][A-Za-z0-9-]*+"
    r"(?:(?<=-by|-ID|-Id)|(?<=-Url|-URL|-for)|(?<=-with)|(?<=-Session))\s*+:.*$"
)
_MARK_LINE = re.compile(
    r"generated with|co-authored|🤖|claude\.ai/|claude\.com/|ampcode\.com/|devin\.ai|"
    r"chatgpt\.com/|cursor\.com|opencode\.ai|charm\.land|/sessions/|copilot-swe-agent",
    re.IGNORECASE,
)
_AGENT_NAMES = re.compile(
    r"\b(?:claude(?:[ -]code)?|anthropic|copilot|devin|codex|openai|chatgpt|gpt-?[0-9][\w.-]*"
    r"|cursor ?agent|amp|aider|jules|gemini|openhands|opendevin|crush|opencode|qwen|warp|"
    r"sonnet|opus|haiku|llm|ai[- ]generated|ai[- ]assisted)\b",
    re.IGNORECASE,
)


@cache
def _agent_name_screen() -> Pattern:
    """
    `_AGENT_NAMES` on RE2, for ASCII text: there RE2's `\\b`, `\\w` and case folding are
    `re`'s, so it finds a name exactly where `re` would, in one pass of its automaton instead
    of a 27-way alternation tried at every character. (In other text `re` also folds the
    Kelvin sign and the long s into Latin letters, so only `re` decides.)
    """
    return compile_linear("(?i)" + _AGENT_NAMES.pattern)


@cache
def _mark_line_screen() -> Pattern:
    """`_MARK_LINE` on RE2, for ASCII text (as `_agent_name_screen`)."""
    return compile_linear("(?i)" + _MARK_LINE.pattern)


def _names_no_agent(text: str) -> bool:
    """True when `_AGENT_NAMES` cannot match `text` (most text names no agent)."""
    return text.isascii() and _agent_name_screen().search(text) is None


def _without_agent_names(text: str) -> str:
    return text if _names_no_agent(text) else _AGENT_NAMES.sub("", text)


# Found from its parenthesis and then widened over the spaces before it: searched from every
# space of a long run, a leading `\s*` made subjects of spaces quadratic.
_PR_NUMBER = re.compile(r"\(#\d+\)\s*$")
_INITIAL_PLAN = re.compile(r"^\s*initial plan\s*$", re.IGNORECASE)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_CHECKLIST_LINE = re.compile(r"^\s*(?:[-*]|\d+\.)\s+\[[ xX]\]")


_RULE_CHARACTERS = "-=_*"
"""What a rule line is drawn with; a text whose last character is none of these, nor white
space, does not end with a rule or a blank line."""


def _is_rule(line: str) -> bool:
    """A line of three or more of `-`, `=`, `_`, `*` (spaces between them allowed)."""
    drawn = line.replace(" ", "").replace("\t", "")
    return len(drawn) >= 3 and not drawn.strip(_RULE_CHARACTERS)


def _without_trailing_rules(text: str) -> str:
    """
    `text` without the rule lines (and blank lines) it ends with: what a message ends with
    once its trailers and footers are gone. GitHub's squash merges put `---------` before the
    co-author trailers (since 2023) and agents' footers sit under a `---` rule; left behind,
    the rule alone told agent from pre-2023 human (a quarter of the agent messages end with
    one, 8 of 49,544 human ones), and a 2025 human squash merge with a co-author would read as
    agent work. Read line by line from the end, so a million rules and one word cost one pass.
    """
    if text and text[-1] not in _RULE_CHARACTERS and not text[-1].isspace():
        return text  # most messages: the last line is words, and nothing is split
    lines = text.split("\n")
    end = len(lines)
    while end and (not lines[end - 1].strip() or _is_rule(lines[end - 1])):
        end -= 1
    return "\n".join(lines[:end]) if end < len(lines) else text


def strip_text(text: str) -> str:
    """
    Drop trailer, footer and session-link lines (and the rules left at the end above them) and
    agent names from free text, the parts
    of pull request templates (instructions in HTML comments, checklists) that every author of
    a project fills in alike: they tell the project, not the author; and pasted tool output
    (size reports, benchmark tables: `tool_output.py`), another program's text.
    """
    text = _HTML_COMMENT.sub("", text.replace("\r\n", "\n"))
    # A footer or session link is on no line when RE2 finds none in the whole (ASCII) text.
    marks = not text.isascii() or _mark_line_screen().search(text) is not None
    kept = [
        line
        for line in text.split("\n")
        if not _TRAILER_LINE.match(line)
        and not (marks and _MARK_LINE.search(line))
        and not _CHECKLIST_LINE.match(line)
    ]
    body = _without_trailing_rules(_without_agent_names("\n".join(kept)).strip())
    return strip_tool_output(body.strip())


def strip_subject(subject: str) -> str:
    """A subject without its squash PR number or agent names."""
    number = _PR_NUMBER.search(subject)
    if number is not None:
        before = subject[: number.start()].rstrip()
        subject = before + subject[number.end() :]
    if _INITIAL_PLAN.match(subject):
        return ""
    return _without_agent_names(subject).strip()


def strip_code_line(line: str) -> str:
    """An added line without agent names (agent tooling code mentions them)."""
    return _without_agent_names(line)


def strip_code_lines(lines: list[str]) -> tuple[str, ...]:
    """`strip_code_line` of each line, in one pass: no agent name spans a line break."""
    joined = "\n".join(lines)
    if not lines or joined.count("\n") != len(lines) - 1:
        return tuple(strip_code_line(line) for line in lines)
    if _names_no_agent(joined):
        return tuple(lines)
    return tuple(_AGENT_NAMES.sub("", joined).split("\n"))


def is_unread_file(path: str) -> bool:
    """
    Files the model does not read: agent instruction files (their presence alone gives the
    label away) and lock files (generated, so they say nothing about who wrote the change).
    """
    return first_match(path, _UNREAD) is not None


_UNREAD = AGENT_FILES + LOCK_FILES
