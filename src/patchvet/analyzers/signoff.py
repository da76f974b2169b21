"""
`signoff`: Developer Certificate of Origin rules. Only a human can certify the DCO, so an AI
identity never satisfies sign-off and, where the policy says so, is itself a violation.
"""

from __future__ import annotations

from collections.abc import Iterator

from patchvet.analyzers.interface import Subject
from patchvet.marks import load_registry
from patchvet.records import Commit, Confidence, Finding, Location, Severity
from patchvet.sources._message import identity_from_address


def _sign_offs(commit: Commit, key: str) -> list[str]:
    """Values of one trailer key, read as git reads the message (sources/trailers.py)."""
    return [t.value for t in commit.trailers if t.key.lower() == key]


def _below_divider(commit: Commit, present: list[str]) -> Iterator[Finding]:
    """A sign-off written under `---` is dropped by `git am`: it certifies nothing."""
    for trailer in commit.dropped_trailers:
        if trailer.key.lower() != "signed-off-by" or trailer.value in present:
            continue
        yield Finding(
            id="signoff/below-divider",
            severity=Severity.MEDIUM,
            confidence=Confidence.HIGH,
            message="Signed-off-by is below the `---` line, where `git am` drops it",
            evidence=trailer.line,
            remedy="Move the Signed-off-by above the `---` line, at the end of the commit "
            "message (`git commit -s --amend` puts it there), and send the patch again.",
            locations=(Location(commit=commit.sha),),
        )


def _matches_author(commit: Commit, values: list[str]) -> bool:
    author = commit.author
    for value in values:
        identity = identity_from_address(value)
        if author.email and identity.email == author.email:
            return True
        if author.name and identity.name and identity.name.casefold() == author.name.casefold():
            return True
    return False


def signoff(subject: Subject) -> Iterator[Finding]:
    """Missing, mismatched or AI sign-offs, commit by commit."""
    rules = subject.policy.signoff
    registry = load_registry()
    for commit in subject.contribution.commits:
        if commit.is_merge:
            continue
        where = (Location(commit=commit.sha),)
        values = _sign_offs(commit, "signed-off-by")
        human = [v for v in values if registry.by_address(v) is None]
        yield from _below_divider(commit, values)
        if rules.forbid_ai:
            for value in values:
                agent = registry.by_address(value)
                if agent is not None:
                    yield Finding(
                        id="signoff/ai-signoff",
                        severity=Severity.HIGH,
                        confidence=Confidence.HIGH,
                        message=f"{agent.name} signed off; only a human can certify the DCO",
                        evidence=f"Signed-off-by: {value}",
                        remedy="Remove the AI's Signed-off-by; the human submitter reviews the "
                        "change and adds their own.",
                        locations=where,
                    )
        if rules.forbid_ai_co_developer:
            for value in _sign_offs(commit, "co-developed-by"):
                agent = registry.by_address(value)
                if agent is not None:
                    yield Finding(
                        id="signoff/ai-co-developer",
                        severity=Severity.MEDIUM,
                        confidence=Confidence.HIGH,
                        message=f"{agent.name} is named as Co-developed-by, which requires a "
                        "sign-off an AI cannot give",
                        evidence=f"Co-developed-by: {value}",
                        remedy="Disclose the tool the way the project asks instead "
                        "(for the kernel: `Assisted-by:`).",
                        locations=where,
                    )
        if not rules.required:
            continue
        if not human:
            yield Finding(
                id="signoff/missing",
                severity=Severity.MEDIUM,
                confidence=Confidence.HIGH,
                message="No human Signed-off-by" + (" (only an AI's)" if values else ""),
                evidence=commit.subject,
                remedy="Certify the Developer Certificate of Origin: `git commit -s --amend` "
                "adds `Signed-off-by: Your Name <you@example.org>`.",
                locations=where,
            )
        elif rules.match_author and not _matches_author(commit, human):
            yield Finding(
                id="signoff/author-mismatch",
                severity=Severity.LOW,
                confidence=Confidence.MEDIUM,
                message=f"No Signed-off-by matches the author {commit.author.display()}",
                evidence="; ".join(f"Signed-off-by: {v}" for v in human),
                remedy="The author must sign off their own work (the same name and email "
                "as the From: line).",
                locations=where,
            )
