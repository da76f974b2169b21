"""
Explicit agent marks on a contribution: bot authors, agent trailers and footers, session
links, agent branch names and subjects.

Both the analyzers (which report the marks) and the model (which must never learn from them)
need the same answer, so it is computed here, below both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from patchvet.marks.registry import AgentRegistry
from patchvet.records import Commit, Confidence, Contribution, Identity, Location
from patchvet.sources._message import trailer_lines

_IDENTITY_TRAILERS = frozenset(
    {"co-authored-by", "co-developed-by", "signed-off-by", "assisted-by", "reviewed-by"}
)


@dataclass(frozen=True)
class AgentMark:
    """One explicit mark of a coding agent, with the text that shows it."""

    agent: str
    """The agent's display name."""
    kind: str
    """`author`, `committer`, `pr-author`, `co-author`, `footer`, `session-link`, `trailer`,
    `branch` or `subject`."""
    evidence: str
    location: Location
    confidence: Confidence = Confidence.HIGH


def commit_location(commit: Commit) -> Location:
    """Where a finding about a whole commit points."""
    return Location(commit=commit.sha)


def line_containing(text: str, start: int) -> str:
    """The stripped line of `text` around offset `start`, cut to 300 characters for evidence."""
    begin = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start)
    return text[begin : end if end != -1 else len(text)].strip()[:300]


def free_texts(contribution: Contribution) -> Iterator[tuple[str, Location]]:
    """Every free text of a contribution with where it lives."""
    for commit in contribution.commits:
        yield commit.message, commit_location(commit)
    if contribution.description:
        yield contribution.description, Location(path=None)
    if contribution.series and contribution.series.cover_text:
        yield contribution.series.cover_text, Location(path=None)
    for reply in contribution.replies:
        # The author's own words only: a quoted line is someone else's.
        own = "\n".join(line for line in reply.body.splitlines()
                        if not line.lstrip().startswith(">"))  # fmt: skip
        if own.strip():
            yield own, Location(path=None)


def _identity_marks(
    registry: AgentRegistry, identity: Identity | None, kind: str, location: Location
) -> Iterator[AgentMark]:
    if identity is None:
        return
    agent = registry.by_identity(identity)
    if agent is not None:
        yield AgentMark(agent.name, kind, identity.display(), location)


def detect_marks(contribution: Contribution, registry: AgentRegistry) -> tuple[AgentMark, ...]:
    """Every explicit agent mark, deduplicated by (agent, kind, evidence)."""
    marks: list[AgentMark] = []
    if contribution.kind.value == "pull-request":
        marks += _identity_marks(registry, contribution.author, "pr-author", Location())
    for commit in contribution.commits:
        where = commit_location(commit)
        marks += _identity_marks(registry, commit.author, "author", where)
        if commit.author_login and commit.author.login is None:
            marks += _identity_marks(registry, Identity(login=commit.author_login), "author", where)
        marks += _identity_marks(registry, commit.committer, "committer", where)
        for line in trailer_lines(commit.message):
            key, _, value = line.partition(":")
            is_identity = key.strip().lower() in _IDENTITY_TRAILERS
            agent = registry.by_address(value) if is_identity else None
            if agent is not None:
                marks.append(AgentMark(agent.name, "co-author", line, where))
        for agent, subject_pattern in registry.subject_patterns:
            if subject_pattern.search(commit.subject):
                marks.append(AgentMark(agent.name, "subject", commit.subject, where))
    screen = registry.message_screen
    for text, where in free_texts(contribution):
        if screen is not None and screen.search(text) is None:
            continue
        for pattern in registry.message_patterns:
            found = pattern.pattern.search(text)
            if found:
                evidence = line_containing(text, found.start())
                marks.append(AgentMark(pattern.agent.name, pattern.kind, evidence, where))
    if contribution.head_ref:
        for agent, branch_pattern in registry.branch_patterns:
            if branch_pattern.match(contribution.head_ref):
                marks.append(
                    AgentMark(
                        agent.name, "branch", contribution.head_ref, Location(), Confidence.MEDIUM
                    )
                )
    unique: dict[tuple[str, str, str], AgentMark] = {}
    for mark in marks:
        unique.setdefault((mark.agent, mark.kind, mark.evidence), mark)
    return tuple(unique.values())
