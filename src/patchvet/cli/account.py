"""
`patchvet account LOGIN`: how a GitHub account behaves in public, classified with its evidence.

It reads `GET /users/{login}`, the account's public events (at most 300, 90 days) and two
searches (`API_CALLS`). With a ledger (`--db`, or the repository's default ledger when it
exists) snapshots are cached for `--ttl` hours, so repeated questions cost no API calls.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from patchvet.account import AccountJudgement, AccountSnapshot, judge_account
from patchvet.account.fetch import API_CALLS, cached_snapshot
from patchvet.analyzers.account import DISPUTE
from patchvet.cli.exits import EXIT_OK
from patchvet.cli.ledger_options import add_db_option
from patchvet.errors import PatchvetError
from patchvet.formats._escape import plain
from patchvet.github.client import PUBLIC_API, GitHubClient
from patchvet.ledger import open_ledger


def register(commands: Any) -> None:
    """Register `account`."""
    account = commands.add_parser(
        "account", help="classify a GitHub account's public behaviour (organic or automation)"
    )
    account.set_defaults(handler=run_account)
    account.add_argument("login", metavar="LOGIN")
    account.add_argument(
        "--api-url",
        default=os.environ.get("GITHUB_API_URL", PUBLIC_API),
        help="the REST API (GitHub Enterprise: https://HOST/api/v3)",
    )
    account.add_argument(
        "--as-of",
        metavar="TIME",
        help="judge the account as it stood then (ISO 8601): later events "
        "are ignored and ages measured to it",
    )
    account.add_argument("--format", choices=["text", "json"], default="text")
    account.add_argument(
        "--ttl",
        type=float,
        default=24.0,
        metavar="HOURS",
        help="reuse a cached snapshot younger than this (default: 24)",
    )
    add_db_option(account)


def _as_of(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise PatchvetError(
            f"--as-of {text!r} is not a time", hint="use ISO 8601, e.g. 2026-11-30T12:00:00Z"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def snapshot_for(
    login: str, client: GitHubClient, db: str | None, ttl_hours: float
) -> AccountSnapshot:
    """A cached snapshot when fresh enough, else a new one (cached when a ledger is given)."""
    ledger = open_ledger(db) if db else None
    try:
        return cached_snapshot(client, login, ledger, ttl_hours)
    finally:
        if ledger is not None:
            ledger.close()


def judgement_to_dict(judgement: AccountJudgement) -> dict[str, Any]:
    """The JSON form: classification, score, every signal, what could not be read."""
    return {
        "login": judgement.login,
        "as_of": judgement.as_of,
        "classification": judgement.classification,
        "score": judgement.score,
        "events": judgement.events,
        "signals": [asdict(signal) for signal in judgement.signals],
        "unknown": judgement.missing,
        "dispute": DISPUTE,
    }


def run_account(args: argparse.Namespace) -> int:
    """Fetch (or reuse), judge and print; return the exit code."""
    as_of = _as_of(args.as_of)
    token = os.environ.get("GITHUB_TOKEN") or os.environ.get("PATCHVET_GITHUB_TOKEN")
    client = GitHubClient(token, args.api_url)
    try:
        snapshot = snapshot_for(args.login, client, args.db, args.ttl)
    finally:
        client.close()
    judgement = judge_account(snapshot, as_of)
    out = sys.stdout
    if args.format == "json":
        out.write(json.dumps(judgement_to_dict(judgement), indent=2) + "\n")
        return EXIT_OK
    out.write(
        f"{plain(judgement.login, 60)}: {judgement.classification} "
        f"(score {judgement.score}/100, {judgement.events} public events, "
        f"as of {judgement.as_of[:16]})\n"
    )
    for signal in judgement.signals:
        weight = f"{signal.weight:+d}" if signal.known else "  ?"
        out.write(
            f"  {weight:>4} {signal.id}: {plain(signal.meaning, 120)} "
            f"({plain(signal.evidence, 200)})\n"
        )
    for what, why in judgement.missing.items():
        out.write(f"  unknown {what}: {plain(why, 200)}\n")
    out.write(f"  API calls: {API_CALLS}\n  {DISPUTE}\n")
    return EXIT_OK
