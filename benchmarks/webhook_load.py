"""
Load `POST /webhook` of a running `patchvet serve` and report intake latency and processing rate.

    python benchmarks/webhook_load.py                      # SQLite ledger, in-process worker
    python benchmarks/webhook_load.py --postgres postgresql://postgres@127.0.0.1/postgres \\
        --redis redis://127.0.0.1:6379/5 --workers 1 2 4 --connections 4 8 16

Each run starts `patchvet serve` on a free loopback port with a fresh ledger (a new PostgreSQL
database, dropped afterwards, or a temporary SQLite file) and, with `--redis`, one
`patchvet worker --concurrency N` (N worker processes). It sends signed `pull_request`
deliveries shaped like GitHub's (closed pull requests: the worker claims, reads and settles each
one without calling GitHub, so the figure is the service's own cost per delivery), measures the
time to each 202, and waits until the database says every delivery is done. Processed per
second is deliveries / (first request to last delivery done). Then it checks in the database
that every acknowledged delivery was processed exactly once (`completions = 1`), and reports the
CPU spent per delivery by the web process and by the workers, and PostgreSQL commits per
delivery: the inputs of the capacity note in docs/reliability.md.

`--backlog` measures what the workers alone can do, which the runs above cannot show once one
worker keeps up with intake: for each worker count it warms the service up, stops the worker,
queues the deliveries (16 connections), starts `patchvet worker --concurrency N` again and
times the drain from the first delivery it finishes to the last (polled every 10 ms, so the
worker's own start-up is not counted), then checks exactly-once as above.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from patchvet.ledger import SqlLedger, open_ledger

SECRET = "benchmark-secret"
PAYLOAD = (
    Path(__file__).resolve().parents[1] / "tests" / "assets" / "github" / "pull_request.opened.json"
)
WARM_UP = 200
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def closed_pull_request() -> bytes:
    """A real `pull_request` payload with action `closed`: stored, claimed, settled."""
    event = json.loads(PAYLOAD.read_text())
    event["action"] = "closed"
    return json.dumps(event).encode()


def sign(body: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


async def _post_loop(
    host: str, port: int, requests: list[tuple[str, bytes]], latencies: list[float]
) -> None:
    """One keep-alive HTTP/1.1 connection: POST each prepared request, read each answer."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while requests:
            delivery, request = requests.pop()
            started = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            answer = await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            status = int(status_line.split()[1])
            if status != 202:
                raise RuntimeError(f"delivery {delivery}: {status} {answer[:200]!r}")
    finally:
        writer.close()


async def send(url: str, ids: list[str], connections: int, body: bytes) -> list[float]:
    """
    POST one delivery per id over `connections` keep-alive connections; the time to each 202.

    The requests are prepared bytes on raw connections: a full HTTP client costs about as much
    CPU per request as the service's intake, and on a 2-core machine the load generator would
    take that CPU from the service it measures (GitHub's senders are not on our machine).
    """
    host, port = url.removeprefix("http://").split(":")
    signature = sign(body)
    requests = [
        (delivery, (
            f"POST /webhook HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"User-Agent: GitHub-Hookshot/benchmark\r\nContent-Type: application/json\r\n"
            f"X-GitHub-Event: pull_request\r\nX-GitHub-Delivery: {delivery}\r\n"
            f"X-Hub-Signature-256: {signature}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body)
        for delivery in reversed(ids)
    ]  # fmt: skip
    latencies: list[float] = []
    await asyncio.gather(
        *(_post_loop(host, int(port), requests, latencies) for _ in range(connections))
    )
    return latencies


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and all its live descendants."""
    parent: dict[int, int] = {}
    used: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        proc = int(stat.parent.name)
        parent[proc] = int(fields[1])
        used[proc] = (int(fields[11]) + int(fields[12])) / TICKS
    total = 0.0
    for proc, seconds in used.items():
        ancestor = proc
        while ancestor not in (pid, 0, 1) and ancestor in parent:
            ancestor = parent[ancestor]
        if ancestor == pid:
            total += seconds
    return total


def database_cpu_seconds(db: str) -> float:
    """CPU of the PostgreSQL backends connected to this run's database (found by their title)."""
    name = db.rsplit("/", 1)[-1].encode()
    total = 0.0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if (
                not cmdline.read_bytes().startswith(b"postgres: ")
                or name not in cmdline.read_bytes()
            ):
                continue
            fields = (cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


@contextmanager
def fresh_database(postgres: str | None) -> Iterator[str]:
    """A new PostgreSQL database (dropped afterwards), or a temporary SQLite ledger."""
    if postgres is None:
        with tempfile.TemporaryDirectory(prefix="patchvet-load-") as raw:
            yield f"sqlite:///{Path(raw) / 'ledger.db'}"
        return
    import psycopg

    name = f"patchvet_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield postgres.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(postgres, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} never became healthy")


_POLLERS: dict[str, SqlLedger] = {}


def done_count(db: str) -> int:
    """Deliveries done, on one connection kept for the run (opening a ledger migrates it)."""
    ledger = _POLLERS.get(db)
    if ledger is None:
        ledger = _POLLERS[db] = open_ledger(db)
    row = ledger.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'done'").fetchone()
    return int(row[0])


def close_poller(db: str) -> None:
    ledger = _POLLERS.pop(db, None)
    if ledger is not None:
        ledger.close()


def commits(db: str) -> int:
    if not db.startswith("postgresql"):
        return 0
    ledger = open_ledger(db)
    try:
        return int(
            ledger.execute(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
            ).fetchone()[0]
        )
    finally:
        ledger.close()


def wait_processed(db: str, total: int, timeout: float) -> float:
    """Poll until `total` deliveries are done; the moment they were."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if done_count(db) >= total:
            return time.perf_counter()
        time.sleep(0.1)
    raise RuntimeError(f"only {done_count(db)} of {total} processed in {timeout:.0f} s")


def completions(db: str) -> tuple[int, int]:
    """Deliveries done exactly once, and deliveries processed more than once."""
    ledger = open_ledger(db)
    try:
        once, more = ledger.execute(
            "SELECT COUNT(*) FILTER (WHERE completions = 1 AND status = 'done'), "
            "COUNT(*) FILTER (WHERE completions > 1) FROM deliveries"
        ).fetchone()
    finally:
        ledger.close()
    return int(once), int(more)


@dataclass(frozen=True)
class Result:
    workers: int
    connections: int
    deliveries: int
    intake_per_s: float
    processed_per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    exactly_once: int
    more_than_once: int
    web_cpu_ms: float
    worker_cpu_ms: float
    database_cpu_ms: float
    commits_per_delivery: float
    load: float


def run(args: argparse.Namespace, workers: int, connections: int) -> Result:
    body = closed_pull_request()
    env = _service_env()
    with fresh_database(args.postgres) as db:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        serve = [sys.executable, "-m", "patchvet", "serve", "--port", str(port), "--db", db]
        processes: list[subprocess.Popen[bytes]] = []
        if args.redis:
            import redis

            redis.Redis.from_url(args.redis).flushdb()
            serve += ["--queue", args.redis]
            processes.append(_worker(args, db, workers, env))
        server = subprocess.Popen(serve, env=env, stderr=subprocess.DEVNULL)
        processes.append(server)
        try:
            _warm_up(url, db, connections, body, args.timeout)
            ids = [str(uuid.uuid4()) for _ in range(args.deliveries)]
            cpu_db = database_cpu_seconds(db)
            cpu_web, cpu_workers = (
                cpu_seconds(server.pid),
                sum(cpu_seconds(p.pid) for p in processes[:-1]),
            )
            commits_before = commits(db)
            load = os.getloadavg()[0]
            started = time.perf_counter()
            latencies = asyncio.run(send(url, ids, connections, body))
            acked = time.perf_counter()
            finished = wait_processed(db, WARM_UP + args.deliveries, args.timeout)
            cpu_db = database_cpu_seconds(db) - cpu_db
            cpu_web = cpu_seconds(server.pid) - cpu_web
            cpu_workers = sum(cpu_seconds(p.pid) for p in processes[:-1]) - cpu_workers
            commit_count = commits(db) - commits_before
        finally:
            close_poller(db)
            for process in processes:
                _stop(process)
        once, more = completions(db)
    latencies.sort()
    n = args.deliveries
    return Result(
        workers, connections, n, n / (acked - started), n / (finished - started),
        latencies[n // 2] * 1000, latencies[int(n * 0.99)] * 1000, latencies[-1] * 1000,
        once, more, cpu_web * 1000 / n, cpu_workers * 1000 / n, cpu_db * 1000 / n,
        commit_count / n, load,
    )  # fmt: skip


def _service_env() -> dict[str, str]:
    """The service's settings: the benchmark's secret, and a GitHub no call should reach."""
    return {**os.environ, "PATCHVET_WEBHOOK_SECRET": SECRET, "PATCHVET_GITHUB_TOKEN": "unused",
            "PATCHVET_GITHUB_API_URL": "http://127.0.0.1:9"}  # fmt: skip


def _warm_up(url: str, db: str, connections: int, body: bytes, timeout: float) -> None:
    """Wait for the service, then send and process WARM_UP deliveries before anything is timed."""
    wait_healthy(url)
    asyncio.run(send(url, [f"warm-{uuid.uuid4()}" for _ in range(WARM_UP)], connections, body))
    wait_processed(db, WARM_UP, timeout)


def _worker(
    args: argparse.Namespace, db: str, workers: int, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "patchvet", "worker", "--queue", args.redis, "--db", db,
         "--concurrency", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@dataclass(frozen=True)
class Drain:
    workers: int
    deliveries: int
    drained_per_s: float
    worker_cpu_ms: float
    exactly_once: int
    more_than_once: int
    load: float


def drain(args: argparse.Namespace, workers: int) -> Drain:
    """Queue `args.deliveries` with no worker running, then time N worker processes drain them."""
    body = closed_pull_request()
    env = _service_env()
    import redis

    redis.Redis.from_url(args.redis).flushdb()
    with fresh_database(args.postgres) as db:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "patchvet", "serve", "--port", str(port), "--db", db,
             "--queue", args.redis],
            env=env, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        worker = _worker(args, db, workers, env)
        try:
            _warm_up(url, db, 16, body, args.timeout)
            _stop(worker)
            n = args.deliveries
            asyncio.run(send(url, [str(uuid.uuid4()) for _ in range(n)], 16, body))
            load = os.getloadavg()[0]
            worker = _worker(args, db, workers, env)
            deadline = time.perf_counter() + args.timeout
            first_at, first_count, first_cpu = 0.0, WARM_UP, 0.0
            while (count := done_count(db)) < WARM_UP + n:
                if count > WARM_UP and not first_at:
                    first_at, first_count = time.perf_counter(), count
                    first_cpu = cpu_seconds(worker.pid)  # the worker's start-up left out
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"only {count - WARM_UP} of {n} drained")
                time.sleep(0.01)
            finished = time.perf_counter()
            cpu_workers = cpu_seconds(worker.pid) - first_cpu
        finally:
            close_poller(db)
            _stop(worker)
            _stop(server)
        once, more = completions(db)
    drained = WARM_UP + n - first_count
    return Drain(workers, n, drained / (finished - first_at), cpu_workers * 1000 / drained,
                 once, more, load)  # fmt: skip


def _report(args: argparse.Namespace, row: str, outcome: Result | Drain) -> bool:
    """Print a run's table row (and its JSON line with --json); whether it was exactly once."""
    print(row, flush=True)
    if args.json:
        with args.json.open("a") as out:
            out.write(json.dumps(outcome.__dict__) + "\n")
    return outcome.exactly_once == WARM_UP + outcome.deliveries and outcome.more_than_once == 0


def main() -> int:
    """Run every combination, print a Markdown table (and JSON lines with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=3200)
    parser.add_argument("--connections", type=int, nargs="+", default=[4, 8, 16])
    parser.add_argument("--workers", type=int, nargs="+", default=[1],
                        help="worker processes (with --redis)")  # fmt: skip
    parser.add_argument("--postgres", metavar="URL", help="admin URL; each run gets a new database")
    parser.add_argument("--redis", metavar="URL", help="queue deliveries to Celery workers")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--json", type=Path, help="append one JSON line per run to this file")
    parser.add_argument("--backlog", action="store_true",
                        help="time the workers draining a backlog (needs --redis)")  # fmt: skip
    args = parser.parse_args()
    if args.backlog:
        if not args.redis:
            parser.error("--backlog needs --redis")
        print(
            "| worker processes | backlog | drained/s | worker CPU/delivery | exactly once | load |"
        )
        print("|---|---|---|---|---|---|")
        failed = False
        for workers in args.workers:
            d = drain(args, workers)
            row = (f"| {d.workers} | {d.deliveries} | **{d.drained_per_s:.0f}** "
                   f"| {d.worker_cpu_ms:.2f} ms | {d.exactly_once}/{WARM_UP + d.deliveries} "
                   f"| {d.load:.1f} |")  # fmt: skip
            failed |= not _report(args, row, d)
        return 1 if failed else 0
    print(
        "| workers | connections | intake/s | processed/s | p50 ack | p99 ack | max ack "
        "| exactly once | web CPU/delivery | worker CPU/delivery | PostgreSQL CPU/delivery "
        "| commits/delivery | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    failed = False
    for workers in args.workers:
        for connections in args.connections:
            r = run(args, workers, connections)
            row = (f"| {r.workers} | {r.connections} | {r.intake_per_s:.0f} "
                   f"| **{r.processed_per_s:.0f}** | {r.p50_ms:.1f} ms | {r.p99_ms:.1f} ms "
                   f"| {r.max_ms:.0f} ms | {r.exactly_once}/{WARM_UP + r.deliveries} "
                   f"| {r.web_cpu_ms:.2f} ms | {r.worker_cpu_ms:.2f} ms "
                   f"| {r.database_cpu_ms:.2f} ms "
                   f"| {r.commits_per_delivery:.2f} | {r.load:.1f} |")  # fmt: skip
            failed |= not _report(args, row, r)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
