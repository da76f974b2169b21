"""`patchvet action` (the GitHub Action entry point)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, TextIO

from patchvet._cli_ledger import add_db_option, default_ledger_url
from patchvet.errors import PatchvetError
from patchvet.formats._escape import plain
from patchvet.models import Verdict


def add_github_commands(commands: Any) -> None:
    """Register `action`."""
    action = commands.add_parser("action", help="run as the GitHub Action on a pull request")
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


def add_service_commands(commands: Any) -> None:
    """Register `serve` and `worker`."""
    serve = commands.add_parser("serve", help="run the GitHub App webhook service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--queue",
        metavar="redis://…",
        help="send deliveries to Celery workers (`patchvet worker`) via Redis",
    )
    serve.add_argument(
        "--lease-seconds",
        type=float,
        default=120.0,
        help="after this long, a delivery whose worker died is taken over",
    )
    add_db_option(serve)
    worker = commands.add_parser("worker", help="process deliveries from the Celery queue")
    worker.add_argument("--queue", metavar="redis://…", required=True)
    worker.add_argument("--concurrency", type=int, default=2)
    add_db_option(worker)


def run_service_command(args: argparse.Namespace) -> int:
    """Run `serve` or `worker` until stopped."""
    # Imported here so that `patchvet check` does not pay for the web stack at start-up.
    from patchvet.service.app import create_app
    from patchvet.service.settings import Settings
    from patchvet.service.worker import celery_app

    settings = Settings.from_env()
    ledger_url = args.db or default_ledger_url(Path())
    if args.command == "serve":
        import uvicorn

        app = create_app(settings, ledger_url, args.queue, lease_seconds=args.lease_seconds)
        uvicorn.run(app, host=args.host, port=args.port, log_level="info", access_log=False)
        return 0
    os.environ["PATCHVET_DB"] = ledger_url
    celery_app(args.queue).worker_main(
        ["worker", "--loglevel=INFO", f"--concurrency={args.concurrency}", "--without-gossip"]
    )
    return 0


def run_github_command(args: argparse.Namespace, out: TextIO) -> int:
    """Run `patchvet action`; return the exit code."""
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
