"""
What the dashboard reads from the ledger: the filtered queue, one contribution, one person,
one project's weeks. Plain SQL over `SqlLedger.execute`, the same on SQLite and PostgreSQL.

The queue pages by keyset, never OFFSET: a page is the rows just older (or newer) than a
`(created_at, id)` cursor, which an index on those columns finds directly however deep the
page, so the 2,000th page of 100,000 contributions costs what the first does.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from patchvet.ledger import SqlLedger
from patchvet.ledger.accounts import reading_of
from patchvet.ledger.store import now_iso, standing_tier
from patchvet.policy import Policy
from patchvet.policy.checked import policy_from_json
from patchvet.policy.schema import CircuitBreakerRules
from patchvet.records import AccountReading

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
VERDICTS = ("pass", "flag", "hold", "reject")
FILTERS = ("project", "verdict", "family", "author", "person", "since", "until", "q")


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters, as read from a query string; empty means any."""

    project: str = ""
    verdict: str = ""
    family: str = ""
    author: str = ""
    person: str = ""
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
        if not (values["person"].isdigit() and len(values["person"]) < 19):
            values["person"] = ""
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
        if self.person:
            clauses.append("c.person_id = ?")
            params.append(int(self.person))
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


def parse_day(text: str) -> str | None:
    """A form's date (`YYYY-MM-DD`) as the ledger time its day starts at (UTC), or None."""
    day = _day(text.strip())
    return f"{day}T00:00:00+00:00" if day else None


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


Cursor = tuple[str, int]
"""A position in the queue: a row's (created_at, id)."""


def cursor_text(row: QueueRow) -> str:
    return f"{row.created_at}_{row.id}"


def parse_cursor(text: str | None) -> Cursor | None:
    """A cursor from a query string (`created_at_id`), or None when it is not one."""
    if not text or "_" not in text or len(text) > 80:
        return None
    moment, _, row = text.rpartition("_")
    if not row.isdigit() or len(row) > 18 or not _day(moment[:10]):
        return None
    return moment, int(row)


SEARCH_CHUNK = 2000


def _keyset(
    where: str, params: list[Any], mark: Cursor | None, order: str
) -> tuple[str, list[Any]]:
    """`where` narrowed to the rows past `mark` in the direction of `order`."""
    if mark is None:
        return where, params
    where += " AND " if where else " WHERE "
    where += "(c.created_at, c.id) " + ("<" if order == "DESC" else ">") + " (?, ?)"
    return where, [*params, *mark]


def _search(
    ledger: SqlLedger, wanted: QueueFilter, limit: int, mark: Cursor | None, order: str,
    chunk: int,
) -> list[Any]:  # fmt: skip
    """
    A title search, walked along the queue's index a chunk of rows at a time: a common word is
    found in the first chunk or two, where a planner left to itself scans and sorts every title.
    """
    where, params = dataclasses.replace(wanted, q="").where()
    like = "%" + _like(wanted.q.lower()) + "%"
    rows: list[Any] = []
    while len(rows) < limit:
        narrowed, values = _keyset(where, params, mark, order)
        inner = (f"SELECT {_QUEUE_COLUMNS} FROM contributions c{narrowed} "
                 f"ORDER BY c.created_at {order}, c.id {order} LIMIT ?")  # fmt: skip
        rows += ledger.execute(
            f"SELECT * FROM ({inner}) AS c WHERE LOWER(c.title) LIKE ? ESCAPE '!' "
            f"ORDER BY c.created_at {order}, c.id {order} LIMIT ?",
            (*values, chunk, like, limit - len(rows)),
        ).fetchall()
        end = ledger.execute(
            f"SELECT c.created_at, c.id FROM contributions c{narrowed} "
            f"ORDER BY c.created_at {order}, c.id {order} LIMIT 1 OFFSET ?",
            (*values, chunk - 1),
        ).fetchone()
        if end is None:
            break  # this chunk reached the end of the queue
        mark = (str(end[0]), int(end[1]))
    return rows


def queue(
    ledger: SqlLedger,
    wanted: QueueFilter,
    limit: int = PAGE_SIZE,
    after: Cursor | None = None,
    before: Cursor | None = None,
    chunk: int = SEARCH_CHUNK,
) -> list[QueueRow]:
    """
    The filtered queue, newest first: the `limit` rows just older than `after`, or just newer
    than `before`, or the newest ones.
    """
    order = "ASC" if after is None and before is not None else "DESC"
    mark = after if after is not None else before
    if wanted.q:
        rows = _search(ledger, wanted, limit, mark, order, chunk)
    else:
        where, params = _keyset(*wanted.where(), mark, order)
        rows = ledger.execute(
            f"SELECT {_QUEUE_COLUMNS} FROM contributions c{where} "
            f"ORDER BY c.created_at {order}, c.id {order} LIMIT ?",
            (*params, limit),
        ).fetchall()
    if order == "ASC":
        rows.reverse()
    if not rows:
        return []
    ids = [int(row[0]) for row in rows]
    persons = sorted({int(row[8]) for row in rows if row[8] is not None})
    families: dict[int, set[str]] = {}
    for part in _chunks(ids):
        for contribution, finding in ledger.execute(
            f"SELECT contribution, finding_id FROM findings WHERE contribution IN "
            f"({', '.join('?' * len(part))})",
            part,
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


COUNT_CAP = 1000
"""The queue counts matches up to here and says "1000+" beyond: an exact count of 100,000 rows
costs a full scan on every page, and keyset paging does not need it."""


def count(ledger: SqlLedger, wanted: QueueFilter, cap: int = COUNT_CAP) -> int:
    """How many contributions match, counted up to `cap + 1` (more than `cap`: "cap+")."""
    where, params = wanted.where()
    return int(ledger.execute(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM contributions c{where} LIMIT ?) AS matched",
        (*params, cap + 1),
    ).fetchone()[0])  # fmt: skip


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
    details: tuple[tuple[str, str, float], ...] = ()
    """The signals behind a score: (name, plain words, weight), as recorded."""


@dataclass(frozen=True)
class PolicyRow:
    """The policy that judged a contribution, as recorded with it."""

    digest: str
    name: str
    origin: str
    policy: Policy | None
    """None when the recorded document no longer reads as a policy (an older schema)."""


@dataclass(frozen=True)
class ContributionPage:
    row: QueueRow
    source: str
    kind: str
    state: str
    recorded_at: str
    findings: tuple[FindingRow, ...]
    policy: PolicyRow | None = None
    account: AccountReading | None = None
    """The author's GitHub account as it looked when they contributed, when it was read."""


def _details(text: str) -> tuple[tuple[str, str, float], ...]:
    if not text:
        return ()
    try:
        items = json.loads(text)
        return tuple((str(name), str(words), float(value)) for name, words, value in items)
    except (ValueError, TypeError):
        return ()


def policy_of(ledger: SqlLedger, digest: str | None) -> PolicyRow | None:
    """A recorded policy by digest."""
    if not digest:
        return None
    found = ledger.execute(
        "SELECT name, origin, document FROM policies WHERE digest = ?", (digest,)
    ).fetchone()
    if found is None:
        return None
    try:
        policy: Policy | None = policy_from_json(str(found[2]))
    except ValueError:
        policy = None
    return PolicyRow(digest, str(found[0]), str(found[1]), policy)


def latest_policy(ledger: SqlLedger, where: str, params: list[Any]) -> PolicyRow | None:
    """The policy of the newest contribution under a WHERE clause over `contributions c`."""
    found = ledger.execute(
        f"SELECT c.policy FROM contributions c{where} ORDER BY c.created_at DESC, c.id DESC "
        "LIMIT 1",
        params,
    ).fetchone()
    return policy_of(ledger, None if found is None else found[0])


def contribution(ledger: SqlLedger, row_id: int) -> ContributionPage | None:
    found = ledger.execute(
        f"SELECT {_QUEUE_COLUMNS}, c.source, c.kind, c.state, c.recorded_at, c.policy "
        "FROM contributions c WHERE c.id = ?",
        (row_id,),
    ).fetchone()
    if found is None:
        return None
    findings = tuple(
        FindingRow(
            str(row[0]),
            str(row[1]),
            str(row[2]),
            str(row[3]),
            str(row[4]),
            str(row[5]),
            str(row[6]),
            _details(str(row[7])),
        )
        for row in ledger.execute(
            "SELECT finding_id, severity, verdict, message, evidence, location, remedy, details "
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
                            findings, policy_of(ledger, found[13]),
                            reading_of(ledger, row_id))  # fmt: skip


def week_of(day: str) -> str:
    """The Monday (UTC) of the week a ledger day (`YYYY-MM-DD…`, UTC) falls in."""
    moment = date.fromisoformat(day[:10])
    return (moment - timedelta(days=moment.weekday())).isoformat()


@dataclass(frozen=True)
class Week:
    start: str
    total: int
    flagged: int
    held: int
    rejected: int
    agent: int
    merged: int = 0
    merged_agent: int = 0


def weeks(ledger: SqlLedger, where: str, params: list[Any]) -> list[Week]:
    """
    Contributions per week (oldest first) under a WHERE clause over `contributions c`, summed
    per day by the database (ledger times are UTC text, so the first ten characters are the day).
    """
    counts: dict[str, list[int]] = {}
    for day, total, flagged, held, rejected, agent, merged, merged_agent in ledger.execute(
        "SELECT SUBSTR(c.created_at, 1, 10), COUNT(*), "
        "SUM(CASE WHEN c.verdict = 'flag' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.verdict = 'hold' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.verdict = 'reject' THEN 1 ELSE 0 END), SUM(c.agent_made), "
        "SUM(CASE WHEN c.state = 'merged' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.state = 'merged' THEN c.agent_made ELSE 0 END) "
        f"FROM contributions c{where} GROUP BY SUBSTR(c.created_at, 1, 10)",
        params,
    ).fetchall():
        bucket = counts.setdefault(week_of(str(day)), [0] * 7)
        for index, value in enumerate((total, flagged, held, rejected, agent, merged,
                                       merged_agent)):  # fmt: skip
            bucket[index] += int(value or 0)
    if not counts:
        return []
    first = date.fromisoformat(min(counts))
    last = date.fromisoformat(max(counts))
    result = []
    day = first
    while day <= last:
        bucket = counts.get(day.isoformat(), [0] * 7)
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
class RateState:
    """A contributor's standing against the rate limits of the policy that judged them last."""

    tier: str
    window_hours: float
    in_window: int
    max_per_window: int | None
    open: int
    max_open: int | None
    open_agent: int
    max_open_agent: int | None
    policy: str


@dataclass(frozen=True)
class PersonPage:
    person: int
    identities: tuple[tuple[str, str], ...]
    history: tuple[QueueRow, ...]
    rate: RateState
    projects: tuple[str, ...]
    account: AccountReading | None = None
    """The latest account reading of any of their contributions."""


def person(ledger: SqlLedger, person_id: int, limit: int = PAGE_SIZE) -> PersonPage | None:
    if ledger.execute("SELECT 1 FROM persons WHERE id = ?", (person_id,)).fetchone() is None:
        return None
    identities = tuple(
        (str(kind), str(value))
        for kind, value in ledger.execute(
            "SELECT kind, value FROM identities WHERE person_id = ? ORDER BY kind, value",
            (person_id,),
        ).fetchall()
    )
    history = tuple(queue(ledger, QueueFilter(person=str(person_id)), limit))
    projects = tuple(
        str(row[0])
        for row in ledger.execute(
            "SELECT DISTINCT project FROM contributions WHERE person_id = ? ORDER BY project",
            (person_id,),
        ).fetchall()
    )
    latest = ledger.execute(
        "SELECT a.contribution FROM contribution_accounts a JOIN contributions c "
        "ON c.id = a.contribution WHERE c.person_id = ? ORDER BY c.created_at DESC, c.id DESC "
        "LIMIT 1",
        (person_id,),
    ).fetchone()
    account = None if latest is None else reading_of(ledger, int(latest[0]))
    return PersonPage(person_id, identities, history, rate_state(ledger, person_id), projects,
                      account)  # fmt: skip


def rate_state(ledger: SqlLedger, person_id: int, at: str | None = None) -> RateState:
    """Where a person stands now against the rate rules of their latest contribution's policy."""
    moment = at or now_iso()
    recorded = latest_policy(ledger, " WHERE c.person_id = ?", [person_id])
    policy = recorded.policy if recorded is not None and recorded.policy is not None else Policy()
    rules = policy.rate
    prior = int(ledger.execute("SELECT COUNT(*) FROM contributions WHERE person_id = ?",
                               (person_id,)).fetchone()[0])  # fmt: skip
    tier = standing_tier(ledger.standing(person_id, moment), prior, policy)
    in_window, open_all, open_agent = ledger.submissions(person_id, policy, moment)
    name = recorded.name if recorded is not None else "the default policy (none recorded)"
    per_window = {str(key): value for key, value in rules.max_per_window.items()}
    max_open = {str(key): value for key, value in rules.max_open.items()}
    max_agent = {str(key): value for key, value in rules.max_open_agent.items()}
    return RateState(tier, rules.window_hours, in_window, per_window.get(tier), int(open_all),
                     max_open.get(tier), int(open_agent), max_agent.get(tier), name)  # fmt: skip


@dataclass(frozen=True)
class BreakerView:
    """A project's circuit breaker against its threshold, now."""

    enabled: bool
    """Whether the policy that judged the project's latest contribution turns it on."""
    window_days: float
    threshold: float
    min_contributions: int
    share: float
    merged: int
    tripped: bool
    since: str | None
    policy: str


def breaker_view(ledger: SqlLedger, project: str, at: str | None = None) -> BreakerView:
    """
    The breaker as the project's latest policy sets it; when that policy leaves it off, the share
    is still measured against Rust's rule (half of the merges of six weeks) for comparison.
    """
    recorded = latest_policy(ledger, " WHERE c.project = ?", [project])
    policy = recorded.policy if recorded is not None and recorded.policy is not None else Policy()
    rules = policy.circuit_breaker
    enabled = rules.enabled
    if not enabled:
        rules = CircuitBreakerRules(enabled=True)
        policy = dataclasses.replace(policy, circuit_breaker=rules)
    state = ledger.breaker(project, policy, at or now_iso())
    assert state is not None
    name = recorded.name if recorded is not None else "the default policy (none recorded)"
    return BreakerView(enabled, rules.window_days, rules.max_agent_share,
                       rules.min_contributions, state.agent_share, state.merged, state.paused,
                       state.since, name)  # fmt: skip


def rolling_share(history: list[Week], window_days: float) -> list[float]:
    """Per week, the share of agent-made merges over the breaker's window ending that week."""
    span = max(round(window_days / 7), 1)
    shares = []
    for index in range(len(history)):
        chunk = history[max(0, index - span + 1) : index + 1]
        merged = sum(w.merged for w in chunk)
        shares.append(sum(w.merged_agent for w in chunk) / merged if merged else 0.0)
    return shares
