"""
Corrections: a maintainer's word that a finding or a verdict of a recorded contribution is wrong
(or right: a confirmation), and vouches and denouncements given from the dashboard.

A correction never edits what patchvet recorded; it is a row of its own with who, when and why.
Taking one back marks it revoked (by whom, when) and keeps it, so the history stays whole; the
same holds for a vouch or denouncement taken back. Calibration reads the corrections of the
agent-likelihood finding: "wrong" means a person wrote it, "confirmed" that an agent did.
"""

from __future__ import annotations

from dataclasses import dataclass

from patchvet.ledger.interface import LedgerError
from patchvet.ledger.store import SqlLedger, now_iso

VERDICT_TARGET = "verdict"
"""The target of a correction of the verdict; a finding's target is its id (`family/name`)."""

REASON_LIMIT = 2000
KINDS = ("wrong", "confirm")
"""What a correction says of its target: it is wrong, or it is right (a confirmation)."""
LIKELIHOOD = "agent-likelihood/high-score"
"""The finding whose corrections calibration reads."""
VOUCH_ACTIONS = ("vouch", "denounce")


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
    kind: str = "wrong"
    """`wrong`, or `confirm`."""

    @property
    def active(self) -> bool:
        return self.revoked_at is None


_COLUMNS = "id, contribution, target, by_whom, reason, created_at, revoked_by, revoked_at, kind"


def _correction(row: tuple[object, ...]) -> Correction:
    return Correction(
        int(row[0]),  # type: ignore[call-overload]
        int(row[1]),  # type: ignore[call-overload]
        str(row[2]), str(row[3]), str(row[4]), str(row[5]),
        None if row[6] is None else str(row[6]),
        None if row[7] is None else str(row[7]), str(row[8]),
    )  # fmt: skip


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise LedgerError("a correction needs a reason", hint="say why, in a sentence")
    if len(reason) > REASON_LIMIT:
        raise LedgerError(f"a reason is at most {REASON_LIMIT} characters")
    return reason


def correct(
    ledger: SqlLedger, contribution: int, target: str, by: str, reason: str, kind: str = "wrong"
) -> Correction:
    """Record that `target` (the verdict, or a finding it names) of a contribution is wrong, or
    with `kind="confirm"`, that it is right."""
    reason = _reason(reason)
    if kind not in KINDS:
        raise LedgerError(f"unknown correction {kind!r}; use wrong or confirm")
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
            "INSERT INTO corrections (contribution, target, by_whom, reason, created_at, kind) "
            f"VALUES (?, ?, ?, ?, ?, ?) RETURNING {_COLUMNS}",
            (contribution, target, by, reason, now_iso(), kind),
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


def calibration_labels(
    ledger: SqlLedger, project: str
) -> tuple[dict[str, float], dict[str, float]]:
    """
    The recorded scores of a project's contributions whose agent-likelihood finding maintainers
    marked wrong (human work) and confirmed (agent work), by contribution id; active corrections
    only, the latest word on a contribution winning.
    """
    rows = ledger.execute(
        "SELECT c.contribution_id, c.agent_likelihood, k.kind FROM corrections k "
        "JOIN contributions c ON c.id = k.contribution WHERE c.project = ? AND k.target = ? "
        "AND k.revoked_at IS NULL AND c.agent_likelihood IS NOT NULL ORDER BY k.created_at, k.id",
        (project, LIKELIHOOD),
    ).fetchall()
    latest = {str(cid): (float(score), str(kind)) for cid, score, kind in rows}
    human = {cid: score for cid, (score, kind) in latest.items() if kind == "wrong"}
    agent = {cid: score for cid, (score, kind) in latest.items() if kind == "confirm"}
    return human, agent


@dataclass(frozen=True)
class VouchRecord:
    """A vouch or denouncement as the dashboard lists it, taken back or not."""

    id: int
    person: int
    action: str
    by: str
    reason: str
    created_at: str
    expires_at: str | None
    revoked_by: str | None
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


_VOUCH_COLUMNS = (
    "id, person_id, action, by_whom, reason, created_at, expires_at, revoked_by, revoked_at"
)


def _vouch(row: tuple[object, ...]) -> VouchRecord:
    text = [None if value is None else str(value) for value in row]
    return VouchRecord(int(str(row[0])), int(str(row[1])), str(text[2]), str(text[3]),
                       str(text[4]), str(text[5]), text[6], text[7], text[8])  # fmt: skip


def vouch_person(
    ledger: SqlLedger, person: int, action: str, by: str, reason: str,
    expires_at: str | None = None,
) -> VouchRecord:  # fmt: skip
    """Vouch for or denounce a recorded person (by id), with who, why and until when."""
    if action not in VOUCH_ACTIONS:
        raise LedgerError(f"unknown action {action!r}; use vouch or denounce")
    reason = _reason(reason)
    with ledger.transaction():
        if ledger.execute("SELECT 1 FROM persons WHERE id = ?", (person,)).fetchone() is None:
            raise LedgerError(f"no person {person} is recorded")
        row = ledger.execute(
            "INSERT INTO vouches (person_id, action, by_whom, reason, created_at, expires_at) "
            f"VALUES (?, ?, ?, ?, ?, ?) RETURNING {_VOUCH_COLUMNS}",
            (person, action, by, reason, now_iso(), expires_at),
        ).fetchone()
    return _vouch(tuple(row))


def revoke_vouch(ledger: SqlLedger, vouch: int, by: str) -> VouchRecord:
    """Take a vouch or denouncement back: it stays in the ledger, marked revoked by `by`."""
    with ledger.transaction():
        row = ledger.execute(
            "UPDATE vouches SET revoked_by = ?, revoked_at = ? "
            f"WHERE id = ? AND revoked_at IS NULL RETURNING {_VOUCH_COLUMNS}",
            (by, now_iso(), vouch),
        ).fetchone()
    if row is None:
        raise LedgerError(f"no active vouch or denouncement {vouch}")
    return _vouch(tuple(row))


def vouch_of(ledger: SqlLedger, vouch: int) -> VouchRecord | None:
    row = ledger.execute(f"SELECT {_VOUCH_COLUMNS} FROM vouches WHERE id = ?", (vouch,)).fetchone()
    return None if row is None else _vouch(tuple(row))


def vouches_of(ledger: SqlLedger, person: int) -> list[VouchRecord]:
    """Every vouch and denouncement of a person, newest first, taken-back ones included."""
    rows = ledger.execute(
        f"SELECT {_VOUCH_COLUMNS} FROM vouches WHERE person_id = ? "
        "ORDER BY created_at DESC, id DESC",
        (person,),
    ).fetchall()
    return [_vouch(tuple(row)) for row in rows]
