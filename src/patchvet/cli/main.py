"""
The command line: the only place that prints for humans and the only place that exits.

Each command group is a module of this package with `register(commands)`, which adds its
subcommands and sets `handler` on each: a function from the parsed arguments to an exit code.

Exit codes (`patchvet.cli.exits`): 0 nothing at or above `--fail-on`; 1 at least one
contribution at or above it; 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from patchvet import __version__
from patchvet.cli.exits import EXIT_OK, EXIT_USAGE
from patchvet.errors import PatchvetError

COMMAND_GROUPS = (
    "check", "calibrate", "reply", "watch", "account", "policy", "findings", "model", "ledger",
    "github", "service", "dashboard",
)  # fmt: skip
"""The modules of `patchvet.cli` that register commands, in the order `--help` lists them."""

GROUP_OF = {"action": "github", "serve": "service", "worker": "service"}
"""Commands whose module is not named after them."""


def _one_blas_thread(group: str | None) -> None:
    """
    Keep numpy's OpenBLAS to one thread, unless the user chose a number or the command trains.

    OpenBLAS starts a thread per core when numpy is imported: ~20 ms more CPU and, on a busy
    machine, up to twice the import's wall time (measured 130-160 ms against 190-300 ms at
    load 5). Scoring gains nothing from it: its sums are exact (`math.fsum`), not BLAS dot
    products. The workers of `--jobs` inherit the setting.
    """
    if group != "model":
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _groups(argv: Sequence[str]) -> list[ModuleType]:
    """
    The command groups to register: only the named command's when there is one, so that
    `patchvet check` does not import the service stack, the ledger tools or training code.
    """
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    if command is None and "--version" in argv:
        return []
    group = GROUP_OF.get(command or "", command)
    _one_blas_thread(group)
    names = [group] if group in COMMAND_GROUPS else COMMAND_GROUPS
    return [importlib.import_module(f"patchvet.cli.{name}") for name in names]


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser of the command in `argv`, or of every command."""
    parser = argparse.ArgumentParser(
        prog="patchvet",
        description="Vet pull requests and emailed patches against a project's AI policy.",
    )
    parser.add_argument("--version", action="version", version=f"patchvet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in _groups(argv):
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    # In a process started for this command: no garbage collection while the command's
    # modules load, which only adds objects that live as long as the process (the
    # collector's passes over them were ~4.5% of the instructions of a one-patch check), and
    # those objects frozen afterwards, so later passes skip them too. Not when called from
    # other code (tests, embedding), whose objects are not ours to freeze.
    started_for_us = argv is None and gc.isenabled()
    if started_for_us:
        gc.disable()
    try:
        parser = build_parser(arguments)
    finally:
        if started_for_us:
            gc.freeze()
            gc.enable()
    args = parser.parse_args(arguments)
    err = sys.stderr
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(err)
        return EXIT_USAGE
    try:
        return int(handler(args))
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
