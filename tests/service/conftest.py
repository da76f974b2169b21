"""A running service (real HTTP via uvicorn in a thread) against the GitHub double."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from patchvet.ledger import open_ledger
from patchvet.service.app import create_app
from patchvet.service.settings import Settings
from tests.github.conftest import github  # noqa: F401  (the GitHub double, shared)
from tests.ledger.conftest import _postgres_database

SECRET = "webhook-secret"


def sign(body: bytes, secret: str = SECRET) -> str:
    """The `X-Hub-Signature-256` GitHub would send."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(url: str, event: str, payload: dict[str, Any], delivery: str | None = None,
            signature: str | None = "valid") -> httpx.Response:  # fmt: skip
    """POST one delivery the way GitHub does."""
    body = json.dumps(payload).encode()
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
               "Content-Type": "application/json"}  # fmt: skip
    if signature == "valid":
        headers["X-Hub-Signature-256"] = sign(body)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return httpx.post(f"{url}/webhook", content=body, headers=headers, timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RunningService:
    """uvicorn serving the app on a free port, in a thread."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False)  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> RunningService:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def settings_for(api_url: str, **extra: str) -> Settings:
    """Service settings pointing at the double."""
    env = {"PATCHVET_WEBHOOK_SECRET": SECRET, "PATCHVET_GITHUB_TOKEN": "test-token",
           "PATCHVET_GITHUB_API_URL": api_url, **extra}  # fmt: skip
    return Settings.from_env(env)


@pytest.fixture
def postgres_db() -> Iterator[str]:
    """A fresh database on the machine's PostgreSQL, dropped afterwards."""
    yield from _postgres_database()


@pytest.fixture
def ledger_db(tmp_path: Path) -> str:
    """A fresh SQLite ledger URL."""
    return f"sqlite:///{tmp_path / 'service.db'}"


def delivered(ledger_url: str, delivery: str) -> bool:
    """Whether the service finished processing a delivery."""
    ledger = open_ledger(ledger_url)
    try:
        row = ledger.execute(
            "SELECT status FROM deliveries WHERE delivery_id = ?", (delivery,)
        ).fetchone()
        return bool(row and row[0] == "done")
    finally:
        ledger.close()


def wait_for(predicate: Any, timeout: float = 20.0) -> None:
    """Poll until `predicate()` is true, or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


@pytest.fixture
def service_factory() -> Iterator[Any]:
    """Build and run services; all are stopped at the end."""
    running: list[RunningService] = []

    def make(settings: Settings, ledger_url: str, **kwargs: Any) -> RunningService:
        service = RunningService(create_app(settings, ledger_url, **kwargs)).__enter__()
        running.append(service)
        return service

    yield make
    for service in running:
        service.__exit__()


def children_of(pid: int) -> list[int]:
    """The process ids whose parent is `pid`, read from /proc (Linux)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found
