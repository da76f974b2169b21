"""
The command line: the only place that prints for humans and the only place that exits.

Exit codes: 0 nothing at or above `--fail-on`; 1 at least one contribution at or above it;
2 bad usage or configuration. Unreadable inputs are reported as skipped and never end the run.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

import tomli_w

from patchvet import __version__
from patchvet._cli_github import (
    add_github_commands,
    add_service_commands,
    run_github_command,
    run_service_command,
)
from patchvet._cli_ledger import add_db_option, add_ledger_commands, open_for, run_ledger_command
from patchvet._cli_model import add_model_commands, run_model_command
from patchvet.check import check
from patchvet.errors import PatchvetError
from patchvet.formats import OutputFormat
from patchvet.models import Assessment, Skipped, Verdict
from patchvet.policy import Policy, load_policy, preset_names
from patchvet.sources import (
    SourceItem,
    read_git_range,
    read_github_event,
    read_path,
    read_stream,
)

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="patchvet",
        description="Vet pull requests and emailed patches against a project's AI policy.",
    )
    parser.add_argument("--version", action="version", version=f"patchvet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check_cmd = commands.add_parser(
        "check", help="vet patches, mboxes, a git range or a saved GitHub pull request"
    )
    check_cmd.add_argument(
        "inputs", nargs="*", metavar="INPUT",
        help="a .patch/.eml/.mbox file, a directory (read recursively), or - for stdin",
    )  # fmt: skip
    check_cmd.add_argument("--git", metavar="RANGE", help="a revision range, e.g. HEAD~10..HEAD")
    check_cmd.add_argument(
        "--repo",
        metavar="PATH",
        type=Path,
        help="repository for --git and for finding .patchvet.toml",
    )
    check_cmd.add_argument(
        "--github-event",
        metavar="EVENT.json",
        type=Path,
        help="a saved pull_request webhook payload",
    )
    check_cmd.add_argument(
        "--github-files",
        metavar="FILES.json",
        type=Path,
        help="saved answer(s) of GET /repos/O/R/pulls/N/files",
    )
    check_cmd.add_argument(
        "--github-commits",
        metavar="COMMITS.json",
        type=Path,
        help="saved answer(s) of GET /repos/O/R/pulls/N/commits",
    )
    check_cmd.add_argument(
        "--github-user",
        metavar="USER.json",
        type=Path,
        help="saved answer of GET /users/LOGIN for the PR author (account age)",
    )
    check_cmd.add_argument(
        "--policy",
        metavar="PRESET_OR_FILE",
        help="a preset name or a TOML file (default: the repository's "
        ".patchvet.toml, else the 'default' preset)",
    )
    check_cmd.add_argument("--format", choices=[f.value for f in OutputFormat], default="text")
    check_cmd.add_argument(
        "--fail-on",
        choices=[v.value for v in Verdict if v is not Verdict.PASS],
        default="reject",
        help="exit 1 when a contribution's verdict is at or above this (default: reject)",
    )
    check_cmd.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        type=Path,
        help="write the report to FILE instead of standard output",
    )
    check_cmd.add_argument(
        "--record",
        action="store_true",
        help="store every contribution, its findings and verdict in the ledger",
    )
    check_cmd.add_argument(
        "--project",
        metavar="NAME",
        help="the ledger's name for this project (default: the repository folder's name; "
        "GitHub pull requests use owner/repo)",
    )
    add_db_option(check_cmd)

    policy_cmd = commands.add_parser("policy", help="list presets or show a resolved policy")
    policy_sub = policy_cmd.add_subparsers(dest="policy_command", metavar="ACTION")
    policy_sub.add_parser("list", help="list the shipped presets")
    show = policy_sub.add_parser("show", help="print a resolved policy")
    show.add_argument("name", metavar="PRESET_OR_FILE")
    show.add_argument("--format", choices=["toml", "json"], default="toml")
    add_model_commands(commands)
    add_ledger_commands(commands)
    add_github_commands(commands)
    add_service_commands(commands)
    return parser


def _repository_root(explicit: Path | None) -> Path:
    if explicit is not None:
        return explicit
    found = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False
    )
    return Path(found.stdout.strip()) if found.returncode == 0 and found.stdout.strip() else Path()


def _file_inputs(names: list[str]) -> Iterator[SourceItem]:
    for raw in names:
        if raw == "-":
            yield from read_stream(sys.stdin.buffer, "-")
        elif not Path(raw).exists():
            yield Skipped(raw, "no such file or directory")
        else:
            yield from read_path(Path(raw), raw)


def _inputs(args: argparse.Namespace, root: Path) -> Iterator[SourceItem]:
    """Open every source now (so usage errors come before any output), read them lazily."""
    streams: list[Iterable[SourceItem]] = [_file_inputs(args.inputs)]
    if args.git:
        # Signing keys are identity keys for the ledger; reading them costs a gpg/ssh-keygen
        # call per signed commit, so only ledger runs ask for them.
        streams.append(read_git_range(args.git, root, signatures=bool(args.record or args.db)))
    if args.github_event:
        streams.append(
            read_github_event(
                args.github_event, args.github_files, args.github_commits, args.github_user
            )
        )
    return itertools.chain.from_iterable(streams)


def _run_check(args: argparse.Namespace, err: TextIO) -> int:
    if not (args.inputs or args.git or args.github_event):
        raise PatchvetError(
            "nothing to check",
            hint="give patch files or directories, `-` for stdin, --git RANGE, "
            "or --github-event EVENT.json",
        )
    if (args.github_files or args.github_commits or args.github_user) and not args.github_event:
        raise PatchvetError(
            "--github-files, --github-commits and --github-user need --github-event"
        )
    root = _repository_root(args.repo)
    policy = load_policy(args.policy, root)
    items = _inputs(args, root)
    ledger = open_for(args, root) if (args.record or args.db) else None
    project = args.project or root.resolve().name or "local"
    output: TextIO = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        results = check(items, policy, ledger, project, record=args.record)
        return _report(
            results, policy, OutputFormat(args.format), output, err, Verdict(args.fail_on)
        )
    finally:
        if args.output:
            output.close()
        if ledger is not None:
            ledger.close()


def _report(
    results: Iterable[Assessment | Skipped],
    policy: Policy,
    fmt: OutputFormat,
    out: TextIO,
    err: TextIO,
    fail_on: Verdict,
) -> int:
    reporter = fmt.reporter(out, policy)
    counts: Counter[Verdict] = Counter()
    skipped: list[Skipped] = []
    reporter.start()
    for result in results:
        if isinstance(result, Assessment):
            counts[result.verdict] += 1
            reporter.add(result)
        else:
            skipped.append(result)
            err.write(f"patchvet: skipped {result.source}: {result.reason}\n")
    reporter.finish(skipped, counts)
    out.flush()
    return EXIT_FAIL if any(v >= fail_on for v in counts) else EXIT_OK


def _run_policy(args: argparse.Namespace, out: TextIO) -> int:
    if args.policy_command == "list":
        for name in preset_names():
            preset = load_policy(name, Path())
            out.write(f"{name:<18} {preset.description}\n")
        return EXIT_OK
    if args.policy_command == "show":
        policy = load_policy(args.name, Path())
        data = policy.model_dump(mode="json", exclude_none=True)
        if args.format == "json":
            out.write(json.dumps(data, indent=2) + "\n")
        else:
            out.write(
                f"# policy {policy.name}"
                + (f" (extends {policy.extends})" if policy.extends else "")
            )
            out.write(f"\n# source: {policy.source}\n\n" if policy.source else "\n\n")
            out.write(tomli_w.dumps(data))
        return EXIT_OK
    raise PatchvetError("policy needs an action", hint="patchvet policy list | show NAME")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    err = sys.stderr
    try:
        if args.command == "check":
            return _run_check(args, err)
        if args.command == "policy":
            return _run_policy(args, sys.stdout)
        if args.command == "model":
            return run_model_command(args, sys.stdout)
        if args.command == "ledger":
            return run_ledger_command(args, sys.stdout)
        if args.command == "action":
            return run_github_command(args, sys.stdout)
        if args.command in ("serve", "worker"):
            return run_service_command(args)
        parser.print_help(err)
        return EXIT_USAGE
    except PatchvetError as error:
        err.write(f"patchvet: error: {error.message}\n")
        if error.hint:
            err.write(f"patchvet: hint: {error.hint}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; that is not an error worth a traceback.
        sys.stderr.close()
        return EXIT_OK
