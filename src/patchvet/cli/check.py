"""`patchvet check`: vet patches, mboxes, a git range or a saved GitHub pull request."""

from __future__ import annotations

import argparse
import contextlib
import itertools
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from patchvet.check import assess, check
from patchvet.cli import progress
from patchvet.cli.exits import EXIT_FAIL, EXIT_OK, EXIT_USAGE
from patchvet.cli.ledger_options import add_db_option, open_for
from patchvet.cli.parallel import (
    GitRecord,
    Job,
    PatchFile,
    check_parallel,
    default_jobs,
    items_of,
)
from patchvet.errors import PatchvetError
from patchvet.formats import OutputFormat
from patchvet.formats._escape import plain
from patchvet.formats.interface import Written, counted
from patchvet.policy import Policy, load_policy, load_preset
from patchvet.policy.loader import DEFAULT_PRESET, load_from_tree
from patchvet.records import Assessment, Skipped, Verdict
from patchvet.sources import RangeOptions, read_stream
from patchvet.sources.git import Mailmap, read_git_records
from patchvet.sources.git_base import file_at, range_base
from patchvet.sources.git_history import KnownAuthors, repository_standing
from patchvet.sources.interface import EarlierRevisions
from patchvet.sources.mbox import patch_files


def register(commands: Any) -> None:
    """Register `check`."""
    check_cmd = commands.add_parser(
        "check", help="vet patches, mboxes, a git range or a saved GitHub pull request"
    )
    check_cmd.add_argument(
        "inputs", nargs="*", metavar="INPUT",
        help="a .patch/.eml/.mbox file, a directory (read recursively), or - for stdin",
    )  # fmt: skip
    check_cmd.add_argument("--git", metavar="RANGE", help="a revision range, e.g. HEAD~10..HEAD")
    check_cmd.add_argument(
        "--merges",
        action="store_true",
        help="with --git, also judge merge commits (skipped by default)",
    )
    check_cmd.add_argument(
        "--first-parent",
        action="store_true",
        help="with --git, follow only the mainline; with --merges each merge is judged as the "
        "whole change it brought in",
    )
    check_cmd.add_argument(
        "-n",
        "--max-count",
        metavar="N",
        type=int,
        help="with --git, only the newest N commits of the range",
    )
    check_cmd.add_argument(
        "--msgid",
        action="append",
        default=[],
        metavar="MESSAGE-ID",
        help="a patch series on a public-inbox archive, by the Message-ID of any of its mails",
    )
    check_cmd.add_argument(
        "--inbox",
        metavar="URL",
        help="the public-inbox for --msgid (default: $PATCHVET_INBOX_URL, else "
        "https://lore.kernel.org/all)",
    )
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
        help="a preset name (linux) or a TOML file (./linux, p.toml); default: the project's "
        ".patchvet.toml — with --git, as the base of the range has it — else 'default'",
    )
    check_cmd.add_argument(
        "--mailmap",
        metavar="FILE",
        type=Path,
        help="with --git: map authors with this file instead of the base of the range's .mailmap",
    )
    check_cmd.add_argument("--format", choices=[f.value for f in OutputFormat], default="text")
    check_cmd.add_argument(
        "--fail-on",
        choices=[v.value for v in Verdict if v is not Verdict.PASS],
        default="reject",
        help="exit 1 when a contribution's verdict is at or above this (default: reject)",
    )
    check_cmd.add_argument(
        "--jobs",
        "-j",
        metavar="N",
        type=_positive,
        default=None,
        help="analyse in N processes (default: one per core; ledger runs use one)",
    )
    check_cmd.add_argument(
        "--skip-unreadable",
        action="store_true",
        help="judge the inputs that can be read and list the others as skipped, instead of "
        "exiting 2 when an input cannot be read or holds no patch",
    )
    check_cmd.add_argument(
        "--fail-on-skipped",
        action="store_true",
        help="with --skip-unreadable: exit 1 when any input was skipped as unreadable",
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

    check_cmd.set_defaults(handler=run_check)


def _repository_root(args: argparse.Namespace) -> Path:
    """
    The repository the check is about: `--repo`, else the one around the working directory,
    asked of git only when something reads it (a range, a ledger, or the project's own policy
    file, looked for when no `--policy` is named): starting git costs a few milliseconds.
    """
    if args.repo is not None:
        return Path(args.repo)
    if not (args.git or args.record or args.db or args.policy is None):
        return Path()
    found = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False
    )
    return Path(found.stdout.strip()) if found.returncode == 0 and found.stdout.strip() else Path()


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes, got {text!r}")
    return value


def _file_inputs(names: list[str], earlier: EarlierRevisions) -> Iterator[Job]:
    for raw in names:
        # Only a URL can name an archived thread: the inbox source is imported for one alone.
        archived = _archived(raw) if "://" in raw else None
        if archived is not None:
            from patchvet.sources.inbox import read_inbox

            yield from read_inbox(archived[1], archived[0], earlier)
        elif raw == "-":
            yield from read_stream(sys.stdin.buffer, "-")
        elif not Path(raw).exists():
            yield Skipped(raw, "no such file or directory")
        elif Path(raw).is_dir():
            for found in patch_files(Path(raw)):
                yield found if isinstance(found, Skipped) else PatchFile(str(found), str(found))
        else:
            yield PatchFile(raw, raw)


def _archived(raw: str) -> tuple[str, str] | None:
    from patchvet.sources.inbox import split_inbox_url

    return split_inbox_url(raw)


def _git_inputs(records: Iterable[bytes | Skipped]) -> Iterator[Job]:
    for record in records:
        yield record if isinstance(record, Skipped) else GitRecord(record)


def _inputs(
    args: argparse.Namespace, root: Path, earlier: EarlierRevisions, mailmap: Mailmap | None
) -> Iterator[Job]:
    """Open every source now (so usage errors come before any output), read them lazily."""
    streams: list[Iterable[Job]] = [_file_inputs(args.inputs, earlier)]
    if args.msgid:
        from patchvet.sources.inbox import inbox_base, parse_message_id, read_inbox

        base = inbox_base(args.inbox)
        streams += [read_inbox(parse_message_id(given), base, earlier) for given in args.msgid]
    if args.git:
        # Signing keys are identity keys for the ledger; reading them costs a gpg/ssh-keygen
        # call per signed commit, so only ledger runs ask for them.
        signatures = bool(args.record or args.db)
        options = RangeOptions(args.merges, args.first_parent, args.max_count)
        records = read_git_records(
            args.git, root, signatures=signatures, options=options, mailmap=mailmap
        )
        streams.append(_git_inputs(records))
    if args.github_event:
        # Imported here: a check of patch files or a range never reads GitHub's wire shapes.
        from patchvet.sources.github import read_github_event

        streams.append(
            read_github_event(
                args.github_event, args.github_files, args.github_commits, args.github_user
            )
        )
    return itertools.chain.from_iterable(streams)


def run_check(args: argparse.Namespace) -> int:
    """Run `patchvet check`; return the exit code."""
    err = sys.stderr
    if not (args.inputs or args.git or args.github_event or args.msgid):
        raise PatchvetError(
            "nothing to check",
            hint="give patch files or directories, `-` for stdin, --git RANGE, --msgid ID, "
            "or --github-event EVENT.json",
        )
    if (args.github_files or args.github_commits or args.github_user) and not args.github_event:
        raise PatchvetError(
            "--github-files, --github-commits and --github-user need --github-event"
        )
    root = _repository_root(args)
    base = range_base(root, args.git) if args.git else None
    mailmap = _mailmap(args.mailmap, base) if args.git else None
    earlier = EarlierRevisions()
    items = _inputs(args, root, earlier, mailmap)
    policy = _policy(args, root, base)
    known = _known_authors(args, root, policy, mailmap)
    project = args.project or root.resolve().name or "local"
    output: TextIO = _open_output(args.output) if args.output else sys.stdout
    fmt = OutputFormat(args.format)
    ledger = None
    try:
        ledger = open_for(args, root) if (args.record or args.db) else None
        results: Iterable[Assessment | Skipped | Written]
        if ledger is None:
            results = check_parallel(items, policy, args.jobs or default_jobs(), known, fmt)
        else:
            # The ledger judges each contribution by the record before it: one process, in order.
            read = (item for job in items for item in items_of(job, known))
            results = check(read, policy, ledger, project, record=args.record)
        if progress.wanted(fmt, args.output is not None, sys.stdout, err):
            results = progress.track(results, err)
        verdicts, unreadable = _report(results, policy, fmt, output, err, earlier)
        if args.output:
            output.close()
    except OSError as error:
        # Inputs that cannot be read are skipped where they are read; what is left is the
        # report file failing (a full disk, a device that refuses writes).
        if not args.output or isinstance(error, BrokenPipeError):
            raise
        raise PatchvetError(f"-o {args.output}: cannot write: {error.strerror or error}") from None
    finally:
        if args.output and not output.closed:
            with contextlib.suppress(OSError):  # already reported above
                output.close()
        if ledger is not None:
            ledger.close()
    if unreadable and not args.skip_unreadable:
        err.write(
            f"patchvet: error: {counted(unreadable, 'input')} could not be read or held no patch\n"
            "patchvet: hint: fix or remove them, or pass --skip-unreadable to judge the rest\n"
        )
        return EXIT_USAGE
    failed = any(v >= Verdict(args.fail_on) for v in verdicts)
    return EXIT_FAIL if failed or (unreadable and args.fail_on_skipped) else EXIT_OK


def _policy(args: argparse.Namespace, root: Path, base: str | None) -> Policy:
    """
    A `--policy` the user named; else, with `--git`, the policy at the base of the range (the
    commits being judged, and the working tree they may be checked out in, are not trusted
    ground); else the project's file in the working tree.
    """
    if args.policy is not None or not args.git:
        return load_policy(args.policy, root)
    if base is None:
        return load_preset(DEFAULT_PRESET).from_origin(
            f"preset {DEFAULT_PRESET} (the range {args.git} has no base to read a policy from; "
            "name one with --policy)"
        )
    found = load_from_tree(lambda path: file_at(root, base, path), base[:12])
    if found is None:
        return load_preset(DEFAULT_PRESET).from_origin(
            f"preset {DEFAULT_PRESET} (the base {base[:12]} of the range declares no policy)"
        )
    return found


def _known_authors(
    args: argparse.Namespace, root: Path, policy: Policy, mailmap: Mailmap | None
) -> KnownAuthors | None:
    """
    With `--git`, the authors of the history the range builds on, mapped as the range is:
    what makes an author established without a ledger. Not read when nothing would use it.
    """
    if not args.git or not policy.maintainers.trust_established:
        return None
    options = RangeOptions(args.merges, args.first_parent, args.max_count)
    return repository_standing(root, args.git, options, mailmap)


def _mailmap(named: Path | None, base: str | None) -> Mailmap:
    if named is None:
        return Mailmap(blob=f"{base}:.mailmap" if base else None)
    if not named.is_file():
        raise PatchvetError(f"--mailmap {named}: no such file")
    return Mailmap(file=named)


def _open_output(path: Path) -> TextIO:
    """The report file; a path that cannot be written is a one-line error before any work."""
    if path.is_dir():
        raise PatchvetError(f"-o {path}: is a directory", hint="name a file to write the report to")
    if not path.parent.is_dir():
        raise PatchvetError(
            f"-o {path}: directory {path.parent} does not exist", hint="create it first"
        )
    try:
        return path.open("w", encoding="utf-8")
    except OSError as error:
        raise PatchvetError(f"-o {path}: cannot write: {error.strerror or error}") from None


def _report(
    results: Iterable[Assessment | Skipped | Written],
    policy: Policy,
    fmt: OutputFormat,
    out: TextIO,
    err: TextIO,
    earlier: EarlierRevisions | None = None,
) -> tuple[Counter[Verdict], int]:
    """Write the report; return the verdict counts and how many inputs were unreadable."""
    reporter = fmt.reporter(out, policy)
    counts: Counter[Verdict] = Counter()
    skipped: list[Skipped] = []
    reporter.start()
    for result in results:
        if isinstance(result, Written):
            counts[result.verdict] += 1
            reporter.accept_written(result)
        elif isinstance(result, Assessment):
            counts[result.verdict] += 1
            reporter.accept(result)
        else:
            skipped.append(result)
            err.write(f"patchvet: skipped {plain(result.source)}: {plain(result.reason)}\n")
    for thread, before in (earlier.by_thread if earlier else {}).items():
        reporter.series.add_previous(thread, [assess(item, policy) for item in before])
    reporter.finish(skipped, counts)
    out.flush()
    return counts, sum(1 for item in skipped if item.error)
