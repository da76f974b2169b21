"""`patchvet dashboard`: the maintainers' dashboard over a local ledger, on 127.0.0.1 only."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from patchvet.cli.ledger_options import add_db_option, default_ledger_url

HOST = "127.0.0.1"


def register(commands: Any) -> None:
    """Register `dashboard`."""
    dashboard = commands.add_parser(
        "dashboard", help="browse the ledger in a browser: queue, contributors, trends"
    )
    dashboard.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1")
    dashboard.add_argument(
        "--as", dest="user", metavar="NAME",
        help="the name corrections are recorded under (default: your login name)",
    )  # fmt: skip
    add_db_option(dashboard)
    dashboard.set_defaults(handler=run_dashboard)


def run_dashboard(args: argparse.Namespace) -> int:
    """Serve the dashboard until stopped; print the one URL that logs a browser in."""
    import uvicorn

    from patchvet.web.app import create_dashboard
    from patchvet.web.session import Keys

    keys = Keys.generate()
    user = args.user or _login_name()
    app = create_dashboard(args.db or default_ledger_url(Path()), keys, user)
    print(f"patchvet dashboard: open http://{HOST}:{args.port}/login?token={keys.token}",
          flush=True)  # fmt: skip
    try:
        uvicorn.run(app, host=HOST, port=args.port, log_level="warning", access_log=False)
    finally:
        app.state.dashboard.close()
    return 0


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        sys.stderr.write("patchvet: warning: no login name; corrections recorded as 'local'\n")
        return "local"
