"""
`identity`: who stands behind a contribution, as modifiers rather than gates. A first
contribution, a commit author who is not the PR author, or an email never seen with this
identity are worth a glance; vouched contributors skip them; denounced ones are held.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from patchvet.analyzers.continuity import style_shift
from patchvet.analyzers.interface import Subject
from patchvet.analyzers.standing import listed, unattested_sender
from patchvet.records import (
    Confidence,
    Contribution,
    Finding,
    Location,
    Severity,
    SourceKind,
)

if TYPE_CHECKING:
    from patchvet.ledger.interface import LedgerView


def withhold_unattested_vouch(
    contribution: Contribution, history: LedgerView | None
) -> LedgerView | None:
    """
    The ledger view with the author's vouch set aside when the mail does not prove the author
    sent it: anyone can type a vouched maintainer's name into an in-body `From:`.
    """
    if history is None or history.standing is None or history.standing.action != "vouch":
        return history
    if unattested_sender(contribution) is None:
        return history
    tier = "known" if history.prior_contributions else "new"
    return replace(history, standing=None, tier=tier, withheld=history.standing)


def identity(subject: Subject) -> Iterator[Finding]:
    """Identity findings from the vouch list and the ledger view."""
    yield from listed(subject)
    history = subject.history
    if history is None:
        return
    contribution = subject.contribution
    standing = history.standing
    sender = unattested_sender(contribution)
    if history.withheld is not None and sender is not None:
        yield Finding(
            id="identity/unattested-author",
            severity=Severity.MEDIUM,
            confidence=Confidence.HIGH,
            message=f"Sent by {sender.display()} in the name of {contribution.author.display()}, "
            f"who is vouched for, with nothing proving the author sent it: the vouch does not "
            "apply",
            evidence=f"From: {sender.display()}; in-body From: {contribution.author.display()}",
            remedy="Send the patch from the author's own address, with a DKIM signature from "
            "the author's domain, or sign it with patatt using a key the project keeps.",
        )
    if standing is not None and standing.action == "denounce":
        yield Finding(
            id="identity/denounced",
            severity=Severity.HIGH,
            confidence=Confidence.HIGH,
            message=f"This contributor was denounced by {standing.by} on "
            f"{standing.created_at[:10]}: {standing.reason}",
            evidence=contribution.author.display(),
            remedy="A maintainer decides whether to lift the denouncement "
            "(`patchvet ledger vouch`).",
        )
        return
    if standing is not None and standing.action == "vouch":
        yield Finding(
            id="identity/vouched",
            severity=Severity.INFO,
            confidence=Confidence.HIGH,
            message=f"Vouched for by {standing.by} on {standing.created_at[:10]}: "
            f"{standing.reason}",
            evidence=contribution.author.display(),
        )
        return
    if history.prior_contributions == 0 and subject.policy.identity.report_first_contribution:
        yield Finding(
            id="identity/first-contribution",
            severity=Severity.INFO,
            confidence=Confidence.HIGH,
            message="First recorded contribution from this contributor: welcome them, and "
            "review with care",
            evidence=contribution.author.display(),
        )
    yield from _young_account(subject)
    yield from _mismatched_authors(subject)
    yield from style_shift(subject)
    if history.known_emails and history.prior_contributions:
        emails = {c.author.email for c in contribution.commits if c.author.email}
        if contribution.author.email:
            emails.add(contribution.author.email)
        new = sorted(emails - history.known_emails)
        if new:
            yield Finding(
                id="identity/new-email",
                severity=Severity.LOW,
                confidence=Confidence.MEDIUM,
                message=f"Email never seen with this contributor before: {', '.join(new)}",
                evidence=", ".join(sorted(history.known_emails)[:5]),
                remedy="Usually a new machine or employer; add it to .mailmap if it is theirs.",
            )


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _young_account(subject: Subject) -> Iterator[Finding]:
    contribution = subject.contribution
    created = _parse_time(contribution.author_created_at)
    if created is None:
        return
    submitted = _parse_time(contribution.created_at) or datetime.now(UTC)
    age = (submitted - created).days
    if age < subject.policy.identity.young_account_days:
        yield Finding(
            id="identity/young-account",
            severity=Severity.INFO,
            confidence=Confidence.HIGH,
            message=f"The account was created {age} days before this contribution; account age "
            "alone says little, so this only adds context",
            evidence=f"account created {contribution.author_created_at}",
        )


def _mismatched_authors(subject: Subject) -> Iterator[Finding]:
    contribution = subject.contribution
    if contribution.kind is not SourceKind.PULL_REQUEST or contribution.author.id is None:
        return
    others = {
        commit.author.login or commit.author.email or "unknown"
        for commit in contribution.commits
        if commit.author.id != contribution.author.id
        and not commit.is_merge
        and not (commit.author.login or "").endswith("[bot]")
    }
    if others:
        yield Finding(
            id="identity/author-mismatch",
            severity=Severity.LOW,
            confidence=Confidence.MEDIUM,
            message=f"Commits are authored by someone other than the PR author "
            f"(@{contribution.author.login}): {', '.join(sorted(others)[:5])}",
            evidence=", ".join(sorted(others)[:5]),
            remedy="Say whose work this is; co-authors belong in Co-authored-by trailers.",
            locations=(Location(),),
        )
