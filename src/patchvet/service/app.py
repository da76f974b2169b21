"""
The ASGI web service: `POST /webhook` and `GET /healthz`.

A delivery's signature is checked (HMAC SHA-256, constant time) before anything is parsed; the
delivery is then stored, and only then acknowledged with 202, so a crash after the answer loses
nothing. Processing happens elsewhere: a worker thread, or Celery workers behind Redis.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from patchvet import __version__
from patchvet.ledger import open_ledger
from patchvet.service.deliveries import LEASE_SECONDS, DeliveryStore
from patchvet.service.settings import Credentials, Settings
from patchvet.service.worker import ThreadWorker, celery_app
from patchvet.sources.json_input import JsonInputError, load_json

MAX_BODY = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB
log = logging.getLogger("patchvet.service")


def signature_valid(secret: bytes, body: bytes, header: str | None) -> bool:
    """Whether `X-Hub-Signature-256` is the HMAC of the body, compared in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.encode())


def create_app(
    settings: Settings,
    ledger_url: str,
    queue_url: str | None = None,
    credentials: Credentials | None = None,
    run_worker: bool = True,
    lease_seconds: float = LEASE_SECONDS,
) -> Starlette:
    """The service; with `queue_url` deliveries go to Celery, else to a worker thread."""
    store = DeliveryStore(open_ledger(ledger_url))
    lock = threading.Lock()
    creds = credentials or Credentials(settings)
    worker = (
        ThreadWorker(ledger_url, creds, lease_seconds=lease_seconds)
        if queue_url is None and run_worker
        else None
    )
    celery = celery_app(queue_url) if queue_url else None

    def stored(delivery_id: str, event: str, body: str) -> bool:
        with lock:
            return store.add(delivery_id, event, body)

    async def webhook(request: Request) -> JSONResponse:
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "payload too large"}, status_code=413)
        if not signature_valid(settings.webhook_secret, body,
                               request.headers.get("x-hub-signature-256")):  # fmt: skip
            return JSONResponse({"error": "bad or missing signature"}, status_code=401)
        delivery = request.headers.get("x-github-delivery", "")
        event = request.headers.get("x-github-event", "")
        if not delivery or not event:
            return JSONResponse({"error": "missing X-GitHub-Delivery or X-GitHub-Event"},
                                status_code=400)  # fmt: skip
        try:
            text = body.decode("utf-8")
            load_json(text)
        except (UnicodeDecodeError, JsonInputError) as error:
            return JSONResponse({"error": f"body is not JSON: {error}"}, status_code=400)
        is_new = await run_in_threadpool(stored, delivery, event, text)
        if is_new and celery is not None:
            await run_in_threadpool(enqueue, "patchvet.process_delivery", [delivery])
        elif is_new and worker is not None:
            worker.wake.set()
        return JSONResponse({"delivery": delivery, "status": "queued" if is_new else "duplicate"},
                            status_code=202)  # fmt: skip

    def enqueue(task: str, args: list[str] | None = None) -> None:
        # The delivery is already stored: if the queue is down, a worker's sweep finds it later.
        try:
            assert celery is not None
            celery.send_task(task, args or [])
        except Exception as error:  # noqa: BLE001 - any broker failure
            log.warning("could not queue %s %s: %s", task, args or "", error)

    def health() -> dict[str, Any]:
        report: dict[str, Any] = {"version": __version__}
        try:
            with lock:
                store.ledger.execute("SELECT 1").fetchone()
                report["deliveries"] = store.counts()
            report["database"] = "ok"
        except Exception as error:  # noqa: BLE001 - health reports every failure
            report["database"] = f"error: {error}"
        if celery is not None:
            try:
                with celery.connection_for_write() as connection:
                    connection.ensure_connection(max_retries=1, timeout=2)
                report["queue"] = "ok"
            except Exception as error:  # noqa: BLE001
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
        if worker is not None:
            worker.start()
        if celery is not None:
            # Anything stored but never queued (a crash between the two) gets picked up.
            await run_in_threadpool(enqueue, "patchvet.sweep")
        yield
        if worker is not None:
            worker.stop()
        store.ledger.close()

    return Starlette(
        routes=[Route("/webhook", webhook, methods=["POST"]), Route("/healthz", healthz)],
        lifespan=lifespan,
    )
