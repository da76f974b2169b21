"""
From one assessment to what GitHub shows: the job summary, labels, one self-updating comment,
and, only in `enforce` mode, a check run with annotations and (when the policy says `close`)
closing the pull request. Advisory mode changes nothing but the summary, labels and comment.
The Action and the App both publish through here.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from patchvet.formats import OutputFormat
from patchvet.formats.markdown import MARKER
from patchvet.github.client import GitHubClient, GitHubError
from patchvet.policy import Policy
from patchvet.records import Assessment, Severity, SourceKind, Verdict

_ANNOTATION_LEVEL = {
    Severity.INFO: "notice",
    Severity.LOW: "notice",
    Severity.MEDIUM: "warning",
    Severity.HIGH: "failure",
}
_CONCLUSION = {
    Verdict.PASS: "success",
    Verdict.FLAG: "neutral",
    Verdict.HOLD: "action_required",
    Verdict.REJECT: "failure",
}
ANNOTATIONS_PER_CALL = 50


COMMENT_LIMIT = 65_536
"""GitHub refuses issue comments longer than this many characters."""
# What each write needs, in a workflow's `permissions:` terms, when GitHub does not say.
_NEEDS = {
    "labels": "issues: write (and pull-requests: write)",
    "comment": "pull-requests: write (and issues: write)",
    "check run": "checks: write",
    "close": "pull-requests: write (issues: write for an issue)",
}


@dataclass(frozen=True)
class Published:
    """What was done on GitHub, for logs and tests."""

    labels: tuple[str, ...]
    comment: str | None
    check_run: bool
    closed: bool
    warnings: tuple[str, ...]
    removed: tuple[str, ...] = ()
    """Labels patchvet had set earlier that no longer apply, taken off."""
    denied: tuple[str, ...] = ()
    """Writes GitHub refused for lack of permission, each with the permission it needs."""


def report_markdown(assessment: Assessment, policy: Policy) -> str:
    """The Markdown report (summary and comment body) for one assessment."""
    out = io.StringIO()
    reporter = OutputFormat.MARKDOWN.reporter(out, policy)
    reporter.start()
    reporter.add(assessment)
    reporter.finish([], {assessment.verdict: 1})
    return out.getvalue()


def labels_for(assessment: Assessment, policy: Policy) -> list[str]:
    """The size label, `llm-assisted` for agent work, and the policy's labels for the verdict."""
    issue = assessment.contribution.kind is SourceKind.ISSUE
    labels = [] if issue else [f"size/{assessment.scores.size_bucket}"]  # an issue has no diff
    if any(j.finding.family == "agent-fingerprint" for j in assessment.findings):
        labels.append(policy.disclosure.labels[0] if policy.disclosure.labels else "llm-assisted")
    labels += [
        action.removeprefix("label:")
        for action in policy.actions.get(assessment.verdict.value, [])
        if action.startswith("label:")
    ]
    return list(dict.fromkeys(labels))


def check_annotations(assessment: Assessment) -> list[dict[str, Any]]:
    """Check-run annotations for every finding located in a file."""
    out = []
    for judged in assessment.findings:
        finding = judged.finding
        for location in finding.locations:
            if not location.path:
                continue
            line = location.line or 1
            out.append({
                "path": location.path,
                "start_line": line,
                "end_line": line,
                "annotation_level": _ANNOTATION_LEVEL[finding.severity],
                "title": finding.id,
                "message": (finding.message + (f"\n\nFix: {finding.remedy}" if finding.remedy
                                               else ""))[:64_000],
            })  # fmt: skip
    return out


def fit_comment(body: str, details_url: str | None, reserve: int = 0) -> str:
    """The body, cut at a line under GitHub's limit (less `reserve`), pointing to the rest."""
    limit = COMMENT_LIMIT - reserve
    if len(body) <= limit:
        return body
    where = (f"the full report is in the [job summary]({details_url})" if details_url
             else "the full report is in the patchvet check run and the job log")  # fmt: skip
    note = (f"\n\n**This report is {len(body):,} characters, too long for a comment; "
            f"{where}.**\n")  # fmt: skip
    head = body[: body.rfind("\n", 0, limit - len(note) - 20)]
    if head.count("<details") > head.count("</details>"):
        head += "\n\n</details>"
    return head + note


class _Writes:
    """Runs each write; a 403 is noted with the permission it needs instead of ending the run."""

    def __init__(self) -> None:
        self.denied: list[str] = []

    def attempt(self, what: str, call: Callable[[], object]) -> bool:
        try:
            call()
        except GitHubError as error:
            if error.status != 403:
                raise
            needs = (error.accepted_permissions or "").replace("_", "-").replace("=", ": ")
            self.denied.append(f"cannot set the {what}: the token lacks "
                               f"`{needs or _NEEDS[what]}` ({error.message})")  # fmt: skip
            return False
        return True


def publish(
    client: GitHubClient,
    repo: str,
    number: int,
    head_sha: str,
    assessment: Assessment,
    policy: Policy,
    summary_path: str | None = None,
    *,
    me: str,
    current_labels: Sequence[str] = (),
    own_labels: frozenset[str] = frozenset(),
    details_url: str | None = None,
    records: str = "",
) -> Published:
    """
    Act on GitHub as the policy says; advisory mode only summarizes, labels and comments.

    `me` is the token's own login: only a comment by `me` is ever edited. `own_labels` are the
    labels patchvet set earlier; those no longer wanted are removed, nobody else's. `records`
    are hidden lines kept at the top of the comment (which overrides were honoured at which
    commit); a comment is created when there are any, so that they are kept.
    """
    actions = set(policy.actions.get(assessment.verdict.value, []))
    body = report_markdown(assessment, policy)
    warnings: list[str] = []
    writes = _Writes()
    if summary_path:
        with Path(summary_path).open("a", encoding="utf-8") as summary:
            summary.write(body)
    labels = labels_for(assessment, policy)
    missing = [label for label in labels if label not in current_labels]
    if missing:
        writes.attempt("labels", lambda: client.add_labels(repo, number, missing))
    stale = [label for label in current_labels if label in own_labels and label not in labels]
    removed = [
        label
        for label in stale
        if writes.attempt("labels", partial(client.remove_label, repo, number, label))
    ]
    # One comment per pull request, edited in place; a clean result still updates an earlier
    # comment so that a stale warning does not linger.
    comment: str | None = None

    def upsert() -> None:
        nonlocal comment
        text = fit_comment(body, details_url, len(records)).replace(
            MARKER + "\n", MARKER + "\n" + records, 1
        )
        comment = client.upsert_comment(repo, number, MARKER, text, me,
                                        create="comment" in actions or bool(records))  # fmt: skip

    writes.attempt("comment", upsert)
    check_run = False
    issue = assessment.contribution.kind is SourceKind.ISSUE
    if policy.mode == "enforce" and "check-run" in actions and not issue:
        try:
            _check_run(client, repo, head_sha, assessment, body)
            check_run = True
        except GitHubError as error:
            # A GITHUB_TOKEN from a fork, or an App without checks:write, cannot do this.
            warnings.append(f"no check run: {error.message}")
    closed = False
    if policy.mode == "enforce" and "close" in actions:
        close = client.close_issue if issue else client.close_pull
        closed = writes.attempt("close", lambda: close(repo, number))
    return Published(tuple(labels), comment, check_run, closed, tuple(warnings), tuple(removed),
                     tuple(writes.denied))  # fmt: skip


def _check_run(
    client: GitHubClient, repo: str, head_sha: str, assessment: Assessment, body: str
) -> None:
    notes = check_annotations(assessment)
    title = f"patchvet: {assessment.verdict.value}"
    output = {"title": title, "summary": body[:65_000],
              "annotations": notes[:ANNOTATIONS_PER_CALL]}  # fmt: skip
    run = client.create_check_run(repo, {
        "name": "patchvet", "head_sha": head_sha, "status": "completed",
        "conclusion": _CONCLUSION[assessment.verdict], "output": output,
    })  # fmt: skip
    for start in range(ANNOTATIONS_PER_CALL, len(notes), ANNOTATIONS_PER_CALL):
        client.update_check_run(repo, int(run["id"]), {"output": {
            "title": title, "summary": body[:65_000],
            "annotations": notes[start : start + ANNOTATIONS_PER_CALL],
        }})  # fmt: skip
