"""
Vetting one pull request on GitHub, the same way for the Action and the App: fetch it, read the
policy and the vouch list from its base commit, judge it, honour a maintainer's override,
publish, and (with a ledger) record the result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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
from patchvet.ledger import SqlLedger
from patchvet.policy import Policy
from patchvet.records import Assessment, Verdict


@dataclass(frozen=True)
class VetRun:
    """What one run judged and did."""

    assessment: Assessment
    policy: Policy
    published: Published
    refused_overrides: tuple[str, ...] = ()
    """Override labels or comments that did not count, and why."""


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
    reading = read_account(client, contribution, policy, ledger)
    contribution = replace(contribution, account=reading)
    history = ledger.view(contribution, policy, repo) if ledger is not None else None
    assessment = assess(contribution, policy, history)
    comments = client.comments(repo, number)
    records = override_records(comments, me, MARKER)
    search = find_override(client, repo, policy, me, current, events, comments,
                           assessment.verdict, head_sha, records)  # fmt: skip
    if search.override is not None and search.key is not None:
        assessment = replace(assessment, verdict=Verdict.PASS, override=search.override)
        records.setdefault(search.key, head_sha)
    published = publish(client, repo, number, head_sha, assessment, policy, summary_path,
                        me=me, current_labels=current, own_labels=ours,
                        details_url=details_url, records=record_lines(records))  # fmt: skip
    if ledger is not None:
        ledger.record(assessment, repo, policy)
    return VetRun(assessment, policy, published, search.refused)
