"""
The ledger on SQLite (embedded default) or PostgreSQL (shared service), behind one class.

The SQL is written once, with `?` placeholders translated for psycopg. Every write happens in
one transaction (SQLite `BEGIN IMMEDIATE`, PostgreSQL with an advisory lock), so two processes
recording at once serialize cleanly and an interrupted record leaves nothing half-written.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from patchvet.ledger.accounts import record_reading
from patchvet.ledger.identity import Key, contribution_keys
from patchvet.ledger.interface import (
    BreakerState,
    LedgerError,
    LedgerView,
    PersonSummary,
    ScoreBaseline,
    Vouch,
)
from patchvet.ledger.migrations import ID_COLUMN, MIGRATIONS
from patchvet.policy import Policy
from patchvet.records import Assessment, Contribution, Finding, Override, SourceKind

_LOCK = 0x7061_7463  # "patc": one advisory lock for every writer of a PostgreSQL ledger


def now_iso() -> str:
    """The current time as the ledger stores it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def normalize_time(value: str | None) -> str:
    """Any ISO 8601 time (or None, meaning now) as UTC text that sorts correctly."""
    if not value:
        return now_iso()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return now_iso()
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="seconds")


def shift_time(moment: str, days: float) -> str:
    return (datetime.fromisoformat(moment) + timedelta(days=days)).isoformat(timespec="seconds")


class _Cursor(Protocol):
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class SqlLedger:
    """A ledger over a DB-API connection; create with `open_ledger`."""

    def __init__(self, connection: Any, dialect: str, url: str) -> None:
        self.connection = connection
        self.dialect = dialect
        self.url = url
        self._in_transaction = False
        self._policies: dict[int, tuple[Policy, str, str]] = {}
        self._stored_policies: set[str] = set()

    # -- plumbing -----------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Cursor:
        """Run one statement with `?` placeholders."""
        if self.dialect == "postgresql":
            sql = sql.replace("?", "%s")
        return self.connection.execute(sql, tuple(params))  # type: ignore[no-any-return]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of writes; nested uses join the outer one."""
        if self._in_transaction:
            yield
            return
        self._in_transaction = True
        try:
            if self.dialect == "sqlite":
                self.connection.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    self.connection.execute("ROLLBACK")
                    self._stored_policies.clear()
                    raise
                self.connection.execute("COMMIT")
            else:
                try:
                    with self.connection.transaction():
                        self.execute("SELECT pg_advisory_xact_lock(?)", (_LOCK,))
                        yield
                except BaseException:
                    self._stored_policies.clear()
                    raise
        finally:
            self._in_transaction = False

    @contextmanager
    def batch(self, size: int = 200) -> Iterator[Callable[[], None]]:
        """
        Group many records into fewer transactions (a history replay); yields `tick`, to call
        after each record. Work done is committed when the block ends, however it ends, so an
        early stop keeps every completed record and a crash loses at most one batch, never
        leaving half of one.
        """
        count = 0
        self._begin_outer()

        def tick() -> None:
            nonlocal count
            count += 1
            if count % size == 0:
                self._commit_outer()
                self._begin_outer()

        try:
            yield tick
        finally:
            self._commit_outer()

    def _begin_outer(self) -> None:
        if self.dialect == "sqlite":
            self.connection.execute("BEGIN IMMEDIATE")
        else:
            self.connection.execute("BEGIN")
            self.execute("SELECT pg_advisory_xact_lock(?)", (_LOCK,))
        self._in_transaction = True

    def _commit_outer(self) -> None:
        self.connection.execute("COMMIT")
        self._in_transaction = False

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def migrate(self) -> int:
        """Apply pending migrations; return the schema version."""
        with self.transaction():
            self.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            done = {
                row[0] for row in self.execute("SELECT version FROM schema_migrations").fetchall()
            }
            for version, name, template in MIGRATIONS:
                if version in done:
                    continue
                for statement in template.format(id=ID_COLUMN[self.dialect]).split(";"):
                    if statement.strip():
                        self.execute(statement)
                self.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                             (version, name, now_iso()))  # fmt: skip
        return max(version for version, _, _ in MIGRATIONS)

    # -- identities ---------------------------------------------------------------------

    def person_of(self, key: Key) -> int | None:
        """The person a key belongs to, following renamed logins to their numeric id."""
        row = self.execute("SELECT person_id FROM identities WHERE kind = ? AND value = ?",
                           key).fetchone()  # fmt: skip
        if row:
            return int(row[0])
        if key[0] == "login":
            known = self.execute(
                "SELECT github_id FROM logins WHERE login = ? ORDER BY last_seen DESC LIMIT 1",
                (key[1],),
            ).fetchone()
            if known:
                return self.person_of(("github", str(known[0])))
        return None

    def _find_person(self, keys: Sequence[Key], login: str | None = None) -> int | None:
        for key in keys:
            person = self.person_of(key)
            if person is not None:
                return person
        github = next((value for kind, value in keys if kind == "github"), None)
        if login and github and self._login_is_theirs(login, github):
            return self.person_of(("login", login.lower()))
        return None

    def _new_person(self, at: str) -> int:
        row = self.execute("INSERT INTO persons (created_at) VALUES (?) RETURNING id", (at,))
        return int(row.fetchone()[0])

    def _merge(self, keep: int, others: set[int]) -> None:
        for other in others - {keep}:
            for table in ("identities", "contributions", "vouches"):
                self.execute(f"UPDATE {table} SET person_id = ? WHERE person_id = ?", (keep, other))

    def _login_is_theirs(self, login: str, github_id: str) -> bool:
        """
        Whether a login seen before its numeric id may belong to account `github_id`: only if
        no other account holds it, so a freed name re-registered by someone else inherits
        nothing.
        """
        holder = self.person_of(("login", login.lower()))
        if holder is None:
            return True
        row = self.execute(
            "SELECT 1 FROM identities WHERE person_id = ? AND kind = 'github' AND value <> ?",
            (holder, github_id),
        ).fetchone()
        return row is None

    def link(self, keys: Sequence[Key], at: str, login: str | None = None) -> int:
        """The person these keys belong to, creating and merging as needed; inside a transaction."""
        github = next((value for kind, value in keys if kind == "github"), None)
        linked = list(keys)
        if login and github:
            self.execute(
                "INSERT INTO logins VALUES (?, ?, ?) ON CONFLICT (github_id, login) "
                "DO UPDATE SET last_seen = excluded.last_seen",
                (int(github), login.lower(), at),
            )
            if self._login_is_theirs(login, github):
                linked.append(("login", login.lower()))
        persons: set[int] = set()
        for key in linked:
            row = self.execute("SELECT person_id FROM identities WHERE kind = ? AND value = ?",
                               key).fetchone()  # fmt: skip
            if row:
                persons.add(int(row[0]))
        person = min(persons) if persons else self._new_person(at)
        self._merge(person, persons)
        for kind, value in linked:
            self.execute(
                "INSERT INTO identities VALUES (?, ?, ?, ?) ON CONFLICT (kind, value) DO NOTHING",
                (kind, value, person, at),
            )
        return person

    # -- reading ------------------------------------------------------------------------

    def standing(self, person: int, at: str) -> Vouch | None:
        """The latest vouch or denouncement that has not expired at `at`."""
        row = self.execute(
            "SELECT action, by_whom, reason, created_at, expires_at FROM vouches "
            "WHERE person_id = ? AND (expires_at IS NULL OR expires_at > ?) "
            "AND revoked_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1",
            (person, at),
        ).fetchone()
        return Vouch(*row) if row else None

    def breaker(self, project: str, policy: Policy, at: str) -> BreakerState | None:
        """The project's circuit breaker at `at`, when the policy enables it."""
        rules = policy.circuit_breaker
        if not rules.enabled:
            return None
        total, agent = self.execute(
            "SELECT COUNT(*), COALESCE(SUM(agent_made), 0) FROM contributions "
            "WHERE project = ? AND state = 'merged' AND created_at >= ? AND created_at < ?",
            (project, shift_time(at, -rules.window_days), at),
        ).fetchone()
        share = agent / total if total else 0.0
        over = total >= rules.min_contributions and share > rules.max_agent_share
        trip = self.execute(
            "SELECT MAX(tripped_at) FROM breaker_trips WHERE project = ? AND tripped_at <= ?",
            (project, at),
        ).fetchone()[0]
        cooling = trip is not None and trip > shift_time(at, -rules.cooldown_days)
        return BreakerState(share, int(total), over or cooling, trip if (over or cooling) else None)

    def view(self, contribution: Contribution, policy: Policy, project: str) -> LedgerView:
        """What the ledger knows about this contribution's author, as of its own time."""
        at = normalize_time(contribution.created_at)
        person = self._find_person(contribution_keys(contribution), contribution.author.login)
        breaker = self.breaker(project, policy, at)
        if person is None:
            return LedgerView(None, 0, None, frozenset(), None, "new", 0, 0, 0, breaker)
        others = (person, contribution.id, project)
        prior, latest = self.execute(
            "SELECT COUNT(*), MAX(created_at) FROM contributions "
            "WHERE person_id = ? AND NOT (contribution_id = ? AND project = ?) AND created_at <= ?",
            (*others, at),
        ).fetchone()
        window, open_all, open_agent = self.submissions(
            person, policy, at, issues=contribution.kind is SourceKind.ISSUE, other_than=others[1:]
        )
        emails = frozenset(
            row[0]
            for row in self.execute(
                "SELECT value FROM identities WHERE person_id = ? AND kind = 'email'", (person,)
            ).fetchall()
        )
        standing = self.standing(person, at)
        tier = standing_tier(standing, int(prior), policy)
        return LedgerView(person, int(prior), latest, emails, standing, tier, int(window),
                          int(open_all), int(open_agent), breaker,
                          self.baseline(person, others, at))  # fmt: skip

    def submissions(
        self,
        person: int,
        policy: Policy,
        at: str,
        issues: bool = False,
        other_than: tuple[str, str] | None = None,
    ) -> tuple[int, int, int]:
        """
        The person's submissions in the rate window before `at`, their open contributions and
        how many of those carry agent marks: what the rate limits read. Issues and code are
        limited apart (three open bug reports do not use up the open pull requests a new
        contributor may have), and the commits of a range are not submissions (30 commits
        pushed in a day are one push; a replayed history would otherwise count every commit).
        `other_than` (contribution id, project) leaves the one being judged out.
        """
        kind = "kind = 'issue'" if issues else "kind <> 'issue'"
        exclude, excluded = "", tuple[str, ...]()
        if other_than is not None:
            exclude, excluded = "AND NOT (contribution_id = ? AND project = ?) ", other_than
        window = self.execute(
            f"SELECT COUNT(*) FROM contributions WHERE person_id = ? {exclude}"
            f"AND created_at > ? AND created_at <= ? AND {kind} AND kind <> 'commit'",
            (person, *excluded, shift_time(at, -policy.rate.window_hours / 24), at),
        ).fetchone()[0]
        open_all, open_agent = self.execute(
            "SELECT COUNT(*), COALESCE(SUM(agent_made), 0) FROM contributions WHERE person_id = ? "
            f"{exclude}AND state = 'open' AND {kind}",
            (person, *excluded),
        ).fetchone()
        return int(window), int(open_all), int(open_agent)

    def baseline(self, person: int, others: tuple[int, str, str], at: str) -> ScoreBaseline | None:
        """
        The person's recent scores before `at` (not this contribution, not agent-marked work)
        and their signing keys: the baseline a sudden change of style is measured against.
        """
        rows = self.execute(
            "SELECT agent_likelihood FROM contributions WHERE person_id = ? "
            "AND NOT (contribution_id = ? AND project = ?) AND created_at < ? "
            "AND agent_made = 0 AND agent_likelihood IS NOT NULL "
            "ORDER BY created_at DESC LIMIT 50",
            (*others, at),
        ).fetchall()
        keys = frozenset(
            row[0]
            for row in self.execute(
                "SELECT value FROM identities WHERE person_id = ? AND kind = 'key'", (person,)
            ).fetchall()
        )
        if not rows and not keys:
            return None
        scores = sorted(float(row[0]) for row in rows)
        if not scores:
            return ScoreBaseline(0, 0.0, 0.0, keys)
        middle = len(scores) // 2
        median = (scores[middle] + scores[~middle]) / 2
        high = scores[min(len(scores) - 1, int(0.9 * len(scores)))]
        return ScoreBaseline(len(scores), median, high, keys)

    # -- writing ------------------------------------------------------------------------

    def record(self, assessment: Assessment, project: str, policy: Policy) -> None:
        """Store a contribution, its findings and verdict; a re-record replaces the old one."""
        contribution = assessment.contribution
        at = normalize_time(contribution.created_at)
        agent_made = any(j.finding.family == "agent-fingerprint" for j in assessment.findings)
        with self.transaction():
            keys = contribution_keys(contribution)
            person = self.link(keys, at, contribution.author.login) if keys else None
            row = self.execute(
                "INSERT INTO contributions (project, contribution_id, source, kind, person_id, "
                "title, verdict, state, agent_made, agent_likelihood, size_lines, created_at, "
                "recorded_at, policy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (project, contribution_id) DO UPDATE SET verdict = excluded.verdict, "
                "state = excluded.state, title = excluded.title, person_id = excluded.person_id, "
                "agent_made = excluded.agent_made, agent_likelihood = excluded.agent_likelihood, "
                "size_lines = excluded.size_lines, recorded_at = excluded.recorded_at, "
                "policy = excluded.policy RETURNING id",
                (project, contribution.id, contribution.source, contribution.kind.value, person,
                 contribution.title, assessment.verdict.value, contribution.state,
                 int(agent_made), assessment.scores.agent_likelihood,
                 assessment.scores.size_lines, at, now_iso(), self._policy_digest(policy)),
            ).fetchone()  # fmt: skip
            row_id = int(row[0])
            self.execute("DELETE FROM findings WHERE contribution = ?", (row_id,))
            for judged in assessment.findings:
                finding = judged.finding
                self.execute(
                    "INSERT INTO findings (contribution, finding_id, severity, verdict, message, "
                    "evidence, location, remedy, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (row_id, finding.id, finding.severity.value, judged.verdict.value,
                     finding.message, finding.evidence, _locations(finding), finding.remedy,
                     _details(finding)),
                )  # fmt: skip
            if contribution.account is not None:
                record_reading(self, row_id, contribution.account)
            if assessment.override is not None:
                self._record_override(row_id, assessment.override)
            if policy.circuit_breaker.enabled and contribution.state == "merged":
                self._maybe_trip(project, policy, at)

    def _policy_digest(self, policy: Policy) -> str:
        """
        The digest of the policy that judged a contribution; its document is stored once (in the
        open transaction), so the dashboard can show the very policy a verdict came from.
        """
        cached = self._policies.get(id(policy))
        if cached is None or cached[0] is not policy:
            from patchvet.policy.checked import policy_json  # pydantic: only when recording

            document = policy_json(policy)
            digest = hashlib.sha256(f"{policy.origin}\n{document}".encode()).hexdigest()[:32]
            if len(self._policies) > 64:
                self._policies.clear()
            cached = self._policies[id(policy)] = (policy, digest, document)
        _, digest, document = cached
        if digest not in self._stored_policies:
            self.execute(
                "INSERT INTO policies VALUES (?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING",
                (digest, policy.name, policy.origin, document, now_iso()),
            )
            self._stored_policies.add(digest)
        return digest

    def _record_override(self, row_id: int, override: Override) -> None:
        """Keep every distinct override of a contribution: an audit trail, never replaced."""
        seen = self.execute(
            "SELECT 1 FROM overrides WHERE contribution = ? AND by_whom = ? AND reason = ? "
            "AND via = ?",
            (row_id, override.by, override.reason, override.via),
        ).fetchone()
        if seen is None:
            self.execute(
                "INSERT INTO overrides VALUES (?, ?, ?, ?, ?, ?)",
                (row_id, override.by, override.reason, override.via, override.original.value,
                 now_iso()),
            )  # fmt: skip

    def overrides(self, project: str, source: str) -> list[tuple[str, str, str, str]]:
        """(by, reason, via, original verdict) of every override recorded for a contribution."""
        rows = self.execute(
            "SELECT o.by_whom, o.reason, o.via, o.original_verdict FROM overrides o "
            "JOIN contributions c ON c.id = o.contribution WHERE c.project = ? AND c.source = ? "
            "ORDER BY o.recorded_at",
            (project, source),
        ).fetchall()
        return [tuple(row) for row in rows]

    def _maybe_trip(self, project: str, policy: Policy, at: str) -> None:
        state = self.breaker(project, policy, shift_time(at, 1 / 86400))
        if state is None:
            return
        rules = policy.circuit_breaker
        over = state.merged >= rules.min_contributions and state.agent_share > rules.max_agent_share
        if over and state.since is None:
            self.execute("INSERT INTO breaker_trips VALUES (?, ?, ?)",
                         (project, at, state.agent_share))  # fmt: skip

    def vouch(self, key: Key, action: str, by: str, reason: str,
              expires_at: str | None = None) -> int:  # fmt: skip
        """Vouch for or denounce the person behind `key`; return the person id."""
        at = now_iso()
        with self.transaction():
            person = self.person_of(key)
            if person is None:
                person = self.link([key], at)
            self.execute(
                "INSERT INTO vouches (person_id, action, by_whom, reason, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    person,
                    action,
                    by,
                    reason,
                    at,
                    normalize_time(expires_at) if expires_at else None,
                ),
            )
        return person

    def summary(self, key: Key) -> PersonSummary | None:
        """Everything recorded about the person behind `key`."""
        person = self.person_of(key)
        if person is None:
            return None
        identities = tuple(
            (kind, value)
            for kind, value in self.execute(
                "SELECT kind, value FROM identities WHERE person_id = ? ORDER BY kind, value",
                (person,),
            ).fetchall()
        )
        github_ids = [int(v) for k, v in identities if k == "github"]
        logins = tuple(
            row[0]
            for gid in github_ids
            for row in self.execute(
                "SELECT login FROM logins WHERE github_id = ? ORDER BY last_seen DESC", (gid,)
            ).fetchall()
        )
        vouches = tuple(
            Vouch(*row)
            for row in self.execute(
                "SELECT action, by_whom, reason, created_at, expires_at FROM vouches "
                "WHERE person_id = ? AND revoked_at IS NULL ORDER BY created_at, id",
                (person,),
            ).fetchall()
        )
        count = self.execute("SELECT COUNT(*) FROM contributions WHERE person_id = ?",
                             (person,)).fetchone()[0]  # fmt: skip
        latest = self.execute(
            "SELECT created_at, project, title, verdict FROM contributions WHERE person_id = ? "
            "ORDER BY created_at DESC, id DESC LIMIT 1",
            (person,),
        ).fetchone()
        return PersonSummary(person, identities, logins, vouches, int(count),
                             tuple(latest) if latest else None)  # fmt: skip


def _locations(finding: Finding) -> str:
    """Where a finding points, as `path:line` or a commit, one per line (the first ten)."""
    shown = []
    for where in finding.locations[:10]:
        text = where.path or ""
        if where.path and where.line is not None:
            text += f":{where.line}"
        if where.commit:
            text = f"{text} @ {where.commit[:12]}" if text else where.commit[:12]
        if text:
            shown.append(text)
    return "\n".join(shown)


def _details(finding: Finding) -> str:
    """A finding's structured evidence (the signals behind a score) as JSON, or empty."""
    if not finding.details:
        return ""
    return json.dumps([[d.name, d.text, d.value] for d in finding.details], ensure_ascii=False)


def _sqlite(path: Path) -> Any:
    connection = sqlite3.connect(path, isolation_level=None, timeout=60, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


def open_ledger(url: str) -> SqlLedger:
    """Open (creating and migrating) the ledger at `sqlite:///path` or `postgresql://…`."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.parent.is_dir():
            # A typo in --db must not leave a new directory tree behind it.
            raise LedgerError(
                f"cannot open the ledger {path}: {path.parent} is not a directory",
                hint="create the directory first, or pass another --db",
            )
        try:
            ledger = SqlLedger(_sqlite(path), "sqlite", url)
        except (OSError, sqlite3.Error) as error:
            raise LedgerError(f"cannot open the ledger {path}: {error}") from None
    elif url.startswith(("postgresql://", "postgres://")):
        try:
            import psycopg
        except ImportError:
            raise LedgerError(
                "PostgreSQL ledgers need psycopg",
                hint="python3 -m pip install 'patchvet[postgres]'",
            ) from None
        try:
            ledger = SqlLedger(psycopg.connect(url, autocommit=True), "postgresql", url)
        except psycopg.Error as error:
            raise LedgerError(f"cannot connect to the ledger: {error}".strip()) from None
    else:
        raise LedgerError(
            f"unsupported ledger URL {url!r}",
            hint="use sqlite:///path/ledger.db or postgresql://user@host/db",
        )
    try:
        ledger.migrate()
    except (sqlite3.Error, Exception) as error:  # noqa: BLE001 - any driver error
        ledger.close()
        raise LedgerError(f"cannot migrate the ledger {url}: {error}") from None
    return ledger


def standing_tier(standing: Vouch | None, prior: int, policy: Policy) -> str:
    """The rate tier of a person: vouched for, known (enough earlier contributions), or new."""
    if standing is not None and standing.action == "vouch":
        return "vouched"
    if prior >= policy.identity.known_after:
        return "known"
    return "new"
