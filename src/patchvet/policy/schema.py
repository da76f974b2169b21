"""
The policy schema: what a project's `.patchvet.toml` (or a preset) may say, validated at the edge.

Unknown keys are errors, so a typo never silently weakens a policy. Everything has a default,
and the defaults are the `default` preset's advisory behaviour.

The tables are frozen dataclasses, and this module does not import pydantic: importing it and
making its classes was about a third of a one-patch check, and a run on a shipped preset
validates nothing. Presets are checked by the tests and taken as written (`trusted`); a
project's own file is validated in full by pydantic models that `policy/checked.py` derives
from these classes on first use (their bounds are each field's `metadata`, their checks
`FIELD_CHECKS`), so the schema is written once.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from patchvet.budget import DEFAULT_SECONDS
from patchvet.paths import GENERATED_FILES, LOCK_FILES, VENDORED_FILES, first_match
from patchvet.records import Finding, Verdict

_T = TypeVar("_T")


def _bounded(default: _T, **bounds: float) -> _T:
    """A default with the bounds validation holds the value to (`ge`, `gt`, `le`, `lt`)."""
    return field(default=default, metadata=bounds)


def _required(**bounds: float) -> Any:
    """A field without a default, held to `bounds` by validation."""
    return field(metadata=bounds)


VerdictName = Literal["pass", "flag", "hold", "reject"]
DisclosureForm = Literal[
    "assisted-by", "generated-by", "ai-used-for", "co-authored-by", "co-developed-by",
    "label", "statement",
]  # fmt: skip
DISCLOSURE_FORMS: tuple[str, ...] = DisclosureForm.__args__  # type: ignore[attr-defined]
_ACTION = re.compile(r"^(summary|comment|check-run|close|label:[^\s,][^,]{0,49})$")
BUCKETS = ("XS", "S", "M", "L", "XL", "XXL")
ASSOCIATIONS = (
    "OWNER", "MEMBER", "COLLABORATOR", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER",
    "MANNEQUIN", "NONE",
)  # fmt: skip

DEFAULT_GENERATED = [*LOCK_FILES, *GENERATED_FILES, *VENDORED_FILES]


@dataclass(frozen=True, kw_only=True)
class AIRules:
    """What AI involvement means for this project."""

    stance: Literal["allow", "disclose", "approval", "ban"] = "allow"
    """`ban`: any AI content is refused; `approval`: only with a recorded approval."""
    note: str = ""
    """The project's own rule in a sentence, quoted in explanations."""
    approval_trailers: list[str] = field(default_factory=list)
    """Trailer keys (such as `Approved-by`) that record a granted exception."""
    approval_labels: list[str] = field(default_factory=list)
    """Labels that record a granted exception on a pull request."""
    bot_authors: Literal["allow", "forbid"] = "allow"
    """`forbid`: contributions authored or opened by an agent account are not accepted."""


@dataclass(frozen=True, kw_only=True)
class DisclosureRules:
    """Which forms of AI disclosure are required, accepted or forbidden."""

    require: list[str] = field(default_factory=list)
    """When agent marks are present, every entry must be met; `a|b` means either form."""
    forbid: list[DisclosureForm] = field(default_factory=list)
    """Disclosure forms the project refuses (`disclosure/forbidden-form`)."""
    labels: list[str] = field(default_factory=lambda: ["llm-assisted", "ai-assisted"])
    """PR labels that count as the `label` disclosure form."""
    assisted_by_format: Literal["any", "kernel"] = "any"
    """`kernel`: `Assisted-by: AGENT:MODEL [TOOL…]` or `Assisted-by: LLM [TOOL…]`."""
    basic_tools: list[str] = field(
        default_factory=lambda: ["git", "gcc", "clang", "make", "vim", "emacs", "editor"]
    )
    """Tools the kernel says not to list in Assisted-by."""


@dataclass(frozen=True, kw_only=True)
class SignoffRules:
    """Developer Certificate of Origin rules."""

    required: bool = False
    """Every commit needs a human `Signed-off-by:` (`signoff/missing`, flag by default)."""
    match_author: bool = True
    """A sign-off must match the commit author (`signoff/author-mismatch`)."""
    forbid_ai: bool = True
    """An AI identity in Signed-off-by is a violation, not just ignored."""
    forbid_ai_co_developer: bool = True
    """An AI identity in `Co-developed-by:` is a violation (`signoff/ai-co-developer`)."""


@dataclass(frozen=True, kw_only=True)
class SizeRules:
    """Auditability thresholds."""

    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_GENERATED))
    """Globs of generated and lock files left out of the line count."""
    flag_bucket: Literal["XS", "S", "M", "L", "XL", "XXL"] = "XL"
    """Changes in this size bucket or above get `size/large`."""
    max_lines: int | None = None
    """Changes above this many counted lines get `size/over-limit` (flag by default); unset: no
    limit."""
    max_files: int | None = 100
    """Changes touching more files get `size/spread`; unset: no limit."""


@dataclass(frozen=True, kw_only=True)
class ProtectedPath:
    """A set of paths the project guards, and why."""

    paths: list[str]
    """Globs of the guarded paths (`/` anchors at the repository root)."""
    reason: str
    """Why they are guarded, quoted in the finding."""
    action: str = "Ask a maintainer to review this change explicitly."
    """What the contributor should do, quoted as the remedy."""
    when: Literal["always", "ai-detected"] = "always"
    """`ai-detected`: only when the contribution carries agent marks."""
    verdict: VerdictName = "flag"
    """The verdict of `protected-path/NAME` when these paths are touched."""


@dataclass(frozen=True, kw_only=True)
class ChangeSurfaceRules:
    """Extra paths to treat as CI, build or release tooling."""

    extra_paths: list[str] = field(default_factory=list)
    """Globs of further CI, build or release files (`ci-change/*`)."""


@dataclass(frozen=True, kw_only=True)
class Calibration:
    """How `patchvet calibrate` chose this project's threshold (written by it, not by hand)."""

    model: str
    """Fingerprint of the model the threshold was chosen for; another model ignores it."""
    commits: int = _required(ge=0)
    """Human commits of the project's own history that were scored."""
    human_verdicts: int = _bounded(0, ge=0)
    """Contributions maintainers recorded as human in the ledger, scored with them."""
    range: str
    false_flag_rate: float = _required(ge=0.0, le=1.0)
    """Share of those human contributions that reach the threshold."""
    target_rate: float = _bounded(0.01, gt=0.0, lt=1.0)
    date: str = ""


@dataclass(frozen=True, kw_only=True)
class LikelihoodRules:
    """What the statistical agent-likelihood score means here."""

    enabled: bool = True
    """Compute the statistical agent-likelihood score."""
    threshold: float | None = _bounded(None, ge=0.0, le=1.0)
    """Report scores at or above this; None uses the model's own threshold, chosen so that at
    most 1% of human commits of similar size reach it."""
    calibration: Calibration | None = None
    """Present when `patchvet calibrate` chose `threshold` from the project's own history."""


Tier = Literal["new", "known", "vouched"]


@dataclass(frozen=True, kw_only=True)
class IdentityRules:
    """Contributor-continuity modifiers (they need a ledger)."""

    known_after: int = _bounded(3, ge=1)
    """Recorded contributions after which a contributor counts as `known`."""
    report_first_contribution: bool = True
    """Report a contributor's first recorded contribution (`identity/first-contribution`)."""
    young_account_days: int = _bounded(30, ge=0)
    """Accounts younger than this (when the forge says) get an `identity/young-account` note."""
    style_shift_after: int = _bounded(20, ge=0)
    """Earlier scored contributions needed before `identity/style-shift` can fire (0: never)."""


@dataclass(frozen=True, kw_only=True)
class RateRules:
    """Submission limits per contributor, by trust tier (they need a ledger)."""

    window_hours: float = _bounded(24, gt=0)
    """The window, in hours, that `max_per_window` counts over."""
    max_per_window: dict[Tier, int] = field(
        default_factory=lambda: {"new": 5, "known": 20, "vouched": 100}
    )
    """Submissions allowed per window, by tier `new`/`known`/`vouched` (`rate/submissions`)."""
    max_open: dict[Tier, int] = field(
        default_factory=lambda: {"new": 3, "known": 10, "vouched": 50}
    )
    """Open contributions allowed at once, by tier (`rate/open-contributions`)."""
    max_open_agent: dict[Tier, int] = field(default_factory=dict)
    """Open agent-made contributions allowed at once (Homebrew: one per non-maintainer)."""


@dataclass(frozen=True, kw_only=True)
class CircuitBreakerRules:
    """Rust's breaker: too large a share of agent-made merges pauses new agent-made work."""

    enabled: bool = False
    """Pause new agent-made work when agent-made merges pass `max_agent_share`."""
    window_days: float = _bounded(42, gt=0)
    """Days of merges the share is computed over."""
    max_agent_share: float = _bounded(0.5, gt=0, le=1)
    """Largest share of agent-made merges before the breaker trips."""
    cooldown_days: float = _bounded(10, ge=0)
    """Days the breaker stays tripped."""
    min_contributions: int = _bounded(10, ge=1)
    """Merges needed in the window before the share counts."""


@dataclass(frozen=True, kw_only=True)
class ReviewRules:
    """What reviews by bots and agents may do."""

    agent_approvals: Literal["allow", "forbid"] = "forbid"
    """`forbid`: an approval by an agent account is reported (a human must decide)."""


@dataclass(frozen=True, kw_only=True)
class AccountRules:
    """The author's public account, read by the Action and the App (never by offline `check`)."""

    enabled: bool = True
    """Read it for authors who are not exempt and have no merged work in the repository."""
    cache_hours: float = 24.0
    """With a ledger, reuse a snapshot younger than this."""


@dataclass(frozen=True, kw_only=True)
class HoneypotRules:
    """Bait for autonomous agents, opt-in and advisory."""

    phrases: list[str] = field(default_factory=list)
    """Phrases hidden in the PR or issue template for agents; a description carrying one
    (outside HTML comments, any case) gets `honeypot/template-phrase`."""
    reply_code: bool = False
    """patchvet's comment on a contribution by a non-exempt author carries, in an HTML comment,
    a note asking automated agents to put a random code in their reply; the author's later
    comment carrying it (outside quoted lines) gets `honeypot/reply-code`. The App and the
    Action then always comment on such contributions, to carry the note."""


@dataclass(frozen=True, kw_only=True)
class IssueRules:
    """Issues, not only pull requests (the App and the Action)."""

    vet: bool = False
    """Vet `issues` (opened, edited) and `issue_comment` events: agent marks in the issue and in
    the author's comments, the template honeypot, account signals, rate limits and the circuit
    breaker, with labels and a comment per `[actions]`."""


Permission = Literal["admin", "maintain", "write", "triage"]


@dataclass(frozen=True, kw_only=True)
class MaintainerRules:
    """Who is exempt from contributor checks, the vouch list, and maintainer overrides."""

    exempt_associations: list[str] = field(
        default_factory=lambda: ["OWNER", "MEMBER", "COLLABORATOR"]
    )
    """GitHub `author_association` values whose pull requests skip `exempt_families`."""
    exempt_authors: list[str] = field(
        default_factory=lambda: ["renovate[bot]", "dependabot[bot]", "github-actions[bot]"]
    )
    """Logins (bots such as `renovate[bot]`, or the project's own bots) that skip them too."""
    exempt_families: list[str] = field(
        default_factory=lambda: ["identity", "rate", "honeypot", "account"]
    )
    """Finding families not reported for exempt authors."""
    trust_established: bool = True
    """Report edits of CI workflows, hooks and release tooling, third-party actions by tag, and
    lock files changed without their manifest, as `info` when the author is exempt or known (in
    the ledger, or by `identity.known_after` commits in the repository's history before a
    `--git` range); false: flag them for everyone. Secrets, privileged triggers, widened
    permissions, piped downloads and binary fixtures always flag."""
    vouch_file: str = ".github/VOUCHED.td"
    """A Ghostty-style vouch list, read from the base branch; vouched authors are exempt."""
    require_vouch: bool = False
    """Authors neither exempt nor vouched get `identity/unvouched` (when the list exists)."""
    override_labels: list[str] = field(default_factory=lambda: ["patchvet:override"])
    """A label, added by someone with `override_permissions`, that overrides the verdict."""
    override_command: str = "/patchvet override"
    """A comment line `/patchvet override <reason>` by such a person does the same."""
    override_permissions: list[Permission] = field(
        default_factory=lambda: ["admin", "maintain", "write"]
    )
    """Repository permissions whose label or comment counts as a maintainer override."""


@dataclass(frozen=True, kw_only=True)
class IgnoreRule:
    """Findings the maintainers chose not to act on, and why (shown in every report)."""

    reason: str = _required(min_length=1)
    """Why the maintainers ignore these findings; shown in every report."""
    paths: list[str] = field(default_factory=list)
    """Only findings whose every located file matches one of these globs (empty: all)."""


@dataclass(frozen=True, kw_only=True)
class DependencyRules:
    """Dependency checks."""

    typosquat: bool = True
    """Report new dependencies one edit from a popular package (`dependency/lookalike-name`)."""


@dataclass(frozen=True, kw_only=True)
class AnalysisRules:
    """How much work one contribution may cost."""

    budget_seconds: float = _bounded(DEFAULT_SECONDS, gt=0, le=3600)
    """CPU seconds to analyse one contribution; past it, the analysis stops with
    `analysis/incomplete` (held), so no contribution can stall a run."""


@dataclass(frozen=True, kw_only=True)
class Policy:
    """A resolved policy: presets and project overrides merged, validated."""

    name: str = "custom"
    """The policy's name in reports (a file's path when it sets none)."""
    extends: str | None = None
    """The preset this policy builds on; tables merge key by key."""
    description: str = ""
    """One line on what the policy is, shown by `policy list`."""
    source: str = ""
    """Where the project states its policy (document and date)."""
    mode: Literal["advisory", "enforce"] = "advisory"
    """`enforce` lets the GitHub integration close contributions (opt-in); `advisory` reports."""
    ai: AIRules = AIRules()
    disclosure: DisclosureRules = DisclosureRules()
    signoff: SignoffRules = SignoffRules()
    size: SizeRules = SizeRules()
    protected_paths: dict[str, ProtectedPath] = field(default_factory=dict)
    """Named sets of guarded paths: `paths`, `reason`, `action`, `when`, `verdict`."""
    ci: ChangeSurfaceRules = ChangeSurfaceRules()
    dependency: DependencyRules = DependencyRules()
    likelihood: LikelihoodRules = LikelihoodRules()
    identity: IdentityRules = IdentityRules()
    rate: RateRules = RateRules()
    circuit_breaker: CircuitBreakerRules = CircuitBreakerRules()
    review: ReviewRules = ReviewRules()
    analysis: AnalysisRules = AnalysisRules()
    maintainers: MaintainerRules = MaintainerRules()
    honeypot: HoneypotRules = HoneypotRules()
    account: AccountRules = AccountRules()
    issues: IssueRules = IssueRules()
    ignore: dict[str, IgnoreRule] = field(default_factory=dict)
    """Finding id (or glob) to the reason it is ignored, optionally only under some paths."""
    severity_verdicts: dict[Literal["info", "low", "medium", "high"], VerdictName] = field(
        default_factory=lambda: {"info": "pass", "low": "flag", "medium": "flag", "high": "hold"}
    )
    """The verdict for each severity, used when `[verdicts]` does not name the finding."""
    verdicts: dict[str, VerdictName] = field(default_factory=dict)
    """Finding id (or glob such as `ci-change/*`) to verdict; the most specific pattern wins."""
    actions: dict[VerdictName, list[str]] = field(default_factory=dict)
    """Per verdict, what to do on GitHub: `summary`, `comment`, `check-run`, `label:NAME`,
    `close`."""
    _origin: str = ""
    """Where the policy was read from: not a key of the file (see `dump`)."""

    @property
    def origin(self) -> str:
        """Where this policy was read from (`preset linux`, a file, `<sha>:.patchvet.toml`)."""
        return self._origin

    def from_origin(self, origin: str) -> Policy:
        """This policy, saying it was read from `origin`."""
        return dataclasses.replace(self, _origin=origin)

    def ignored(self, finding: Finding) -> str | None:
        """The `[ignore]` reason that applies to this finding, or None."""
        located = [where.path for where in finding.locations if where.path]
        for pattern, rule in self.ignore.items():
            if not fnmatch.fnmatchcase(finding.id, pattern):
                continue
            if not rule.paths:
                return rule.reason
            if located and all(first_match(path, rule.paths) for path in located):
                return rule.reason
        return None

    def verdict_for(self, finding: Finding) -> Verdict:
        """The verdict this policy gives one finding."""
        if finding.family == "protected-path":
            entry = self.protected_paths.get(finding.id.split("/", 1)[1])
            if entry is not None:
                return Verdict(entry.verdict)
        if finding.id in self.verdicts:
            return Verdict(self.verdicts[finding.id])
        patterns = [p for p in self.verdicts if fnmatch.fnmatchcase(finding.id, p)]
        if patterns:
            return Verdict(self.verdicts[max(patterns, key=len)])
        return Verdict(self.severity_verdicts[finding.severity.value])


def _known_forms(value: list[str]) -> list[str]:
    for entry in value:
        for form in entry.split("|"):
            if form not in DISCLOSURE_FORMS:
                raise ValueError(f"unknown disclosure form {form!r}; use {DISCLOSURE_FORMS}")
    return value


def _known_associations(value: list[str]) -> list[str]:
    for entry in value:
        if entry not in ASSOCIATIONS:
            raise ValueError(f"unknown author association {entry!r}; use {ASSOCIATIONS}")
    return value


def _known_actions(value: dict[str, list[str]]) -> dict[str, list[str]]:
    for actions in value.values():
        for action in actions:
            if not _ACTION.match(action):
                raise ValueError(
                    f"unknown action {action!r}; use summary, comment, check-run, "
                    "close or label:NAME"
                )
    return value


FIELD_CHECKS: dict[tuple[type, str], Callable[[Any], Any]] = {
    (DisclosureRules, "require"): _known_forms,
    (MaintainerRules, "exempt_associations"): _known_associations,
    (Policy, "actions"): _known_actions,
}
"""What validation checks of a field beyond its type and bounds: raises ValueError, with the
message a user sees, or gives the value back."""

TABLES: tuple[type, ...] = (
    AIRules, DisclosureRules, SignoffRules, SizeRules, ProtectedPath, ChangeSurfaceRules,
    Calibration, LikelihoodRules, IdentityRules, RateRules, CircuitBreakerRules, ReviewRules,
    AccountRules, HoneypotRules, IssueRules, MaintainerRules, IgnoreRule, DependencyRules,
    AnalysisRules, Policy,
)  # fmt: skip
"""Every table of the schema."""
_TABLE_SET = frozenset(TABLES)


def is_table(value: Any) -> bool:
    """A schema table (class or instance)."""
    return (value if isinstance(value, type) else type(value)) in _TABLE_SET


def keys_of(table: type) -> list[dataclasses.Field[Any]]:
    """The keys a table declares, in order (`_origin` and the like are not keys)."""
    return [key for key in dataclasses.fields(table) if not key.name.startswith("_")]


def declared(table: type) -> dict[str, Any]:
    """Each key's declared type, resolved (the annotations are strings, resolved once)."""
    found = _DECLARED.get(table)
    if found is None:
        found = _DECLARED[table] = typing.get_type_hints(table)
    return found


_DECLARED: dict[type, dict[str, Any]] = {}


def dump(table: Any, exclude_none: bool = False) -> dict[str, Any]:
    """A table as plain data (what a file would say for it), every key, nested tables too."""
    data: dict[str, Any] = {}
    types_of = declared(type(table))
    for key in keys_of(type(table)):
        value = getattr(table, key.name)
        if value is not None or not exclude_none:
            # A whole-number default of a float key is written as a float, as pydantic does.
            data[key.name] = _plain(_as_declared(types_of[key.name], value), exclude_none)
    return data


def _plain(value: Any, exclude_none: bool) -> Any:
    if is_table(value):
        return dump(value, exclude_none)
    if isinstance(value, dict):
        return {key: _plain(item, exclude_none) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item, exclude_none) for item in value]
    return value


_Table = TypeVar("_Table")


def trusted(table: type[_Table], data: Mapping[str, Any]) -> _Table:
    """
    `table` from data known to be valid (a shipped preset, or what validation gave), without
    validating it: the same object validation gives (tests/policy/test_trusted_presets.py
    holds every preset to it), with nested tables made into their classes and whole numbers
    into floats where a float is due.
    """
    types_of = declared(table)
    values = {name: _as_declared(types_of[name], value) for name, value in data.items()}
    return table(**values)


def _as_declared(annotation: Any, value: Any) -> Any:
    """`value` as validation would give it for a field declared `annotation`."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if is_table(annotation):
        return trusted(annotation, value) if isinstance(value, Mapping) else value
    if origin in (types.UnionType, typing.Union):
        declared = [argument for argument in arguments if argument is not type(None)]
        return value if value is None or len(declared) != 1 else _as_declared(declared[0], value)
    if origin is dict and isinstance(value, Mapping):
        return {key: _as_declared(arguments[1], item) for key, item in value.items()}
    if origin is list and isinstance(value, list):
        return [_as_declared(arguments[0], item) for item in value]
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value
