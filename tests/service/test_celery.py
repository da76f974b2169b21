"""The Celery path with the machine's real Redis: web process queues, `patchvet worker` works."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

import pytest

from patchvet.ledger import open_ledger
from tests.github.conftest import REPO, seed_pull
from tests.github.double import GitHubDouble
from tests.service.conftest import (
    SECRET,
    children_of,
    deliver,
    delivered,
    settings_for,
    wait_for,
)

REDIS = os.environ.get("PATCHVET_TEST_REDIS", "redis://127.0.0.1:6379/9")


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).flushdb()
    except redis.RedisError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS}: {error}")


def _worker(redis_url: str, ledger_db: str, github: GitHubDouble) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PATCHVET_WEBHOOK_SECRET": SECRET,
        "PATCHVET_GITHUB_TOKEN": "t",
        "PATCHVET_GITHUB_API_URL": github.url,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "patchvet", "worker", "--queue", redis_url, "--db", ledger_db,
         "--concurrency", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _stop(worker: subprocess.Popen[bytes]) -> None:
    """Warm shutdown; a worker slow to wind down on a loaded machine is killed, not waited on."""
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=10)


def test_queue_messages_lost_in_a_redis_restart_are_sent_again(
    github: GitHubDouble, ledger_db: str, service_factory: Any
) -> None:
    import redis

    _redis_or_skip()
    service = service_factory(settings_for(github.url), ledger_db, queue_url=REDIS,
                              sweep_seconds=0.5, requeue_after=1.0)  # fmt: skip
    event = {"action": "created", "installation": {"id": 7}, "repositories": []}
    for n in range(5):
        assert deliver(service.url, "installation", event, delivery=f"lost-{n}").status_code == 202
    redis.Redis.from_url(REDIS).flushdb()  # what a Redis restart without persistence does
    worker = _worker(REDIS, ledger_db, github)
    try:
        for n in range(5):
            wait_for(lambda n=n: delivered(ledger_db, f"lost-{n}"), timeout=60)
    finally:
        _stop(worker)


def test_deliveries_flow_through_redis_to_a_worker(
    github: GitHubDouble, ledger_db: str, service_factory: Any
) -> None:
    _redis_or_skip()
    payload = seed_pull(github.state)
    env = {
        **os.environ,
        "PATCHVET_WEBHOOK_SECRET": SECRET,
        "PATCHVET_GITHUB_TOKEN": "t",
        "PATCHVET_GITHUB_API_URL": github.url,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "patchvet",
            "worker",
            "--queue",
            REDIS,
            "--db",
            ledger_db,
            "--concurrency",
            "1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Quick sweeps: a message taken by another test run's worker on the same Redis is sent
        # again, as after any lost message.
        service = service_factory(settings_for(github.url), ledger_db, queue_url=REDIS,
                                  sweep_seconds=0.5, requeue_after=2.0)  # fmt: skip
        answers = [
            deliver(service.url, "pull_request", payload, delivery=f"c-{n}") for n in range(3)
        ]
        assert all(a.status_code == 202 for a in answers)
        for n in range(3):
            wait_for(lambda n=n: delivered(ledger_db, f"c-{n}"), timeout=60)
        assert len(github.state.comments[(REPO, 42)]) == 1  # edited in place, three times
    finally:
        _stop(worker)


def test_the_worker_starts_celery_again_when_it_dies(
    github: GitHubDouble, ledger_db: str, service_factory: Any
) -> None:
    _redis_or_skip()
    worker = _worker(REDIS, ledger_db, github)
    try:
        service = service_factory(settings_for(github.url), ledger_db, queue_url=REDIS,
                                  sweep_seconds=0.5, requeue_after=2.0)  # fmt: skip
        event = {"action": "created", "installation": {"id": 7}, "repositories": []}
        assert deliver(service.url, "installation", event, delivery="before").status_code == 202
        wait_for(lambda: delivered(ledger_db, "before"), timeout=60)
        [celery] = children_of(worker.pid)
        # As when Celery ends itself ("Unrecoverable error" on a lost Redis connection).
        os.kill(celery, signal.SIGKILL)
        wait_for(lambda: children_of(worker.pid) not in ([], [celery]), timeout=30)
        assert deliver(service.url, "installation", event, delivery="after").status_code == 202
        wait_for(lambda: delivered(ledger_db, "after"), timeout=60)
        assert worker.poll() is None
    finally:
        _stop(worker)
    assert worker.returncode == 0  # SIGTERM reached Celery: a warm shutdown, not a restart


def test_a_pool_process_killed_holding_a_delivery_has_it_done_once_after_its_lease(
    github: GitHubDouble, ledger_db: str, service_factory: Any
) -> None:
    _redis_or_skip()
    payload = seed_pull(github.state)
    files = f"/repos/{REPO}/pulls/42/files"
    github.state.delay[files] = 3.0  # the vetting is inside this call when the process dies
    worker = _worker(REDIS, ledger_db, github)
    try:
        service = service_factory(settings_for(github.url), ledger_db, queue_url=REDIS,
                                  sweep_seconds=0.5, lease_seconds=8.0)  # fmt: skip
        assert deliver(service.url, "pull_request", payload, delivery="held").status_code == 202
        wait_for(lambda: ("GET", files) in github.state.requests, timeout=60)
        pool = [p for celery in children_of(worker.pid) for p in children_of(celery)]
        assert pool
        for process in pool:
            os.kill(process, signal.SIGKILL)
        wait_for(lambda: delivered(ledger_db, "held"), timeout=90)
        ledger = open_ledger(ledger_db)
        row = ledger.execute(
            "SELECT attempts, completions FROM deliveries WHERE delivery_id = 'held'"
        ).fetchone()
        ledger.close()
        assert tuple(row) == (2, 1)  # taken over after the lease, processed to its end once
        assert len(github.state.comments[(REPO, 42)]) == 1
    finally:
        _stop(worker)
