"""
The GitHub Action: vet the pull request of the current `pull_request_target` run.

It reads only the event and the API: the contribution's code is never checked out or run, and
the policy comes from the base commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from patchvet.check import assess
from patchvet.errors import PatchvetError
from patchvet.github.client import GitHubClient
from patchvet.github.publish import Published, publish
from patchvet.github.pull import fetch_contribution, policy_from_base
from patchvet.policy import Policy, load_policy
from patchvet.records import Assessment
from patchvet.sources.json_input import load_json


@dataclass(frozen=True)
class ActionRun:
    """What one Action run judged and did."""

    assessment: Assessment
    policy: Policy
    published: Published


def pull_request_target(event_path: Path) -> tuple[str, int, str, str]:
    """(repository, number, base sha, head sha) of the run's event."""
    try:
        event = load_json(event_path.read_bytes())
        pull = event["pull_request"]
        return (event["repository"]["full_name"], int(pull["number"]), pull["base"]["sha"],
                pull["head"]["sha"])  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise PatchvetError(
            f"{event_path} is not a pull_request event ({error})",
            hint="run the action on pull_request_target (or pull_request) events",
        ) from None


def run_action(
    client: GitHubClient,
    event_path: Path,
    policy_spec: str | None = None,
    summary_path: str | None = None,
) -> ActionRun:
    """Fetch, judge and publish one pull request."""
    repo, number, base_sha, head_sha = pull_request_target(event_path)
    policy = (load_policy(policy_spec, Path()) if policy_spec
              else policy_from_base(client, repo, base_sha))  # fmt: skip
    contribution = fetch_contribution(client, repo, number)
    assessment = assess(contribution, policy)
    published = publish(client, repo, number, head_sha, assessment, policy, summary_path)
    return ActionRun(assessment, policy, published)
