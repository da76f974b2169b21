"""
The `--db` option and the default ledger, apart from `patchvet ledger …` itself: `check` and
the other commands register the option at start-up, and only a run that uses a ledger should
import the store (SQLite, migrations, the policy engine).
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from patchvet.ledger import SqlLedger


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """`--db URL` for every command that touches the ledger."""
    parser.add_argument(
        "--db", metavar="URL",
        help="ledger URL: sqlite:///path/ledger.db or postgresql://… "
        "(default: sqlite in the repository's .git/patchvet/)",
    )  # fmt: skip


def default_ledger_url(root: Path) -> str:
    """
    `sqlite:///<git dir>/patchvet/ledger.db`, or under `.patchvet/` outside a repository; its
    directory is made here (a `--db` path is never: a missing directory there is an error).
    """
    found = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--absolute-git-dir"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    from patchvet.ledger.interface import LedgerError

    base = Path(found.stdout.strip()) if found.returncode == 0 else root.resolve() / ".patchvet"
    folder = base / "patchvet"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise LedgerError(f"cannot make the ledger's directory {folder}: {error.strerror}",
                          hint="pass --db sqlite:///path/ledger.db") from None  # fmt: skip
    return f"sqlite:///{folder / 'ledger.db'}"


def open_for(args: argparse.Namespace, root: Path) -> SqlLedger:
    """The ledger named by `--db`, or the repository's default one."""
    from patchvet.ledger.store import open_ledger

    return open_ledger(args.db or default_ledger_url(root))
