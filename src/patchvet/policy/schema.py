"""
The policy schema: what a project's `.patchvet.toml` (or a preset) may say, validated at the edge.

Unknown keys are errors, so a typo never silently weakens a policy. Everything has a default,
and the defaults are the `default` preset's advisory behaviour.

The classes build their validators on first validation, not at import: building them (with
pydantic's scan of installed packages for plugins) was ~50 ms of every run, and a run on a
shipped preset validates nothing. Presets are checked by the tests and taken as written
(`trusted`); a project's own file is validated in full.
"""

from __future__ import annotations

import fnmatch
import re
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from patchvet.budget import DEFAULT_SECONDS
from patchvet.paths import GENERATED_FILES, LOCK_FILES, VENDORED_FILES, first_match
from patchvet.records import Finding, Verdict

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


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class AIRules(_Section):
    """What AI involvement means for this project."""

    stance: Literal["allow", "disclose", "approval", "ban"] = "allow"
    """`ban`: any AI content is refused; `approval`: only with a recorded approval."""
    note: str = ""
    """The project's own rule in a sentence, quoted in explanations."""
    approval_trailers: list[str] = []
    """Trailer keys (such as `Approved-by`) that record a granted exception."""
    approval_labels: list[str] = []
    """Labels that record a granted exception on a pull request."""
    bot_authors: Literal["allow", "forbid"] = "allow"
    """`forbid`: contributions authored or opened by an agent account are not accepted."""


class DisclosureRules(_Section):
    """Which forms of AI disclosure are required, accepted or forbidden."""

    require: list[str] = []
    """When agent marks are present, every entry must be met; `a|b` means either form."""
    forbid: list[DisclosureForm] = []
    """Disclosure forms the project refuses (`disclosure/forbidden-form`)."""
    labels: list[str] = ["llm-assisted", "ai-assisted"]
    """PR labels that count as the `label` disclosure form."""
    assisted_by_format: Literal["any", "kernel"] = "any"
    """`kernel`: `Assisted-by: AGENT:MODEL [TOOL…]` or `Assisted-by: LLM [TOOL…]`."""
    basic_tools: list[str] = ["git", "gcc", "clang", "make", "vim", "emacs", "editor"]
    """Tools the kernel says not to list in Assisted-by."""

    @field_validator("require")
    @classmethod
    def _known_forms(cls, value: list[str]) -> list[str]:
        for entry in value:
            for form in entry.split("|"):
                if form not in DISCLOSURE_FORMS:
                    raise ValueError(f"unknown disclosure form {form!r}; use {DISCLOSURE_FORMS}")
        return value


class SignoffRules(_Section):
    """Developer Certificate of Origin rules."""

    required: bool = False
    """Every commit needs a human `Signed-off-by:` (`signoff/missing`, flag by default)."""
    match_author: bool = True
    """A sign-off must match the commit author (`signoff/author-mismatch`)."""
    forbid_ai: bool = True
    """An AI identity in Signed-off-by is a violation, not just ignored."""
    forbid_ai_co_developer: bool = True
    """An AI identity in `Co-developed-by:` is a violation (`signoff/ai-co-developer`)."""


class SizeRules(_Section):
    """Auditability thresholds."""

    exclude: list[str] = Field(default_factory=lambda: list(DEFAULT_GENERATED))
    """Globs of generated and lock files left out of the line count."""
    flag_bucket: Literal["XS", "S", "M", "L", "XL", "XXL"] = "XL"
    """Changes in this size bucket or above get `size/large`."""
    max_lines: int | None = None
    """Changes above this many counted lines get `size/over-limit` (flag by default); unset: no
    limit."""
    max_files: int | None = 100
    """Changes touching more files get `size/spread`; unset: no limit."""


class ProtectedPath(_Section):
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


class ChangeSurfaceRules(_Section):
    """Extra paths to treat as CI, build or release tooling."""

    extra_paths: list[str] = []
    """Globs of further CI, build or release files (`ci-change/*`)."""


class Calibration(_Section):
    """How `patchvet calibrate` chose this project's threshold (written by it, not by hand)."""

    model: str
    """Fingerprint of the model the threshold was chosen for; another model ignores it."""
    commits: int = Field(ge=0)
    """Human commits of the project's own history that were scored."""
    human_verdicts: int = Field(default=0, ge=0)
    """Contributions maintainers recorded as human in the ledger, scored with them."""
    range: str
    false_flag_rate: float = Field(ge=0.0, le=1.0)
    """Share of those human contributions that reach the threshold."""
    target_rate: float = Field(default=0.01, gt=0.0, lt=1.0)
    date: str = ""


class LikelihoodRules(_Section):
    """What the statistical agent-likelihood score means here."""

    enabled: bool = True
    """Compute the statistical agent-likelihood score."""
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    """Report scores at or above this; None uses the model's own threshold, chosen so that at
    most 1% of human commits of similar size reach it."""
    calibration: Calibration | None = None
    """Present when `patchvet calibrate` chose `threshold` from the project's own history."""


Tier = Literal["new", "known", "vouched"]


class IdentityRules(_Section):
    """Contributor-continuity modifiers (they need a ledger)."""

    known_after: int = Field(default=3, ge=1)
    """Recorded contributions after which a contributor counts as `known`."""
    report_first_contribution: bool = True
    """Report a contributor's first recorded contribution (`identity/first-contribution`)."""
    young_account_days: int = Field(default=30, ge=0)
    """Accounts younger than this (when the forge says) get an `identity/young-account` note."""
    style_shift_after: int = Field(default=20, ge=0)
    """Earlier scored contributions needed before `identity/style-shift` can fire (0: never)."""


class RateRules(_Section):
    """Submission limits per contributor, by trust tier (they need a ledger)."""

    window_hours: float = Field(default=24, gt=0)
    """The window, in hours, that `max_per_window` counts over."""
    max_per_window: dict[Tier, int] = {"new": 5, "known": 20, "vouched": 100}
    """Submissions allowed per window, by tier `new`/`known`/`vouched` (`rate/submissions`)."""
    max_open: dict[Tier, int] = {"new": 3, "known": 10, "vouched": 50}
    """Open contributions allowed at once, by tier (`rate/open-contributions`)."""
    max_open_agent: dict[Tier, int] = {}
    """Open agent-made contributions allowed at once (Homebrew: one per non-maintainer)."""


class CircuitBreakerRules(_Section):
    """Rust's breaker: too large a share of agent-made merges pauses new agent-made work."""

    enabled: bool = False
    """Pause new agent-made work when agent-made merges pass `max_agent_share`."""
    window_days: float = Field(default=42, gt=0)
    """Days of merges the share is computed over."""
    max_agent_share: float = Field(default=0.5, gt=0, le=1)
    """Largest share of agent-made merges before the breaker trips."""
    cooldown_days: float = Field(default=10, ge=0)
    """Days the breaker stays tripped."""
    min_contributions: int = Field(default=10, ge=1)
    """Merges needed in the window before the share counts."""


class ReviewRules(_Section):
    """What reviews by bots and agents may do."""

    agent_approvals: Literal["allow", "forbid"] = "forbid"
    """`forbid`: an approval by an agent account is reported (a human must decide)."""


class AccountRules(_Section):
    """The author's public account, read by the Action and the App (never by offline `check`)."""

    enabled: bool = True
    """Read it for authors who are not exempt and have no merged work in the repository."""
    cache_hours: float = 24.0
    """With a ledger, reuse a snapshot younger than this."""


class HoneypotRules(_Section):
    """Bait for autonomous agents, opt-in and advisory."""

    phrases: list[str] = []
    """Phrases hidden in the PR or issue template for agents; a description carrying one
    (outside HTML comments, any case) gets `honeypot/template-phrase`."""
    reply_code: bool = False
    """patchvet's comment on a contribution by a non-exempt author carries, in an HTML comment,
    a note asking automated agents to put a random code in their reply; the author's later
    comment carrying it (outside quoted lines) gets `honeypot/reply-code`. The App and the
    Action then always comment on such contributions, to carry the note."""


class IssueRules(_Section):
    """Issues, not only pull requests (the App and the Action)."""

    vet: bool = False
    """Vet `issues` (opened, edited) and `issue_comment` events: agent marks in the issue and in
    the author's comments, the template honeypot, account signals, rate limits and the circuit
    breaker, with labels and a comment per `[actions]`."""


Permission = Literal["admin", "maintain", "write", "triage"]


class MaintainerRules(_Section):
    """Who is exempt from contributor checks, the vouch list, and maintainer overrides."""

    exempt_associations: list[str] = ["OWNER", "MEMBER", "COLLABORATOR"]
    """GitHub `author_association` values whose pull requests skip `exempt_families`."""
    exempt_authors: list[str] = ["renovate[bot]", "dependabot[bot]", "github-actions[bot]"]
    """Logins (bots such as `renovate[bot]`, or the project's own bots) that skip them too."""
    exempt_families: list[str] = ["identity", "rate", "honeypot", "account"]
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
    override_labels: list[str] = ["patchvet:override"]
    """A label, added by someone with `override_permissions`, that overrides the verdict."""
    override_command: str = "/patchvet override"
    """A comment line `/patchvet override <reason>` by such a person does the same."""
    override_permissions: list[Permission] = ["admin", "maintain", "write"]
    """Repository permissions whose label or comment counts as a maintainer override."""

    @field_validator("exempt_associations")
    @classmethod
    def _known_associations(cls, value: list[str]) -> list[str]:
        for entry in value:
            if entry not in ASSOCIATIONS:
                raise ValueError(f"unknown author association {entry!r}; use {ASSOCIATIONS}")
        return value


class IgnoreRule(_Section):
    """Findings the maintainers chose not to act on, and why (shown in every report)."""

    reason: str = Field(min_length=1)
    """Why the maintainers ignore these findings; shown in every report."""
    paths: list[str] = []
    """Only findings whose every located file matches one of these globs (empty: all)."""


class DependencyRules(_Section):
    """Dependency checks."""

    typosquat: bool = True
    """Report new dependencies one edit from a popular package (`dependency/lookalike-name`)."""


class AnalysisRules(_Section):
    """How much work one contribution may cost."""

    budget_seconds: float = Field(default=DEFAULT_SECONDS, gt=0, le=3600)
    """CPU seconds to analyse one contribution; past it, the analysis stops with
    `analysis/incomplete` (held), so no contribution can stall a run."""


class Policy(_Section):
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
    # Defaults made without validating, which would build every validator at import; the
    # tests hold them equal to validated ones.
    ai: AIRules = AIRules.model_construct()
    disclosure: DisclosureRules = DisclosureRules.model_construct()
    signoff: SignoffRules = SignoffRules.model_construct()
    size: SizeRules = SizeRules.model_construct()
    protected_paths: dict[str, ProtectedPath] = {}
    """Named sets of guarded paths: `paths`, `reason`, `action`, `when`, `verdict`."""
    ci: ChangeSurfaceRules = ChangeSurfaceRules.model_construct()
    dependency: DependencyRules = DependencyRules.model_construct()
    likelihood: LikelihoodRules = LikelihoodRules.model_construct()
    identity: IdentityRules = IdentityRules.model_construct()
    rate: RateRules = RateRules.model_construct()
    circuit_breaker: CircuitBreakerRules = CircuitBreakerRules.model_construct()
    review: ReviewRules = ReviewRules.model_construct()
    analysis: AnalysisRules = AnalysisRules.model_construct()
    maintainers: MaintainerRules = MaintainerRules.model_construct()
    honeypot: HoneypotRules = HoneypotRules.model_construct()
    account: AccountRules = AccountRules.model_construct()
    issues: IssueRules = IssueRules.model_construct()
    ignore: dict[str, IgnoreRule] = {}
    """Finding id (or glob) to the reason it is ignored, optionally only under some paths."""
    severity_verdicts: dict[Literal["info", "low", "medium", "high"], VerdictName] = {
        "info": "pass",
        "low": "flag",
        "medium": "flag",
        "high": "hold",
    }
    """The verdict for each severity, used when `[verdicts]` does not name the finding."""
    verdicts: dict[str, VerdictName] = {}
    """Finding id (or glob such as `ci-change/*`) to verdict; the most specific pattern wins."""
    _origin: str = PrivateAttr(default="")
    actions: dict[VerdictName, list[str]] = {}
    """Per verdict, what to do on GitHub: `summary`, `comment`, `check-run`, `label:NAME`,
    `close`."""

    @field_validator("actions")
    @classmethod
    def _known_actions(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for actions in value.values():
            for action in actions:
                if not _ACTION.match(action):
                    raise ValueError(
                        f"unknown action {action!r}; use summary, comment, check-run, "
                        "close or label:NAME"
                    )
        return value

    @property
    def origin(self) -> str:
        """Where this policy was read from (`preset linux`, a file, `<sha>:.patchvet.toml`)."""
        return self._origin

    def from_origin(self, origin: str) -> Policy:
        """This policy, saying it was read from `origin`."""
        copy = self.model_copy()
        copy._origin = origin
        return copy

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


_Model = TypeVar("_Model", bound=_Section)


def trusted(model: type[_Model], data: Mapping[str, Any]) -> _Model:
    """
    `model` from data known to be valid (a shipped preset), without validating it: the same
    object validation gives (tests/policy/test_trusted_presets.py holds every preset to it), with
    nested tables made into their classes and whole numbers into floats where a float is due.
    """
    fields = model.model_fields
    values = {name: _as_declared(fields[name].annotation, value) for name, value in data.items()}
    # pydantic types model_construct as returning the class it is defined on.
    return typing.cast(_Model, model.model_construct(**values))


def _as_declared(annotation: Any, value: Any) -> Any:
    """`value` as validation would give it for a field declared `annotation`."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, _Section):
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
