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
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from patchvet.github.client import GitHubClient, GitHubError
from patchvet.service.database import Database, DatabaseUnavailable
from patchvet.service.deliveries import LEASE_SECONDS, REQUEUE_AFTER_SECONDS, DeliveryStore
from patchvet.service.settings import Credentials
from patchvet.service.worker import MESSAGE_BATCH

log = logging.getLogger("patchvet.service")

REDELIVER_LOOKBACK = timedelta(hours=24)
"""How far back the first sweep looks for failed deliveries (GitHub redelivers up to 3 days)."""
MAX_REDELIVERIES = 100
"""Redelivery requests per sweep, so a long outage does not become a burst of thousands."""
REDELIVERY_BACKOFF = 60.0
"""Seconds before a delivery whose redelivery failed again is asked for once more; the wait
doubles with every request for that delivery, up to `REDELIVERY_BACKOFF_MAX`."""
REDELIVERY_BACKOFF_MAX = 3600.0
MAX_REDELIVERY_REQUESTS = 8
"""Requests per delivery (about four hours of doubling waits); then it is left to the log."""
MAX_TRACKED = 10_000
"""Deliveries remembered for backoff; the oldest are forgotten first (memory stays bounded)."""
TRACK_FOR = timedelta(days=3)
"""GitHub redelivers attempts of the last three days only: older entries are dropped."""


def _when(item: dict[str, Any]) -> datetime:
    stamp = str(item.get("delivered_at") or "1970-01-01T00:00:00Z")
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


@dataclass(frozen=True)
class FailedDelivery:
    """The latest failed attempt of a delivery that never reached the service."""

    guid: str
    attempt: int
    at: datetime


def failed_deliveries(
    client: GitHubClient, since: datetime, known: Callable[[list[str]], set[str]]
) -> list[FailedDelivery]:
    """
    The latest failed attempt of every delivery (guid) since `since` that no attempt brought
    here (no 2xx, and the guid is not stored).
    """
    latest_failed: dict[str, FailedDelivery] = {}
    succeeded: set[str] = set()
    for item in client.hook_deliveries():
        if _when(item) < since:
            break
        guid = str(item.get("guid", ""))
        if 200 <= int(item.get("status_code") or 0) < 300:
            succeeded.add(guid)
        elif guid and guid not in latest_failed:
            latest_failed[guid] = FailedDelivery(guid, int(item["id"]), _when(item))
    candidates = [guid for guid in latest_failed if guid not in succeeded]
    stored = known(candidates)
    return [latest_failed[guid] for guid in candidates if guid not in stored]


@dataclass(frozen=True)
class _Asked:
    requests: int
    first: float
    next_at: float


class RedeliveryBackoff:
    """
    Which failed deliveries (by guid) may be asked for again now: each request for a delivery
    doubles the wait before the next (from `base` up to `ceiling` seconds), a delivery is asked
    for at most `most` times, and at most `size` deliveries are remembered, for `keep`.
    """

    def __init__(
        self,
        base: float = REDELIVERY_BACKOFF,
        ceiling: float = REDELIVERY_BACKOFF_MAX,
        most: int = MAX_REDELIVERY_REQUESTS,
        size: int = MAX_TRACKED,
        keep: timedelta = TRACK_FOR,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base, self.ceiling, self.most, self.size = base, ceiling, most, size
        self.keep = keep.total_seconds()
        self.clock = clock
        self.asked: OrderedDict[str, _Asked] = OrderedDict()

    def due(self, guid: str) -> bool:
        """Whether `guid` may be asked for now."""
        entry = self.asked.get(guid)
        return entry is None or (entry.requests < self.most and self.clock() >= entry.next_at)

    def waiting(self, guid: str) -> bool:
        """Whether `guid` will be due later (it is in its backoff, not given up)."""
        entry = self.asked.get(guid)
        return entry is not None and entry.requests < self.most and not self.due(guid)

    def requested(self, guid: str) -> None:
        """Note one more redelivery request for `guid`."""
        now = self.clock()
        entry = self.asked.pop(guid, None)
        requests = 1 if entry is None else entry.requests + 1
        wait = min(self.ceiling, self.base * 2 ** (requests - 1))
        self.asked[guid] = _Asked(requests, now if entry is None else entry.first, now + wait)
        self.forget_old()

    def forget_old(self) -> None:
        """Drop entries past `keep`, then the least recently asked beyond `size`."""
        horizon = self.clock() - self.keep
        for guid in [guid for guid, entry in self.asked.items() if entry.first < horizon]:
            del self.asked[guid]
        while len(self.asked) > self.size:
            self.asked.popitem(last=False)


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
        backoff: RedeliveryBackoff | None = None,
    ) -> None:
        self.database = database
        self.send = send
        self.credentials = credentials
        self.interval = interval
        self.lease_seconds = lease_seconds
        self.requeue_after = requeue_after
        self.since = datetime.now(UTC) - REDELIVER_LOOKBACK
        self.backoff = backoff or RedeliveryBackoff()
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
            for start in range(0, len(ids), MESSAGE_BATCH):
                self.send(ids[start : start + MESSAGE_BATCH])
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

            failed = failed_deliveries(client, self.since, known)
            wanted = [item for item in failed if self.backoff.due(item.guid)]
            for item in wanted[:MAX_REDELIVERIES]:
                client.redeliver(item.attempt)
                self.backoff.requested(item.guid)
        finally:
            client.close()
        # Overlap the next window a little: GitHub lists an attempt once it has finished.
        since = started - timedelta(minutes=5)
        # What is left for the next pass, or waits out its backoff, keeps the window open.
        later = wanted[MAX_REDELIVERIES:] + [f for f in failed if self.backoff.waiting(f.guid)]
        self.since = min([since, *(item.at for item in later)])
        return min(len(wanted), MAX_REDELIVERIES)
