"""The delivery store on both engines: batched intake and claims, fencing, lapsed leases."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from patchvet.service.database import Database
from patchvet.service.deliveries import MAX_ATTEMPTS, DeliveryStore
from patchvet.service.settings import Credentials
from patchvet.service.worker import CLAIM_BATCH, work
from tests.ledger.conftest import _postgres_database
from tests.service.conftest import settings_for


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A service database on each engine."""
    if request.param == "sqlite":
        opened = Database(f"sqlite:///{tmp_path / 'ledger.db'}")
        yield opened
        opened.close()
        return
    for url in _postgres_database():
        opened = Database(url, size=4)
        yield opened
        opened.close()


def _completions(database: Database) -> dict[str, tuple[str, int]]:
    with database.ledger() as ledger:
        rows = ledger.execute("SELECT delivery_id, status, completions FROM deliveries").fetchall()
    return {str(r[0]): (str(r[1]), int(r[2])) for r in rows}


def test_intake_is_one_statement_and_duplicates_are_not_new(database: Database) -> None:
    with database.ledger() as ledger:
        store = DeliveryStore(ledger)
        assert store.add_many([("a", "ping", "{}"), ("b", "ping", "{}"), ("a", "ping", "{}")]) == {
            "a",
            "b",
        }
        assert store.add_many([("b", "ping", "{}"), ("c", "ping", "{}")]) == {"c"}
        assert store.counts() == {"pending": 3}


def test_claims_are_batched_disjoint_and_fenced(database: Database) -> None:
    with database.ledger() as ledger:
        DeliveryStore(ledger).add_many([(f"d{n}", "ping", "{}") for n in range(40)])
    claimed: list[list[str]] = []

    def claimer() -> None:
        with database.ledger() as ledger:
            store = DeliveryStore(ledger)
            while batch := store.claim(limit=3):
                claimed.append([d.delivery_id for d in batch])
                for delivery in batch:
                    store.finish(delivery)

    threads = [threading.Thread(target=claimer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    everyone = [delivery for batch in claimed for delivery in batch]
    assert sorted(everyone) == sorted(f"d{n}" for n in range(40))  # each claimed exactly once
    assert all(len(batch) <= 3 for batch in claimed)
    assert set(_completions(database).values()) == {("done", 1)}


def test_a_lapsed_lease_is_requeued_and_the_old_holder_cannot_finish(database: Database) -> None:
    with database.ledger() as ledger:
        store = DeliveryStore(ledger)
        store.add_many([("slow", "ping", "{}")])
        [first] = store.claim(["slow"], limit=1)
        assert store.claim(["slow"], limit=1) == []  # held
        assert store.requeue(lease_seconds=3600) == []  # lease still valid
        assert store.requeue(lease_seconds=-1) == ["slow"]  # lapsed: pending again
        [second] = store.claim(["slow"], limit=1)
        assert second.attempts == first.attempts + 1
        store.finish(first)  # the old holder ends after all: counted, but cannot mark done
        assert _completions(database)["slow"] == ("processing", 1)
        store.finish(second)
        assert _completions(database)["slow"] == ("done", 2)  # processed twice, and it shows


def test_failures_retry_until_the_last_attempt(database: Database) -> None:
    with database.ledger() as ledger:
        store = DeliveryStore(ledger)
        store.add_many([("bad", "ping", "{}")])
        for attempt in range(1, MAX_ATTEMPTS + 1):
            [delivery] = store.claim(["bad"])
            assert delivery.attempts == attempt
            store.finish(delivery, "GitHubError: 502")
            # a failed delivery is sent again by the next sweep, not left pending forever
            assert store.requeue() == ([] if attempt == MAX_ATTEMPTS else ["bad"])
        assert store.counts() == {"failed": 1}


def test_settling_many_at_once_is_fenced_like_finish(database: Database) -> None:
    with database.ledger() as ledger:
        store = DeliveryStore(ledger)
        store.add_many([(f"s{n}", "ping", "{}") for n in range(5)])
        batch = store.claim(limit=5)
        assert len(batch) == 5
        assert sorted(store.requeue(lease_seconds=-1)) == [f"s{n}" for n in range(5)]  # lapsed
        [retaken] = store.claim(["s0"])
        store.finish_many(batch)  # the old holder settles its batch after all
        seen = _completions(database)
        assert seen["s0"] == ("processing", 1)  # held by someone else now: counted, not done
        assert {seen[f"s{n}"] for n in range(1, 5)} == {("pending", 1)}
        store.finish_many([retaken])
        assert _completions(database)["s0"] == ("done", 2)
        again = store.claim(limit=10)
        store.finish_many(again)
        store.finish_many([])
        assert set(_completions(database).values()) == {("done", 2)}


def test_a_task_hands_back_the_deliveries_it_did_not_reach(database: Database) -> None:
    ids = [f"h{n}" for n in range(40)]
    with database.ledger() as ledger:
        DeliveryStore(ledger).add_many([(delivery, "ping", "{}") for delivery in ids])
    credentials = Credentials(settings_for("http://127.0.0.1:9"))
    handed: list[list[str]] = []
    # Out of time after its first claim: the rest goes back to the queue, unclaimed.
    assert work(database, credentials, ids, handed.append, hand_back_after=0) == CLAIM_BATCH
    assert handed == [ids[CLAIM_BATCH:]]
    with database.ledger() as ledger:
        assert DeliveryStore(ledger).counts() == {"done": CLAIM_BATCH, "pending": 40 - CLAIM_BATCH}
    assert work(database, credentials, handed[0], handed.append) == 40 - CLAIM_BATCH
    assert len(handed) == 1
    assert set(_completions(database).values()) == {("done", 1)}


def test_settling_rides_on_the_next_claim_and_is_fenced_like_finish(database: Database) -> None:
    with database.ledger() as ledger:
        store = DeliveryStore(ledger)
        store.add_many([(f"s{n}", "ping", "{}") for n in range(6)])
        first = store.claim(["s0", "s1"], 2)
        second = store.settle_and_claim(first, ["s2", "s3"], 2)
        assert sorted(d.delivery_id for d in second) == ["s2", "s3"]
        seen = _completions(database)
        assert seen["s0"] == seen["s1"] == ("done", 1)
        assert seen["s2"] == seen["s3"] == ("processing", 0)
        # Its lease lapses; someone else retakes s2; the old holder settles its claim anyway.
        assert sorted(store.requeue(lease_seconds=-1)) == ["s2", "s3"]
        [retaken] = store.claim(["s2"])
        assert [d.delivery_id for d in store.settle_and_claim(second, ["s4"], 1)] == ["s4"]
        seen = _completions(database)
        assert seen["s2"] == ("processing", 1)  # held by someone else now: counted, not done
        assert seen["s3"] == ("pending", 1)
        assert seen["s4"] == ("processing", 0)
        rest = store.settle_and_claim([retaken], None, 10)
        assert sorted(d.delivery_id for d in rest) == ["s3", "s5"]
        assert _completions(database)["s2"] == ("done", 2)
        assert store.settle_and_claim(rest, [], 10) == []
        assert _completions(database)["s5"] == ("done", 1)
