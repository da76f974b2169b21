"""
The GitHub Action: vet the pull request of the current run (`pull_request_target`,
`pull_request`, or an `issue_comment` on a pull request: override commands, the author's
replies), or, when the policy says `[issues] vet = true`, the issue of an `issues` or
`issue_comment` event.

It reads only the event and the API: the contribution's code is never checked out or run, and
the policy comes from the base commit.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from patchvet.errors import PatchvetError
from patchvet.github.client import GitHubClient
from patchvet.github.vet import VetRun, vet_issue, vet_pull
from patchvet.policy import load_policy
from patchvet.sources.json_input import load_json

ActionRun = VetRun
"""What one Action run judged and did."""
WORKFLOW_BOT = "github-actions[bot]"
"""Who a workflow's GITHUB_TOKEN acts as (it may not ask `GET /user`)."""


def event_target(event_path: Path) -> tuple[str, int, bool]:
    """(repository, number, whether it is an issue rather than a pull request) of the event."""
    try:
        event = load_json(event_path.read_bytes())
        repo = str(event["repository"]["full_name"])
        if "pull_request" in event:
            return repo, int(event["pull_request"]["number"]), False
        issue = event["issue"]
        return repo, int(issue["number"]), not issue.get("pull_request")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise PatchvetError(
            f"{event_path} is not a pull_request, issues or issue_comment event ({error})",
            hint="run the action on pull_request_target (or pull_request), issues and "
            "issue_comment events",
        ) from None


def run_action(
    client: GitHubClient,
    event_path: Path,
    policy_spec: str | None = None,
    summary_path: str | None = None,
    bot_login: str | None = None,
    details_url: str | None = None,
) -> ActionRun | None:
    """
    Fetch, judge and publish one pull request or issue, as the token's own identity; None for
    an issue when the policy does not vet issues.
    """
    repo, number, issue = event_target(event_path)
    policy = load_policy(policy_spec, Path()) if policy_spec else None
    me = bot_login or client.whoami() or WORKFLOW_BOT
    if issue:
        return vet_issue(client, repo, number, me, policy, None, summary_path, details_url)
    return vet_pull(client, repo, number, me, policy, None, summary_path, details_url)


def write_outputs(path: Path, run: ActionRun) -> None:
    """Step outputs for later steps: verdict, labels, finding ids, and who overrode it."""
    findings = dict.fromkeys(j.finding.id for j in run.assessment.findings if not j.ignored)
    values = {
        "verdict": run.assessment.verdict.value,
        "labels": ",".join(run.published.labels),
        "findings": ",".join(findings),
        "overridden-by": run.assessment.override.by if run.assessment.override else "",
    }
    delimiter = f"patchvet_{secrets.token_hex(16)}"
    with path.open("a", encoding="utf-8") as out:
        for name, value in values.items():
            out.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
