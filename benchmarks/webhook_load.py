"""
Load `POST /webhook` of a running `patchvet serve` and report throughput and latency.

    python benchmarks/webhook_load.py [--deliveries 3000] [--concurrency 16]

It starts `patchvet serve` on a free loopback port with a fresh SQLite ledger, sends signed
`pull_request` deliveries shaped like GitHub's (closed PRs, which the worker acknowledges and
skips, so processing does not compete with intake for long), measures the time to each 202,
then checks that every delivery was stored exactly once. Target: >= 300 deliveries/s, p99 <= 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from patchvet.ledger import open_ledger

SECRET = "benchmark-secret"
PAYLOAD = (
    Path(__file__).resolve().parents[1] / "tests" / "assets" / "github" / "pull_request.opened.json"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _load(url: str, total: int, concurrency: int, body: bytes) -> list[float]:
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    latencies: list[float] = []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for _ in range(total):
        queue.put_nowait(str(uuid.uuid4()))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:

        async def worker() -> None:
            while not queue.empty():
                delivery = queue.get_nowait()
                headers = {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": delivery,
                           "X-Hub-Signature-256": signature,
                           "Content-Type": "application/json"}  # fmt: skip
                started = time.perf_counter()
                answer = await client.post(f"{url}/webhook", content=body, headers=headers)
                latencies.append(time.perf_counter() - started)
                if answer.status_code != 202:
                    raise RuntimeError(f"delivery {delivery}: {answer.status_code}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def main() -> int:
    """Start the service, load it, verify, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    event = json.loads(PAYLOAD.read_text())
    event["action"] = "closed"
    body = json.dumps(event).encode()
    with tempfile.TemporaryDirectory(prefix="patchvet-load-") as raw:
        db = f"sqlite:///{Path(raw) / 'ledger.db'}"
        port = _free_port()
        env = {
            **os.environ,
            "PATCHVET_WEBHOOK_SECRET": SECRET,
            "PATCHVET_GITHUB_TOKEN": "unused",
            "PATCHVET_GITHUB_API_URL": "http://127.0.0.1:9",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "patchvet", "serve", "--port", str(port), "--db", db],
            env=env, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.05)
            asyncio.run(_load(url, 200, args.concurrency, body))  # warm-up, not measured
            started = time.perf_counter()
            latencies = asyncio.run(_load(url, args.deliveries, args.concurrency, body))
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
        ledger = open_ledger(db)
        stored = ledger.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]
        ledger.close()
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    print(f"deliveries:   {args.deliveries} (+200 warm-up), concurrency {args.concurrency}")
    print(f"throughput:   {args.deliveries / elapsed:.0f} deliveries/s")
    print(f"latency:      p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
    print(f"stored:       {stored} of {args.deliveries + 200}")
    return 0 if stored == args.deliveries + 200 else 1


if __name__ == "__main__":
    sys.exit(main())
