"""`patchvet ledger …`; the `--db` option every ledger command shares is in `ledger_options`."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any, TextIO

from patchvet.cli.ledger_options import add_db_option, open_for
from patchvet.errors import PatchvetError
from patchvet.formats._escape import plain
from patchvet.ledger import SqlLedger
from patchvet.ledger.accounts import readings_of_person
from patchvet.ledger.identity import parse_spec, parse_vouched_line
from patchvet.ledger.store import now_iso
from patchvet.ledger.verdicts import record_verdict


def register(commands: Any) -> None:
    """Register `ledger vouch|denounce|show|import|verdict`."""
    ledger = commands.add_parser("ledger", help="who stands behind contributions: vouch, show…")
    ledger.set_defaults(handler=run_ledger_command)
    actions = ledger.add_subparsers(dest="ledger_command", metavar="ACTION")
    commands_help = {
        "vouch": "vouch for a contributor",
        "denounce": "denounce a contributor (held or closed from now on)",
    }
    for name, text in commands_help.items():
        action = actions.add_parser(name, help=text)
        action.add_argument("id", metavar="ID", help="GitHub login or numeric id, or an email")
        action.add_argument("--reason", required=True, help="why, in a sentence")
        action.add_argument("--by", default=None, help="who decides (default: git user.name)")
        action.add_argument("--expires", metavar="DATE", help="ISO date after which it lapses")
        action.add_argument("--repo", type=Path, default=Path(), help=argparse.SUPPRESS)
        add_db_option(action)
    show = actions.add_parser("show", help="a contributor's identities, vouches and record")
    show.add_argument("id", metavar="ID")
    show.add_argument("--repo", type=Path, default=Path(), help=argparse.SUPPRESS)
    add_db_option(show)
    _register_verdict(actions)
    imported = actions.add_parser("import", help="import a Ghostty-style VOUCHED.td list")
    imported.add_argument("file", type=Path, metavar="VOUCHED.td")
    imported.add_argument("--by", default="VOUCHED.td import")
    imported.add_argument("--repo", type=Path, default=Path(), help=argparse.SUPPRESS)
    add_db_option(imported)


def _register_verdict(actions: Any) -> None:
    verdict = actions.add_parser(
        "verdict",
        help="record a maintainer's verdict on a recorded contribution (calibration uses it)",
    )
    verdict.add_argument("id", metavar="ID", help="the contribution: a commit id or owner/repo#N")
    kind = verdict.add_mutually_exclusive_group(required=True)
    kind.add_argument("--human", dest="verdict", action="store_const", const="human",
                      help="a person wrote it (a flag on it was a false alarm)")  # fmt: skip
    kind.add_argument("--agent", dest="verdict", action="store_const", const="agent",
                      help="an agent produced it")  # fmt: skip
    verdict.add_argument("--reason", required=True, help="why, in a sentence")
    verdict.add_argument("--by", default=None, help="who decides (default: git user.name)")
    verdict.add_argument(
        "--project", metavar="NAME",
        help="the ledger's project (default: the repository folder's name)",
    )  # fmt: skip
    verdict.add_argument("--repo", type=Path, default=Path(), help=argparse.SUPPRESS)
    add_db_option(verdict)


def _record_verdict(ledger: SqlLedger, args: argparse.Namespace, out: TextIO) -> int:
    project = args.project or _project_name(args.repo)
    recorded = record_verdict(ledger, project, args.id, args.verdict,
                              args.by or _who(args.repo), args.reason)  # fmt: skip
    score = recorded.agent_likelihood
    scored = f" (agent likelihood {score:.2f} when recorded)" if score is not None else ""
    out.write(f"recorded {recorded.verdict} for {plain(recorded.contribution_id, 80)} in "
              f"{plain(project, 60)}{scored}\n")  # fmt: skip
    return 0


def _project_name(repo: Path) -> str:
    found = subprocess.run(["git", "-C", str(repo), "rev-parse", "--show-toplevel"],
                           capture_output=True, text=True, check=False)  # fmt: skip
    root = Path(found.stdout.strip()) if found.returncode == 0 and found.stdout.strip() else repo
    return root.resolve().name or "local"


def _who(repo: Path) -> str:
    found = subprocess.run(["git", "-C", str(repo), "config", "user.name"],
                           capture_output=True, text=True, check=False)  # fmt: skip
    return found.stdout.strip() or "a maintainer"


def _key(spec: str) -> tuple[str, str]:
    try:
        return parse_spec(spec)
    except ValueError as error:
        raise PatchvetError(str(error)) from None


def run_ledger_command(args: argparse.Namespace) -> int:
    """Dispatch `patchvet ledger …`; return the exit code."""
    out = sys.stdout
    if args.ledger_command is None:
        raise PatchvetError(
            "ledger needs an action", hint="patchvet ledger vouch|denounce|show|import|verdict"
        )
    ledger = open_for(args, args.repo)
    try:
        if args.ledger_command in ("vouch", "denounce"):
            person = ledger.vouch(_key(args.id), args.ledger_command, args.by or _who(args.repo),
                                  args.reason, args.expires)  # fmt: skip
            done = {"vouch": "vouched for", "denounce": "denounced"}[args.ledger_command]
            out.write(f"{done} {plain(args.id, 80)} (person {person})\n")
            return 0
        if args.ledger_command == "import":
            return _import(ledger, args, out)
        if args.ledger_command == "verdict":
            return _record_verdict(ledger, args, out)
        summary = ledger.summary(_key(args.id))
        if summary is None:
            out.write(f"{args.id}: nothing recorded\n")
            return 0
        out.write(f"person {summary.person}\n")
        for kind, value in summary.identities:
            out.write(f"  {kind:<7} {plain(value, 120)}\n")
        if summary.logins:
            out.write(f"  logins  {', '.join(plain(login, 60) for login in summary.logins)}\n")
        for vouch in summary.vouches:
            expires = f" until {vouch.expires_at[:10]}" if vouch.expires_at else ""
            out.write(f"  {vouch.action:<8} by {plain(vouch.by, 60)} on {vouch.created_at[:10]}"
                      f"{expires}: {plain(vouch.reason, 200)}\n")  # fmt: skip
        out.write(f"  contributions {summary.contributions}")
        if summary.latest:
            when, project, title, verdict = summary.latest
            out.write(f"; latest {when[:10]} in {plain(project, 60)}: {plain(title, 80)} "
                      f"({verdict})")  # fmt: skip
        out.write("\n")
        for when, source, reading in readings_of_person(ledger, summary.person):
            strongest = "; ".join(f"{meaning} ({weight:+d})"
                                  for _, weight, meaning, _ in reading.signals[:3])  # fmt: skip
            created = f", created {reading.created_at[:10]}" if reading.created_at else ""
            behind = f": {plain(strongest, 300)}" if strongest else ""
            out.write(f"  account at {plain(source, 80)} ({when[:10]}): {reading.classification} "
                      f"{reading.score}/100 as of {reading.as_of[:10]}, {reading.events} public "
                      f"events{created}{behind}\n")  # fmt: skip
        baseline = ledger.baseline(summary.person, (summary.person, "", ""), now_iso())
        if baseline is not None and baseline.count:
            out.write(f"  agent likelihood median {baseline.median:.2f}, 90% at or below "
                      f"{baseline.high:.2f} over the latest {baseline.count} scored\n")  # fmt: skip
        return 0
    finally:
        ledger.close()


def _import(ledger: SqlLedger, args: argparse.Namespace, out: TextIO) -> int:
    try:
        lines = args.file.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise PatchvetError(f"cannot read {args.file}: {error}") from None
    counts = {"vouch": 0, "denounce": 0}
    for number, line in enumerate(lines, 1):
        try:
            parsed = parse_vouched_line(line)
        except ValueError as error:
            out.write(f"{args.file}:{number}: skipped: {error}\n")
            continue
        if parsed is None:
            continue
        action, key, note = parsed
        ledger.vouch(key, action, args.by, note or f"listed in {args.file.name}")
        counts[action] += 1
    out.write(f"imported {counts['vouch']} vouched and {counts['denounce']} denounced\n")
    return 0
