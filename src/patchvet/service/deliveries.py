"""
Webhook deliveries, stored durably before GitHub gets its 2xx.

A delivery is inserted once per `X-GitHub-Delivery` (a redelivery is a no-op), then claimed by
one worker with a lease; a worker that dies mid-job leaves a stale lease that the next worker
takes over, so every stored delivery is processed, and processed once to completion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from patchvet.ledger.store import SqlLedger, now_iso, shift_time

LEASE_SECONDS = 120
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Delivery:
    """One stored webhook delivery."""

    delivery_id: str
    event: str
    payload: str
    attempts: int


class DeliveryStore:
    """Deliveries in the ledger's database (so the service needs one database, not two)."""

    def __init__(self, ledger: SqlLedger, lease_seconds: float = LEASE_SECONDS) -> None:
        self.ledger = ledger
        self.lease_seconds = lease_seconds

    def add(self, delivery_id: str, event: str, payload: str) -> bool:
        """Store a delivery; False when this delivery id was already stored."""
        with self.ledger.transaction():
            row = self.ledger.execute(
                "INSERT INTO deliveries (delivery_id, event, payload, received_at, status, "
                "attempts) VALUES (?, ?, ?, ?, 'pending', 0) ON CONFLICT (delivery_id) DO NOTHING "
                "RETURNING delivery_id",
                (delivery_id, event, payload, now_iso()),
            ).fetchone()
        return row is not None

    def claim(self, delivery_id: str | None = None) -> Delivery | None:
        """Take the oldest pending delivery (or a stale one), or the given one if it is due."""
        now = now_iso()
        stale = shift_time(now, -self.lease_seconds / 86400)
        where = (
            "(status = 'pending' OR (status = 'processing' AND claimed_at < ?)) AND attempts < ?"
        )
        params: list[Any] = [stale, MAX_ATTEMPTS]
        if delivery_id is not None:
            where += " AND delivery_id = ?"
            params.append(delivery_id)
        with self.ledger.transaction():
            row = self.ledger.execute(
                f"SELECT delivery_id, event, payload, attempts FROM deliveries WHERE {where} "
                "ORDER BY received_at LIMIT 1",
                params,
            ).fetchone()
            if row is None:
                return None
            self.ledger.execute(
                "UPDATE deliveries SET status = 'processing', claimed_at = ?, "
                "attempts = attempts + 1 WHERE delivery_id = ?",
                (now, row[0]),
            )
        return Delivery(row[0], row[1], row[2], int(row[3]) + 1)

    def finish(self, delivery_id: str, error: str | None = None) -> None:
        """Mark done, or back to pending (failed after the last attempt) with the error."""
        with self.ledger.transaction():
            if error is None:
                self.ledger.execute(
                    "UPDATE deliveries SET status = 'done', finished_at = ?, error = NULL "
                    "WHERE delivery_id = ?",
                    (now_iso(), delivery_id),
                )
            else:
                self.ledger.execute(
                    "UPDATE deliveries SET status = CASE WHEN attempts >= ? THEN 'failed' "
                    "ELSE 'pending' END, error = ? WHERE delivery_id = ?",
                    (MAX_ATTEMPTS, error[:2000], delivery_id),
                )

    def counts(self) -> dict[str, int]:
        """Deliveries per status."""
        rows = self.ledger.execute(
            "SELECT status, COUNT(*) FROM deliveries GROUP BY status"
        ).fetchall()
        return {str(status): int(count) for status, count in rows}
