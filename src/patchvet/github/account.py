"""
The author's account, read for a pull request when the policy asks (`[account] enabled`): not for
exempt or vouched authors, bots, or authors who already have merged work in the repository
(GitHub's `CONTRIBUTOR` association), and judged as it stood when the pull request was opened.
"""

from __future__ import annotations

from datetime import datetime

from patchvet.account import judge_account
from patchvet.account.fetch import cached_snapshot
from patchvet.account.snapshot import moment
from patchvet.analyzers.standing import exemption
from patchvet.errors import PatchvetError
from patchvet.github.client import GitHubClient
from patchvet.ledger import SqlLedger
from patchvet.policy import Policy
from patchvet.records import AccountReading, Contribution

NOT_READ = frozenset({"CONTRIBUTOR", "OWNER", "MEMBER", "COLLABORATOR"})


def _opened(contribution: Contribution) -> datetime | None:
    if not contribution.created_at:
        return None
    try:
        return moment(contribution.created_at)
    except ValueError:
        return None


def read_account(
    client: GitHubClient, contribution: Contribution, policy: Policy, ledger: SqlLedger | None
) -> AccountReading | None:
    """The reading to attach to the contribution; None when none is due or none could be had."""
    login = contribution.author.login
    if not policy.account.enabled or not login or contribution.author.is_app_account():
        return None
    if contribution.author_association in NOT_READ or exemption(contribution, policy):
        return None
    try:
        snapshot = cached_snapshot(client, login, ledger, policy.account.cache_hours)
    except PatchvetError:
        return None  # a missing or refused account is not evidence of anything
    judgement = judge_account(snapshot, _opened(contribution))
    signals = sorted(
        (s for s in judgement.signals if s.known and s.weight), key=lambda s: -abs(s.weight)
    )
    return AccountReading(
        classification=judgement.classification,
        score=judgement.score,
        as_of=judgement.as_of,
        signals=tuple((s.id, s.weight, s.meaning, s.evidence) for s in signals),
        login=snapshot.login,
        created_at=snapshot.created_at,
        public_repos=snapshot.public_repos,
        followers=snapshot.followers,
        events=judgement.events,
        fetched_at=snapshot.fetched_at,
    )
