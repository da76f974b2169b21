"""
From one assessment to what GitHub shows: the job summary, labels, one self-updating comment,
and, only in `enforce` mode, a check run with annotations and (when the policy says `close`)
closing the pull request. Advisory mode changes nothing but the summary, labels and comment.
The Action and the App both publish through here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patchvet.formats import OutputFormat
from patchvet.formats.markdown import MARKER
from patchvet.github.client import GitHubClient, GitHubError
from patchvet.policy import Policy
from patchvet.records import Assessment, Severity, Verdict

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


@dataclass(frozen=True)
class Published:
    """What was done on GitHub, for logs and tests."""

    labels: tuple[str, ...]
    comment: str | None
    check_run: bool
    closed: bool
    warnings: tuple[str, ...]


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
    labels = [f"size/{assessment.scores.size_bucket}"]
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


def publish(
    client: GitHubClient,
    repo: str,
    number: int,
    head_sha: str,
    assessment: Assessment,
    policy: Policy,
    summary_path: str | None = None,
) -> Published:
    """Act on GitHub as the policy says; advisory mode only summarizes, labels and comments."""
    actions = set(policy.actions.get(assessment.verdict.value, []))
    body = report_markdown(assessment, policy)
    warnings: list[str] = []
    if summary_path:
        with Path(summary_path).open("a", encoding="utf-8") as summary:
            summary.write(body)
    labels = labels_for(assessment, policy)
    client.add_labels(repo, number, labels)
    # One comment per pull request, edited in place; a clean result still updates an earlier
    # comment so that a stale warning does not linger.
    comment = client.upsert_comment(repo, number, MARKER, body,
                                    create="comment" in actions)  # fmt: skip
    check_run = False
    if policy.mode == "enforce" and "check-run" in actions:
        try:
            _check_run(client, repo, head_sha, assessment, body)
            check_run = True
        except GitHubError as error:
            # A GITHUB_TOKEN from a fork, or an App without checks:write, cannot do this.
            warnings.append(f"no check run: {error.message}")
    closed = False
    if policy.mode == "enforce" and "close" in actions:
        client.close_pull(repo, number)
        closed = True
    return Published(tuple(labels), comment, check_run, closed, tuple(warnings))


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
