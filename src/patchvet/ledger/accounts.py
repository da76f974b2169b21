"""
The ledger's account tables.

- `account_snapshots`: one row per GitHub login, so a busy App asks GitHub about an account
  once a day rather than on every pull request. The snapshot is stored as the JSON the `account`
  package writes; this module does not read it.
- `contribution_accounts`: the author's account reading as it stood at each recorded
  contribution, so a maintainer (and the dashboard) sees how the account looked then.
- `reply_codes`: the random code patchvet's comment on a thread asks automated agents to write
  back (`[honeypot] reply_code`), one per issue or pull request.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from patchvet.records import AccountReading

if TYPE_CHECKING:
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


def record_reading(ledger: SqlLedger, contribution: int, reading: AccountReading) -> None:
    """Keep the reading with contribution row `contribution` (inside the record's transaction)."""
    ledger.execute(
        "INSERT INTO contribution_accounts VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (contribution) "
        "DO UPDATE SET login = excluded.login, classification = excluded.classification, "
        "score = excluded.score, as_of = excluded.as_of, reading = excluded.reading",
        (contribution, reading.login.lower(), reading.classification, reading.score,
         reading.as_of, json.dumps(asdict(reading), sort_keys=True)),
    )  # fmt: skip


def reading_of(ledger: SqlLedger, contribution: int) -> AccountReading | None:
    """The account reading stored with contribution row `contribution`, if one was taken."""
    row = ledger.execute(
        "SELECT reading FROM contribution_accounts WHERE contribution = ?", (contribution,)
    ).fetchone()
    return _reading(str(row[0])) if row is not None else None


def reply_code(ledger: SqlLedger, project: str, number: int, fresh: str, at: str) -> str:
    """The thread's code: the stored one, else `fresh`, stored now (first writer wins)."""
    with ledger.transaction():
        ledger.execute(
            "INSERT INTO reply_codes VALUES (?, ?, ?, ?) ON CONFLICT (project, number) DO NOTHING",
            (project, number, fresh, at),
        )
        row = ledger.execute(
            "SELECT code FROM reply_codes WHERE project = ? AND number = ?", (project, number)
        ).fetchone()
    return str(row[0])


def stored_reply_code(ledger: SqlLedger, project: str, number: int) -> str | None:
    """The thread's code, if one was ever handed out."""
    row = ledger.execute(
        "SELECT code FROM reply_codes WHERE project = ? AND number = ?", (project, number)
    ).fetchone()
    return str(row[0]) if row else None


def readings_of_person(
    ledger: SqlLedger, person: int, limit: int = 5
) -> list[tuple[str, str, AccountReading]]:
    """(created_at, source, reading) of the person's latest contributions that had one."""
    rows = ledger.execute(
        "SELECT c.created_at, c.source, a.reading FROM contribution_accounts a "
        "JOIN contributions c ON c.id = a.contribution WHERE c.person_id = ? "
        "ORDER BY c.created_at DESC, c.id DESC LIMIT ?",
        (person, limit),
    ).fetchall()
    return [(str(when), str(source), _reading(text)) for when, source, text in rows]


def _reading(text: str) -> AccountReading:
    data: dict[str, Any] = json.loads(text)
    data["signals"] = tuple(tuple(signal) for signal in data.get("signals", ()))
    return AccountReading(**data)
