"""
A GitHub pull request from a saved `pull_request` webhook payload and saved REST API answers.

The payload gives the PR (title, body, author, branches, labels); `GET /pulls/N/files` and
`GET /pulls/N/commits` answers, saved as JSON (one page, or a list of pages), give the diff and
the commits. Wire shapes are validated with pydantic at this edge and turned into the domain
model; nothing here talks to the network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from patchvet.errors import SourceError
from patchvet.linear import compile_linear
from patchvet.records import (
    MAX_ID,
    AddedLine,
    ChangeStatus,
    Commit,
    Contribution,
    FileChange,
    Identity,
    Reply,
    Review,
    SourceKind,
)
from patchvet.sources._diff import DiffError, parse_diff
from patchvet.sources._message import parse_trailers
from patchvet.sources.interface import SourceItem
from patchvet.sources.json_input import JsonInputError, load_json

# Issue numbers are bounded: `Fixes #` and 5,000 digits is not an issue, and int() refuses it.
# Linear-time: adjacent `\s*:?\s+` is quadratic in `re` on `fix` and 20,000 spaces.
_LINKED_ISSUE = compile_linear(
    r"(?i)\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+#(\d{1,10})\b"
)
# GitHub ids and counts beyond a signed 64-bit integer are refused at the edge, before the
# ledger (SQLite INTEGER, PostgreSQL BIGINT) could overflow on them.
WireInt = Annotated[int, Field(ge=0, le=MAX_ID)]
_STATUS = {
    "added": ChangeStatus.ADDED,
    "removed": ChangeStatus.DELETED,
    "modified": ChangeStatus.MODIFIED,
    "changed": ChangeStatus.MODIFIED,
    "renamed": ChangeStatus.RENAMED,
    "copied": ChangeStatus.COPIED,
}


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


_Item = TypeVar("_Item", bound=_Wire)


class GitHubUser(_Wire):
    """A GitHub account as the API shows it (`created_at` only from `GET /users/{login}`)."""

    login: str
    id: WireInt
    type: str = "User"
    created_at: str | None = None


class GitHubLabel(_Wire):
    """A label on an issue or pull request."""

    name: str


class GitHubRef(_Wire):
    """One end of a pull request: branch name and commit."""

    ref: str
    sha: str


class GitHubRepository(_Wire):
    """The repository a pull request belongs to."""

    full_name: str


class GitHubPullRequest(_Wire):
    """The `pull_request` object of a webhook payload or of `GET /pulls/N`."""

    number: WireInt
    title: str
    body: str | None = None
    user: GitHubUser
    head: GitHubRef
    base: GitHubRef
    labels: list[GitHubLabel] = []
    additions: WireInt | None = None
    deletions: WireInt | None = None
    changed_files: WireInt | None = None
    state: str = "open"
    merged: bool | None = None
    created_at: str | None = None
    author_association: str | None = None


class GitHubIssue(_Wire):
    """The `issue` object of a webhook payload or of `GET /repos/{o}/{r}/issues/N`."""

    number: WireInt
    title: str
    body: str | None = None
    user: GitHubUser
    labels: list[GitHubLabel] = []
    state: str = "open"
    created_at: str | None = None
    author_association: str | None = None


class PullRequestEvent(_Wire):
    """A `pull_request` webhook delivery."""

    action: str | None = None
    pull_request: GitHubPullRequest
    repository: GitHubRepository


class GitHubReview(_Wire):
    """One entry of `GET /pulls/N/reviews`."""

    user: GitHubUser | None = None
    state: str = "COMMENTED"


class GitHubFile(_Wire):
    """One entry of `GET /pulls/N/files`."""

    filename: str
    status: str = "modified"
    additions: WireInt = 0
    deletions: WireInt = 0
    changes: WireInt = 0
    patch: str | None = None
    previous_filename: str | None = None


class GitHubGitIdentity(_Wire):
    """Author or committer inside a git commit object."""

    name: str | None = None
    email: str | None = None
    date: str | None = None


class GitHubGitCommit(_Wire):
    """The git part of a commit: message and raw identities."""

    message: str
    author: GitHubGitIdentity | None = None
    committer: GitHubGitIdentity | None = None


class GitHubCommit(_Wire):
    """One entry of `GET /pulls/N/commits`."""

    sha: str
    commit: GitHubGitCommit
    author: GitHubUser | None = None
    committer: GitHubUser | None = None
    parents: list[dict[str, Any]] = []


def _load_json(path: Path, what: str) -> Any:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(f"cannot read {what} {path}: {error.strerror or error}") from None
    try:
        return load_json(data)
    except JsonInputError as error:
        raise SourceError(f"{what} {path}: {error}") from None


def _pages(data: Any, what: str, path: Path) -> list[Any]:
    """Accept one API page (a list) or several saved pages (a list of lists)."""
    if not isinstance(data, list):
        raise SourceError(f"{what} {path} must be a JSON list, as the REST API returns")
    if data and all(isinstance(page, list) for page in data):
        return [item for page in data for item in page]
    return data


def file_change(entry: GitHubFile) -> FileChange:
    """Turn one API file entry into a `FileChange`, parsing its patch when GitHub sent one."""
    status = _STATUS.get(entry.status, ChangeStatus.MODIFIED)
    added: tuple[AddedLine, ...] = ()
    binary = False
    if entry.patch is not None:
        try:
            parsed = parse_diff(
                ["--- a/x", "+++ b/x", *entry.patch.replace("\r\n", "\n").split("\n")]
            )
            added = parsed[0].added_lines if parsed else ()
        except DiffError:
            added = ()
    elif entry.changes == 0 and status not in (ChangeStatus.RENAMED, ChangeStatus.DELETED):
        # GitHub omits `patch` for binary files (and for very large text diffs, which
        # report a non-zero `changes`).
        binary = True
    return FileChange(
        path=entry.filename,
        status=status,
        additions=entry.additions,
        deletions=entry.deletions,
        binary=binary,
        old_path=entry.previous_filename,
        added_lines=added,
    )


def commit_from_api(entry: GitHubCommit) -> Commit:
    """Turn one API commit entry into a `Commit`."""
    git_author = entry.commit.author or GitHubGitIdentity()
    git_committer = entry.commit.committer or GitHubGitIdentity()
    message = entry.commit.message.replace("\r\n", "\n").rstrip("\n")
    return Commit(
        sha=entry.sha,
        author=Identity(
            name=git_author.name,
            email=git_author.email.lower() if git_author.email else None,
            login=entry.author.login if entry.author else None,
            id=entry.author.id if entry.author else None,
        ),
        committer=Identity(
            name=git_committer.name,
            email=git_committer.email.lower() if git_committer.email else None,
            login=entry.committer.login if entry.committer else None,
            id=entry.committer.id if entry.committer else None,
        ),
        subject=message.split("\n", 1)[0],
        message=message,
        trailers=parse_trailers(message),
        date=git_author.date,
        is_merge=len(entry.parents) > 1,
        author_login=entry.author.login if entry.author else None,
    )


def pull_request_contribution(
    repository: str,
    pull: GitHubPullRequest,
    files: list[GitHubFile] | None,
    commits: list[GitHubCommit] | None,
    account: GitHubUser | None = None,
    reviews: list[GitHubReview] | None = None,
) -> Contribution:
    """Assemble the domain `Contribution` for a pull request from its API shapes."""
    body = (pull.body or "").replace("\r\n", "\n")
    return Contribution(
        source=f"{repository}#{pull.number}",
        id=pull.head.sha,
        kind=SourceKind.PULL_REQUEST,
        title=pull.title,
        author=Identity(login=pull.user.login, id=pull.user.id),
        commits=tuple(commit_from_api(entry) for entry in commits or ()),
        files=tuple(file_change(entry) for entry in files or ()),
        description=body,
        base_ref=pull.base.ref,
        head_ref=pull.head.ref,
        labels=tuple(label.name for label in pull.labels),
        linked_issues=tuple(sorted({int(m.group(1)) for m in _LINKED_ISSUE.finditer(body)})),
        reported_additions=pull.additions,
        reported_deletions=pull.deletions,
        reported_files=pull.changed_files,
        created_at=pull.created_at,
        state="merged" if pull.merged else pull.state,
        author_created_at=account.created_at if account else pull.user.created_at,
        author_association=pull.author_association,
        reviews=tuple(
            Review(Identity(login=r.user.login, id=r.user.id), r.state.upper())
            for r in reviews or ()
            if r.user is not None
        ),
    )


def issue_contribution(
    repository: str,
    issue: GitHubIssue,
    account: GitHubUser | None = None,
    replies: tuple[Reply, ...] = (),
) -> Contribution:
    """An issue as a contribution: its title and body, with the author's own comments."""
    return Contribution(
        source=f"{repository}#{issue.number}",
        id=f"issue-{issue.number}",
        kind=SourceKind.ISSUE,
        title=issue.title,
        author=Identity(login=issue.user.login, id=issue.user.id),
        description=(issue.body or "").replace("\r\n", "\n"),
        labels=tuple(label.name for label in issue.labels),
        created_at=issue.created_at,
        state=issue.state,
        author_created_at=account.created_at if account else issue.user.created_at,
        author_association=issue.author_association,
        replies=replies,
    )


def _validate_list(model: type[_Item], path: Path, what: str) -> list[_Item]:
    try:
        return [model.model_validate(item) for item in _pages(_load_json(path, what), what, path)]
    except ValidationError as error:
        raise _shape_error(error, path, what) from None


def _shape_error(error: ValidationError, path: Path, what: str) -> SourceError:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "top level"
    return SourceError(
        f"{path} is not a GitHub {what} answer: {where}: {first['msg']}",
        hint="save the body GitHub sent, unchanged (one page, or a JSON list of pages)",
    )


def read_github_event(
    event_path: Path,
    files_path: Path | None = None,
    commits_path: Path | None = None,
    user_path: Path | None = None,
) -> list[SourceItem]:
    """
    The pull request of a saved webhook payload, with saved files, commits and the author's
    account (`GET /users/{login}`, for its age) if given.
    """
    try:
        event = PullRequestEvent.model_validate(_load_json(event_path, "pull_request event"))
    except ValidationError as error:
        raise _shape_error(error, event_path, "pull_request event") from None
    files = _validate_list(GitHubFile, files_path, "files") if files_path else None
    commits = _validate_list(GitHubCommit, commits_path, "commits") if commits_path else None
    account = None
    if user_path:
        try:
            account = GitHubUser.model_validate(_load_json(user_path, "user"))
        except ValidationError as error:
            raise _shape_error(error, user_path, "user") from None
    return [
        pull_request_contribution(
            event.repository.full_name, event.pull_request, files, commits, account
        )
    ]
