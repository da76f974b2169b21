"""
The ASGI web service: `POST /webhook`, `GET /healthz`, and the maintainers' dashboard (any
other path) when one is given.

A delivery's size is bounded before its body is read (`Content-Length`, then a counting read for
chunked bodies), its signature is checked (HMAC SHA-256, constant time) before anything is
parsed, and it is stored and committed before the 202, so a crash after the answer loses
nothing. While the database cannot be reached, deliveries get 503 (GitHub records them failed
and the sweeper has them redelivered) and `/healthz` says why; connections come from a pool
that reconnects on its own. Processing happens elsewhere: a worker thread, or Celery workers
behind Redis.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Receive, Scope, Send

from patchvet import __version__
from patchvet.service.database import Database, DatabaseUnavailable
from patchvet.service.deliveries import LEASE_SECONDS, REQUEUE_AFTER_SECONDS
from patchvet.service.intake import Intake
from patchvet.service.settings import Credentials, Settings
from patchvet.service.sweeper import RedeliveryBackoff, Sweeper
from patchvet.service.worker import MESSAGE_BATCH, ThreadWorker, celery_app
from patchvet.sources.json_input import JsonInputError, load_json

MAX_BODY = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB
LINGER_SECONDS = 0.05
log = logging.getLogger("patchvet.service")


def signature_valid(secret: bytes, body: bytes, header: str | None) -> bool:
    """Whether `X-Hub-Signature-256` is the HMAC of the body, compared in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.encode())


class ClientGone(Exception):
    """The sender disconnected before its whole body arrived: nobody is left to answer."""


async def read_bounded(receive: Receive, limit: int) -> bytes | None:
    """The body, or None as soon as it exceeds `limit` bytes (the rest is never read)."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        body += message.get("body", b"")
        if len(body) > limit:
            return None
        if not message.get("more_body", False):
            return bytes(body)


Webhook = Callable[[dict[str, str], Receive], Awaitable[tuple[int, dict[str, str]]]]


class WebhookFirst:
    """
    The service's ASGI application: `POST /webhook` answered directly, everything else (health,
    the dashboard, the lifespan) by Starlette.

    The webhook is the one path that takes every delivery of every installation, and the
    framework's layers (middleware, routing, request and response objects) cost about as much
    CPU per delivery as the webhook's own work; the other paths are rare and keep them.
    """

    def __init__(self, webhook: Webhook, rest: Starlette) -> None:
        self.webhook = webhook
        self.rest = rest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/webhook":
            await self.rest(scope, receive, send)
            return
        if scope["method"] != "POST":
            await _answer(send, 405, {"error": "POST only"}, ((b"allow", b"POST"),))
            return
        # Header names arrive lower-cased (ASGI); the first of a repeated header counts.
        headers: dict[str, str] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
        try:
            status, answer = await self.webhook(headers, receive)
        except ClientGone:
            return
        await _answer(send, status, answer)


async def _answer(
    send: Send, status: int, answer: dict[str, str], extra: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    body = json.dumps(answer).encode()
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()), *extra],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": body})


class QueueSender:
    """Sends stored delivery ids to Celery from one thread, coalescing what piles up."""

    def __init__(self, celery: Any) -> None:
        self.celery = celery
        self.ids: queue.SimpleQueue[list[str] | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="patchvet-sender", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.ids.put(None)
        self.thread.join(timeout=10)

    def send(self, delivery_ids: list[str]) -> None:
        self.ids.put(delivery_ids)

    def _run(self) -> None:
        while True:
            first = self.ids.get()
            if first is None:
                return
            pending = list(first)
            if len(pending) < MESSAGE_BATCH:
                # A moment for the next intake commits to join this message: fewer, fuller
                # messages (a delivery waits up to this long more to be processed, never to be
                # acknowledged: it is stored already). Each message costs Celery and its Redis
                # transport about 1-3 ms of worker CPU whatever it carries, against 0.1-0.2 ms
                # per delivery it names.
                time.sleep(LINGER_SECONDS)
            while not self.ids.empty():
                more = self.ids.get()
                if more is None:
                    self.ids.put(None)
                    break
                pending += more
            for start in range(0, len(pending), MESSAGE_BATCH):
                chunk = pending[start : start + MESSAGE_BATCH]
                try:
                    self.celery.send_task("patchvet.process_deliveries", [chunk])
                except Exception as error:  # noqa: BLE001 - any broker failure
                    # Stored already: the sweeper sends them again once the queue is back.
                    log.warning("could not queue %d deliveries: %s", len(chunk), error)


def create_app(
    settings: Settings,
    ledger_url: str,
    queue_url: str | None = None,
    credentials: Credentials | None = None,
    run_worker: bool = True,
    lease_seconds: float = LEASE_SECONDS,
    sweep_seconds: float = 30.0,
    requeue_after: float = REQUEUE_AFTER_SECONDS,
    max_body: int = MAX_BODY,
    pool_size: int = 4,
    db_timeout: float = 2.0,
    redelivery_backoff: RedeliveryBackoff | None = None,
    dashboard: Starlette | None = None,
) -> WebhookFirst:
    """
    The service; with `queue_url` deliveries go to Celery, else to a worker thread. A
    `dashboard` app is mounted at `/` behind the webhook's routes, its lifespan run with ours.
    """
    database = Database(ledger_url, size=pool_size, timeout=db_timeout)
    creds = credentials or Credentials(settings)
    worker = ThreadWorker(database, creds) if queue_url is None and run_worker else None
    celery = celery_app(queue_url) if queue_url else None
    sender = QueueSender(celery) if celery is not None else None

    def on_stored(delivery_ids: list[str]) -> None:
        if sender is not None:
            sender.send(delivery_ids)
        elif worker is not None:
            worker.wake.set()

    intake = Intake(database, on_stored)
    sweeper = Sweeper(database, on_stored, creds, sweep_seconds, lease_seconds, requeue_after,
                      redelivery_backoff)  # fmt: skip

    async def webhook(headers: dict[str, str], receive: Receive) -> tuple[int, dict[str, str]]:
        """The answer to one `POST /webhook`: (status, JSON body)."""
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > max_body):
            return 413, {"error": "payload too large"}
        signature = headers.get("x-hub-signature-256")
        if not signature or not signature.startswith("sha256="):
            return 401, {"error": "bad or missing signature"}
        body = await read_bounded(receive, max_body)
        if body is None:
            return 413, {"error": "payload too large"}
        if not signature_valid(settings.webhook_secret, body, signature):
            return 401, {"error": "bad or missing signature"}
        delivery = headers.get("x-github-delivery", "")
        event = headers.get("x-github-event", "")
        if not delivery or not event or len(delivery) > 200 or len(event) > 100:
            return 400, {"error": "missing X-GitHub-Delivery or X-GitHub-Event"}
        try:
            text = body.decode("utf-8")
            load_json(text)
        except (UnicodeDecodeError, JsonInputError) as error:
            return 400, {"error": f"body is not JSON: {error}"}
        try:
            is_new = await intake.store(delivery, event, text)
        except DatabaseUnavailable as error:
            return 503, {"error": "database unavailable", "reason": error.message}
        return 202, {"delivery": delivery, "status": "queued" if is_new else "duplicate"}

    def health() -> dict[str, Any]:
        report: dict[str, Any] = {"version": __version__}
        problem = database.check()
        report["database"] = "ok" if problem is None else f"error: {problem}"
        if celery is not None:
            try:
                with celery.connection_for_write() as connection:
                    connection.ensure_connection(max_retries=1, timeout=2)
                report["queue"] = "ok"
            except Exception as error:  # noqa: BLE001 - health reports every failure
                report["queue"] = f"error: {error}"
        else:
            report["queue"] = "in-process"
        return report

    async def healthz(request: Request) -> JSONResponse:
        report = await run_in_threadpool(health)
        healthy = report["database"] == "ok" and report["queue"] in ("ok", "in-process")
        return JSONResponse(report, status_code=200 if healthy else 503)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await intake.start()
        for part in (sender, worker, sweeper):
            if part is not None:
                part.start()
        try:
            if dashboard is None:
                yield
            else:
                async with dashboard.router.lifespan_context(dashboard):
                    yield
        finally:
            for part in (sweeper, worker, sender):
                if part is not None:
                    part.stop()
            await intake.stop()
            database.close()

    routes: list[BaseRoute] = [Route("/healthz", healthz)]
    if dashboard is not None:
        routes.append(Mount("/", app=dashboard))
    return WebhookFirst(webhook, Starlette(routes=routes, lifespan=lifespan))
