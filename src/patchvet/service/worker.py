"""
Workers that turn stored deliveries into results: a thread inside `patchvet serve`, or Celery
workers (`patchvet worker`) fed through Redis. Both claim deliveries from the same store, so a
delivery is processed once however many workers run, and a dead worker's lease expires.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from patchvet.ledger import open_ledger
from patchvet.service.deliveries import LEASE_SECONDS, DeliveryStore
from patchvet.service.process import process
from patchvet.service.settings import Credentials, Settings

log = logging.getLogger("patchvet.service")


def drain(store: DeliveryStore, credentials: Credentials, delivery_id: str | None = None) -> int:
    """Process due deliveries (one, or all pending); return how many were handled."""
    handled = 0
    while True:
        delivery = store.claim(delivery_id)
        if delivery is None:
            return handled
        try:
            outcome = process(delivery, credentials, store.ledger)
        except Exception as error:  # noqa: BLE001 - one bad delivery must not stop the worker
            log.warning("delivery %s failed: %s", delivery.delivery_id, error)
            store.finish(delivery.delivery_id, f"{type(error).__name__}: {error}")
        else:
            log.info("delivery %s: %s", delivery.delivery_id, outcome)
            store.finish(delivery.delivery_id)
        handled += 1
        if delivery_id is not None:
            return handled


class ThreadWorker:
    """Processes deliveries inside the web process, from the durable store."""

    def __init__(
        self,
        ledger_url: str,
        credentials: Credentials,
        poll_seconds: float = 2.0,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.ledger_url = ledger_url
        self.lease_seconds = lease_seconds
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
        store = DeliveryStore(open_ledger(self.ledger_url), self.lease_seconds)
        try:
            while not self.stopping.is_set():
                drain(store, self.credentials)
                self.wake.wait(self.poll_seconds)
                self.wake.clear()
        finally:
            store.ledger.close()


def celery_app(queue_url: str) -> Any:
    """The Celery application; its task reads the ledger URL and credentials from the env."""
    from celery import Celery  # type: ignore[import-untyped]

    app = Celery("patchvet", broker=queue_url)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
    )

    @app.task(name="patchvet.process_delivery")  # type: ignore[untyped-decorator]
    def process_delivery(delivery_id: str) -> int:
        store = DeliveryStore(open_ledger(os.environ["PATCHVET_DB"]))
        try:
            return drain(store, Credentials(Settings.from_env()), delivery_id)
        finally:
            store.ledger.close()

    @app.task(name="patchvet.sweep")  # type: ignore[untyped-decorator]
    def sweep() -> int:
        store = DeliveryStore(open_ledger(os.environ["PATCHVET_DB"]))
        try:
            return drain(store, Credentials(Settings.from_env()))
        finally:
            store.ledger.close()

    return app
