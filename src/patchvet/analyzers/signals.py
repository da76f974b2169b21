"""
The AI signals of a contribution: explicit agent marks, disclosures, and denials of AI use.

Several analyzers (fingerprint, disclosure, sign-off, policy) judge the same facts; computing
them here once keeps those analyzers consistent with each other and cheap.
"""

from __future__ import annotations

from collections.abc import Iterator

from patchvet.analyzers.interface import Disclosure, Signals
from patchvet.budget import checkpoint, stage
from patchvet.linear import Match, compile_linear
from patchvet.marks import AgentRegistry, detect_marks, load_registry
from patchvet.marks.detect import commit_location, free_texts, line_containing
from patchvet.model.scorer import shipped_model
from patchvet.policy.schema import Policy
from patchvet.records import Commit, Contribution, Location, SourceKind

# "the AI team", "the AI API": AI as a subject of the work, not a tool that did it.
_NOT_A_TOOL = (
    r"(?:team|group|lab|research|researchers|department|feature|features|API|integration"
    r"|module|plugin|extension|service|services|endpoint|SDK|providers?|dataset)\b"
)
# Only names that cannot be read as something else: "Cursor" alone is a terminal feature,
# "Claude" or "Devin" alone may be a colleague, "Gemini" alone a protocol.
# RE2 has no look-ahead: the empty group after a bare "AI" marks where to check, in Python,
# that no such word follows (see `_statement`).
_AI_TOOLS = (
    r"(?:an?\s+)?(?:AI(?:\s+(?:assistant|tool|model|agent)s?|())"
    r"|LLMs?|large language models?"
    r"|generative AI|gen-?AI|(?:AI\s+)?coding (?:agent|assistant)s?|ChatGPT"
    r"|Claude(?: Code|\s+(?:Opus|Sonnet|Haiku)\b[\w.-]*)|(?:GitHub\s+)?Copilot"
    r"|GPT-?\d[\w.-]*|(?:OpenAI\s+)?Codex(?:\s+CLI)?|Cursor(?:\s+(?:AI|agent|IDE))"
    r"|(?:Google\s+)?Gemini(?:\s+(?:CLI|Code Assist|\d[\w.]*))|Devin AI|aider|Windsurf|OpenHands"
    r"|Qwen(?: Code)?)\b"
)
_PROCESS_NOUN = (
    r"(?:pr|pull request|patch(?:es|set)?|changes?|changeset|commits?|code|series|fix"
    r"|implementation|work|contribution)"
)
_MADE = (
    r"(?:was|were|is|are|has been|have been)\s+(?:\w+\s+){0,2}?(?:written|generated|created"
    r"|authored|produced|drafted|developed|made|implemented|assisted|prepared|done)"
    r"\s+(?:\w+\s+){0,2}?(?:with|by|using|via|through)\s+"
    r"(?:the\s+)?(?:(?:help|assistance|aid|support|use)\s+(?:of|from)\s+)?"
)
"""`… were drafted with the help of` before a tool's name: how people say they used one."""
_STATEMENT = compile_linear(
    r"(?i)\b(?:this|the|my|these|our)\s+"
    + _PROCESS_NOUN
    + r"\s+"
    + _MADE
    + _AI_TOOLS
    # Cover letters and notes speak of the work as "it" or of a part of it.
    + r"|\b(?:(?:parts?|some|most|much|all|portions?)\s+of\s+(?:it|this|these|them"
    r"|the\s+\w+)|it|they)\s+"
    + _MADE
    + _AI_TOOLS
    + r"|\b(?:I|we)\s+(?:have\s+)?(?:used|utilized|relied on|asked)\s+"
    + _AI_TOOLS
    + r"\s+(?:to|for|in|while|when)\b"
    r"|\b(?:with|using)\s+(?:the\s+)?(?:help|assistance|aid)\s+of\s+"
    + _AI_TOOLS
    + r"|\bwith\s+(?:some\s+)?(?:help|assistance)\s+from\s+"
    + _AI_TOOLS
    + r"|\b"
    + _AI_TOOLS
    + r"\s+(?:was|were)\s+used\s+(?:to|for|in)\b"
    r"|\bGenerated with \[?(?:Claude Code|Devin|opencode|Crush)\b"
    r"|\b(?:AI|LLM)[- ](?:assisted|generated)\s*:\s*(?:yes|true|partially|partly|mostly|fully)\b"
)
_AI_NOT_A_TOOL = compile_linear(r"(?i)\s+" + _NOT_A_TOOL)
# A filled-in disclosure field counts unless it answers none, no or n/a.
_DISCLOSURE_FIELD = compile_linear(
    r"(?i)\bAI (?:disclosure|usage|use|assistance)\s*:\s*(?P<answer>\w+)(?P<na>/a\b)?"
)
_DENIAL = compile_linear(
    r"(?i)\bno\s+(?:AI|LLMs?|generative AI)(?:\s+tools?)?\s+(?:was|were)\s+used"
    r"|\b(?:did\s+not|didn't|do\s+not|don't)\s+use\s+(?:any\s+)?(?:AI|LLMs?|generative AI)\b"
    r"|\bwithout\s+(?:any\s+)?(?:AI|LLM)\s+(?:assistance|help|tools?)"
    r"|\[x\]\s*I did not use (?:AI|LLM)"
    r"|\bAI (?:disclosure|usage|use)\s*:\s*(?:none|no)\b"
)
# Most texts state nothing about AI: one search for any of the three patterns passes them,
# where each text otherwise cost three calls through the RE2 wrapper (each encoding the text).
_ANY_STATEMENT = compile_linear(
    "|".join(f"(?:{pattern.pattern})" for pattern in (_STATEMENT, _DISCLOSURE_FIELD, _DENIAL))
)
_KERNEL_ASSISTED_BY = compile_linear(r"^(?:LLM|[^:\s]+:\S+)(?:\s+[\w.+-]+)*$")


_RETRIES = 32
"""Statements whose bare "AI" turned out to name a team or an API, tried past before giving up:
bounded, so text full of them stays linear (and missing a statement only makes a contribution
look undisclosed, the stricter reading)."""


def _is_answer(field: Match) -> bool:
    answer = field["answer"].lower()
    return answer not in ("none", "no") and not (answer == "n" and field["na"] is not None)


def _names_a_tool(text: str, found: Match) -> bool:
    """False when the statement's tool is a bare "AI" followed by a word such as "team"."""
    for group in range(1, _STATEMENT.groups + 1):
        if found.start(group) != -1 and _AI_NOT_A_TOOL.match(text, found.end(group)):
            return False
    return True


def _statement(text: str) -> Match | None:
    """The first statement of AI use in `text`."""
    position = 0
    statement = None
    for _ in range(_RETRIES):
        candidate = _STATEMENT.search(text, position)
        if candidate is None or _names_a_tool(text, candidate):
            statement = candidate
            break
        position = candidate.start() + 1
    field = next((m for m in _DISCLOSURE_FIELD.finditer(text) if _is_answer(m)), None)
    found = [m for m in (statement, field) if m is not None]
    return min(found, key=lambda m: m.start(), default=None)


DISCLOSURE_TRAILERS = ("assisted-by", "generated-by", "ai-used-for")


def _trailer_disclosures(commit: Commit, registry: AgentRegistry) -> Iterator[Disclosure]:
    """Disclosures in the commit's trailers, read as git reads them; prose lines do not count."""
    where = commit_location(commit)
    for trailer in commit.trailers:
        key, value, line = trailer.key.lower(), trailer.value, trailer.line
        if key in DISCLOSURE_TRAILERS:
            yield Disclosure(key, line, where, tool=value.split()[0] if value else None)
        elif key in ("co-authored-by", "co-developed-by"):
            agent = registry.by_address(value)
            if agent is not None:
                yield Disclosure(key, line, where, tool=agent.name)


def detect_disclosures(
    contribution: Contribution, policy: Policy, registry: AgentRegistry
) -> tuple[tuple[Disclosure, ...], tuple[Disclosure, ...]]:
    """(disclosures of AI use, statements denying AI use)."""
    disclosures: list[Disclosure] = []
    denials: list[Disclosure] = []
    for commit in contribution.commits:
        disclosures += _trailer_disclosures(commit, registry)
    wanted = {label.lower() for label in policy.disclosure.labels}
    disclosures += [
        Disclosure("label", label, Location())
        for label in contribution.labels
        if label.lower() in wanted
    ]
    for text, where in free_texts(contribution):
        checkpoint()
        if _ANY_STATEMENT.search(text) is None:
            continue
        statement = _statement(text)
        if statement:
            disclosures.append(
                Disclosure("statement", line_containing(text, statement.start()), where)
            )
        denial = _DENIAL.search(text)
        if denial:
            denials.append(Disclosure("statement", line_containing(text, denial.start()), where))
    return tuple(disclosures), tuple(denials)


def kernel_shaped(assisted_by: str) -> bool:
    """Whether an `Assisted-by:` value follows the kernel's format (either of its forms)."""
    return _KERNEL_ASSISTED_BY.match(assisted_by.strip()) is not None


def compute_signals(contribution: Contribution, policy: Policy) -> Signals:
    """All AI signals of one contribution under one policy (labels depend on the policy)."""
    registry = load_registry()
    disclosures, denials = detect_disclosures(contribution, policy, registry)
    stage("the agent-likelihood model")
    # The model reads commits and pull requests; an issue's prose is not what it was trained on.
    # A GitHub App's account (dependabot[bot], renovate[bot], a release bot) is automation by
    # its own name: whether an *agent* wrote its change is answered by the marks (agent apps
    # such as copilot-swe-agent[bot] are in the registry), not by a style score. Its version
    # bumps look nothing like the human commits the model was trained against.
    scored = (
        policy.likelihood.enabled
        and contribution.kind is not SourceKind.ISSUE
        and not contribution.author.is_app_account()
    )
    model = shipped_model() if scored else None
    likelihood = model.score(contribution) if model is not None else None
    return Signals(detect_marks(contribution, registry), disclosures, denials, likelihood)
