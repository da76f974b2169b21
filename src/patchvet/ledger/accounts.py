"""
The account snapshot cache: one row per GitHub login, so a busy App asks GitHub about an
account once a day rather than on every pull request. The snapshot is stored as the JSON the
`account` package writes; this module does not read it.
"""

from __future__ import annotations

from patchvet.ledger.store import SqlLedger


def cached_account(ledger: SqlLedger, login: str, fresh_since: str) -> str | None:
    """The stored snapshot of `login` if it was fetched at or after `fresh_since` (ISO 8601)."""
    row = ledger.execute(
        "SELECT snapshot FROM account_snapshots WHERE login = ? AND fetched_at >= ?",
        (login.lower(), fresh_since),
    ).fetchone()
    return str(row[0]) if row else None


def store_account(ledger: SqlLedger, login: str, fetched_at: str, snapshot: str) -> None:
    """Keep the newest snapshot of `login`."""
    with ledger.transaction():
        ledger.execute(
            "INSERT INTO account_snapshots VALUES (?, ?, ?) ON CONFLICT (login) DO UPDATE SET "
            "fetched_at = excluded.fetched_at, snapshot = excluded.snapshot",
            (login.lower(), fetched_at, snapshot),
        )
