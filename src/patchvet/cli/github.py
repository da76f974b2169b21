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
    action = commands.add_parser("action", help="run as the GitHub Action on a pull request")
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


def run_github_command(args: argparse.Namespace) -> int:
    """Run `patchvet action`; return the exit code."""
    out = sys.stdout
    from patchvet.github.action import run_action
    from patchvet.github.client import PUBLIC_API, GitHubClient

    event = args.event or (Path(os.environ["GITHUB_EVENT_PATH"])
                           if os.environ.get("GITHUB_EVENT_PATH") else None)  # fmt: skip
    if event is None:
        raise PatchvetError("no event to read", hint="pass --event or run inside GitHub Actions")
    token = os.environ.get("GITHUB_TOKEN") or os.environ.get("PATCHVET_GITHUB_TOKEN")
    client = GitHubClient(token, os.environ.get("GITHUB_API_URL", PUBLIC_API))
    try:
        run = run_action(client, event, args.policy, os.environ.get("GITHUB_STEP_SUMMARY"))
    finally:
        client.close()
    assessment = run.assessment
    out.write(f"patchvet: {assessment.verdict.value} for {plain(assessment.contribution.source)}"
              f" (policy {run.policy.name}, {run.policy.mode})\n")  # fmt: skip
    for judged in assessment.findings:
        out.write(f"  {judged.verdict.value:<6} {judged.finding.id}: "
                  f"{plain(judged.finding.message, 200)}\n")  # fmt: skip
    done = run.published
    out.write(
        f"  labels: {', '.join(done.labels)}; comment: {done.comment or 'none'}; "
        f"check run: {'yes' if done.check_run else 'no'}; closed: {done.closed}\n"
    )
    for warning in done.warnings:
        out.write(f"::warning::{plain(warning, 300)}\n")
    return 1 if assessment.verdict >= Verdict(args.fail_on) else 0
