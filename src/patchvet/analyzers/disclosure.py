"""
`disclosure`: which forms of AI disclosure are present, and whether the policy requires, accepts
or forbids each. The same `Assisted-by:` trailer is required by the kernel and forbidden by
Kubernetes, so nothing here is hard-coded: the policy says which forms count.
"""

from __future__ import annotations

from collections.abc import Iterator

from patchvet.analyzers.interface import Subject
from patchvet.analyzers.signals import DISCLOSURE_TRAILERS, kernel_shaped
from patchvet.records import Confidence, Finding, Location, Severity, SourceKind

_FORM_NAMES = {
    "assisted-by": "an `Assisted-by:` trailer",
    "generated-by": "a `Generated-by:` trailer",
    "ai-used-for": "an `AI-used-for:` trailer",
    "co-authored-by": "a `Co-authored-by:` trailer naming the AI",
    "co-developed-by": "a `Co-developed-by:` trailer naming the AI",
    "label": "a disclosure label on the pull request",
    "statement": "a statement in the description or cover letter",
}


def _describe(group: str) -> str:
    return " or ".join(_FORM_NAMES[form] for form in group.split("|"))


def _checkable(group: str, kind: SourceKind) -> bool:
    """Labels exist only on pull requests; every other form can be checked anywhere."""
    return any(form != "label" or kind is SourceKind.PULL_REQUEST for form in group.split("|"))


def disclosure(subject: Subject) -> Iterator[Finding]:
    """Missing, forbidden, malformed or contradicted disclosures."""
    rules = subject.policy.disclosure
    signals = subject.signals
    present = {d.form for d in signals.disclosures}
    for item in signals.disclosures:
        if item.form in rules.forbid:
            yield Finding(
                id="disclosure/forbidden-form",
                severity=Severity.MEDIUM,
                confidence=Confidence.HIGH,
                message=f"This project does not allow {_FORM_NAMES[item.form]}",
                evidence=item.evidence,
                remedy="Remove it and disclose AI use the way the project asks "
                + (
                    f"({_describe('|'.join(rules.require))})."
                    if rules.require
                    else "(usually in the pull request description)."
                ),
                locations=(item.location,),
            )
    yield from _below_divider(subject)
    if rules.assisted_by_format == "kernel":
        yield from _kernel_format(subject)
    if signals.agent_detected:
        agents = sorted({mark.agent for mark in signals.marks})
        for group in rules.require:
            if present & set(group.split("|")) or not _checkable(group, subject.contribution.kind):
                continue
            yield Finding(
                id="disclosure/missing",
                severity=Severity.MEDIUM,
                confidence=Confidence.HIGH,
                message=f"{', '.join(agents)} marks are present but {_describe(group)} is missing",
                evidence=signals.marks[0].evidence,
                remedy=f"Add {_describe(group)} that names the tool and how it was used.",
                locations=tuple(mark.location for mark in signals.marks[:5]),
            )
        if signals.denials:
            denial = signals.denials[0]
            yield Finding(
                id="disclosure/contradicted",
                severity=Severity.MEDIUM,
                confidence=Confidence.MEDIUM,
                message=f"States that no AI was used, but {', '.join(agents)} marks are present",
                evidence=denial.evidence,
                remedy="Correct the statement, or explain where the agent marks come from.",
                locations=(denial.location,),
            )
    yield from _wrong_form(subject, present)
    if signals.disclosures and not any(d.form in rules.forbid for d in signals.disclosures):
        forms = sorted(present)
        yield Finding(
            id="disclosure/present",
            severity=Severity.INFO,
            confidence=Confidence.HIGH,
            message=f"AI use is disclosed ({', '.join(forms)})",
            evidence=signals.disclosures[0].evidence,
            remedy="",
            locations=tuple(d.location for d in signals.disclosures[:5]),
        )


def _wrong_form(subject: Subject, present: set[str]) -> Iterator[Finding]:
    """
    AI use disclosed, honestly, but not in the form the project reads: a kernel contributor
    writing `Generated-by:` or saying so in the cover letter, where the kernel asks for
    `Assisted-by:`. Advice on the form, not an accusation.
    """
    rules = subject.policy.disclosure
    shown = [d for d in subject.signals.disclosures if d.form not in rules.forbid]
    if not shown or not rules.require or subject.signals.agent_detected:
        return  # with agent marks, disclosure/missing already says what is asked
    for group in rules.require:
        if present & set(group.split("|")) or not _checkable(group, subject.contribution.kind):
            continue
        forms = sorted({d.form for d in shown})
        yield Finding(
            id="disclosure/wrong-form",
            severity=Severity.LOW,
            confidence=Confidence.HIGH,
            message=f"AI use is disclosed ({', '.join(_FORM_NAMES[f] for f in forms)}), but "
            f"this project asks for {_describe(group)}",
            evidence=shown[0].evidence,
            remedy=f"Keep the disclosure and add {_describe(group)}"
            + (f". {subject.policy.ai.note}" if subject.policy.ai.note else "."),
            locations=tuple(d.location for d in shown[:5]),
        )


def _below_divider(subject: Subject) -> Iterator[Finding]:
    """A disclosure under `---` is dropped by `git am`: the commit will not carry it."""
    for commit in subject.contribution.commits:
        kept = {t.line.lower() for t in commit.trailers}
        for trailer in commit.dropped_trailers:
            if trailer.key.lower() not in DISCLOSURE_TRAILERS or trailer.line.lower() in kept:
                continue
            yield Finding(
                id="disclosure/below-divider",
                severity=Severity.MEDIUM,
                confidence=Confidence.HIGH,
                message=f"`{trailer.key}:` is below the `---` line, where `git am` drops it; "
                "the commit will not carry the disclosure",
                evidence=trailer.line,
                remedy=f"Move `{trailer.key}:` above the `---` line, with the other trailers "
                "at the end of the commit message, and send the patch again.",
                locations=(Location(commit=commit.sha),),
            )


def _kernel_format(subject: Subject) -> Iterator[Finding]:
    basic = {tool.lower() for tool in subject.policy.disclosure.basic_tools}
    for item in subject.signals.disclosures:
        if item.form != "assisted-by":
            continue
        value = item.evidence.split(":", 1)[1].strip()
        if not kernel_shaped(value):
            yield Finding(
                id="disclosure/malformed",
                severity=Severity.LOW,
                confidence=Confidence.HIGH,
                message="`Assisted-by:` does not follow the AGENT_NAME:MODEL_VERSION [TOOLS] "
                "format",
                evidence=item.evidence,
                remedy="Write it as `Assisted-by: Claude:claude-opus-4 coccinelle` "
                "or `Assisted-by: LLM coccinelle`.",
                locations=(item.location,),
            )
            continue
        listed = [tool for tool in value.split()[1:] if tool.lower() in basic]
        if listed:
            yield Finding(
                id="disclosure/basic-tool-listed",
                severity=Severity.INFO,
                confidence=Confidence.HIGH,
                message=f"`Assisted-by:` lists basic tools ({', '.join(listed)})",
                evidence=item.evidence,
                remedy="List only specialised analysis tools (coccinelle, sparse, smatch, "
                "clang-tidy), not git, compilers, make or editors.",
                locations=(item.location,),
            )
