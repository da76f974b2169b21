"""`patchvet action`: the GitHub Action entry point."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from patchvet.errors import PatchvetError
from patchvet.formats._escape import plain
from patchvet.records import Verdict


def register(commands: Any) -> None:
    """Register `action`."""
    action = commands.add_parser(
        "action", help="run as the GitHub Action on a pull request or issue"
    )
    action.set_defaults(handler=run_github_command)
    action.add_argument(
        "--event",
        type=Path,
        metavar="EVENT.json",
        help="the event payload (default: $GITHUB_EVENT_PATH)",
    )
    action.add_argument(
        "--policy",
        metavar="PRESET_OR_FILE",
        help="default: .patchvet.toml on the base branch, read through the API",
    )
    action.add_argument("--fail-on", choices=[v.value for v in Verdict if v is not Verdict.PASS],
                        default="reject")  # fmt: skip
    action.add_argument(
        "--bot-login",
        metavar="LOGIN",
        help="the token's own login, whose comment patchvet edits (default: GET /user, "
        "else github-actions[bot])",
    )


def run_github_command(args: argparse.Namespace) -> int:
    """Run `patchvet action`; return the exit code."""
    out = sys.stdout
    from patchvet.github.action import run_action, write_outputs
    from patchvet.github.client import PUBLIC_API, GitHubClient

    event = args.event or (Path(os.environ["GITHUB_EVENT_PATH"])
                           if os.environ.get("GITHUB_EVENT_PATH") else None)  # fmt: skip
    if event is None:
        raise PatchvetError("no event to read", hint="pass --event or run inside GitHub Actions")
    token = os.environ.get("GITHUB_TOKEN") or os.environ.get("PATCHVET_GITHUB_TOKEN")
    client = GitHubClient(token, os.environ.get("GITHUB_API_URL", PUBLIC_API))
    try:
        run = run_action(client, event, args.policy, os.environ.get("GITHUB_STEP_SUMMARY"),
                         args.bot_login or os.environ.get("PATCHVET_BOT_LOGIN"),
                         _run_url())  # fmt: skip
    finally:
        client.close()
    if run is None:
        out.write("patchvet: this issue is not vetted: the policy does not say "
                  "`[issues] vet = true`\n")  # fmt: skip
        return 0
    assessment = run.assessment
    out.write(f"patchvet: {assessment.verdict.value} for {plain(assessment.contribution.source)}"
              f" (policy {run.policy.name}, {run.policy.mode})\n")  # fmt: skip
    if assessment.override is not None:
        override = assessment.override
        out.write(
            f"  overridden by {plain(override.by, 60)} ({plain(override.via, 120)}): "
            f"{plain(override.reason, 200)}; patchvet said {override.original.value}\n"
        )
    for judged in assessment.findings:
        ignored = f" (ignored: {plain(judged.ignored, 120)})" if judged.ignored else ""
        out.write(f"  {judged.verdict.value:<6} {judged.finding.id}{ignored}: "
                  f"{plain(judged.finding.message, 200)}\n")  # fmt: skip
    done = run.published
    out.write(
        f"  labels: {', '.join(done.labels)}; removed: {', '.join(done.removed) or 'none'}; "
        f"comment: {done.comment or 'none'}; check run: {'yes' if done.check_run else 'no'}; "
        f"closed: {done.closed}\n"
    )
    if os.environ.get("GITHUB_OUTPUT"):
        write_outputs(Path(os.environ["GITHUB_OUTPUT"]), run)
    for warning in (*done.warnings, *run.refused_overrides):
        out.write(f"::warning::{plain(warning, 300)}\n")
    # The verdict is out first; then what the token was not allowed to do, and how to fix it.
    for denied in done.denied:
        out.write(f"::error::patchvet {plain(denied, 300)}; grant it under `permissions:` in the "
                  "workflow\n")  # fmt: skip
    if done.denied and run.policy.mode == "enforce":
        return 2  # enforcement that could not act must not look like success
    return 1 if assessment.verdict >= Verdict(args.fail_on) else 0


def _run_url() -> str | None:
    """The workflow run's page, where the job summary holds the full report."""
    parts = [os.environ.get(name) for name in
             ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]  # fmt: skip
    if not all(parts):
        return None
    server, repository, run_id = parts
    return f"{server}/{repository}/actions/runs/{run_id}"
