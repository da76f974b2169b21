"""
`honeypot`: a phrase a project hides in its pull-request template, in words only an agent obeying
the template's hidden instructions would write back. A person reading the rendered template never
sees it. Opt-in (`[honeypot] phrases`), advisory (`flag`), and exempt members are not checked, so
a team's own agent-assisted work is not caught by its own bait.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from patchvet.analyzers.interface import Subject
from patchvet.records import Confidence, Finding, Severity, SourceKind

# Instructions inside HTML comments are the template's own text, carried into the body unread:
# only what the author wrote outside them counts. Bounded and non-nested: linear time.
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)


def _words(text: str) -> str:
    return " ".join(text.lower().split())


def honeypot(subject: Subject) -> Iterator[Finding]:
    """The template phrase, written outside HTML comments, case and spacing ignored."""
    phrases = subject.policy.honeypot.phrases
    contribution = subject.contribution
    if not phrases or contribution.kind is not SourceKind.PULL_REQUEST:
        return
    written = _words(_HTML_COMMENT.sub(" ", contribution.description[:200_000]))
    for phrase in phrases:
        if _words(phrase) and _words(phrase) in written:
            yield Finding(
                id="honeypot/template-phrase",
                severity=Severity.MEDIUM,
                confidence=Confidence.HIGH,
                message="The description contains the phrase the project's template hides for "
                "automated agents: evidence the pull request was written by an agent following "
                "instructions a person would not see",
                evidence=phrase,
                remedy="If a person wrote this, tell the maintainers how the phrase got there; "
                "if an agent did, disclose it the way the project asks.",
            )
            return
