"""
Fault injection under load: stop PostgreSQL for 15 s, then Redis for 15 s, then SIGKILL a
worker process while it holds a delivery, as signed deliveries keep arriving; then count, in the
database, what happened to every delivery.

    python benchmarks/service_faults.py [--rate 40] [--seconds 75] [--outage 15]

It runs its own PostgreSQL cluster (initdb into a temporary directory, on a free port) and its
own redis-server (no persistence, as the machine's), so stopping them disturbs nobody else;
`patchvet serve` (--lease-seconds 10, --sweep-seconds 2, --requeue-after 5) and one
`patchvet worker --concurrency 2` run against them and are never restarted or touched. The load
is closed pull requests (stored, claimed, settled without GitHub); before the kill, a few opened
pull requests are sent, one a second, to the GitHub double of the tests, which answers their
file lists after 4 s, and the pool process found connected to the double (inside a vetting)
is killed: it holds a delivery (and the rest of its claim). Pass criteria, printed at the end:
every delivery answered 2xx is processed exactly once (`completions = 1`, status done),
including the ones the killed process held (after their lease); every other one was answered
5xx (none timed out or had its connection dropped); each vetted pull request has one comment;
`/healthz` is 200 again after the last fault, with no manual action.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.github.conftest import REPO, seed_pull
from tests.github.double import GitHubDouble
from tests.service.conftest import children_of
from webhook_load import SECRET, closed_pull_request, free_port, sign

SLOW_PULLS = range(100, 104)
"""Pull requests vetted against the double, whose file lists take `SLOW_SECONDS`."""
SLOW_SECONDS = 4.0

PG_BIN = Path("/usr/lib/postgresql")


def _pg_tool(name: str) -> str:
    found = sorted(PG_BIN.glob(f"*/bin/{name}"))
    return str(found[-1]) if found else name


class PrivatePostgres:
    """A throwaway cluster; as root it runs as the `postgres` user, as initdb insists."""

    def __init__(self, root: Path) -> None:
        self.data = root / "pg"
        self.port = free_port()
        self.user: list[str] = []
        if os.geteuid() == 0:
            self.user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(root, "postgres")
            root.chmod(0o700)
        subprocess.run([*self.user, _pg_tool("initdb"), "-D", str(self.data), "-A", "trust",
                        "-U", "postgres", "--no-sync"], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        subprocess.run([*self.user, _pg_tool("pg_ctl"), "-D", str(self.data), "-o", options,
                        "-l", str(self.data / "log"), "-w", "start"], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip

    def stop(self) -> None:
        subprocess.run([*self.user, _pg_tool("pg_ctl"), "-D", str(self.data), "-m", "fast",
                        "-w", "stop"], check=True, stdout=subprocess.DEVNULL)  # fmt: skip


class PrivateRedis:
    """A redis-server on a free port, without persistence (a restart loses the queue)."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.root = root
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(0.5)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


async def _load(url: str, rate: float, seconds: float, answers: dict[str, str]) -> None:
    """Send deliveries at `rate` per second for `seconds`; record each answer."""
    body = closed_pull_request()
    signature = sign(body)
    # GitHub waits 10 s for an answer; waiting for a free client connection is not counted.
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    timeout = httpx.Timeout(10.0, pool=None)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:

        async def one(delivery: str) -> None:
            headers = {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": delivery,
                       "X-Hub-Signature-256": signature}  # fmt: skip
            try:
                answer = await client.post(f"{url}/webhook", content=body, headers=headers)
                answers[delivery] = str(answer.status_code)
            except httpx.HTTPError as error:
                answers[delivery] = type(error).__name__

        started = time.monotonic()
        tasks = []
        sent = 0
        while (elapsed := time.monotonic() - started) < seconds:
            while sent < elapsed * rate:
                tasks.append(asyncio.create_task(one(str(uuid.uuid4()))))
                sent += 1
            await asyncio.sleep(0.01)
        await asyncio.gather(*tasks)


async def _send_opened(
    url: str, numbers: range, answers: dict[str, str], held: dict[str, int]
) -> None:
    """One opened pull request a second: each is vetted against the slow double."""
    async with httpx.AsyncClient(timeout=10) as client:
        for number in numbers:
            event = seed_pull(_GITHUB.state, number)  # the double knows it; this is its event
            body = json.dumps(event).encode()
            delivery = f"vet-{number}-{uuid.uuid4()}"
            headers = {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": delivery,
                       "X-Hub-Signature-256": sign(body)}  # fmt: skip
            answer = await client.post(f"{url}/webhook", content=body, headers=headers)
            answers[delivery] = str(answer.status_code)
            held[delivery] = number
            await asyncio.sleep(1.0)


_GITHUB = GitHubDouble()


def _health(url: str) -> tuple[int, str]:
    try:
        answer = httpx.get(f"{url}/healthz", timeout=10)
    except httpx.HTTPError as error:
        return 0, type(error).__name__
    report = answer.json()
    return answer.status_code, f"database {report.get('database')}; queue {report.get('queue')}"


def _connected_to(pids: list[int], port: int) -> int | None:
    """The first of `pids` with an established TCP connection to 127.0.0.1:`port`."""
    sockets = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[2].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
            sockets.add(f"socket:[{fields[9]}]")
    for pid in pids:
        try:
            links = [str(fd.readlink()) for fd in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            continue
        if sockets.intersection(links):
            return pid
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=40.0, help="deliveries per second")
    parser.add_argument("--seconds", type=float, default=75.0)
    parser.add_argument("--outage", type=float, default=15.0)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="patchvet-faults-"))
    postgres, redis_server = PrivatePostgres(root), PrivateRedis(root)
    postgres.start()
    redis_server.start()
    import psycopg

    with psycopg.connect(postgres.url, autocommit=True) as admin:
        admin.execute("CREATE DATABASE patchvet_faults")
    db = postgres.url.rsplit("/", 1)[0] + "/patchvet_faults"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    _GITHUB.__enter__()
    for number in SLOW_PULLS:
        seed_pull(_GITHUB.state, number)
        _GITHUB.state.delay[f"/repos/{REPO}/pulls/{number}/files"] = SLOW_SECONDS
    env = {**os.environ, "PATCHVET_WEBHOOK_SECRET": SECRET, "PATCHVET_GITHUB_TOKEN": "unused",
           "PATCHVET_GITHUB_API_URL": _GITHUB.url}  # fmt: skip
    held: dict[str, int] = {}
    logs = root / "service.log"
    with logs.open("wb") as log:
        serve = subprocess.Popen(
            [sys.executable, "-m", "patchvet", "serve", "--port", str(port), "--db", db,
             "--queue", redis_server.url, "--lease-seconds", "10", "--sweep-seconds", "2",
             "--requeue-after", "5"], env=env, stdout=log, stderr=log,
        )  # fmt: skip
        worker = subprocess.Popen(
            [sys.executable, "-m", "patchvet", "worker", "--queue", redis_server.url, "--db", db,
             "--concurrency", "2"], env=env, stdout=log, stderr=log,
        )  # fmt: skip
        timeline: list[str] = []
        answers: dict[str, str] = {}
        try:
            deadline = time.monotonic() + 60
            while _health(url)[0] != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
            started = time.monotonic()

            def mark(what: str) -> None:
                timeline.append(f"{time.monotonic() - started:5.1f} s  {what}")

            async def scenario() -> None:
                load = asyncio.create_task(_load(url, args.rate, args.seconds, answers))
                steps = [
                    (10.0, "PostgreSQL stopped", postgres.stop),
                    (10.0 + args.outage, "PostgreSQL started", postgres.start),
                    (20.0 + args.outage, "Redis stopped", redis_server.stop),
                    (20.0 + 2 * args.outage, "Redis started", redis_server.start),
                    (25.0 + 2 * args.outage, "opened pull requests sent, one a second",
                     send_opened),
                    (25.0 + 2 * args.outage + 1.0,
                     "worker process SIGKILLed inside a vetting", kill_worker),
                ]  # fmt: skip
                slow: asyncio.Task[None] | None = None
                for at, what, action in steps:
                    await asyncio.sleep(max(0.0, at - (time.monotonic() - started)))
                    if action is send_opened:
                        slow = asyncio.create_task(_send_opened(url, SLOW_PULLS, answers, held))
                    else:
                        await asyncio.to_thread(action)
                    mark(what)
                    status, why = await asyncio.to_thread(_health, url)
                    mark(f"  /healthz {status}: {why}")
                await load
                if slow is not None:
                    await slow

            def send_opened() -> None:
                """Marks the step; `scenario` starts the sender task."""

            def kill_worker() -> None:
                """SIGKILL the pool process that is inside a vetting (talking to the double)."""
                port = int(_GITHUB.url.rsplit(":", 1)[1])
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    # `patchvet worker` supervises Celery's main process, whose children are
                    # the pool.
                    pool = [p for celery in children_of(worker.pid) for p in children_of(celery)]
                    holder = _connected_to(pool, port)
                    if holder is not None:
                        os.kill(holder, signal.SIGKILL)
                        return
                    time.sleep(0.05)
                raise RuntimeError("no worker process was inside a vetting within 60 s")

            asyncio.run(scenario())
            mark(f"load ended: {len(answers)} deliveries sent")
            acknowledged = [d for d, status in answers.items() if status.startswith("2")]
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                status, why = _health(url)
                with psycopg.connect(db) as check:
                    row = check.execute(
                        "SELECT COUNT(*) FROM deliveries WHERE status = 'done' "
                        "AND delivery_id = ANY(%s)", (acknowledged,),
                    ).fetchone()  # fmt: skip
                done = int(row[0]) if row else 0
                if status == 200 and done == len(acknowledged):
                    break
                time.sleep(1)
            mark(f"/healthz {status}: {why}; {done} of {len(acknowledged)} acknowledged done")
            with psycopg.connect(db) as check:
                rows = check.execute(
                    "SELECT delivery_id, status, completions, attempts FROM deliveries"
                ).fetchall()
        finally:
            for process in (serve, worker):
                process.send_signal(signal.SIGTERM)
            for process in (serve, worker):
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
            redis_server.stop()
            with contextlib.suppress(subprocess.CalledProcessError):
                postgres.stop()
    stored = {r[0]: (r[1], r[2], r[3]) for r in rows}
    outcome = Counter(
        "2xx" if s.startswith("2") else "5xx" if s.startswith("5") else s for s in answers.values()
    )
    once = sum(1 for d in acknowledged if stored.get(d, ("", 0, 0))[:2] == ("done", 1))
    vetted_once = sum(1 for d in held if stored.get(d, ("", 0, 0))[:2] == ("done", 1))
    vetted_again = sum(1 for d in held if stored.get(d, ("", 0, 0))[2] > 1)
    comments = [len(_GITHUB.state.comments[(REPO, n)]) for n in SLOW_PULLS]
    twice = sum(1 for d in acknowledged if stored.get(d, ("", 0, 0))[1] > 1)
    lost = sum(1 for d in acknowledged if d not in stored)
    retried = sum(1 for d in acknowledged if stored.get(d, ("", 0, 0))[2] > 1)
    refused_stored = sum(
        1 for d, s in answers.items() if s.startswith("5") and d in stored
    )  # fmt: skip
    print("\n".join(timeline))
    print(f"answers: {dict(outcome)}")
    print(f"acknowledged (2xx): {len(acknowledged)}; processed exactly once: {once}; "
          f"more than once: {twice}; lost: {lost}; needed a second attempt: {retried}")  # fmt: skip
    print(f"vetted pull requests: {len(held)} acknowledged, {vetted_once} processed exactly "
          f"once, {vetted_again} of them after the killed process's lease; comments per pull "
          f"request: {comments}")  # fmt: skip
    print(f"refused (5xx) but stored anyway (processed, GitHub would redeliver a duplicate): "
          f"{refused_stored}")  # fmt: skip
    print(json.dumps({"answers": dict(outcome), "acknowledged": len(acknowledged), "once": once,
                      "twice": twice, "lost": lost, "retried": retried,
                      "vetted": len(held), "vetted_once": vetted_once,
                      "vetted_after_kill": vetted_again, "comments": comments}))  # fmt: skip
    shutil.copy(logs, Path(tempfile.gettempdir()) / "patchvet-faults-service.log")
    shutil.rmtree(root, ignore_errors=True)
    ok = (once == len(acknowledged) and set(outcome) <= {"2xx", "5xx"} and status == 200
          and vetted_once == len(held) and vetted_again >= 1 and set(comments) == {1})  # fmt: skip
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
