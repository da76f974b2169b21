"""
What the dashboard reads from the ledger: the filtered queue, one contribution, one person,
one project's weeks. Plain SQL over `SqlLedger.execute`, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from patchvet.ledger import SqlLedger

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
VERDICTS = ("pass", "flag", "hold", "reject")
FILTERS = ("project", "verdict", "family", "author", "since", "until", "q")


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters, as read from a query string; empty means any."""

    project: str = ""
    verdict: str = ""
    family: str = ""
    author: str = ""
    since: str = ""
    until: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> QueueFilter:
        values = {name: query.get(name, "").strip()[:200] for name in FILTERS}
        if values["verdict"] not in VERDICTS:
            values["verdict"] = ""
        for name in ("since", "until"):
            values[name] = _day(values[name])
        return cls(**values)

    def items(self) -> list[tuple[str, str]]:
        """The non-empty filters, for links that keep them."""
        return [(name, getattr(self, name)) for name in FILTERS if getattr(self, name)]

    def where(self) -> tuple[str, list[Any]]:
        """A WHERE clause over `contributions c` and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.project:
            clauses.append("c.project = ?")
            params.append(self.project)
        if self.verdict:
            clauses.append("c.verdict = ?")
            params.append(self.verdict)
        if self.family:
            clauses.append("EXISTS (SELECT 1 FROM findings f WHERE f.contribution = c.id "
                           "AND f.finding_id LIKE ? ESCAPE '!')")  # fmt: skip
            params.append(_like(self.family) + "/%")
        if self.author:
            clauses.append("c.person_id IN (SELECT person_id FROM identities WHERE value = ?)")
            params.append(self.author.lower())
        if self.since:
            clauses.append("c.created_at >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("c.created_at < ?")
            params.append((date.fromisoformat(self.until) + timedelta(days=1)).isoformat())
        if self.q:
            clauses.append("LOWER(c.title) LIKE ? ESCAPE '!'")
            params.append("%" + _like(self.q.lower()) + "%")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text[:10]).isoformat() if text else ""
    except ValueError:
        return ""


@dataclass(frozen=True)
class QueueRow:
    """One contribution as the queue lists it."""

    id: int
    project: str
    contribution_id: str
    title: str
    verdict: str
    agent_likelihood: float | None
    size_lines: int
    created_at: str
    person: int | None
    author: str
    families: tuple[str, ...]


_QUEUE_COLUMNS = (
    "c.id, c.project, c.contribution_id, c.title, c.verdict, c.agent_likelihood, c.size_lines, "
    "c.created_at, c.person_id"
)


def queue(
    ledger: SqlLedger, wanted: QueueFilter, offset: int = 0, limit: int = PAGE_SIZE
) -> list[QueueRow]:
    """The filtered queue, newest first: `limit` rows from `offset`."""
    where, params = wanted.where()
    rows = ledger.execute(
        f"SELECT {_QUEUE_COLUMNS} FROM contributions c{where} "
        "ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?",
        (*params, limit, offset),
    ).fetchall()
    if not rows:
        return []
    ids = [int(row[0]) for row in rows]
    persons = sorted({int(row[8]) for row in rows if row[8] is not None})
    families: dict[int, set[str]] = {}
    for chunk in _chunks(ids):
        for contribution, finding in ledger.execute(
            f"SELECT contribution, finding_id FROM findings WHERE contribution IN "
            f"({', '.join('?' * len(chunk))})",
            chunk,
        ).fetchall():
            families.setdefault(int(contribution), set()).add(str(finding).split("/", 1)[0])
    names = author_names(ledger, persons)
    return [
        QueueRow(
            int(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]),
            None if row[5] is None else float(row[5]), int(row[6]), str(row[7]),
            None if row[8] is None else int(row[8]),
            names.get(int(row[8]), "") if row[8] is not None else "",
            tuple(sorted(families.get(int(row[0]), ()))),
        )
        for row in rows
    ]  # fmt: skip


def count(ledger: SqlLedger, wanted: QueueFilter) -> int:
    where, params = wanted.where()
    return int(ledger.execute(f"SELECT COUNT(*) FROM contributions c{where}", params).fetchone()[0])


def _chunks(values: list[int], size: int = 500) -> list[list[int]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


_NAME_ORDER = {"login": 0, "email": 1, "github": 2, "key": 3}


def author_names(ledger: SqlLedger, persons: list[int]) -> dict[int, str]:
    """One name per person: a login, else an email, else a GitHub id, else a key."""
    best: dict[int, tuple[int, str]] = {}
    for chunk in _chunks(persons):
        for person, kind, value in ledger.execute(
            "SELECT person_id, kind, value FROM identities WHERE person_id IN "
            f"({', '.join('?' * len(chunk))})",
            chunk,
        ).fetchall():
            rank = (_NAME_ORDER.get(str(kind), 9), str(value))
            if int(person) not in best or rank < best[int(person)]:
                best[int(person)] = rank
    return {person: value for person, (_, value) in best.items()}


def projects(ledger: SqlLedger) -> list[tuple[str, int]]:
    rows = ledger.execute(
        "SELECT project, COUNT(*) FROM contributions GROUP BY project ORDER BY project"
    ).fetchall()
    return [(str(name), int(total)) for name, total in rows]


@dataclass(frozen=True)
class FindingRow:
    finding_id: str
    severity: str
    verdict: str
    message: str
    evidence: str
    location: str
    remedy: str


@dataclass(frozen=True)
class ContributionPage:
    row: QueueRow
    source: str
    kind: str
    state: str
    recorded_at: str
    findings: tuple[FindingRow, ...]


def contribution(ledger: SqlLedger, row_id: int) -> ContributionPage | None:
    found = ledger.execute(
        f"SELECT {_QUEUE_COLUMNS}, c.source, c.kind, c.state, c.recorded_at "
        "FROM contributions c WHERE c.id = ?",
        (row_id,),
    ).fetchone()
    if found is None:
        return None
    findings = tuple(
        FindingRow(*(str(value) for value in row))
        for row in ledger.execute(
            "SELECT finding_id, severity, verdict, message, evidence, location, remedy "
            "FROM findings WHERE contribution = ? ORDER BY finding_id",
            (row_id,),
        ).fetchall()
    )
    person = None if found[8] is None else int(found[8])
    name = author_names(ledger, [person]).get(person, "") if person is not None else ""
    row = QueueRow(
        int(found[0]), str(found[1]), str(found[2]), str(found[3]), str(found[4]),
        None if found[5] is None else float(found[5]), int(found[6]), str(found[7]), person, name,
        tuple(sorted({f.finding_id.split("/", 1)[0] for f in findings})),
    )  # fmt: skip
    return ContributionPage(row, str(found[9]), str(found[10]), str(found[11]), str(found[12]),
                            findings)  # fmt: skip


def week_of(moment: str) -> str:
    """The Monday (UTC) of the week a ledger time falls in."""
    day = datetime.fromisoformat(moment).astimezone(UTC).date()
    return (day - timedelta(days=day.weekday())).isoformat()


@dataclass(frozen=True)
class Week:
    start: str
    total: int
    flagged: int
    held: int
    rejected: int
    agent: int


_COLUMN_OF = {"flag": 1, "hold": 2, "reject": 3}


def weeks(ledger: SqlLedger, where: str, params: list[Any]) -> list[Week]:
    """Contributions per week (oldest first) under a WHERE clause over `contributions c`."""
    counts: dict[str, list[int]] = {}
    for created, verdict, agent in ledger.execute(
        f"SELECT c.created_at, c.verdict, c.agent_made FROM contributions c{where}", params
    ).fetchall():
        bucket = counts.setdefault(week_of(str(created)), [0, 0, 0, 0, 0])
        bucket[0] += 1
        if str(verdict) in _COLUMN_OF:
            bucket[_COLUMN_OF[str(verdict)]] += 1
        bucket[4] += int(agent)
    if not counts:
        return []
    first = date.fromisoformat(min(counts))
    last = date.fromisoformat(max(counts))
    result = []
    day = first
    while day <= last:
        bucket = counts.get(day.isoformat(), [0, 0, 0, 0, 0])
        result.append(Week(day.isoformat(), *bucket))
        day += timedelta(days=7)
    return result


def top_findings(ledger: SqlLedger, project: str, limit: int = 10) -> list[tuple[str, int]]:
    rows = ledger.execute(
        "SELECT f.finding_id, COUNT(*) AS n FROM findings f JOIN contributions c "
        "ON c.id = f.contribution WHERE c.project = ? GROUP BY f.finding_id "
        "ORDER BY n DESC, f.finding_id LIMIT ?",
        (project, limit),
    ).fetchall()
    return [(str(name), int(total)) for name, total in rows]


@dataclass(frozen=True)
class PersonPage:
    person: int
    identities: tuple[tuple[str, str], ...]
    vouches: tuple[tuple[str, str, str, str, str | None], ...]
    history: tuple[QueueRow, ...]


def person(ledger: SqlLedger, person_id: int, limit: int = 200) -> PersonPage | None:
    if ledger.execute("SELECT 1 FROM persons WHERE id = ?", (person_id,)).fetchone() is None:
        return None
    identities = tuple(
        (str(kind), str(value))
        for kind, value in ledger.execute(
            "SELECT kind, value FROM identities WHERE person_id = ? ORDER BY kind, value",
            (person_id,),
        ).fetchall()
    )
    vouches = tuple(
        (str(a), str(b), str(r), str(c), None if e is None else str(e))
        for a, b, r, c, e in ledger.execute(
            "SELECT action, by_whom, reason, created_at, expires_at FROM vouches "
            "WHERE person_id = ? ORDER BY created_at DESC, id DESC",
            (person_id,),
        ).fetchall()
    )
    history = tuple(queue(ledger, _PersonFilter(person=person_id), 0, limit))
    return PersonPage(person_id, identities, vouches, history)


@dataclass(frozen=True)
class _PersonFilter(QueueFilter):
    person: int = 0

    def where(self) -> tuple[str, list[Any]]:
        return " WHERE c.person_id = ?", [self.person]
