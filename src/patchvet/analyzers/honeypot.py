"""
`honeypot`: bait for autonomous agents that a person never sees. Opt-in, advisory (`flag`), and
exempt members are not checked, so a team's own agent-assisted work is not caught by its own bait.

- `honeypot/template-phrase`: a phrase the project hides in its pull-request or issue template,
  in words only an agent obeying the template's hidden instructions would write back.
- `honeypot/reply-code`: patchvet's own comment on the thread asked, inside an HTML comment,
  that automated agents put a random code in their reply; the author's reply carries it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from patchvet.analyzers.interface import Subject
from patchvet.records import Confidence, Finding, Severity, SourceKind

# Instructions inside HTML comments are the template's own text, carried into the body unread:
# only what the author wrote outside them counts. Bounded and non-nested: linear time.
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_VETTED = (SourceKind.PULL_REQUEST, SourceKind.ISSUE)
_TEXT_LIMIT = 200_000


def _words(text: str) -> str:
    return " ".join(text.lower().split())


def _unquoted(text: str) -> str:
    """The lines the author wrote themselves: Markdown quotes (`> …`) left out."""
    return "\n".join(
        line for line in text[:_TEXT_LIMIT].splitlines() if not line.lstrip().startswith(">")
    )


def honeypot(subject: Subject) -> Iterator[Finding]:
    """The template phrase in the description, and the reply code in the author's replies."""
    contribution = subject.contribution
    if contribution.kind not in _VETTED:
        return
    yield from _template_phrase(subject)
    yield from _reply_code(subject)


def _template_phrase(subject: Subject) -> Iterator[Finding]:
    """The template phrase, written outside HTML comments, case and spacing ignored."""
    phrases = subject.policy.honeypot.phrases
    if not phrases:
        return
    written = _words(_HTML_COMMENT.sub(" ", subject.contribution.description[:_TEXT_LIMIT]))
    for phrase in phrases:
        if _words(phrase) and _words(phrase) in written:
            yield Finding(
                id="honeypot/template-phrase",
                severity=Severity.MEDIUM,
                confidence=Confidence.HIGH,
                message="The description contains the phrase the project's template hides for "
                "automated agents: evidence it was written by an agent following instructions a "
                "person would not see",
                evidence=phrase,
                remedy="If a person wrote this, tell the maintainers how the phrase got there; "
                "if an agent did, disclose it the way the project asks.",
            )
            return


def _reply_code(subject: Subject) -> Iterator[Finding]:
    """A reply by the author that carries the code, outside quoted lines."""
    code = subject.contribution.bait
    if not subject.policy.honeypot.reply_code or not code:
        return
    for reply in subject.contribution.replies:
        if code.lower() in _unquoted(reply.body).lower():
            yield Finding(
                id="honeypot/reply-code",
                severity=Severity.MEDIUM,
                confidence=Confidence.HIGH,
                message="The author's reply contains the code that patchvet's comment asked "
                "only automated agents to write, in a note a person reading the thread does not "
                "see: evidence the replies come from an agent acting on its own",
                evidence=f"code {code} in the reply {reply.url or reply.created_at}".strip(),
                remedy="If you are a person, say so in a reply and tell the maintainers how the "
                "code got into yours; if an agent answers for you, disclose it the way the "
                "project asks. A maintainer's vouch or override settles it.",
            )
            return
