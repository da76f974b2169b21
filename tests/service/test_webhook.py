from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from patchvet.ledger import open_ledger
from patchvet.service.settings import Settings
from tests.github.conftest import REPO, seed_pull
from tests.github.double import GitHubDouble
from tests.service.conftest import SECRET, deliver, delivered, free_port, settings_for, wait_for


def test_signed_pull_request_in_labels_and_comment_out(
    github: GitHubDouble, ledger_db: str, service_factory: Any
) -> None:
    payload = seed_pull(github.state)
    service = service_factory(settings_for(github.url), ledger_db)
    answer = deliver(service.url, "pull_request", payload, delivery="d-1")
    assert answer.status_code == 202 and answer.json()["status"] == "queued"
    wait_for(lambda: delivered(ledger_db, "d-1"))
    assert "llm-assisted" in github.state.labels[(REPO, 42)]
    assert len(github.state.comments[(REPO, 42)]) == 1
    ledger = open_ledger(ledger_db)
    recorded = ledger.execute("SELECT project, verdict FROM contributions").fetchall()
    ledger.close()
    assert [tuple(r) for r in recorded] == [(REPO, "hold")]


def test_bad_or_missing_signature_is_rejected_before_parsing(
    github: GitHubDouble, ledger_db: str, service_factory: Any
) -> None:
    service = service_factory(settings_for(github.url), ledger_db, run_worker=False)
    assert deliver(service.url, "pull_request", {"x": 1}, signature=None).status_code == 401
    assert deliver(service.url, "pull_request", {"x": 1}, signature="sha256=00").status_code == 401
    garbage = httpx.post(
        f"{service.url}/webhook",
        content=b"\x00not json",
        headers={
            "X-Hub-Signature-256": "sha256=bad",
            "X-GitHub-Event": "x",
            "X-GitHub-Delivery": "g",
        },
    )
    assert garbage.status_code == 401
    ledger = open_ledger(ledger_db)
    assert ledger.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0] == 0
    ledger.close()


def test_redelivery_is_processed_once(
    github: GitHubDouble, ledger_db: str, service_factory: Any
) -> None:
    payload = seed_pull(github.state)
    service = service_factory(settings_for(github.url), ledger_db)
    first = deliver(service.url, "pull_request", payload, delivery="same")
    second = deliver(service.url, "pull_request", payload, delivery="same")
    assert (first.json()["status"], second.json()["status"]) == ("queued", "duplicate")
    wait_for(lambda: delivered(ledger_db, "same"))
    time.sleep(0.5)
    comment_posts = [p for m, p in github.state.requests if m == "POST" and p.endswith("/comments")]
    assert len(comment_posts) == 1


def test_review_by_an_agent_is_reported(
    github: GitHubDouble, ledger_db: str, service_factory: Any
) -> None:
    payload = seed_pull(github.state)
    github.state.reviews[(REPO, 42)] = [
        {
            "id": 1,
            "state": "APPROVED",
            "user": {"login": "devin-ai-integration[bot]", "id": 158243242, "type": "Bot"},
        }
    ]
    review_event = {
        **payload,
        "action": "submitted",
        "review": {
            "id": 1,
            "state": "approved",
            "user": {"login": "devin-ai-integration[bot]", "id": 158243242},
        },
    }
    service = service_factory(settings_for(github.url), ledger_db)
    deliver(service.url, "pull_request_review", review_event, delivery="r-1")
    wait_for(lambda: delivered(ledger_db, "r-1"))
    [comment] = github.state.comments[(REPO, 42)]
    assert "review/agent\\-approval" in comment["body"]


def test_installation_events_are_accepted(
    github: GitHubDouble, ledger_db: str, service_factory: Any
) -> None:
    service = service_factory(settings_for(github.url), ledger_db)
    event = {"action": "created", "installation": {"id": 7}, "repositories": []}
    deliver(service.url, "installation", event, delivery="i-1")
    wait_for(lambda: delivered(ledger_db, "i-1"))


def test_healthz(github: GitHubDouble, ledger_db: str, service_factory: Any) -> None:
    service = service_factory(settings_for(github.url), ledger_db, run_worker=False)
    report = httpx.get(f"{service.url}/healthz").json()
    assert report["database"] == "ok" and report["queue"] == "in-process"
    broken = service_factory(settings_for(github.url), ledger_db, queue_url="redis://127.0.0.1:1/0")
    answer = httpx.get(f"{broken.url}/healthz", timeout=30)
    assert answer.status_code == 503 and answer.json()["queue"].startswith("error")


def test_app_installation_tokens(
    github: GitHubDouble, ledger_db: str, service_factory: Any, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    github.state.app_public_key = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    key_file = tmp_path / "app.pem"
    key_file.write_text(pem)
    settings = Settings.from_env(
        {
            "PATCHVET_WEBHOOK_SECRET": SECRET,
            "PATCHVET_GITHUB_APP_ID": github.state.app_id,
            "PATCHVET_GITHUB_PRIVATE_KEY": str(key_file),
            "PATCHVET_GITHUB_API_URL": github.url,
        }
    )
    payload = {**seed_pull(github.state), "installation": {"id": 99}}
    service = service_factory(settings, ledger_db)
    deliver(service.url, "pull_request", payload, delivery="app-1")
    wait_for(lambda: delivered(ledger_db, "app-1"))
    assert ("POST", "/app/installations/99/access_tokens") in github.state.requests


def test_settings_need_a_secret_and_credentials() -> None:
    from patchvet.errors import ConfigError

    with pytest.raises(ConfigError, match="PATCHVET_WEBHOOK_SECRET"):
        Settings.from_env({})
    with pytest.raises(ConfigError, match="no GitHub credentials"):
        Settings.from_env({"PATCHVET_WEBHOOK_SECRET": "s"})


def test_killed_service_finishes_the_job_after_restart(
    github: GitHubDouble, ledger_db: str, tmp_path: Path
) -> None:
    payload = seed_pull(github.state)
    slow = github.state
    slow.delay = {f"/repos/{REPO}/pulls/42/files": 30.0}
    port = free_port()
    env = {
        "PATCHVET_WEBHOOK_SECRET": SECRET,
        "PATCHVET_GITHUB_TOKEN": "t",
        "PATCHVET_GITHUB_API_URL": github.url,
        "PATH": "/usr/bin:/bin",
    }
    command = [
        sys.executable,
        "-m",
        "patchvet",
        "serve",
        "--port",
        str(port),
        "--db",
        ledger_db,
        "--lease-seconds",
        "1",
        "--sweep-seconds",
        "0.5",
    ]
    first = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: _healthy(url))
    deliver(url, "pull_request", payload, delivery="k-1")
    wait_for(lambda: any(p.endswith("/files") for _, p in github.state.requests))
    first.send_signal(signal.SIGKILL)  # mid-job: the files request is still being answered
    first.wait()
    assert not delivered(ledger_db, "k-1")
    slow.delay = {}
    second = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: delivered(ledger_db, "k-1"), timeout=30)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)
    assert len(github.state.comments[(REPO, 42)]) == 1


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_a_pull_request_whose_files_cannot_be_read_is_held_as_incomplete(
    github: GitHubDouble, ledger_db: str, service_factory: Any
) -> None:
    payload = seed_pull(github.state)
    github.state.fail(f"/repos/{REPO}/pulls/42/files", 403)  # final: not retried
    github.state.commits[(REPO, 42)] = [{"sha": ["not", "a", "sha"]}]  # not GitHub's shape
    service = service_factory(settings_for(github.url), ledger_db)
    assert deliver(service.url, "pull_request", payload, delivery="d-unread").status_code == 202
    wait_for(lambda: delivered(ledger_db, "d-unread"))  # done, not failed or retried
    [comment] = github.state.comments[(REPO, 42)]
    text = comment["body"]
    assert "analysis/incomplete" in text
    assert "could not read the pull request's files" in text and "403" in text
    assert "could not read the pull request's commits" in text
    ledger = open_ledger(ledger_db)
    verdicts = ledger.execute("SELECT verdict FROM contributions").fetchall()
    row = ledger.execute("SELECT error, attempts, completions FROM deliveries").fetchone()
    ledger.close()
    assert [tuple(v) for v in verdicts] == [("hold",)]
    assert tuple(row) == (None, 1, 1)
