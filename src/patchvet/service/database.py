"""
The service's database connections: a pool that reconnects on its own, so a database restart
needs no service restart.

Connections are not checked on every checkout (a round trip per unit of work, which on a busy
machine costs more than the work); instead the first statement that fails on a dead connection
makes the pool check all its idle connections, dropping the dead ones, and `attempt` runs the
unit of work once more on a fresh connection.

PostgreSQL gets a `psycopg_pool` pool; SQLite (one file, one writer) shares one connection
behind a lock. Either way a caller borrows a `SqlLedger` for a short unit of work; when the
database cannot be reached in `timeout` seconds it gets `DatabaseUnavailable`, which the web
process answers with 503 and `/healthz` reports.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from patchvet.errors import PatchvetError
from patchvet.ledger import SqlLedger, open_ledger

log = logging.getLogger("patchvet.service")
T = TypeVar("T")
FAIL_FAST_SECONDS = 1.0
"""After a wait for a connection timed out, refuse at once for this long (then wait again)."""


class DatabaseUnavailable(PatchvetError):
    """The database could not be reached or failed mid-statement."""

    def __init__(self, message: str, connection_died: bool = False) -> None:
        super().__init__(message, hint="the service retries on its own once it is back")
        self.connection_died = connection_died


def _driver_errors() -> tuple[type[BaseException], ...]:
    import sqlite3

    errors: list[type[BaseException]] = [sqlite3.OperationalError]
    try:
        import psycopg
        import psycopg_pool
    except ImportError:
        return tuple(errors)
    return (*errors, psycopg.OperationalError, psycopg.InterfaceError, psycopg_pool.PoolTimeout)


class Database:
    """Borrow ledgers for short units of work; open once per process (after any fork)."""

    def __init__(self, url: str, size: int = 4, timeout: float = 5.0) -> None:
        self.url = url
        self.timeout = timeout
        self.driver_errors = _driver_errors()
        first = open_ledger(url)  # creates and migrates, or fails with a one-line LedgerError
        self.dialect = first.dialect
        self._pool: Any = None
        self._shared: SqlLedger | None = None
        self._lock = threading.RLock()
        self._down: tuple[float, str] | None = None
        if first.dialect == "sqlite":
            self._shared = first
            return
        first.close()
        from psycopg_pool import ConnectionPool

        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max(1, size),
            kwargs=self.connection_options,
            timeout=timeout,
            # Give up a background reconnection soon: the next request starts a fresh one, so
            # service resumes as soon as the database is back, not after a long backoff.
            reconnect_timeout=max(2.0, timeout),
            name="patchvet",
            open=False,
        )
        self._pool.open(wait=False)

    @property
    def connection_options(self) -> dict[str, Any]:
        """What every PostgreSQL connection of the service is opened with."""
        return {
            "autocommit": True,
            "connect_timeout": max(1, int(self.timeout)),
            # A peer that vanished without a reset (a partition, a dead host) is noticed
            # within seconds instead of a worker waiting on its socket forever.
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
            "tcp_user_timeout": 15000,
        }

    def refuse_if_down(self) -> None:
        """`DatabaseUnavailable` at once while the database was just found unreachable."""
        if self._down is not None and time.monotonic() < self._down[0]:
            # Answer at once rather than wait out the timeout again.
            raise DatabaseUnavailable(self._down[1])

    def unavailable(self, error: BaseException) -> DatabaseUnavailable:
        """
        The error to raise for a driver or pool failure. A wait for a connection that timed out
        makes every caller (this pool's or the intake's) refuse at once for a moment.
        """
        reason = " ".join(f"{type(error).__name__}: {error}".split())[:300]
        died = type(error).__name__ != "PoolTimeout"
        message = f"database unavailable: {reason}"
        if not died:
            self._down = (time.monotonic() + FAIL_FAST_SECONDS, message)
        return DatabaseUnavailable(message, died)

    @contextmanager
    def ledger(self) -> Iterator[SqlLedger]:
        """A ledger on a pooled connection; `DatabaseUnavailable` if there is none."""
        self.refuse_if_down()
        try:
            if self._shared is not None:
                with self._lock:
                    yield self._shared
            else:
                with self._pool.connection() as connection:
                    yield SqlLedger(connection, "postgresql", self.url)
        except self.driver_errors as error:
            if self._pool is not None:
                try:
                    self._pool.check()  # drop every dead idle connection, refill in background
                except Exception as check_error:  # noqa: BLE001 - best effort
                    log.debug("pool check failed: %s", check_error)
            raise self.unavailable(error) from None

    def attempt(self, work: Callable[[SqlLedger], T]) -> T:
        """`work(ledger)`, once more on a fresh connection if the first one had died."""
        try:
            with self.ledger() as ledger:
                return work(ledger)
        except DatabaseUnavailable as error:
            if not error.connection_died:
                raise  # no connection to be had: no point waiting twice
            with self.ledger() as ledger:
                return work(ledger)

    def check(self) -> str | None:
        """None when a round trip succeeds, else why not (the driver's own words)."""
        self._down = None  # health always really tries
        try:
            self.attempt(lambda ledger: ledger.execute("SELECT 1").fetchone())
        except DatabaseUnavailable as error:
            if self._pool is None:
                return error.message
            import psycopg

            # The pool only says it timed out; a direct attempt says why.
            try:
                psycopg.connect(self.url, connect_timeout=2).close()
            except psycopg.Error as direct:
                return "database unavailable: " + " ".join(str(direct).split())[:300]
            return error.message
        return None

    def close(self) -> None:
        """Close every connection."""
        if self._pool is not None:
            self._pool.close()
        if self._shared is not None:
            self._shared.close()
