"""
Replies for the list: one plain-text mail per patch that has something to say, written the way
maintainers answer on a mailing list — `Re:` subject, `In-Reply-To`/`References` so it threads,
the relevant lines quoted above each finding, wrapped at 72 columns, and the project's own
policy wording and link at the end.

The output is an mbox (`patchvet reply` sends it, or `git send-email` and mail clients read it).
Contribution text is hostile: it is quoted as inert text, with control and bidi characters made
visible, and never reaches a header unescaped (the email package refuses line breaks there).
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr

from patchvet.formats._escape import plain
from patchvet.formats.interface import Reporter
from patchvet.records import Assessment, Contribution, Location, Severity, Skipped, Verdict

WIDTH = 72
FROM_ENV = "PATCHVET_REPLY_FROM"
DEFAULT_FROM = "patchvet <patchvet@localhost>"
MBOX_SEPARATOR = "From patchvet Thu Jan  1 00:00:00 1970\n"
# Message-IDs are long; folding `In-Reply-To:` before its only value confuses some clients, and
# git send-email writes them whole. 998 is RFC 5322's hard limit.
MAIL_POLICY = SMTP.clone(max_line_length=998)


def _wrap(text: str, prefix: str = "") -> list[str]:
    wrapped = textwrap.wrap(plain(text), WIDTH, initial_indent=prefix, subsequent_indent=prefix,
                            break_long_words=False, break_on_hyphens=False)  # fmt: skip
    return wrapped or [prefix.rstrip()]


def _quote(line: str) -> str:
    return "> " + plain(line)[: WIDTH * 2]


def _quoted_lines(contribution: Contribution, location: Location) -> list[str]:
    """The lines a finding is about: the added line at its place, else the commit's subject."""
    if location.path is not None and location.line is not None:
        for change in contribution.files:
            if change.path != location.path:
                continue
            for added in change.added_lines:
                if added.number == location.line:
                    return [_quote(f"+++ b/{change.path}"), _quote(f"+{added.text}")]
        return [_quote(f"+++ b/{location.path} (line {location.line})")]
    if location.path is not None:
        return [_quote(f"+++ b/{location.path}")]
    return []


def _trailer_block(contribution: Contribution) -> list[str]:
    """The last lines of the message, where sign-offs and disclosures live."""
    if not contribution.commits:
        return []
    lines = contribution.commits[-1].message.rstrip().splitlines()
    return [_quote(line) for line in lines[-4:]]


def reply_body(assessment: Assessment, policy_note: str, policy_link: str | None) -> str:
    """The text of the reply to one patch."""
    contribution = assessment.contribution
    when = contribution.mail.date if contribution.mail and contribution.mail.date else None
    lines = [f"On {plain(when)}, {plain(contribution.author.display())} wrote:" if when
             else f"{plain(contribution.author.display())} wrote:"]  # fmt: skip
    lines.append(_quote(contribution.mail.subject if contribution.mail else contribution.title))
    lines.append("")
    shown: set[str] = set()
    for judged in assessment.findings:
        finding = judged.finding
        if finding.severity is Severity.INFO and judged.verdict is Verdict.PASS:
            continue
        quoted = [q for loc in finding.locations[:1] for q in _quoted_lines(contribution, loc)]
        if not quoted and finding.family in ("signoff", "disclosure"):
            quoted = _trailer_block(contribution)
        if quoted and "\n".join(quoted) not in shown:
            shown.add("\n".join(quoted))
            lines += [*quoted, ""]
        lines += _wrap(f"[{judged.verdict.value}] {finding.id}: {finding.message}")
        if finding.evidence:
            lines += _wrap(f"Seen: {finding.evidence}", "  ")
        if finding.remedy:
            lines += _wrap(f"To resolve: {finding.remedy}", "  ")
        lines.append("")
    lines += _wrap(f"Overall: {assessment.verdict.value}.")
    if policy_note:
        lines += ["", *_wrap(policy_note)]
    if policy_link:
        lines += ["", f"Policy: {plain(policy_link)}"]
    lines += ["", "-- ", "Prepared by patchvet for the maintainers, who decide. If a finding is",
              "wrong, say so in a reply."]  # fmt: skip
    # "-- " (with its space) is the signature separator mail clients know.
    return "\n".join(line if line == "-- " else line.rstrip() for line in lines) + "\n"


def worth_replying(assessment: Assessment) -> bool:
    """A reply when a finding asks for something: anything but a clean pass."""
    return any(
        judged.verdict is not Verdict.PASS or judged.finding.severity is not Severity.INFO
        for judged in assessment.findings
    )


def reply_message(
    assessment: Assessment, sender: str, policy_note: str, policy_link: str | None
) -> EmailMessage:
    """The reply as a mail, threaded under the patch it answers."""
    contribution = assessment.contribution
    mail = contribution.mail
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = sender
    if mail is not None:
        message["To"] = formataddr((plain(mail.sender.name or ""), mail.sender.email or ""))
        answered = (mail.sender.email or "").lower()
        others = [a for a in (*mail.to, *mail.cc) if not answered or answered not in a.lower()]
        if others:
            message["Cc"] = ", ".join(plain(a) for a in others[:50])
        subject = plain(mail.subject)
        if mail.message_id:
            message["In-Reply-To"] = f"<{plain(mail.message_id)}>"
            refs = [*mail.references, mail.message_id]
            message["References"] = " ".join(f"<{plain(r)}>" for r in refs[-20:])
    else:
        subject = plain(contribution.title)
    message["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    message.set_content(reply_body(assessment, policy_note, policy_link))
    return message


def as_mbox(messages: Iterator[EmailMessage]) -> Iterator[str]:
    """Each message as an mboxrd entry."""
    for message in messages:
        text = message.as_string().replace("\r\n", "\n")
        body = "\n".join(">" + line if line.lstrip(">").startswith("From ") else line
                         for line in text.split("\n"))  # fmt: skip
        yield MBOX_SEPARATOR + body.rstrip("\n") + "\n\n"


class ReplyReporter(Reporter):
    """An mbox of replies, one per patch that has a finding worth a word."""

    def add(self, assessment: Assessment) -> None:
        if not worth_replying(assessment):
            return
        sender = os.environ.get(FROM_ENV) or DEFAULT_FROM
        message = reply_message(assessment, sender, self.policy.ai.note, self.policy.source)
        for entry in as_mbox(iter([message])):
            self.out.write(entry)

    def finish(self, skipped: Sequence[Skipped], counts: Mapping[Verdict, int]) -> None:
        """Nothing: skipped inputs are reported on standard error, not mailed to anyone."""
