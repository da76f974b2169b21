"""
Every finding id patchvet can report, with its family, default severity and what it means.

This is the one list: policy validation checks `[verdicts]` and `[ignore]` keys against it,
`patchvet findings` prints it, SARIF rules take their descriptions from it, and
`docs/findings.md` is generated from it (a test keeps them equal). Ids whose name the policy
chooses (`protected-path/<entry>`) are listed as `family/*`.
"""

from __future__ import annotations

from dataclasses import dataclass

from patchvet.records import Confidence, Finding, Severity

DOCS_URL = "https://github.com/patchvet/patchvet/blob/main/docs/findings.md"

ANALYSIS_INCOMPLETE = "analysis/incomplete"
"""patchvet could not finish analysing a contribution (an analyzer failed, or its time budget
ran out). Judged at least `hold`: what was not analysed is never passed silently."""


@dataclass(frozen=True)
class FindingKind:
    """One finding id as documentation and policy validation see it."""

    id: str
    severity: Severity
    """The severity the analyzer reports it with (before any policy mapping)."""
    summary: str
    """One line: what was seen."""
    help: str
    """Why it matters and what resolves it."""

    @property
    def family(self) -> str:
        """The part before the slash."""
        return self.id.split("/", 1)[0]

    @property
    def anchor(self) -> str:
        """The id's heading anchor in docs/findings.md."""
        return self.id.replace("/", "").replace("*", "")

    @property
    def url(self) -> str:
        """Where the id is documented."""
        return f"{DOCS_URL}#{self.anchor}"


_H, _M, _L, _I = Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO

FINDINGS: tuple[FindingKind, ...] = (
    FindingKind("account/automation-pattern", _L,
                "The author's public GitHub activity reads as automation (`patchvet account`).",
                "Advice only, capped at flag; exempt, vouched and already-merged authors are not "
                "read. The evidence lists the signals; a vouch settles a dispute."),
    FindingKind("account/mixed-pattern", _I,
                "The author's public GitHub activity is partly automation-like.",
                "A note for the reviewer, with the signals as evidence."),
    FindingKind("agent-fingerprint/agent-author", _L,
                "A coding agent's account authored the commit or opened the pull request.",
                "An explicit mark from the agent registry. Under a disclosure policy it must "
                "be disclosed in the form the project asks."),
    FindingKind("agent-fingerprint/agent-committer", _L,
                "A coding agent's account committed the change.",
                "An explicit mark from the agent registry."),
    FindingKind("agent-fingerprint/agent-trailer", _L,
                "A trailer names a coding agent (Co-Authored-By, Generated-by, …).",
                "An explicit mark; the trailer is quoted as evidence."),
    FindingKind("agent-fingerprint/agent-footer", _L,
                "The message carries an agent's generated-with footer.",
                "An explicit mark; the footer is quoted as evidence."),
    FindingKind("agent-fingerprint/session-link", _L,
                "A link to an agent session is present.",
                "An explicit mark; the link is quoted as evidence."),
    FindingKind("agent-fingerprint/agent-branch", _L,
                "The branch name follows a coding agent's naming pattern.",
                "An explicit mark (for example `claude/…`, `codex/…`)."),
    FindingKind("agent-fingerprint/agent-subject", _L,
                "The commit subject uses a coding agent's prefix.",
                "An explicit mark."),
    FindingKind("agent-likelihood/high-score", _L,
                "The statistical model's agent likelihood crossed the policy threshold.",
                "Evidence for a human to weigh, never grounds to refuse: judged at most `flag` "
                "whatever the policy says. Threshold: `likelihood.threshold`."),
    FindingKind(ANALYSIS_INCOMPLETE, _H,
                "patchvet could not finish analysing this contribution.",
                "An analyzer failed or the time budget ran out; the reason is the evidence. "
                "Judged at least `hold`, so what was not analysed is never passed silently. "
                "A maintainer reviews it by hand."),
    FindingKind("disclosure/present", _I,
                "AI use is disclosed in a form the policy accepts.",
                "Informational: the contribution says how AI was used."),
    FindingKind("disclosure/missing", _M,
                "Agent marks are present without the disclosure the policy requires.",
                "Add the required disclosure (`disclosure.require`), for example an "
                "`Assisted-by:` trailer or the project's label."),
    FindingKind("disclosure/forbidden-form", _M,
                "A disclosure form the policy forbids is used.",
                "Use one of the forms the project accepts (`disclosure.forbid`)."),
    FindingKind("disclosure/contradicted", _M,
                "A \"no AI was used\" statement stands beside agent marks.",
                "Correct the statement or remove the marks that are not true."),
    FindingKind("disclosure/malformed", _L,
                "An `Assisted-by:` trailer does not follow the kernel format.",
                "`Assisted-by: AGENT:MODEL [TOOL…]` (`disclosure.assisted_by_format`)."),
    FindingKind("disclosure/wrong-form", _L,
                "AI use is disclosed, but not in the form the project's policy asks for.",
                "Keep the disclosure and add the required form (for the kernel, "
                "`Assisted-by:` instead of `Generated-by:` or a cover-letter sentence)."),
    FindingKind("disclosure/basic-tool-listed", _I,
                "`Assisted-by:` lists a basic tool the kernel says not to list.",
                "Leave out tools such as git, gcc or editors (`disclosure.basic_tools`)."),
    FindingKind("disclosure/below-divider", _M,
                "A disclosure trailer stands below the `---` line, where `git am` drops it.",
                "Move it above the `---` line with the other trailers."),
    FindingKind("policy/ai-content", _H,
                "The project bans AI-generated contributions and this one carries agent marks.",
                "`ai.stance = \"ban\"`."),
    FindingKind("policy/approval-required", _M,
                "AI content needs a recorded approval the contribution does not carry.",
                "`ai.stance = \"approval\"`; add an approval trailer or label "
                "(`ai.approval_trailers`, `ai.approval_labels`)."),
    FindingKind("policy/agent-submission", _H,
                "An agent account submitted the contribution and the project forbids that.",
                "`ai.bot_authors = \"forbid\"`."),
    FindingKind("signoff/missing", _M,
                "A commit has no human `Signed-off-by:` although the policy requires one.",
                "`signoff.required`; add your sign-off with `git commit -s`."),
    FindingKind("signoff/author-mismatch", _L,
                "No sign-off matches the commit author.",
                "`signoff.match_author`; the author certifies the DCO."),
    FindingKind("signoff/ai-signoff", _H,
                "An AI identity appears in `Signed-off-by:`.",
                "`signoff.forbid_ai`; only a human can certify the DCO."),
    FindingKind("signoff/ai-co-developer", _M,
                "An AI identity appears in `Co-developed-by:`.",
                "`signoff.forbid_ai_co_developer`; use `Assisted-by:` instead."),
    FindingKind("signoff/below-divider", _M,
                "`Signed-off-by:` stands below the `---` line, where `git am` drops it.",
                "Move it above the `---` line (`git commit -s --amend`) and send again."),
    FindingKind("size/large", _L,
                "The change is in or above the policy's size bucket.",
                "`size.flag_bucket` (XS/S/M/L/XL/XXL at 10/30/100/500/1000 lines); lock and "
                "generated files are not counted. Reported but `pass` by default (size says "
                "nothing about who wrote a change); the `linux` and `qemu` presets flag it. "
                "Split the change."),
    FindingKind("size/over-limit", _M,
                "The change exceeds the policy's line limit.",
                "`size.max_lines`; split the change."),
    FindingKind("size/spread", _L,
                "The change touches more files than the policy allows.",
                "`size.max_files` (files renamed without a changed line do not count); "
                "split the change."),
    FindingKind("protected-path/*", _M,
                "The change touches paths a policy entry protects.",
                "One id per `[protected_paths.NAME]` entry; its `verdict` decides (default "
                "`flag`) and its `action` says what to do."),
    FindingKind("ci-change/workflow", _M,
                "A CI workflow changed.",
                "Workflows run with the repository's token and secrets; review the change. "
                "`info` when it can run nothing new, or when the author is established "
                "(`maintainers.trust_established`: exempt, or known in the ledger or the "
                "repository's history before the range)."),
    FindingKind("ci-change/release", _M,
                "Release tooling changed.",
                "Review what is published and how. `info` for established authors "
                "(`maintainers.trust_established`)."),
    FindingKind("ci-change/hook", _L,
                "A git or pre-commit hook changed.",
                "Hooks run on contributors' machines. `info` for established authors "
                "(`maintainers.trust_established`)."),
    FindingKind("ci-change/build-script", _I,
                "A build script changed.", "Build scripts run on every build."),
    FindingKind("ci-change/pipe-to-shell", _H,
                "An added line downloads code and runs it in one step.",
                "Pin and verify what is downloaded; never pipe a download into a shell."),
    FindingKind("ci-change/script-injection", _H,
                "A workflow expands contributor-controlled text into a script.",
                "Pass the value through an environment variable and quote it."),
    FindingKind("ci-change/secret-use", _H,
                "A workflow uses a repository secret (`secrets.X`, `toJSON(secrets)`, "
                "`secrets: inherit`).",
                "Check that no contributor-controlled code runs with it."),
    FindingKind("ci-change/privileged-trigger", _M,
                "A workflow adds `pull_request_target`, `workflow_run` or `issue_comment`.",
                "These run with the base repository's secrets and write token."),
    FindingKind("ci-change/permissions", _M,
                "A workflow widens its token's permissions.", "Grant the least privilege."),
    FindingKind("ci-change/unpinned-action", _L,
                "A third-party action is used by a movable tag or branch.",
                "Pin third-party actions to a full commit SHA. `info` for established "
                "authors (`maintainers.trust_established`): a stranger can move the tag later."),
    FindingKind("ci-change/install-hook", _M,
                "A package install hook was added.",
                "Install hooks run on every install; prefer an explicit build step."),
    FindingKind("ci-change/binary-fixture", _M,
                "An opaque binary was added under a test directory.",
                "Binary test fixtures can smuggle payloads (xz-utils); explain how it was made."),
    FindingKind("dependency/changed", _I,
                "A dependency manifest or lock file changed.", "Review the new dependencies."),
    FindingKind("dependency/lookalike-name", _H,
                "A new dependency's name is one edit from a popular package.",
                "Possible typosquatting or a hallucinated name (slopsquatting); check the name."),
    FindingKind("dependency/non-registry-source", _M,
                "A dependency comes from a URL or git source instead of a registry.",
                "Such sources bypass the registry's integrity checks; pin and justify."),
    FindingKind("dependency/lockfile-only", _L,
                "A lock file changed without its manifest.",
                "Regenerate the lock file from the manifest, or explain the change. `info` for "
                "re-pins of the same flake inputs, Cargo.lock and go.sum edits that only pick "
                "published registry versions, and established authors "
                "(`maintainers.trust_established`)."),
    FindingKind("unicode/bidi-control", _H,
                "An added line carries a bidirectional control character (Trojan Source).",
                "Remove the character; it can make code read differently than it runs."),
    FindingKind("unicode/invisible", _H,
                "An added line carries an invisible character.",
                "Remove the character; it can hide differences between identifiers."),
    FindingKind("unicode/mixed-script", _M,
                "An identifier mixes scripts (homoglyphs).",
                "Use one script per identifier."),
    FindingKind("binary/added", _L,
                "A binary file was added.", "Binary content cannot be reviewed in a diff."),
    FindingKind("binary/modified", _L,
                "A binary file was changed.", "Binary content cannot be reviewed in a diff."),
    FindingKind("binary/executable-or-archive", _M,
                "An executable or archive was added or changed.",
                "Executables and archives can carry anything; explain how they were built."),
    FindingKind("honeypot/reply-code", _M,
                "The author's reply carries the code patchvet's comment asked only automated "
                "agents for.",
                "Opt-in bait (`[honeypot] reply_code`): the request sits in an HTML comment a "
                "person reading the thread never sees, and counts only when patchvet's own "
                "comment carried it. Evidence of autonomous operation; advisory, members exempt."),
    FindingKind("honeypot/template-phrase", _M,
                "The description carries a phrase the project's template hides for agents.",
                "Opt-in bait (`[honeypot] phrases`), outside HTML comments, any case. Evidence of "
                "an agent following hidden instructions; advisory, members exempt."),
    FindingKind("identity/unattested-author", _M,
                "A mail names a vouched author in its body but was sent by someone else, "
                "with no DKIM or patatt proof.",
                "The vouch is set aside. Send from the author's address with DKIM, or sign "
                "with patatt using a key the project keeps."),
    FindingKind("identity/first-contribution", _I,
                "The contributor's first recorded contribution (needs a ledger).",
                "Informational; `identity.report_first_contribution`."),
    FindingKind("identity/young-account", _I,
                "The forge account is younger than the policy's limit.",
                "`identity.young_account_days`."),
    FindingKind("identity/author-mismatch", _L,
                "A commit author differs from the pull request's author.",
                "Explain whose work it is, or add the co-author's sign-off."),
    FindingKind("identity/new-email", _L,
                "A known contributor uses an email new to their record.",
                "Usually a new machine or employer; add it to `.mailmap` on the base branch."),
    FindingKind("identity/style-shift", _L,
                "The contribution's style departs sharply from its author's own long record.",
                "A prompt to look, not proof: the account may have changed hands or an agent "
                "may be submitting for it; often people just changed tools."),
    FindingKind("identity/exempt", _I,
                "The author is exempt from contributor checks (association, bot allowlist or "
                "vouch list).",
                "`[maintainers]`: the exempt families' checks are skipped; checks of the change "
                "itself still run."),
    FindingKind("identity/unvouched", _M,
                "The project only accepts contributions from vouched contributors.",
                "`maintainers.require_vouch`; ask the maintainers to vouch for you."),
    FindingKind("identity/vouched", _I,
                "A maintainer vouched for this contributor.", "Informational."),
    FindingKind("identity/denounced", _H,
                "A maintainer denounced this contributor.",
                "The ledger says why and until when."),
    FindingKind("rate/submissions", _M,
                "The contributor exceeded the submissions per window for their tier.",
                "`rate.window_hours`, `rate.max_per_window`. Pull requests, patches and "
                "issues are submissions; the commits of a `--git` range are not."),
    FindingKind("rate/open-contributions", _M,
                "The contributor has more open contributions than their tier allows.",
                "`rate.max_open`."),
    FindingKind("rate/open-agent-contributions", _M,
                "The contributor has more open agent-made contributions than allowed.",
                "`rate.max_open_agent`."),
    FindingKind("rate/circuit-breaker", _M,
                "Too large a share of recent merges was agent-made; new agent work pauses.",
                "`[circuit_breaker]`."),
    FindingKind("review/agent-approval", _M,
                "An agent account approved the pull request.",
                "`review.agent_approvals = \"forbid\"`: a human must decide."),
)  # fmt: skip

FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(kind.family for kind in FINDINGS))
_BY_ID = {kind.id: kind for kind in FINDINGS}


def finding_kind(finding_id: str) -> FindingKind | None:
    """The catalog entry of an id (`protected-path/core` -> `protected-path/*`)."""
    found = _BY_ID.get(finding_id)
    if found is None and "/" in finding_id:
        found = _BY_ID.get(finding_id.split("/", 1)[0] + "/*")
    return found


def known_ids(protected_paths: tuple[str, ...] | list[str] = ()) -> tuple[str, ...]:
    """Every concrete id a policy with these protected-path entries can produce."""
    ids = [kind.id for kind in FINDINGS if not kind.id.endswith("/*")]
    ids += [f"protected-path/{name}" for name in protected_paths]
    return tuple(ids)


def incomplete_finding(reason: str) -> Finding:
    """The `analysis/incomplete` finding: what could not be analysed, and why."""
    return Finding(
        id=ANALYSIS_INCOMPLETE,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        message="patchvet could not fully analyse this contribution",
        evidence=reason,
        remedy="A maintainer reviews it by hand; please report the reason to the patchvet "
        "maintainers if it looks like a bug.",
    )
