"""
Webhook intake under concurrency, on both engines: every 202 is for a delivery already stored,
a delivery id sent twice at once is stored once and answered once as new, and payloads are
stored byte for byte whatever characters they hold.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from patchvet.ledger import open_ledger
from tests.github.double import GitHubDouble
from tests.ledger.conftest import _postgres_database
from tests.service.conftest import settings_for, sign

AWKWARD = 'quotes " and \\ backslashes, {braces}, commas, NULL, \u00e9t\u00e9 \U0001f600 \\u0000'


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_db(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A fresh ledger URL on each engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'intake.db'}"
        return
    yield from _postgres_database()


async def _deliver_all(url: str, deliveries: list[tuple[str, bytes]]) -> list[httpx.Response]:
    async with httpx.AsyncClient(timeout=30) as client:
        return await asyncio.gather(
            *(
                client.post(
                    f"{url}/webhook",
                    content=body,
                    headers={
                        "X-GitHub-Event": "ping",
                        "X-GitHub-Delivery": delivery,
                        "X-Hub-Signature-256": sign(body),
                    },
                )
                for delivery, body in deliveries
            )
        )


def test_concurrent_deliveries_are_stored_before_their_202_and_once(
    github: GitHubDouble, engine_db: str, service_factory: Any
) -> None:
    service = service_factory(settings_for(github.url), engine_db, run_worker=False)
    deliveries = [(f"d-{n}", json.dumps({"zen": AWKWARD, "n": n}).encode()) for n in range(60)] + [
        ("d-7", json.dumps({"zen": "again", "n": 7}).encode())
    ] * 4
    answers = asyncio.run(_deliver_all(service.url, deliveries))

    assert [a.status_code for a in answers] == [202] * len(deliveries)
    statuses = [(a.json()["delivery"], a.json()["status"]) for a in answers]
    assert sum(1 for delivery, status in statuses if status == "queued") == 60
    assert sorted(status for delivery, status in statuses if delivery == "d-7") == (
        ["duplicate"] * 4 + ["queued"]
    )
    ledger = open_ledger(engine_db)
    try:
        stored = dict(ledger.execute("SELECT delivery_id, payload FROM deliveries").fetchall())
    finally:
        ledger.close()
    assert set(stored) == {f"d-{n}" for n in range(60)}
    for n in range(60):
        if n != 7:
            assert json.loads(stored[f"d-{n}"]) == {"zen": AWKWARD, "n": n}
