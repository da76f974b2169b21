"""
Workers that turn stored deliveries into results: a thread inside `patchvet serve`, or Celery
workers (`patchvet worker`) fed through Redis. Both claim deliveries from the same store, so a
delivery is processed once however many workers run, and a dead worker's lease is swept.

A queue message names the deliveries to try (a batch from one intake commit); the worker claims
those still pending in one statement and works through them on one pooled connection. A lost
message costs nothing but time: the sweeper finds the delivery still pending and sends another.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from patchvet.ledger import SqlLedger
from patchvet.service.database import Database, DatabaseUnavailable
from patchvet.service.deliveries import Delivery, DeliveryStore
from patchvet.service.process import process
from patchvet.service.settings import Credentials, Settings

log = logging.getLogger("patchvet.service")

CLAIM_BATCH = 16
"""Deliveries claimed (and settled) per statement."""
MESSAGE_BATCH = 64
"""Delivery ids per queue message: a task claims them `CLAIM_BATCH` at a time. Fewer, larger
messages are what lets workers keep up: each message costs the broker round trips, the prefork
pool's hand-over and an acknowledgement, whatever it carries."""
HAND_BACK_AFTER = 30.0
"""A task that has worked this long claims no more of its message: it queues the rest again, so
no task outlives its soft time limit however slow GitHub or the analysis is."""
TASK_SOFT_SECONDS = 150
"""A Celery task past this gets SoftTimeLimitExceeded inside the delivery it is on: that delivery
fails with the reason and the worker goes on. `HAND_BACK_AFTER` plus a claim of 16 deliveries at
the analysis budget (5 s CPU each, `analysis.budget_seconds`) plus GitHub's answers fits inside
it."""
TASK_HARD_SECONDS = 210
"""Past this the worker process is killed and replaced, so no task can hold a worker forever."""


def _handle(store: DeliveryStore, credentials: Credentials, delivery: Delivery) -> bool:
    """
    Process one delivery. Finish it at once if it failed or acted on GitHub; return True when
    it only needs settling (it made no GitHub client), which the caller batches.
    """
    clients_before = credentials.clients_made
    try:
        outcome = process(delivery, credentials, store.ledger)
    except DatabaseUnavailable:
        raise
    except Exception as error:  # noqa: BLE001 - one bad delivery must not stop the worker
        log.warning("delivery %s failed: %s", delivery.delivery_id, error)
        store.finish(delivery, f"{type(error).__name__}: {error}")
        return False
    if credentials.clients_made != clients_before:
        log.info("delivery %s: %s", delivery.delivery_id, outcome)
        # It acted on GitHub: record that at once, so a worker killed later in the batch does
        # not have it done twice.
        store.finish(delivery)
        return False
    # Most of an App's traffic is events patchvet ignores: a line each at INFO would cost a
    # worker more CPU than settling them, and drown the lines that say what was done.
    log.debug("delivery %s: %s", delivery.delivery_id, outcome)
    return True


def work(
    database: Database,
    credentials: Credentials,
    delivery_ids: Sequence[str] | None = None,
    hand_back: Callable[[list[str]], None] | None = None,
    hand_back_after: float = HAND_BACK_AFTER,
) -> int:
    """
    Process the given deliveries that are still pending, or every pending one; how many.

    Deliveries are claimed `CLAIM_BATCH` at a time. Those that did nothing outside the database
    (ignored events, pings, installations: most of an App's traffic) are marked done together,
    by the statement that makes the next claim (on PostgreSQL; after the last claim, by one of
    their own); a worker killed before that leaves them to its lease, and processing them again
    has no effect to repeat. With `hand_back`, ids not
    yet claimed after `hand_back_after` seconds are given to it (to queue again) instead.
    """
    settled: list[Delivery] = []
    """Processed deliveries not yet marked done: the next claim's statement settles them."""

    def claim_and_process(ids: Sequence[str] | None) -> Callable[[SqlLedger], int]:
        def unit(ledger: SqlLedger) -> int:
            store = DeliveryStore(ledger)
            batch = store.settle_and_claim(settled, ids, CLAIM_BATCH if ids is None else len(ids))
            settled.clear()
            for delivery in batch:
                if _handle(store, credentials, delivery):
                    settled.append(delivery)  # noqa: PERF401 - kept if a later one raises
            return len(batch)

        return unit

    def settle_the_rest(ledger: SqlLedger) -> None:
        DeliveryStore(ledger).finish_many(settled)
        settled.clear()

    # A retry claims only what is still pending, so it never repeats a delivery; what was
    # settled but not yet marked done stays in `settled` for the retry's statement.
    handled = 0
    if delivery_ids is None:
        while done := database.attempt(claim_and_process(None)):
            handled += done
    else:
        ids = list(delivery_ids)
        started = time.monotonic()
        for start in range(0, len(ids), CLAIM_BATCH):
            if start and hand_back is not None and time.monotonic() - started >= hand_back_after:
                hand_back(ids[start:])
                break
            handled += database.attempt(claim_and_process(ids[start : start + CLAIM_BATCH]))
    if settled:
        database.attempt(settle_the_rest)
    return handled


class ThreadWorker:
    """Processes deliveries inside the web process, from the durable store."""

    def __init__(
        self, database: Database, credentials: Credentials, poll_seconds: float = 2.0
    ) -> None:
        self.database = database
        self.credentials = credentials
        self.poll_seconds = poll_seconds
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="patchvet-worker", daemon=True)

    def start(self) -> None:
        """Start processing, beginning with anything left over from before a restart."""
        self.thread.start()

    def stop(self) -> None:
        """Finish the current delivery and stop."""
        self.stopping.set()
        self.wake.set()
        self.thread.join(timeout=30)

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                work(self.database, self.credentials)
            except DatabaseUnavailable as error:
                log.warning("worker waiting for the database: %s", error)
            except Exception:  # the thread must outlive any one failure
                log.exception("worker pass failed; trying again")
            self.wake.wait(self.poll_seconds)
            self.wake.clear()


_RESOURCES: dict[int, tuple[Database, Credentials]] = {}


def _resources() -> tuple[Database, Credentials]:
    """This process's pool and credentials, made on first use (so after Celery's fork)."""
    pid = os.getpid()
    if pid not in _RESOURCES:
        database = Database(os.environ["PATCHVET_DB"], size=2)
        _RESOURCES[pid] = (database, Credentials(Settings.from_env()))
    return _RESOURCES[pid]


def _work_in_celery(
    delivery_ids: list[str] | None, hand_back: Callable[[list[str]], None] | None = None
) -> int:
    database, credentials = _resources()
    try:
        return work(database, credentials, delivery_ids, hand_back)
    except DatabaseUnavailable as error:
        # The deliveries stay pending (or their lease lapses): the sweeper sends them again.
        log.warning("deliveries %s wait for the database: %s", delivery_ids or "all", error)
        return 0


def celery_app(queue_url: str) -> Any:
    """The Celery application; its task reads the ledger URL and credentials from the env."""
    from celery import Celery  # type: ignore[import-untyped]

    app = Celery("patchvet", broker=queue_url)
    # Celery logs every task received and succeeded at INFO: two lines per queue message, which
    # cost the worker more CPU than a message's claim; the deliveries' own log says what was done
    # (failures and retries are still logged, at WARNING and above).
    for chatty in ("celery.worker.strategy", "celery.app.trace"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_soft_time_limit=TASK_SOFT_SECONDS,
        task_time_limit=TASK_HARD_SECONDS,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_connection_retry=True,
        broker_connection_max_retries=None,  # a Redis restart is waited out, never fatal
        broker_transport_options={"socket_connect_timeout": 2, "socket_timeout": 5},
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0.2,
            "interval_step": 0.5,
            "interval_max": 1,
        },
    )

    @app.task(name="patchvet.process_deliveries")  # type: ignore[untyped-decorator]
    def process_deliveries(delivery_ids: list[str]) -> int:
        def hand_back(rest: list[str]) -> None:
            try:
                app.send_task("patchvet.process_deliveries", [rest])
            except Exception as error:  # noqa: BLE001 - any broker failure
                # Still pending: the sweeper sends them again.
                log.warning("could not queue %d deliveries again: %s", len(rest), error)

        return _work_in_celery(list(delivery_ids), hand_back)

    @app.task(name="patchvet.process_delivery")  # type: ignore[untyped-decorator]
    def process_delivery(delivery_id: str) -> int:
        return _work_in_celery([delivery_id])

    @app.task(name="patchvet.sweep")  # type: ignore[untyped-decorator]
    def sweep() -> int:
        return _work_in_celery(None)

    return app
