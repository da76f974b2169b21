"""
The service heals itself (issue 16): a database outage is a 503 with the reason in /healthz and
ends without a restart; bodies are bounded before they are read; the periodic sweeper has
GitHub redeliver what failed on its way here.
"""

from __future__ import annotations

import itertools
import json
import socket
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from patchvet.ledger import open_ledger
from patchvet.service.settings import Settings
from patchvet.service.sweeper import RedeliveryBackoff
from tests.github.conftest import REPO, seed_pull
from tests.github.double import GitHubDouble
from tests.service.conftest import SECRET, deliver, delivered, settings_for, sign, wait_for
from tests.service.faults import TcpProxy

INSTALLATION_EVENT = {"action": "created", "installation": {"id": 7}, "repositories": []}


def _stored(ledger_url: str, delivery: str) -> bool:
    ledger = open_ledger(ledger_url)
    try:
        row = ledger.execute("SELECT 1 FROM deliveries WHERE delivery_id = ?", (delivery,))
        return row.fetchone() is not None
    finally:
        ledger.close()


def test_database_outage_is_a_503_and_service_resumes_without_restart(
    github: GitHubDouble, postgres_db: str, service_factory: Any
) -> None:
    address = urlparse(postgres_db)
    proxy = TcpProxy((address.hostname or "127.0.0.1", address.port or 5432))
    via_proxy = f"postgresql://{address.username}@127.0.0.1:{proxy.port}{address.path}"
    service = service_factory(settings_for(github.url), via_proxy, db_timeout=1.0)
    health = f"{service.url}/healthz"
    assert deliver(service.url, "installation", INSTALLATION_EVENT, "before").status_code == 202
    wait_for(lambda: delivered(postgres_db, "before"))

    proxy.cut()
    refused = deliver(service.url, "installation", INSTALLATION_EVENT, "during")
    assert refused.status_code == 503
    assert refused.json()["error"] == "database unavailable"
    report = httpx.get(health, timeout=30)
    assert report.status_code == 503
    assert "refused" in report.json()["database"].lower()

    proxy.restore()
    wait_for(
        lambda: (
            deliver(service.url, "installation", INSTALLATION_EVENT, "after").status_code == 202
        ),
        timeout=30,
    )
    assert httpx.get(health, timeout=30).status_code == 200
    wait_for(lambda: delivered(postgres_db, "after"))
    assert not _stored(postgres_db, "during")  # refused, so GitHub holds it as failed
    proxy.cut()


def _raw_post(port: int, head: str, body: bytes = b"") -> tuple[int, float]:
    """Send a request by hand; the status line's code and how long the answer took."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(head.encode() + body)
        answer = sock.recv(4096).decode("latin-1")
        return int(answer.split(" ", 2)[1]), time.monotonic() - started


def test_bodies_are_bounded_before_they_are_read(
    github: GitHubDouble, ledger_db: str, service_factory: Any
) -> None:
    service = service_factory(settings_for(github.url), ledger_db, run_worker=False,
                              max_body=64 * 1024)  # fmt: skip
    port = int(service.url.rsplit(":", 1)[1])
    headers = "X-GitHub-Event: ping\r\nX-GitHub-Delivery: big\r\nX-Hub-Signature-256: sha256=00\r\n"
    # A declared gigabyte is refused from the headers alone: no byte of it is ever sent.
    status, seconds = _raw_post(
        port, f"POST /webhook HTTP/1.1\r\nHost: x\r\n{headers}Content-Length: 1000000000\r\n\r\n"
    )
    assert status == 413 and seconds < 5
    # No signature header: refused before the body is read, whatever its size.
    status, _ = _raw_post(
        port, "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 50000\r\n\r\n"
    )
    assert status == 401
    # Chunked (no length declared): counted while read, refused once over the limit.
    chunk = b"a" * 16384
    chunks = (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * 8
    status, _ = _raw_post(
        port,
        f"POST /webhook HTTP/1.1\r\nHost: x\r\n{headers}Transfer-Encoding: chunked\r\n\r\n",
        chunks,
    )
    assert status == 413
    # Within the limit, chunked, correctly signed: accepted.
    body = json.dumps({"zen": "ok"}).encode()
    signed = headers.replace("sha256=00", sign(body))
    status, _ = _raw_post(
        port,
        f"POST /webhook HTTP/1.1\r\nHost: x\r\n{signed}Transfer-Encoding: chunked\r\n\r\n",
        b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n",
    )
    assert status == 202


def _app_settings(github: GitHubDouble, tmp_path: Path) -> Settings:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    github.state.app_public_key = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    key_file = tmp_path / "app.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Settings.from_env(
        {
            "PATCHVET_WEBHOOK_SECRET": SECRET,
            "PATCHVET_GITHUB_APP_ID": github.state.app_id,
            "PATCHVET_GITHUB_PRIVATE_KEY": str(key_file),
            "PATCHVET_GITHUB_API_URL": github.url,
        }
    )


def test_sweeper_has_github_redeliver_what_failed(
    github: GitHubDouble, ledger_db: str, service_factory: Any, tmp_path: Path
) -> None:
    settings = _app_settings(github, tmp_path)
    payload = {**seed_pull(github.state), "installation": {"id": 99}}
    body = json.dumps(payload).encode()
    state = github.state
    lost = state.log_delivery("lost", "pull_request", body, 503)  # never reached us
    state.log_delivery("fine", "pull_request", body, 202)
    state.log_delivery("retried", "pull_request", body, 502)
    state.log_delivery("retried", "pull_request", body, 202)  # a later attempt got through
    # The first sweep may ask before the hook target is set (that attempt fails): ask again soon.
    backoff = RedeliveryBackoff(base=0.2)
    service = service_factory(settings, ledger_db, sweep_seconds=0.3, redelivery_backoff=backoff)
    # Stored here although GitHub saw a timeout: not to be redelivered.
    assert deliver(service.url, "installation", INSTALLATION_EVENT, "stored").status_code == 202
    state.log_delivery("stored", "installation", json.dumps(INSTALLATION_EVENT).encode(), 504)
    state.hook_target = (f"{service.url}/webhook", SECRET)
    wait_for(lambda: delivered(ledger_db, "lost"), timeout=30)
    time.sleep(1.0)  # a few more sweeps: nothing else is asked for
    guid_of = {d["id"]: d["guid"] for d in state.hook_deliveries}
    asked = [
        guid_of[int(path.split("/")[-2])]
        for method, path in state.requests
        if method == "POST" and path.endswith("/attempts")
    ]
    assert set(asked) == {"lost"} and str(lost) in str(state.requests)
    newest_lost = next(d for d in state.hook_deliveries if d["guid"] == "lost")
    assert newest_lost["status_code"] == 202 and newest_lost["redelivery"]
    assert "llm-assisted" in state.labels[(REPO, 42)]


def test_redelivery_requests_back_off_and_stop(
    github: GitHubDouble, ledger_db: str, service_factory: Any, tmp_path: Path
) -> None:
    settings = _app_settings(github, tmp_path)
    body = json.dumps({**seed_pull(github.state), "installation": {"id": 99}}).encode()
    state = github.state
    state.log_delivery("unreachable", "pull_request", body, 502)
    # No hook target: every redelivery GitHub attempts fails again, with a new attempt id.
    backoff = RedeliveryBackoff(base=0.3, ceiling=10, most=3)
    service_factory(settings, ledger_db, sweep_seconds=0.05, redelivery_backoff=backoff)

    def asked() -> list[float]:
        return [at for at, method, path in state.timed_requests
                if method == "POST" and path.endswith("/attempts")]  # fmt: skip

    wait_for(lambda: len(asked()) >= 3, timeout=30)
    time.sleep(1.5)  # thirty more sweeps: the delivery was asked for as often as allowed
    times = asked()
    assert len(times) == 3
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert gaps[0] >= 0.3 and gaps[1] >= 0.6  # the wait doubles
    assert len([d for d in state.hook_deliveries if d["guid"] == "unreachable"]) == 4


def test_the_backoff_memory_is_bounded() -> None:
    now = [0.0]
    backoff = RedeliveryBackoff(base=10, ceiling=40, most=4, size=3,
                                keep=timedelta(seconds=100), clock=lambda: now[0])  # fmt: skip
    backoff.requested("a")
    assert not backoff.due("a") and backoff.waiting("a")
    now[0] = 10
    assert backoff.due("a")
    for guid in "bcd":
        backoff.requested(guid)
    assert list(backoff.asked) == ["b", "c", "d"]  # the oldest went first
    backoff.requested("b")
    now[0] = 19.9
    assert not backoff.due("b")  # 10 s, then 20 s after the second request
    now[0] = 30
    assert backoff.due("b")
    now[0] = 111
    backoff.requested("e")
    assert list(backoff.asked) == ["e"]  # older than `keep`: forgotten
