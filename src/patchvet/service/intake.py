"""
Group commit for webhook intake: deliveries that arrive while inserts are in flight are stored
together by the next, in one statement and one commit, and each is acknowledged only after that
commit. Under load the cost of a commit is shared by everyone waiting for it; alone, a delivery
is stored at once. Two inserts may be in flight at once, so a delivery arriving during a slow
commit (a busy machine delays each thread hop) waits for at most part of it, not all of it.
Stored ids are handed to `on_stored` (the queue sender).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool

from patchvet.service.database import Database
from patchvet.service.deliveries import DeliveryStore

MAX_BATCH = 256
IN_FLIGHT = 2
"""Inserts running at once (each on its own pooled connection)."""

Item = tuple[str, str, str]
"""(delivery id, event, payload text)."""


class Intake:
    """Store deliveries durably, batching concurrent arrivals into one commit."""

    def __init__(self, database: Database, on_stored: Callable[[list[str]], None]) -> None:
        self.database = database
        self.on_stored = on_stored
        self.waiting: list[tuple[Item, asyncio.Future[bool]]] = []
        self.flushing = 0
        """Inserts running; counted down inside `_flush` itself, with no await between its
        last look at `waiting` and the count (so no arrival is ever left without a flush)."""
        self.tasks: set[asyncio.Task[None]] = set()

    async def store(self, delivery_id: str, event: str, payload: str) -> bool:
        """True once stored and committed; False for a delivery id already stored."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.waiting.append(((delivery_id, event, payload), future))
        if self.flushing < IN_FLIGHT:
            self.flushing += 1
            task = asyncio.create_task(self._flush())
            self.tasks.add(task)  # a reference, so the running task is never collected
            task.add_done_callback(self.tasks.discard)
        return await future

    def _insert(self, items: list[Item]) -> set[str]:
        return self.database.attempt(lambda ledger: DeliveryStore(ledger).add_many(items))

    async def _flush(self) -> None:
        try:
            await self._flush_waiting()
        finally:
            self.flushing -= 1

    async def _flush_waiting(self) -> None:
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
