"""
The registry of coding-agent identities and marks, loaded from `data/agents.toml`.

Keeping the marks as data lets maintainers review and extend them without reading code; this
module only compiles them and answers "which agent, if any, is this identity or this text?".
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from patchvet.linear import Pattern, compile_linear
from patchvet.records import Identity

# The registry's patterns and these read contribution text, so all of them are linear-time.
_NOREPLY = compile_linear(r"(?i)^(\d{1,20})\+([^@]+)@users\.noreply\.github\.com$")
_ADDRESS = compile_linear(r"^(?P<name>.*?)\s*<(?P<email>[^<>\s]+)>\s*$")


@dataclass(frozen=True)
class MessagePattern:
    """A regular expression that, found in free text, marks an agent."""

    agent: Agent
    kind: str
    pattern: Pattern


@dataclass(frozen=True)
class Agent:
    """One coding agent and every precise mark it is known to leave."""

    id: str
    name: str
    emails: frozenset[str]
    email_patterns: tuple[Pattern, ...]
    github_ids: frozenset[int]
    logins: frozenset[str]
    names: tuple[Pattern, ...]
    subjects: tuple[Pattern, ...]
    branches: tuple[Pattern, ...]


_KNOWN = 4096
"""Identities remembered per registry (then forgotten all at once): bounded memory."""


@dataclass(frozen=True)
class AgentRegistry:
    """All known agents, indexed for the lookups analyzers make on every contribution."""

    agents: tuple[Agent, ...]
    message_patterns: tuple[MessagePattern, ...]
    message_screen: Pattern | None = field(default=None, compare=False, repr=False)
    """Every message pattern in one alternation: a text it does not match holds no message
    mark, found in one pass instead of one per pattern (most texts hold none)."""
    subject_patterns: tuple[tuple[Agent, Pattern], ...] = field(default=(), compare=False)
    """Every agent's subject patterns, in registry order: few agents have any."""
    branch_patterns: tuple[tuple[Agent, Pattern], ...] = field(default=(), compare=False)
    """Every agent's branch patterns, in registry order."""
    _known: dict[Identity, Agent | None] = field(
        default_factory=dict, init=False, compare=False, hash=False, repr=False
    )
    """Identities looked up before: a project's authors recur from patch to patch."""
    _addresses: dict[str, Agent | None] = field(
        default_factory=dict, init=False, compare=False, hash=False, repr=False
    )
    """Trailer values looked up before (`Signed-off-by: …` names the same people again)."""

    def by_email(self, email: str | None) -> Agent | None:
        """The agent that owns this email address, including GitHub noreply forms."""
        if not email:
            return None
        email = email.strip().lower()
        noreply = _NOREPLY.match(email)
        for agent in self.agents:
            if email in agent.emails or any(p.match(email) for p in agent.email_patterns):
                return agent
            if noreply and int(noreply.group(1)) in agent.github_ids:
                return agent
        return None

    def by_identity(self, identity: Identity) -> Agent | None:
        """The agent behind an identity, by numeric id, login, email or name shape."""
        try:
            return self._known[identity]  # one hash of the identity, not two
        except KeyError:
            pass
        if len(self._known) >= _KNOWN:
            self._known.clear()
        found = self._known[identity] = self._look_up(identity)
        return found

    def _look_up(self, identity: Identity) -> Agent | None:
        for agent in self.agents:
            if identity.id is not None and identity.id in agent.github_ids:
                return agent
            if identity.login and identity.login.lower() in agent.logins:
                return agent
            if identity.name and any(p.search(identity.name) for p in agent.names):
                return agent
        return self.by_email(identity.email)

    def by_address(self, address: str) -> Agent | None:
        """The agent named by a trailer value such as `Claude <noreply@anthropic.com>`."""
        try:
            return self._addresses[address]
        except KeyError:
            pass
        if len(self._addresses) >= _KNOWN:
            self._addresses.clear()
        found = self._addresses[address] = self._look_up_address(address)
        return found

    def _look_up_address(self, address: str) -> Agent | None:
        match = _ADDRESS.match(address.strip())
        if not match:
            return None
        return self.by_identity(Identity(name=match["name"] or None, email=match["email"]))


def _compile_all(patterns: list[str]) -> tuple[Pattern, ...]:
    return tuple(compile_linear(pattern) for pattern in patterns)


def _screen(patterns: list[MessagePattern]) -> Pattern | None:
    """
    One pattern that matches exactly where any of `patterns` does. Each keeps its own flags
    inside its group; patterns that cannot share an alternation (two naming the same group)
    get no screen, and every pattern is then tried on every text, as without one.
    """
    if not patterns:
        return None
    try:
        return compile_linear("|".join(f"(?:{item.pattern.pattern})" for item in patterns))
    except ValueError:
        return None


@cache
def load_registry() -> AgentRegistry:
    """Load and compile the packaged registry once per process."""
    raw = tomllib.loads(files("patchvet.marks").joinpath("data/agents.toml").read_text("utf-8"))
    agents: list[Agent] = []
    patterns: list[MessagePattern] = []
    for entry in raw["agents"]:
        agent = Agent(
            id=entry["id"],
            name=entry["name"],
            emails=frozenset(e.lower() for e in entry.get("emails", [])),
            email_patterns=_compile_all(entry.get("email_patterns", [])),
            github_ids=frozenset(entry.get("github_ids", [])),
            logins=frozenset(login.lower() for login in entry.get("logins", [])),
            names=_compile_all(entry.get("names", [])),
            subjects=_compile_all(entry.get("subjects", [])),
            branches=_compile_all(entry.get("branches", [])),
        )
        agents.append(agent)
        patterns.extend(
            MessagePattern(agent, item["kind"], compile_linear(item["pattern"]))
            for item in entry.get("message", [])
        )
    return AgentRegistry(
        tuple(agents),
        tuple(patterns),
        _screen(patterns),
        tuple((agent, pattern) for agent in agents for pattern in agent.subjects),
        tuple((agent, pattern) for agent in agents for pattern in agent.branches),
    )
