"""
Corrections: a maintainer's word that a finding or a verdict of a recorded contribution is wrong.

A correction never edits what patchvet recorded; it is a row of its own with who, when and why.
Taking one back marks it revoked (by whom, when) and keeps it, so the history stays whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from patchvet.ledger.interface import LedgerError
from patchvet.ledger.store import SqlLedger, now_iso

VERDICT_TARGET = "verdict"
"""The target of a correction of the verdict; a finding's target is its id (`family/name`)."""

REASON_LIMIT = 2000


@dataclass(frozen=True)
class Correction:
    """One correction of one recorded contribution."""

    id: int
    contribution: int
    """The ledger's row id of the contribution."""
    target: str
    """`verdict`, or the id of the finding said to be wrong."""
    by: str
    reason: str
    created_at: str
    revoked_by: str | None = None
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


_COLUMNS = "id, contribution, target, by_whom, reason, created_at, revoked_by, revoked_at"


def _correction(row: tuple[object, ...]) -> Correction:
    return Correction(
        int(row[0]),  # type: ignore[call-overload]
        int(row[1]),  # type: ignore[call-overload]
        str(row[2]), str(row[3]), str(row[4]), str(row[5]),
        None if row[6] is None else str(row[6]),
        None if row[7] is None else str(row[7]),
    )  # fmt: skip


def correct(ledger: SqlLedger, contribution: int, target: str, by: str, reason: str) -> Correction:
    """Record that `target` (the verdict, or a finding it names) of a contribution is wrong."""
    reason = reason.strip()
    if not reason:
        raise LedgerError("a correction needs a reason", hint="say why, in a sentence")
    if len(reason) > REASON_LIMIT:
        raise LedgerError(f"a reason is at most {REASON_LIMIT} characters")
    with ledger.transaction():
        if ledger.execute("SELECT 1 FROM contributions WHERE id = ?",
                          (contribution,)).fetchone() is None:  # fmt: skip
            raise LedgerError(f"no contribution {contribution} is recorded")
        if target != VERDICT_TARGET:
            found = ledger.execute(
                "SELECT 1 FROM findings WHERE contribution = ? AND finding_id = ?",
                (contribution, target),
            ).fetchone()
            if found is None:
                raise LedgerError(f"contribution {contribution} has no finding {target!r}")
        row = ledger.execute(
            "INSERT INTO corrections (contribution, target, by_whom, reason, created_at) "
            f"VALUES (?, ?, ?, ?, ?) RETURNING {_COLUMNS}",
            (contribution, target, by, reason, now_iso()),
        ).fetchone()
    return _correction(tuple(row))


def revoke(ledger: SqlLedger, correction: int, by: str) -> Correction:
    """Take a correction back: it stays in the ledger, marked revoked by `by`."""
    with ledger.transaction():
        row = ledger.execute(
            "UPDATE corrections SET revoked_by = ?, revoked_at = ? "
            f"WHERE id = ? AND revoked_at IS NULL RETURNING {_COLUMNS}",
            (by, now_iso(), correction),
        ).fetchone()
    if row is None:
        raise LedgerError(f"no active correction {correction}")
    return _correction(tuple(row))


def corrections_of(ledger: SqlLedger, contribution: int) -> list[Correction]:
    """Every correction of one contribution, oldest first, revoked ones included."""
    rows = ledger.execute(
        f"SELECT {_COLUMNS} FROM corrections WHERE contribution = ? ORDER BY created_at, id",
        (contribution,),
    ).fetchall()
    return [_correction(tuple(row)) for row in rows]


def corrections_of_person(ledger: SqlLedger, person: int) -> list[Correction]:
    """Every correction of any contribution by one person, newest first."""
    columns = ", ".join(f"k.{name.strip()}" for name in _COLUMNS.split(","))
    rows = ledger.execute(
        f"SELECT {columns} FROM corrections k JOIN contributions c ON c.id = k.contribution "
        "WHERE c.person_id = ? ORDER BY k.created_at DESC, k.id DESC",
        (person,),
    ).fetchall()
    return [_correction(tuple(row)) for row in rows]
