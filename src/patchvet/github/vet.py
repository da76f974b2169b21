"""
Vetting one pull request or issue on GitHub, the same way for the Action and the App: fetch it,
read the policy and the vouch list from its base commit (an issue: the default branch), judge it
with the author's account and own replies, honour a maintainer's override, publish, and (with a
ledger) record the result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from patchvet.check import assess
from patchvet.formats.markdown import MARKER
from patchvet.github.account import read_account
from patchvet.github.client import GitHubClient
from patchvet.github.maintainers import (
    find_override,
    override_records,
    own_labels,
    record_lines,
    vouch_listing,
)
from patchvet.github.publish import Published, publish
from patchvet.github.pull import fetch_contribution, policy_from_base
from patchvet.github.thread import author_replies, bait_note, baited, code_in_force, code_to_publish
from patchvet.ledger import SqlLedger
from patchvet.policy import Policy
from patchvet.records import Assessment, Contribution, Verdict
from patchvet.sources.github import GitHubIssue, GitHubUser, issue_contribution

ISSUE_REVISION = "0" * 40
"""What an override on an issue is recorded against: an issue has no commits to push after it."""


@dataclass(frozen=True)
class VetRun:
    """What one run judged and did."""

    assessment: Assessment
    policy: Policy
    published: Published
    refused_overrides: tuple[str, ...] = ()
    """Override labels or comments that did not count, and why."""


@dataclass(frozen=True)
class _Thread:
    """One issue or pull request as fetched, before it is judged."""

    repo: str
    number: int
    revision: str
    """The head commit of a pull request; `ISSUE_REVISION` for an issue."""
    contribution: Contribution
    policy: Policy
    labels: list[str]
    events: list[Any]
    comments: list[Any]


def vet_pull(
    client: GitHubClient,
    repo: str,
    number: int,
    me: str,
    policy: Policy | None = None,
    ledger: SqlLedger | None = None,
    summary_path: str | None = None,
    details_url: str | None = None,
) -> VetRun:
    """Judge and publish pull request `number` of `repo`, acting as `me`."""
    pull = client.pull(repo, number)
    base_sha, head_sha = pull["base"]["sha"], pull["head"]["sha"]
    if policy is None:
        policy = policy_from_base(client, repo, base_sha)
    current = [str(label["name"]) for label in pull.get("labels") or ()]
    events = client.issue_events(repo, number)
    ours = own_labels(events, me) & set(current)
    fetched = fetch_contribution(client, repo, number)
    contribution = replace(
        fetched,
        # A label patchvet set is not the contributor's disclosure, whatever its name.
        labels=tuple(label for label in fetched.labels if label not in ours),
        author_listing=vouch_listing(client, repo, base_sha, fetched.author, policy),
    )
    thread = _Thread(repo, number, head_sha, contribution, policy, current, events,
                     client.comments(repo, number))  # fmt: skip
    return _judge_and_publish(client, thread, me, ledger, summary_path, details_url)


def vet_issue(
    client: GitHubClient,
    repo: str,
    number: int,
    me: str,
    policy: Policy | None = None,
    ledger: SqlLedger | None = None,
    summary_path: str | None = None,
    details_url: str | None = None,
) -> VetRun | None:
    """
    Judge and publish issue `number` of `repo` when the policy vets issues (`[issues] vet`);
    None when it does not. A pull request (GitHub numbers both alike) is vetted as one.
    """
    raw = client.issue(repo, number)
    if raw.get("pull_request"):
        return vet_pull(client, repo, number, me, policy, ledger, summary_path, details_url)
    branch = client.default_branch(repo)
    if policy is None:
        policy = policy_from_base(client, repo, branch)
    if not policy.issues.vet:
        return None
    issue = GitHubIssue.model_validate(raw)
    events = client.issue_events(repo, number)
    current = [label.name for label in issue.labels]
    ours = own_labels(events, me) & set(current)
    comments = client.comments(repo, number)
    unread: tuple[str, ...] = ()
    try:
        account: GitHubUser | None = GitHubUser.model_validate(client.user(issue.user.login))
    except Exception as error:  # noqa: BLE001 - as for a pull request: judged on the rest, held
        account = None
        text = " ".join(str(error).split())[:200]
        unread = (f"could not read the issue's author's account: {type(error).__name__}: {text}",)
    contribution = issue_contribution(repo, issue, account)
    contribution = replace(
        contribution,
        labels=tuple(label for label in contribution.labels if label not in ours),
        author_listing=vouch_listing(client, repo, branch, contribution.author, policy),
        unread=unread,
    )
    thread = _Thread(repo, number, ISSUE_REVISION, contribution, policy, current, events,
                     comments)  # fmt: skip
    return _judge_and_publish(client, thread, me, ledger, summary_path, details_url)


def _judge_and_publish(
    client: GitHubClient,
    thread: _Thread,
    me: str,
    ledger: SqlLedger | None,
    summary_path: str | None,
    details_url: str | None,
) -> VetRun:
    repo, number, policy, comments = thread.repo, thread.number, thread.policy, thread.comments
    contribution = thread.contribution
    in_force = code_in_force(comments, me, MARKER, ledger, repo, number)
    history = ledger.view(contribution, policy, repo) if ledger is not None else None
    # Someone a maintainer vouched for in the ledger is not scored or baited, as with the list.
    vouched = history is not None and history.tier == "vouched"
    contribution = replace(
        contribution,
        account=None if vouched else read_account(client, contribution, policy, ledger),
        replies=author_replies(comments, contribution.author.login, me),
        bait=None if vouched else in_force,
    )
    assessment = assess(contribution, policy, history)
    records = override_records(comments, me, MARKER)
    search = find_override(client, repo, policy, me, thread.labels, thread.events, comments,
                           assessment.verdict, thread.revision, records)  # fmt: skip
    if search.override is not None and search.key is not None:
        assessment = replace(assessment, verdict=Verdict.PASS, override=search.override)
        records.setdefault(search.key, thread.revision)
    bait = "" if vouched else _bait(contribution, policy, ledger, repo, number, in_force)
    hidden = record_lines(records) + bait
    ours = own_labels(thread.events, me) & set(thread.labels)
    published = publish(client, repo, number, thread.revision, assessment, policy, summary_path,
                        me=me, current_labels=thread.labels, own_labels=ours,
                        details_url=details_url, records=hidden)  # fmt: skip
    if ledger is not None:
        ledger.record(assessment, repo, policy)
    return VetRun(assessment, policy, published, search.refused)


def _bait(
    contribution: Contribution,
    policy: Policy,
    ledger: SqlLedger | None,
    repo: str,
    number: int,
    in_force: str | None,
) -> str:
    """The hidden reply-code note for patchvet's comment, when the policy and author call for it."""
    if not baited(contribution, policy):
        return ""
    return bait_note(code_to_publish(ledger, repo, number, in_force))
