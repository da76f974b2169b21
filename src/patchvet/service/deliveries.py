"""
Webhook deliveries, stored durably before GitHub gets its 2xx.

A delivery is inserted once per `X-GitHub-Delivery` (a redelivery is a no-op), then claimed by
one worker. Every statement here is a single autocommitted statement on rows of its own, so
intake and any number of workers never wait on one another's locks: PostgreSQL claims with
`FOR UPDATE SKIP LOCKED`, and the ledger's global write lock is not taken. Intake inserts many
deliveries per statement (one commit for a burst), workers claim many per statement and mark
done together, in one statement, the deliveries of a batch that acted on nothing but the
database.

A worker that dies mid-job leaves its delivery `processing`; the sweeper puts deliveries whose
lease has lapsed back to `pending`. `finish` is fenced by the attempt number, so a worker that
lost its lease cannot mark done a delivery someone else now holds; `completions` counts every
processing that ran to its end, so "processed exactly once" can be checked in the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from patchvet.ledger.store import SqlLedger, now_iso, shift_time

LEASE_SECONDS = 300
"""Longer than a Celery task may live (its hard time limit, 210 s) from the claim of its batch,
so a delivery is never taken over from a worker that is still on it."""
MAX_ATTEMPTS = 5
REQUEUE_AFTER_SECONDS = 60
"""A delivery still `pending` this long after it arrived has probably lost its queue message."""


@dataclass(frozen=True)
class Delivery:
    """One stored webhook delivery, as claimed by a worker (`attempts` includes this one)."""

    delivery_id: str
    event: str
    payload: str
    attempts: int


POSTGRES_INTAKE = (
    "INSERT INTO deliveries (delivery_id, event, payload, received_at, status, attempts) "
    "SELECT delivery_id, event, payload, %s, 'pending', 0 "
    "FROM unnest(%b::text[], %b::text[], %b::text[]) AS arrived(delivery_id, event, payload) "
    "ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id"
)
"""Intake on PostgreSQL: one statement text whatever the batch size (arrays, not a row of
placeholders per delivery), so the server plans it once per connection (a prepared statement)."""


def intake_parameters(
    deliveries: Sequence[tuple[str, str, str]],
) -> tuple[str, list[str], list[str], list[str]]:
    """`POSTGRES_INTAKE`'s parameters; a delivery id given twice is stored once (the first)."""
    unique: dict[str, tuple[str, str]] = {}
    for delivery_id, event, body in deliveries:
        unique.setdefault(delivery_id, (event, body))
    return (
        now_iso(),
        list(unique),
        [event for event, _ in unique.values()],
        [body for _, body in unique.values()],
    )


def _marks(count: int) -> str:
    return ", ".join("?" * count)


class DeliveryStore:
    """Deliveries in the ledger's database (so the service needs one database, not two)."""

    def __init__(self, ledger: SqlLedger) -> None:
        self.ledger = ledger

    def add(self, delivery_id: str, event: str, payload: str) -> bool:
        """Store a delivery; False when this delivery id was already stored."""
        return bool(self.add_many([(delivery_id, event, payload)]))

    def add_many(self, deliveries: Sequence[tuple[str, str, str]]) -> set[str]:
        """Store (id, event, payload) triples in one statement; return the ids that were new."""
        if not deliveries:
            return set()
        if self.ledger.dialect == "postgresql":
            rows = self.ledger.connection.execute(
                POSTGRES_INTAKE, intake_parameters(deliveries), prepare=True
            ).fetchall()
            return {str(row[0]) for row in rows}
        at = now_iso()
        unique = {delivery_id: (event, body) for delivery_id, event, body in deliveries}
        params = [
            value
            for delivery_id, (event, body) in unique.items()
            for value in (delivery_id, event, body, at)
        ]
        values = ", ".join(["(?, ?, ?, ?, 'pending', 0)"] * len(unique))
        rows = self.ledger.execute(
            "INSERT INTO deliveries (delivery_id, event, payload, received_at, status, attempts) "
            f"VALUES {values} "
            "ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id",
            params,
        ).fetchall()
        return {str(row[0]) for row in rows}

    def claim(self, delivery_ids: Sequence[str] | None = None, limit: int = 1) -> list[Delivery]:
        """
        Take up to `limit` pending deliveries (the oldest first, or among `delivery_ids`):
        they become `processing` with one more attempt.
        """
        where = "status = 'pending' AND attempts < ?"
        params: list[object] = [MAX_ATTEMPTS]
        if delivery_ids is not None:
            if not delivery_ids:
                return []
            where += f" AND delivery_id IN ({_marks(len(delivery_ids))})"
            params += list(delivery_ids)
        skip_locked = " FOR UPDATE SKIP LOCKED" if self.ledger.dialect == "postgresql" else ""
        rows = self.ledger.execute(
            "UPDATE deliveries SET status = 'processing', claimed_at = ?, "
            "attempts = attempts + 1 WHERE delivery_id IN (SELECT delivery_id FROM deliveries "
            f"WHERE {where} ORDER BY received_at LIMIT ?{skip_locked}) "
            "RETURNING delivery_id, event, payload, attempts",
            [now_iso(), *params, limit],
        ).fetchall()
        return [Delivery(str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]

    def settle_and_claim(
        self, settled: Sequence[Delivery], delivery_ids: Sequence[str] | None, limit: int
    ) -> list[Delivery]:
        """
        `finish_many(settled)`, then `claim(delivery_ids, limit)`: on PostgreSQL in one
        statement, so one commit. Every commit waits for the disk's flush (milliseconds on a busy
        host), and a worker's pace through its claims is set by those waits, not by its CPU.
        """
        if self.ledger.dialect != "postgresql" or not settled:
            self.finish_many(settled)
            return self.claim(delivery_ids, limit)
        if delivery_ids is not None and not delivery_ids:
            self.finish_many(settled)
            return []
        among = "" if delivery_ids is None else " AND delivery_id = ANY(%b::text[])"
        now = now_iso()
        params: list[object] = [
            now,
            [d.delivery_id for d in settled],
            [d.attempts for d in settled],
            now,
            MAX_ATTEMPTS,
        ]
        if delivery_ids is not None:
            params.append(list(delivery_ids))
        # The settled rows are `processing` and the claimed ones `pending` in the statement's
        # one snapshot: no row is updated twice.
        rows = self.ledger.connection.execute(
            "WITH settled AS (UPDATE deliveries SET completions = completions + 1, "
            "finished_at = %s, error = NULL, status = CASE WHEN status = 'processing' "
            "AND attempts = held.fence THEN 'done' ELSE status END "
            "FROM unnest(%b::text[], %s::int[]) AS held(claimed_id, fence) "
            "WHERE delivery_id = held.claimed_id) "
            "UPDATE deliveries SET status = 'processing', claimed_at = %s, "
            "attempts = attempts + 1 WHERE delivery_id IN (SELECT delivery_id FROM deliveries "
            f"WHERE status = 'pending' AND attempts < %s{among} ORDER BY received_at LIMIT %s "
            "FOR UPDATE SKIP LOCKED) RETURNING delivery_id, event, payload, attempts",
            [*params, limit],
        ).fetchall()
        return [Delivery(str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]

    def finish(self, delivery: Delivery, error: str | None = None) -> None:
        """Mark done (counting the completion), or back to pending (failed at the last try)."""
        if error is None:
            self.ledger.execute(
                "UPDATE deliveries SET completions = completions + 1, finished_at = ?, "
                "error = NULL, status = CASE WHEN status = 'processing' AND attempts = ? "
                "THEN 'done' ELSE status END WHERE delivery_id = ?",
                (now_iso(), delivery.attempts, delivery.delivery_id),
            )
        else:
            self.ledger.execute(
                "UPDATE deliveries SET status = CASE WHEN attempts >= ? THEN 'failed' "
                "ELSE 'pending' END, error = ? "
                "WHERE delivery_id = ? AND status = 'processing' AND attempts = ?",
                (MAX_ATTEMPTS, error[:2000], delivery.delivery_id, delivery.attempts),
            )

    def finish_many(self, deliveries: Sequence[Delivery]) -> None:
        """`finish` without error for many deliveries, in one statement (one commit)."""
        if not deliveries:
            return
        fences = " UNION ALL ".join(["SELECT ? AS claimed_id, ? AS fence"] * len(deliveries))
        self.ledger.execute(
            "UPDATE deliveries SET completions = completions + 1, finished_at = ?, "
            "error = NULL, status = CASE WHEN status = 'processing' AND attempts = held.fence "
            f"THEN 'done' ELSE status END FROM ({fences}) AS held "
            "WHERE delivery_id = held.claimed_id",
            [now_iso(), *(v for d in deliveries for v in (d.delivery_id, d.attempts))],
        )

    def requeue(
        self,
        lease_seconds: float = LEASE_SECONDS,
        pending_seconds: float = REQUEUE_AFTER_SECONDS,
        limit: int = 1000,
    ) -> list[str]:
        """
        Put deliveries whose lease lapsed back to `pending`, and return the ids of deliveries
        pending for longer than `pending_seconds` (their queue message was probably lost).
        """
        now = now_iso()
        self.ledger.execute(
            "UPDATE deliveries SET status = CASE WHEN attempts >= ? THEN 'failed' "
            "ELSE 'pending' END, error = 'lease lapsed: the worker stopped mid-job' "
            "WHERE status = 'processing' AND claimed_at < ?",
            (MAX_ATTEMPTS, shift_time(now, -lease_seconds / 86400)),
        )
        rows = self.ledger.execute(
            "SELECT delivery_id FROM deliveries WHERE status = 'pending' AND attempts < ? "
            "AND (received_at < ? OR attempts > 0) ORDER BY received_at LIMIT ?",
            (MAX_ATTEMPTS, shift_time(now, -pending_seconds / 86400), limit),
        ).fetchall()
        return [str(row[0]) for row in rows]

    def known(self, delivery_ids: Sequence[str]) -> set[str]:
        """Which of these delivery ids are stored."""
        if not delivery_ids:
            return set()
        marks = _marks(len(delivery_ids))
        rows = self.ledger.execute(
            f"SELECT delivery_id FROM deliveries WHERE delivery_id IN ({marks})",
            list(delivery_ids),
        ).fetchall()
        return {str(row[0]) for row in rows}

    def counts(self) -> dict[str, int]:
        """Deliveries per status."""
        rows = self.ledger.execute(
            "SELECT status, COUNT(*) FROM deliveries GROUP BY status"
        ).fetchall()
        return {str(status): int(count) for status, count in rows}
