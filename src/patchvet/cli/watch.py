"""`patchvet watch --inbox URL`: judge every new series on a public-inbox list, continuously."""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from pathlib import Path
from typing import Any

from patchvet.cli.exits import EXIT_OK
from patchvet.cli.ledger_options import add_db_option, default_ledger_url
from patchvet.cli.reply import add_smtp_arguments, deliver
from patchvet.errors import PatchvetError
from patchvet.formats._escape import plain
from patchvet.formats.reply import DEFAULT_FROM, as_mbox, reply_message, worth_replying
from patchvet.ledger import open_ledger
from patchvet.policy import Policy, load_policy
from patchvet.sources.inbox import inbox_base
from patchvet.watch import JudgedSeries, WatchState, poll


def register(commands: Any) -> None:
    """Register `watch`."""
    watch = commands.add_parser(
        "watch", help="judge every new patch series on a public-inbox list as it arrives"
    )
    watch.set_defaults(handler=run_watch)
    watch.add_argument(
        "--inbox",
        metavar="URL",
        help="the list's public-inbox (default: $PATCHVET_INBOX_URL, else lore's 'all')",
    )
    watch.add_argument("--policy", metavar="PRESET_OR_FILE", default="default")
    watch.add_argument("--state", type=Path, metavar="FILE",
                       help="what was judged, for resuming (default: under .git/patchvet/ or "
                       ".patchvet/, one file per inbox)")  # fmt: skip
    watch.add_argument("--replies", type=Path, metavar="DIR",
                       help="write each series' replies to DIR/<Message-ID>.mbox")  # fmt: skip
    watch.add_argument("--interval", type=float, default=300.0, metavar="SECONDS",
                       help="time between polls (default: 300)")  # fmt: skip
    watch.add_argument("--once", action="store_true", help="poll once, then stop")
    watch.add_argument("--limit", type=int, metavar="N",
                       help="stop after judging N series")  # fmt: skip
    watch.add_argument("--record", action="store_true", help="record every patch in the ledger")
    watch.add_argument("--project", metavar="NAME", help="the ledger's project name "
                       "(default: the inbox URL)")  # fmt: skip
    add_db_option(watch)
    add_smtp_arguments(watch)


def _default_state(base: str) -> Path:
    ledger = default_ledger_url(Path())
    folder = Path(ledger.removeprefix("sqlite:///")).parent
    digest = hashlib.sha256(base.encode()).hexdigest()[:12]
    return folder / f"watch-{digest}.json"


def _file_name(message_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._@+-]", "_", message_id)[:200] + ".mbox"


def _handle(series: JudgedSeries, policy: Policy, args: argparse.Namespace) -> None:
    out = sys.stdout
    title = series.outcome.title if series.outcome else (
        series.assessments[0].contribution.title if series.assessments else series.thread
    )  # fmt: skip
    summary = series.outcome.summary() if series.outcome else (
        series.assessments[0].verdict.value.upper() if series.assessments else "nothing judged"
    )  # fmt: skip
    out.write(f"{plain(series.thread, 120)}: {plain(title, 100)} · {plain(summary, 400)}\n")
    for skipped in series.skipped:
        out.write(f"  skipped {plain(skipped.source, 120)}: {plain(skipped.reason, 200)}\n")
    sender = args.sender or DEFAULT_FROM
    messages = [
        reply_message(a, sender, policy.ai.note, policy.source)
        for a in series.assessments
        if worth_replying(a)
    ]
    if not messages:
        return
    if args.replies is not None:
        args.replies.mkdir(parents=True, exist_ok=True)
        target = args.replies / _file_name(series.thread)
        target.write_text("".join(as_mbox(iter(messages))), encoding="utf-8")
        out.write(f"  replies: {target}\n")
    if args.send:
        deliver(messages, args, out)


def _warn(message: str) -> None:
    sys.stderr.write(f"patchvet: {plain(message, 400)}\n")


def run_watch(args: argparse.Namespace) -> int:
    """Poll until stopped (or once); return the exit code."""
    base = inbox_base(args.inbox)
    if args.interval <= 0 and not args.once:
        raise PatchvetError("--interval must be positive", hint="or pass --once")
    policy = load_policy(args.policy, Path())
    state = WatchState(args.state or _default_state(base))
    ledger = open_ledger(args.db or default_ledger_url(Path())) if args.record else None
    project = args.project or base
    judged = 0
    try:
        while True:
            left = None if args.limit is None else args.limit - judged
            try:
                for series in poll(base, state, policy, ledger, project, left, _warn):
                    _handle(series, policy, args)
                    judged += 1
            except PatchvetError as error:
                if args.once:
                    raise
                sys.stderr.write(f"patchvet: {error.message}; trying again later\n")
            if args.once or (args.limit is not None and judged >= args.limit):
                return EXIT_OK
            time.sleep(args.interval)
    finally:
        if ledger is not None:
            ledger.close()
