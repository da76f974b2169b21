"""
Maintainers' verdicts: a person's word on a recorded contribution ("this flagged change is
human work"), kept apart from what patchvet decided. Calibration counts the human ones as
honest examples, with the score the contribution had when it was recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

from patchvet.ledger.interface import LedgerError
from patchvet.ledger.store import SqlLedger, now_iso

VERDICTS = ("human", "agent")


@dataclass(frozen=True)
class MaintainerVerdict:
    """One maintainer's verdict on one recorded contribution."""

    project: str
    contribution_id: str
    verdict: str
    by: str
    reason: str
    created_at: str
    agent_likelihood: float | None
    """The score the contribution had when it was recorded."""


def record_verdict(
    ledger: SqlLedger, project: str, contribution_id: str, verdict: str, by: str, reason: str
) -> MaintainerVerdict:
    """Store (or replace) a maintainer's verdict on a contribution the ledger has recorded."""
    if verdict not in VERDICTS:
        raise LedgerError(f"unknown verdict {verdict!r}; use human or agent")
    if not reason.strip():
        raise LedgerError("a verdict needs a reason", hint="--reason 'why, in a sentence'")
    with ledger.transaction():
        row = ledger.execute(
            "SELECT contribution_id, agent_likelihood FROM contributions "
            "WHERE project = ? AND (contribution_id = ? OR contribution_id LIKE ?) "
            "ORDER BY contribution_id LIMIT 2",
            (project, contribution_id, _prefix(contribution_id)),
        ).fetchall()
        if not row:
            raise LedgerError(
                f"no contribution {contribution_id!r} is recorded for project {project!r}",
                hint="record it first (patchvet check … --record), or pass --project NAME",
            )
        exact = [r for r in row if r[0] == contribution_id]
        if not exact and len(row) > 1:
            raise LedgerError(f"{contribution_id!r} names several recorded contributions",
                              hint="give more of the commit id")  # fmt: skip
        found, score = (exact or row)[0]
        at = now_iso()
        ledger.execute(
            "INSERT INTO maintainer_verdicts VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (project, contribution_id) DO UPDATE SET verdict = excluded.verdict, "
            "by_whom = excluded.by_whom, reason = excluded.reason, "
            "created_at = excluded.created_at",
            (project, found, verdict, by, reason, at),
        )
    return MaintainerVerdict(project, found, verdict, by, reason, at,
                             None if score is None else float(score))  # fmt: skip


def _prefix(contribution_id: str) -> str:
    """A LIKE pattern for an abbreviated commit id (at least 7 hex digits), else no match."""
    text = contribution_id.lower()
    if len(text) >= 7 and all(ch in "0123456789abcdef" for ch in text):
        return text + "%"
    return "\x00"


def verdicts(
    ledger: SqlLedger, project: str, verdict: str | None = None
) -> list[MaintainerVerdict]:
    """A project's maintainer verdicts (of one kind, when given), oldest first."""
    kinds = (verdict,) if verdict is not None else VERDICTS
    rows = ledger.execute(
        "SELECT v.project, v.contribution_id, v.verdict, v.by_whom, v.reason, v.created_at, "
        "c.agent_likelihood FROM maintainer_verdicts v JOIN contributions c "
        "ON c.project = v.project AND c.contribution_id = v.contribution_id "
        f"WHERE v.project = ? AND v.verdict IN ({', '.join('?' * len(kinds))}) "
        "ORDER BY v.created_at, v.contribution_id",
        (project, *kinds),
    ).fetchall()
    return [
        MaintainerVerdict(
            str(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]), str(row[5]),
            None if row[6] is None else float(row[6]),
        )
        for row in rows
    ]  # fmt: skip
