"""
The domain model: what a contribution is, what analyzers find in it, and what the policy decides.

Every type here is a frozen dataclass or an ordered enum, so results can be shared between
analyzers, formats and the ledger without anyone mutating them along the way.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import total_ordering


@total_ordering
class _Ordered(enum.Enum):
    """An enum whose members compare by declaration order (lowest first)."""

    @property
    def rank(self) -> int:
        """Position of this member in declaration order."""
        return list(type(self)).index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.rank < other.rank


class Severity(_Ordered):
    """How much a finding matters if it is true."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Confidence(_Ordered):
    """How sure the analyzer is that the finding is true."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Verdict(_Ordered):
    """The graduated outcome for one contribution: `pass` < `flag` < `hold` < `reject`."""

    PASS = "pass"
    FLAG = "flag"
    HOLD = "hold"
    REJECT = "reject"


MAX_ID = 2**63 - 1
"""The largest numeric id (GitHub user, pull request) patchvet accepts: the ledger stores ids as
SQLite INTEGER and PostgreSQL BIGINT, and anything larger is refused where it enters."""


@dataclass(frozen=True)
class Identity:
    """
    Who a person or bot is, as far as the input tells: any field may be unknown.

    `login` and `id` come from GitHub; `id` is the immutable numeric account id.
    """

    name: str | None = None
    email: str | None = None
    login: str | None = None
    id: int | None = None

    def display(self) -> str:
        """A short human form such as `Jane Doe <jane@example.org>` or `@jane`."""
        parts = []
        if self.name:
            parts.append(self.name)
        if self.email:
            parts.append(f"<{self.email}>")
        if self.login and not parts:
            parts.append(f"@{self.login}")
        return " ".join(parts) or "unknown"

    def github_login(self) -> str | None:
        """
        The GitHub login: `login` when known, else the one in a GitHub no-reply address
        (`49699333+dependabot[bot]@users.noreply.github.com`, `jane@users.noreply.github.com`),
        which is how a commit read from git names its account.
        """
        if self.login:
            return self.login
        local, _, domain = (self.email or "").rpartition("@")
        if domain.lower() != "users.noreply.github.com" or not local:
            return None
        return local.split("+", 1)[-1] or None

    def is_app_account(self) -> bool:
        """Whether this is a GitHub App's account (`name[bot]`): automation, not a person."""
        return (self.github_login() or "").lower().endswith("[bot]")


@dataclass(frozen=True)
class Trailer:
    """A `Key: value` line from the closing block of a commit message."""

    key: str
    value: str
    line: str
    """The trailer exactly as written, for evidence."""


@dataclass(frozen=True)
class Commit:
    """One commit (or one emailed patch) inside a contribution."""

    sha: str | None
    author: Identity
    committer: Identity | None
    subject: str
    message: str
    """The whole commit message, subject included."""
    trailers: tuple[Trailer, ...] = ()
    date: str | None = None
    is_merge: bool = False
    author_login: str | None = None
    """The GitHub account the forge associated with the commit author, when known."""
    signing_key: str | None = None
    """The GPG key id or SSH key fingerprint that signed the commit, when asked for."""
    dropped_trailers: tuple[Trailer, ...] = ()
    """Trailers written below the `---` of a mailed patch: `git am` drops them."""


@dataclass(frozen=True)
class AddedLine:
    """A line added by a diff, with its line number in the new file."""

    number: int
    text: str


class ChangeStatus(enum.Enum):
    """What a diff does to one file."""

    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"
    COPIED = "copied"


@dataclass(frozen=True)
class FileChange:
    """The change to one file: counts, binary-ness and the added lines themselves."""

    path: str
    status: ChangeStatus
    additions: int = 0
    deletions: int = 0
    binary: bool = False
    old_path: str | None = None
    added_lines: tuple[AddedLine, ...] = ()
    new_mode: str | None = None


@dataclass(frozen=True)
class Series:
    """Where an emailed patch sits in its series, and the cover letter's text if there was one."""

    index: int
    total: int
    version: int = 1
    cover_title: str | None = None
    cover_text: str | None = None
    thread: str | None = None
    """The Message-ID the series was fetched by, for series read from a mail archive."""

    @property
    def tag(self) -> str:
        """The subject tag the series was sent with: `[PATCH v2 3/7]`."""
        version = f" v{self.version}" if self.version > 1 else ""
        return f"[PATCH{version} {self.index}/{self.total}]"


@dataclass(frozen=True)
class AccountReading:
    """How the author's public GitHub account looked when they contributed (`patchvet account`)."""

    classification: str
    """`organic`, `mixed`, `automation` or `unknown`."""
    score: int
    as_of: str
    signals: tuple[tuple[str, int, str, str], ...] = ()
    """(id, weight, meaning, evidence) of each known signal, strongest first."""
    login: str = ""
    created_at: str | None = None
    """When the account was created, as GitHub said."""
    public_repos: int | None = None
    followers: int | None = None
    events: int = 0
    """Public events (of the last 90 days, at most 300) up to `as_of`."""
    fetched_at: str = ""
    """When the snapshot behind this reading was fetched from GitHub."""


@dataclass(frozen=True)
class Reply:
    """A comment the author wrote on their own contribution's thread (issue or pull request)."""

    body: str
    created_at: str = ""
    url: str = ""


@dataclass(frozen=True)
class Mail:
    """
    How an emailed patch travelled: who sent the mail (which may not be the author named in
    the body), where it belongs in its thread, and what vouches for the sender.
    """

    message_id: str | None
    subject: str
    """The subject as sent, tags included."""
    sender: Identity
    """The `From:` header. The author is the in-body `From:` when there is one."""
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    date: str | None = None
    attestation: str | None = None
    """What proves the author sent it, when the sender is someone else: `dkim:<domain>` or
    `patatt:<identity>`; None when nothing does (or nothing needed to)."""


@dataclass(frozen=True)
class Review:
    """A review on a pull request: who, and what they decided."""

    reviewer: Identity
    state: str
    """`APPROVED`, `CHANGES_REQUESTED`, `COMMENTED` or `DISMISSED`."""


@dataclass(frozen=True)
class Listing:
    """The author's entry in the project's vouch list (`.github/VOUCHED.td` on the base branch)."""

    action: str
    """`vouch`, `denounce`, or `unlisted` when the list exists but does not name the author."""
    source: str
    """Where the list was read, such as `owner/repo@<base sha>:.github/VOUCHED.td`."""
    note: str = ""


@dataclass(frozen=True)
class AuthorRecord:
    """
    The author's earlier commits in the repository's accepted history: the commits the vetted
    ones build on (in `--git` mode), never the vetted commits themselves.
    """

    commits: int
    """Non-merge commits by this author (email, mapped with the base's `.mailmap`) there."""
    where: str
    """Which history was counted, such as `in the repository's history before this range`."""


class SourceKind(enum.Enum):
    """Which kind of input a contribution came from."""

    PATCH = "patch"
    COMMIT = "commit"
    PULL_REQUEST = "pull-request"
    ISSUE = "issue"


@dataclass(frozen=True)
class Contribution:
    """
    One unit a maintainer decides on: an emailed patch, a commit, or a pull request.

    `source` says where it came from in the form the JSON report uses
    (`path.patch`, `file.mbox#3`, a commit sha, `owner/repo#123`).
    """

    source: str
    id: str
    kind: SourceKind
    title: str
    author: Identity
    commits: tuple[Commit, ...] = ()
    files: tuple[FileChange, ...] = ()
    description: str = ""
    """The pull request body or, for emailed patches, the notes below `---` (see `series` for
    the cover letter)."""
    base_ref: str | None = None
    head_ref: str | None = None
    labels: tuple[str, ...] = ()
    linked_issues: tuple[int, ...] = ()
    series: Series | None = None
    reported_additions: int | None = None
    """Line counts the forge reported, used when the file list itself is not available."""
    reported_deletions: int | None = None
    reported_files: int | None = None
    created_at: str | None = None
    """When it was submitted or authored (ISO 8601): the event time for rate windows."""
    state: str = "submitted"
    """`open`, `closed` or `merged` for pull requests; `merged` for commits of a history;
    `submitted` for emailed patches."""
    author_aliases: tuple[Identity, ...] = ()
    """Other identities the source knows to be the same person (a `.mailmap` entry)."""
    author_created_at: str | None = None
    """When the author's forge account was created, when the source knows it."""
    reviews: tuple[Review, ...] = ()
    mail: Mail | None = None
    """For emailed patches: the mail's own headers and attestation."""
    author_association: str | None = None
    """GitHub's `author_association` of the pull request (`OWNER`, `MEMBER`, `COLLABORATOR`…)."""
    author_listing: Listing | None = None
    """The author's entry in the base branch's vouch list, when the project keeps one."""
    author_record: AuthorRecord | None = None
    """The author's earlier commits in the history the range builds on (`--git` mode)."""
    account: AccountReading | None = None
    """The author's account as the Action or App read it, when the policy asks for it."""
    replies: tuple[Reply, ...] = ()
    """The author's own comments on the thread, oldest first (GitHub issues and pull requests)."""
    bait: str | None = None
    """The reply code patchvet's own comment on the thread asks automated agents to write
    (`[honeypot] reply_code`); None when no such comment of ours carries one."""
    unread: tuple[str, ...] = ()
    """What the source could not read, and why (a pull request's files that GitHub would not
    list, say): each is reported as `analysis/incomplete`, so the contribution is held."""

    def statements(self) -> tuple[str, ...]:
        """Free text written for reviewers: the PR body and the series cover letter."""
        texts = [self.description]
        if self.series and self.series.cover_text:
            texts.append(self.series.cover_text)
        return tuple(text for text in texts if text)


@dataclass(frozen=True)
class Location:
    """Where a finding points: a file and line, or a commit, or both."""

    path: str | None = None
    line: int | None = None
    column: int | None = None
    commit: str | None = None


@dataclass(frozen=True)
class Detail:
    """
    One piece of structured evidence: a named measurement, in plain words and as a number
    (a signal behind a score and its weight, a contributor's baseline and the jump from it).
    """

    name: str
    text: str
    value: float


@dataclass(frozen=True)
class Finding:
    """
    One thing an analyzer saw, with the evidence a maintainer can check and what would resolve it.

    `id` is `family/name`; the family is one of DESIGN.md's fixed families.
    """

    id: str
    severity: Severity
    confidence: Confidence
    message: str
    evidence: str = ""
    remedy: str = ""
    locations: tuple[Location, ...] = ()
    details: tuple[Detail, ...] = ()
    """Structured evidence, strongest first, when the analyzer measured something."""

    @property
    def family(self) -> str:
        """The part of the id before the slash."""
        return self.id.split("/", 1)[0]


@dataclass(frozen=True)
class JudgedFinding:
    """A finding together with the verdict the policy gives it."""

    finding: Finding
    verdict: Verdict
    ignored: str | None = None
    """The policy's `[ignore]` reason when the finding is ignored (its verdict is then pass)."""


@dataclass(frozen=True)
class Scores:
    """Numbers computed for every contribution, independent of the policy."""

    size_lines: int
    size_bucket: str
    files: int
    agent_likelihood: float | None = None
    """
    Calibrated probability from the statistical model; None when no model is installed, the
    policy switches it off, or the change touches nothing the model reads (lock files only).
    """


@dataclass(frozen=True)
class Assessment:
    """The outcome for one contribution: its findings as judged, and the overall verdict."""

    contribution: Contribution
    verdict: Verdict
    findings: tuple[JudgedFinding, ...]
    scores: Scores
    override: Override | None = None
    """A maintainer's override: `verdict` is then pass, and `override.original` what it was."""


@dataclass(frozen=True)
class Override:
    """A maintainer took responsibility for a contribution despite its findings."""

    by: str
    """The maintainer's login."""
    reason: str
    via: str
    """How: `label patchvet:override` or `comment <url>`."""
    original: Verdict


@dataclass(frozen=True)
class Skipped:
    """An input (or part of one) that could not be read, and why."""

    source: str
    reason: str
    error: bool = True
    """False for parts left out by design (a reply without a diff inside a mailbox): they are
    listed, but only unreadable inputs make `check` exit 2 (or fail with `--fail-on-skipped`)."""
