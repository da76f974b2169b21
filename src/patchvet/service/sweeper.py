"""
The periodic sweeper of `patchvet serve`: the service's own repair loop.

Every few seconds it puts deliveries whose worker lease lapsed back to `pending`, sends again
the deliveries that stayed pending too long (their queue message was lost, say in a Redis
restart), and, with the App's credentials, asks GitHub which deliveries failed on their way
here and have it redeliver those (GitHub never does by itself), as GitHub's own guide does.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from patchvet.github.client import GitHubClient, GitHubError
from patchvet.service.database import Database, DatabaseUnavailable
from patchvet.service.deliveries import LEASE_SECONDS, REQUEUE_AFTER_SECONDS, DeliveryStore
from patchvet.service.settings import Credentials

log = logging.getLogger("patchvet.service")

REDELIVER_LOOKBACK = timedelta(hours=24)
"""How far back the first sweep looks for failed deliveries (GitHub redelivers up to 3 days)."""
MAX_REDELIVERIES = 100
"""Redelivery requests per sweep, so a long outage does not become a burst of thousands."""


def _when(item: dict[str, Any]) -> datetime:
    stamp = str(item.get("delivered_at") or "1970-01-01T00:00:00Z")
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def failed_deliveries(
    client: GitHubClient, since: datetime, known: Callable[[list[str]], set[str]]
) -> list[int]:
    """
    Ids of delivery attempts to redeliver: the latest failed attempt of every delivery (guid)
    since `since` that no attempt brought here (no 2xx, and the guid is not stored).
    """
    latest_failed: dict[str, int] = {}
    succeeded: set[str] = set()
    for item in client.hook_deliveries():
        if _when(item) < since:
            break
        guid = str(item.get("guid", ""))
        if 200 <= int(item.get("status_code") or 0) < 300:
            succeeded.add(guid)
        elif guid and guid not in latest_failed:
            latest_failed[guid] = int(item["id"])
    candidates = [guid for guid in latest_failed if guid not in succeeded]
    stored = known(candidates)
    return [latest_failed[guid] for guid in candidates if guid not in stored]


@dataclass
class SweepReport:
    """What one sweep did, for the log and for tests."""

    requeued: int = 0
    redelivered: int = 0
    error: str | None = None


class Sweeper:
    """Runs `sweep` at start and every `interval` seconds in a thread of the web process."""

    def __init__(
        self,
        database: Database,
        send: Callable[[list[str]], None],
        credentials: Credentials,
        interval: float = 30.0,
        lease_seconds: float = LEASE_SECONDS,
        requeue_after: float = REQUEUE_AFTER_SECONDS,
    ) -> None:
        self.database = database
        self.send = send
        self.credentials = credentials
        self.interval = interval
        self.lease_seconds = lease_seconds
        self.requeue_after = requeue_after
        self.since = datetime.now(UTC) - REDELIVER_LOOKBACK
        self.asked: set[int] = set()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="patchvet-sweeper", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=30)

    def _run(self) -> None:
        while not self.stopping.is_set():
            report = self.sweep()
            if report.requeued or report.redelivered or report.error:
                log.info("sweep: %s", report)
            self.stopping.wait(self.interval)

    def sweep(self) -> SweepReport:
        """One pass; never raises (a failed pass is retried at the next interval)."""
        report = SweepReport()
        try:
            ids = self.database.attempt(
                lambda ledger: DeliveryStore(ledger).requeue(self.lease_seconds, self.requeue_after)
            )
            for start in range(0, len(ids), 16):
                self.send(ids[start : start + 16])
            report.requeued = len(ids)
            report.redelivered = self._redeliver()
        except (DatabaseUnavailable, GitHubError) as error:
            report.error = error.message
        except Exception as error:  # noqa: BLE001 - the sweeper must outlive any one failure
            report.error = f"{type(error).__name__}: {error}"
        return report

    def _redeliver(self) -> int:
        client = self.credentials.app_client()
        if client is None:
            return 0
        started = datetime.now(UTC)
        try:

            def known(guids: list[str]) -> set[str]:
                with self.database.ledger() as ledger:
                    return DeliveryStore(ledger).known(guids)

            wanted = [
                attempt
                for attempt in failed_deliveries(client, self.since, known)
                if attempt not in self.asked
            ]
            for attempt in wanted[:MAX_REDELIVERIES]:
                client.redeliver(attempt)
                self.asked.add(attempt)
        finally:
            client.close()
        if len(wanted) <= MAX_REDELIVERIES:
            # Overlap the next window a little: GitHub lists an attempt once it has finished.
            self.since = started - timedelta(minutes=5)
        return min(len(wanted), MAX_REDELIVERIES)
