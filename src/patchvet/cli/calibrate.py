"""`patchvet calibrate`: fit the agent-likelihood threshold to a project's own honest history."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from patchvet.cli.exits import EXIT_FAIL, EXIT_OK
from patchvet.cli.ledger_options import add_db_option, default_ledger_url
from patchvet.errors import PatchvetError
from patchvet.formats._escape import plain
from patchvet.ledger import open_ledger
from patchvet.ledger.corrections import calibration_labels
from patchvet.ledger.verdicts import verdicts
from patchvet.model.calibrate import (
    AGENT_ERA,
    DEFAULT_RATE,
    MIN_CONTRIBUTIONS,
    HistoryScores,
    Outcome,
    choose_threshold,
    fingerprint,
    score_history,
)
from patchvet.model.scorer import shipped_model
from patchvet.policy.loader import PROJECT_FILE, discover
from patchvet.policy.schema import Calibration
from patchvet.policy.write import write_calibration
from patchvet.records import Contribution
from patchvet.sources.git import read_git_commits

DEFAULT_LIMIT = 3000


def register(commands: Any) -> None:
    """Register `calibrate`."""
    cmd = commands.add_parser(
        "calibrate",
        help="fit the agent-likelihood threshold to this project's own pre-agent history",
        description="Score the project's history from before coding agents existed and write "
        "the threshold at which at most --rate of it would be flagged into the policy file. "
        "Exit 0 when calibrated, 1 when the history is too short to trust (nothing written).",
    )
    cmd.add_argument(
        "--git", metavar="RANGE",
        help="the history to score (default: HEAD's commits before --before, most recent "
        "first, at most --limit)",
    )  # fmt: skip
    cmd.add_argument("--repo", metavar="PATH", type=Path, help="the repository (default: here)")
    cmd.add_argument(
        "--before", metavar="DATE", default=AGENT_ERA,
        help=f"only commits dated before this count as human work (default: {AGENT_ERA})",
    )  # fmt: skip
    cmd.add_argument("--limit", type=_positive, default=DEFAULT_LIMIT,
                     help=f"most commits to score (default: {DEFAULT_LIMIT})")  # fmt: skip
    cmd.add_argument(
        "--rate", type=_rate, default=DEFAULT_RATE,
        help="share of honest work allowed to reach the threshold (default: 0.01)",
    )  # fmt: skip
    cmd.add_argument(
        "--min-commits", type=_positive, default=MIN_CONTRIBUTIONS,
        help=f"fewer scored contributions than this are not trusted (default: {MIN_CONTRIBUTIONS})",
    )  # fmt: skip
    cmd.add_argument(
        "--write", metavar="PATH", type=Path,
        help=f"the policy file to write (default: the work tree's {PROJECT_FILE}, or the "
        "pyproject.toml that holds [tool.patchvet]); created extending 'default' when absent",
    )  # fmt: skip
    cmd.add_argument("--dry-run", action="store_true", help="report, but write nothing")
    cmd.add_argument("--project", metavar="NAME",
                     help="the ledger's name for this project, for maintainer verdicts "
                     "(default: the repository folder's name)")  # fmt: skip
    add_db_option(cmd)
    cmd.set_defaults(handler=run_calibrate)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 < value < 0.5:
        raise argparse.ArgumentTypeError("a rate between 0 and 0.5, e.g. 0.01")
    return value


def _root(explicit: Path | None) -> Path:
    where = explicit or Path()
    found = subprocess.run(["git", "-C", str(where), "rev-parse", "--show-toplevel"],
                           capture_output=True, text=True, check=False)  # fmt: skip
    if found.returncode == 0 and found.stdout.strip():
        return Path(found.stdout.strip())
    bare = subprocess.run(["git", "-C", str(where), "rev-parse", "--git-dir"],
                          capture_output=True, text=True, check=False)  # fmt: skip
    if bare.returncode == 0:
        return where
    raise PatchvetError(f"{where} is not inside a git repository",
                        hint="run it in a clone, or pass --repo PATH")  # fmt: skip


def _date(text: str) -> str:
    try:
        return datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        raise PatchvetError(f"--before {text!r} is not a date",
                            hint="use YYYY-MM-DD, e.g. 2023-01-01") from None  # fmt: skip


def history(
    args: argparse.Namespace, root: Path, before: str
) -> tuple[Iterator[Contribution], str]:
    """The contributions to score, most recent first and read lazily, and the range in words."""
    if args.git:
        selection, label = ["--end-of-options", args.git], args.git
    else:
        selection, label = [f"--before={before}T00:00:00Z", "HEAD"], f"HEAD before {before}"
    listed = subprocess.run(
        ["git", "-C", str(root), "rev-list", "--no-merges", f"--max-count={args.limit}",
         *selection, "--"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if listed.returncode != 0:
        reason = listed.stderr.strip().splitlines()
        raise PatchvetError(
            f"git cannot list {label!r} in {root}: {reason[-1] if reason else 'unknown error'}",
            hint="use a range such as v1.0..v2.0, or leave --git out for the pre-agent history",
        )
    items = read_git_commits(listed.stdout.split(), root)
    return (item for item in items if isinstance(item, Contribution)), label


def run_calibrate(args: argparse.Namespace) -> int:
    """Run `patchvet calibrate`; return the exit code."""
    out = sys.stdout
    model = shipped_model()
    if model is None:
        raise PatchvetError("this build of patchvet has no agent-likelihood model to calibrate")
    root = _root(args.repo)
    before = _date(args.before)
    contributions, label = history(args, root, before)
    scored = score_history(contributions, model, before)
    human, agent = _maintainer_verdicts(args, root)
    outcome = choose_threshold(
        scored.scores, model.threshold, args.rate, args.min_commits, extra=human
    )
    _describe(out, scored, len(human), outcome, label, before, args.rate, args.min_commits)
    if agent:
        # What calibration costs: confirmed agent work the new threshold no longer flags.
        caught = sum(1 for score in agent if score >= outcome.threshold)
        noun = "contribution" if len(agent) == 1 else "contributions"
        out.write(f"of {len(agent):,} {noun} maintainers recorded as agent work, "
                  f"{caught:,} reach {outcome.threshold:.4f} (at the shipped threshold: "
                  f"{sum(1 for s in agent if s >= outcome.default_threshold):,})\n")  # fmt: skip
    if not outcome.trusted:
        return EXIT_FAIL
    span = f"{label}: {scored.first} to {scored.last}" if scored.first else label
    calibration = Calibration(
        model=fingerprint(model),
        commits=len(scored.scores),
        human_verdicts=len(human),
        range=span,
        false_flag_rate=round(outcome.rate, 4),
        target_rate=args.rate,
        date=datetime.now(UTC).date().isoformat(),
    )
    if args.dry_run:
        out.write("dry run: nothing written\n")
        return EXIT_OK
    target = args.write or discover(root) or root / PROJECT_FILE
    notes = [
        f"{outcome.rate:.2%} of {outcome.contributions:,} honest contributions reach "
        f"{outcome.threshold:.4f} ({span})",
        f"the shipped threshold {outcome.default_threshold:.4f} would flag "
        f"{outcome.default_rate:.2%} of them",
    ]
    created = write_calibration(target, outcome.threshold, calibration, notes)
    out.write(f"{'created' if created else 'updated'} {target}: [likelihood] threshold = "
              f"{outcome.threshold:.4f}\n")  # fmt: skip
    return EXIT_OK


def _maintainer_verdicts(args: argparse.Namespace, root: Path) -> tuple[list[float], list[float]]:
    """
    Scores of contributions maintainers recorded as (human, agent) work, from the ledger when
    there is one.
    """
    url = args.db or default_ledger_url(root)
    if not args.db and not Path(url.removeprefix("sqlite:///")).is_file():
        return [], []
    ledger = open_ledger(url)
    try:
        project = args.project or root.resolve().name or "local"
        recorded = [v for v in verdicts(ledger, project) if v.agent_likelihood is not None]
        # The dashboard's word on the agent-likelihood finding ("wrong": human work,
        # "confirmed": agent work) counts too; a `ledger verdict` on the same one wins.
        human, agent = calibration_labels(ledger, project)
    finally:
        ledger.close()
    for verdict in recorded:
        human.pop(verdict.contribution_id, None)
        agent.pop(verdict.contribution_id, None)
    return (
        # A score of exactly 0.0 is a score: test for None, not truth.
        [
            v.agent_likelihood
            for v in recorded
            if v.verdict == "human" and v.agent_likelihood is not None
        ]
        + list(human.values()),
        [
            v.agent_likelihood
            for v in recorded
            if v.verdict == "agent" and v.agent_likelihood is not None
        ]
        + list(agent.values()),
    )


def _describe(
    out: TextIO,
    scored: HistoryScores,
    verdict_count: int,
    outcome: Outcome,
    label: str,
    before: str,
    rate: float,
    minimum: int,
) -> None:
    left_out = []
    if scored.marked:
        left_out.append(f"{scored.marked:,} with agent marks")
    if scored.unscored:
        left_out.append(f"{scored.unscored:,} the model does not read")
    if scored.recent:
        left_out.append(f"{scored.recent:,} dated {before} or later, when coding agents existed")
    span = f" ({scored.first} to {scored.last})" if scored.first else ""
    out.write(f"scored {len(scored.scores):,} of {scored.read:,} commits of "
              f"{plain(label, 100)}{span}")  # fmt: skip
    out.write(f"; left out {', '.join(left_out)}\n" if left_out else "\n")
    if verdict_count:
        noun = "contribution" if verdict_count == 1 else "contributions"
        out.write(f"with {verdict_count:,} {noun} maintainers recorded as human\n")
    at_default = (f"at the shipped threshold {outcome.default_threshold:.4f}, "
                  f"{outcome.default_rate:.2%} of them would be flagged")  # fmt: skip
    if not outcome.trusted:
        why = f"only {outcome.contributions:,} honest contributions (at least {minimum:,} needed)"
        if scored.recent and scored.recent >= len(scored.scores):
            why += (f"; most of this history is from {before} on, too recent to stand for "
                    "honest human work")  # fmt: skip
        elif not scored.read:
            why += (f"; no commit in this range is dated before {before}: a project "
                    "that began after coding agents existed has no history that is surely "
                    "human")  # fmt: skip
        out.write(f"NOT CALIBRATED: {why}: too little history to trust.\n")
        out.write(f"falling back to the shipped threshold {outcome.default_threshold:.4f} "
                  f"({at_default.split(', ', 1)[1]}); nothing written\n")  # fmt: skip
        return
    out.write(at_default + "\n")
    if outcome.raised:
        out.write(f"calibrated threshold {outcome.threshold:.4f}: {outcome.rate:.2%} of them "
                  f"reach it (target {rate:.2%})\n")  # fmt: skip
    else:
        out.write(f"the shipped threshold already keeps them within {rate:.2%}: calibrated "
                  f"threshold {outcome.threshold:.4f} ({outcome.rate:.2%} reach it)\n")  # fmt: skip
    if outcome.rate > rate:
        out.write(f"warning: {outcome.rate:.2%} of this project's honest work scores "
                  f"{outcome.threshold:.4f} or more: the model cannot tell its style from "
                  "agent work; consider `[likelihood] enabled = false`\n")  # fmt: skip
