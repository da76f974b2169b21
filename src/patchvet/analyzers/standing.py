"""
Maintainers' exemptions and the project's vouch list.

An author the policy exempts (an `OWNER`, `MEMBER` or `COLLABORATOR` of the repository, an
allowlisted bot such as `renovate[bot]`, or someone vouched for in `.github/VOUCHED.td`) skips
the contributor checks of `maintainers.exempt_families` (by default `identity` and `rate`): the
repository owner's own pull request is not a first contribution, and a dependency bot has no
submission rate. Checks of the change itself still run.

With `maintainers.require_vouch` (the `ghostty` preset), an author neither exempt nor vouched
gets `identity/unvouched`, which that preset rejects; denounced authors get `identity/denounced`.
"""

from __future__ import annotations

from collections.abc import Iterator

from patchvet.analyzers.interface import Subject
from patchvet.policy import Policy
from patchvet.records import Confidence, Contribution, Finding, Identity, Severity


def exemption(contribution: Contribution, policy: Policy) -> str | None:
    """Why the author is exempt from contributor checks, or None."""
    rules = policy.maintainers
    login = contribution.author.github_login()
    if login and login.lower() in {author.lower() for author in rules.exempt_authors}:
        return f"{login} is on the policy's list of exempt authors"
    association = contribution.author_association
    if association and association in rules.exempt_associations:
        return f"author association {association}"
    listing = contribution.author_listing
    if listing is not None and listing.action == "vouch":
        return f"vouched for in {listing.source}" + (f" ({listing.note})" if listing.note else "")
    return None


def unattested_sender(contribution: Contribution) -> Identity | None:
    """
    The sender of a mail that names someone else as its author without proof (no DKIM from
    the author's domain, no patatt signature by a known key of theirs); None otherwise.
    """
    mail = contribution.mail
    author = contribution.author
    if mail is None or not author.email or mail.attestation is not None:
        return None
    if (mail.sender.email or "").lower() == author.email.lower():
        return None
    return mail.sender


def established(subject: Subject) -> str | None:
    """
    Why the author has an established standing with the project, or None: exempt by the
    policy (owner, member, collaborator, allowlisted bot, vouched in the vouch list), vouched
    in the ledger, or known (`known`). A first contribution, an unknown author and a
    denounced one are not.

    Edits of CI workflows, hooks and release tooling, and lock files changed alone, are then
    reported as `info`: such authors can usually make them directly, and flagging their every
    CI edit teaches maintainers to ignore patchvet. The patterns that make these edits dangerous
    (secrets, privileged triggers, downloads run in a shell, binary fixtures) flag for everyone.
    """
    history = subject.history
    listing = subject.contribution.author_listing
    if (history is not None and history.standing is not None
            and history.standing.action == "denounce") or (
        listing is not None and listing.action == "denounce"
    ):  # fmt: skip
        return None
    reason = exemption(subject.contribution, subject.policy)
    if reason is not None:
        return reason
    if unattested_sender(subject.contribution) is not None:
        return None  # a mail sent in someone else's name does not carry their record
    if history is not None and history.tier == "vouched":
        return "vouched for in the ledger"
    return known(subject)


def known(subject: Subject) -> str | None:
    """
    Why the author counts as known, or None: at least `identity.known_after` earlier
    contributions in the ledger, or as many earlier commits in the repository's accepted
    history before the vetted range (`Contribution.author_record`, `--git` mode). Two sources
    of one standing; either is enough.
    """
    history = subject.history
    if history is not None and history.tier == "known":
        return f"{history.prior_contributions} earlier contributions in the ledger"
    record = subject.contribution.author_record
    if record is not None and record.commits >= subject.policy.identity.known_after:
        return f"{record.commits} earlier commits {record.where}"
    return None


def exemption_note(reason: str, policy: Policy) -> Finding:
    """The report's note that some checks were skipped, and why."""
    families = ", ".join(policy.maintainers.exempt_families) or "no"
    return Finding(
        id="identity/exempt",
        severity=Severity.INFO,
        confidence=Confidence.HIGH,
        message=f"Exempt from {families} checks: {reason}",
        evidence=reason,
    )


def listed(subject: Subject) -> Iterator[Finding]:
    """Findings from the author's entry (or absence) in the base branch's vouch list."""
    listing = subject.contribution.author_listing
    if listing is None:
        return
    author = subject.contribution.author.display()
    if listing.action == "denounce":
        yield Finding(
            id="identity/denounced",
            severity=Severity.HIGH,
            confidence=Confidence.HIGH,
            message=f"This contributor is denounced in {listing.source}"
            + (f": {listing.note}" if listing.note else ""),
            evidence=author,
            remedy="A maintainer decides whether to lift the denouncement.",
        )
        return
    if listing.action != "unlisted" or not subject.policy.maintainers.require_vouch:
        return
    history = subject.history
    if history is not None and history.standing is not None:
        return  # the ledger's own vouch or denouncement speaks instead
    yield Finding(
        id="identity/unvouched",
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        message=f"This project only accepts pull requests from vouched contributors, and "
        f"{listing.source} does not name this author",
        evidence=author,
        remedy="Introduce yourself to the maintainers (for example in a discussion) and ask "
        "to be vouched for; then reopen the pull request.",
    )
