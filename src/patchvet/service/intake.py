"""
Group commit for webhook intake: deliveries that arrive while one insert is in flight are
stored together by the next, in one statement and one commit, and each is acknowledged only
after that commit. Under load the cost of a commit is shared by everyone waiting for it; alone,
a delivery is stored at once. Stored ids are handed to `on_stored` (the queue sender).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool

from patchvet.service.database import Database
from patchvet.service.deliveries import DeliveryStore

MAX_BATCH = 256

Item = tuple[str, str, str]
"""(delivery id, event, payload text)."""


class Intake:
    """Store deliveries durably, batching concurrent arrivals into one commit."""

    def __init__(self, database: Database, on_stored: Callable[[list[str]], None]) -> None:
        self.database = database
        self.on_stored = on_stored
        self.waiting: list[tuple[Item, asyncio.Future[bool]]] = []
        self.flushing: asyncio.Task[None] | None = None

    async def store(self, delivery_id: str, event: str, payload: str) -> bool:
        """True once stored and committed; False for a delivery id already stored."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.waiting.append(((delivery_id, event, payload), future))
        if self.flushing is None:
            self.flushing = asyncio.create_task(self._flush())
        return await future

    def _insert(self, items: list[Item]) -> set[str]:
        return self.database.attempt(lambda ledger: DeliveryStore(ledger).add_many(items))

    async def _flush(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting[:MAX_BATCH], self.waiting[MAX_BATCH:]
                try:
                    new = await run_in_threadpool(self._insert, [item for item, _ in batch])
                except Exception as error:  # noqa: BLE001 - each waiting request answers it
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                fresh = set(new)
                for (delivery_id, _, _), future in batch:
                    if not future.done():
                        future.set_result(delivery_id in fresh)
                    fresh.discard(delivery_id)  # the same id twice in a batch: once is new
                if new:
                    self.on_stored(sorted(new))
        finally:
            self.flushing = None
