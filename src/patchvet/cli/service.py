"""`patchvet serve` and `patchvet worker`: the GitHub App webhook service and its workers."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from patchvet.cli.ledger_options import add_db_option, default_ledger_url


def register(commands: Any) -> None:
    """Register `serve` and `worker`."""
    serve = commands.add_parser(
        "serve",
        help="run the GitHub App webhook service (and the dashboard at /, with GitHub login)",
        description="The webhook service. With PATCHVET_GITHUB_CLIENT_ID and "
        "PATCHVET_GITHUB_CLIENT_SECRET (an OAuth app whose callback is <url>/login/callback) it "
        "also serves the dashboard at /: people log in with GitHub; only those with write access "
        "to a repository override there; PATCHVET_DASHBOARD_READ says who reads "
        "(public, signed-in: the default, or writers).",
    )
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
        default=300.0,
        help="after this long, a delivery whose worker died is taken over",
    )
    serve.add_argument(
        "--sweep-seconds",
        type=float,
        default=30.0,
        help="how often lapsed leases, lost queue messages and failed GitHub deliveries are swept",
    )
    serve.add_argument(
        "--requeue-after",
        type=float,
        default=60.0,
        help="a delivery pending this long is sent to the queue again",
    )
    serve.add_argument("--pool-size", type=int, default=4, help="database connections")
    add_db_option(serve)
    serve.set_defaults(handler=run_service_command)
    worker = commands.add_parser("worker", help="process deliveries from the Celery queue")
    worker.add_argument("--queue", metavar="redis://…", required=True)
    worker.add_argument("--concurrency", type=int, default=2)
    worker.add_argument(
        "--nice", type=int, default=10, choices=range(20), metavar="0-19",
        help="CPU niceness of the worker processes (default 10): on a host shared with "
        "`patchvet serve`, acknowledging deliveries comes before processing them",
    )  # fmt: skip
    add_db_option(worker)
    worker.set_defaults(handler=run_service_command)


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

        from patchvet.web.access import GitHubAccess, OAuthSettings
        from patchvet.web.app import create_web

        oauth = OAuthSettings.from_env()
        dashboard = None
        if oauth is not None:
            dashboard = create_web(ledger_url, lambda board: GitHubAccess(oauth, board.projects))
        app = create_app(
            settings,
            ledger_url,
            args.queue,
            lease_seconds=args.lease_seconds,
            sweep_seconds=args.sweep_seconds,
            requeue_after=args.requeue_after,
            pool_size=args.pool_size,
            dashboard=dashboard,
        )
        uvicorn.run(app, host=args.host, port=args.port, log_level="info", access_log=False)
        return 0
    os.environ["PATCHVET_DB"] = ledger_url
    # GitHub gives up on a delivery not answered in 10 s and the acknowledgement is what must
    # stay fast; processing only queues. The pool's processes inherit this niceness.
    os.nice(args.nice)

    def celery_worker() -> None:
        celery_app(args.queue).worker_main(
            ["worker", "--loglevel=INFO", f"--concurrency={args.concurrency}", "--without-gossip"]
        )

    return supervise(celery_worker)


RESTART_SECONDS = 1.0


def supervise(run: Callable[[], None]) -> int:
    """
    Run `run` in a child process and start it again whenever it ends without being asked to.

    Celery's worker can die by itself: a Redis connection lost while a finished task is being
    acknowledged ends it with "Unrecoverable error" (kombu 5.x). Its deliveries are safe in the
    database, but nothing would process new ones until someone restarted it. SIGTERM and SIGINT
    are passed on (Celery's warm shutdown) and end the supervision.
    """
    child = 0
    stopping = False

    def pass_on(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        if child:
            os.kill(child, signum)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, pass_on)
    while True:
        child = os.fork()
        if child == 0:  # pragma: no cover - the child never returns here
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, signal.SIG_DFL)
            code = 1
            try:
                run()
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            finally:
                os._exit(code)
        _, status = os.waitpid(child, 0)
        if stopping:
            return 0
        code = os.waitstatus_to_exitcode(status)
        print(f"patchvet worker: the Celery worker ended ({code}); starting it again",
              file=sys.stderr, flush=True)  # fmt: skip
        time.sleep(RESTART_SECONDS)
