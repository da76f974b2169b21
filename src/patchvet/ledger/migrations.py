"""
Versioned schema migrations, shared by SQLite and PostgreSQL.

Each migration runs once, in its own transaction, and is recorded in `schema_migrations`; the
SQL is written once with `{id}` standing for each engine's auto-increment key. Timestamps are
ISO 8601 UTC text, so both engines compare them the same way.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "identities, contributions, findings, vouches, breaker",
        """
        CREATE TABLE persons (
            id {id},
            created_at TEXT NOT NULL
        );
        CREATE TABLE identities (
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            person_id BIGINT NOT NULL REFERENCES persons (id),
            first_seen TEXT NOT NULL,
            PRIMARY KEY (kind, value)
        );
        CREATE INDEX identities_person ON identities (person_id);
        CREATE TABLE logins (
            github_id BIGINT NOT NULL,
            login TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            PRIMARY KEY (github_id, login)
        );
        CREATE INDEX logins_login ON logins (login);
        CREATE TABLE contributions (
            id {id},
            project TEXT NOT NULL,
            contribution_id TEXT NOT NULL,
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            person_id BIGINT REFERENCES persons (id),
            title TEXT NOT NULL,
            verdict TEXT NOT NULL,
            state TEXT NOT NULL,
            agent_made INTEGER NOT NULL,
            agent_likelihood REAL,
            size_lines INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            UNIQUE (project, contribution_id)
        );
        CREATE INDEX contributions_person ON contributions (person_id, created_at);
        CREATE INDEX contributions_project ON contributions (project, state, created_at);
        CREATE TABLE findings (
            contribution BIGINT NOT NULL REFERENCES contributions (id),
            finding_id TEXT NOT NULL,
            severity TEXT NOT NULL,
            verdict TEXT NOT NULL,
            message TEXT NOT NULL
        );
        CREATE INDEX findings_contribution ON findings (contribution);
        CREATE TABLE vouches (
            id {id},
            person_id BIGINT NOT NULL REFERENCES persons (id),
            action TEXT NOT NULL,
            by_whom TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT
        );
        CREATE INDEX vouches_person ON vouches (person_id, created_at);
        CREATE TABLE breaker_trips (
            project TEXT NOT NULL,
            tripped_at TEXT NOT NULL,
            share REAL NOT NULL
        );
        CREATE INDEX breaker_trips_project ON breaker_trips (project, tripped_at);
        """,
    ),
    (
        2,
        "webhook deliveries, stored before they are acknowledged",
        """
        CREATE TABLE deliveries (
            delivery_id TEXT PRIMARY KEY,
            event TEXT NOT NULL,
            payload TEXT NOT NULL,
            received_at TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            claimed_at TEXT,
            finished_at TEXT,
            error TEXT
        );
        CREATE INDEX deliveries_status ON deliveries (status, received_at);
        """,
    ),
    (
        3,
        "maintainer verdicts: a person's word that a contribution is human or agent work",
        """
        CREATE TABLE maintainer_verdicts (
            project TEXT NOT NULL,
            contribution_id TEXT NOT NULL,
            verdict TEXT NOT NULL,
            by_whom TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (project, contribution_id)
        );
        """,
    ),
    (
        4,
        "maintainers' overrides: who overrode which verdict, how and why",
        """
        CREATE TABLE overrides (
            contribution BIGINT NOT NULL REFERENCES contributions (id),
            by_whom TEXT NOT NULL,
            reason TEXT NOT NULL,
            via TEXT NOT NULL,
            original_verdict TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX overrides_contribution ON overrides (contribution);
        """,
    ),
    (
        5,
        "delivery completions, so processed-exactly-once can be counted",
        """
        ALTER TABLE deliveries ADD COLUMN completions INTEGER NOT NULL DEFAULT 0
        """,
    ),
    (
        6,
        "account snapshots: a GitHub account's public record, cached for a day",
        """
        CREATE TABLE account_snapshots (
            login TEXT PRIMARY KEY,
            fetched_at TEXT NOT NULL,
            snapshot TEXT NOT NULL
        );
        """,
    ),
    (
        7,
        "findings keep evidence, location and remedy; dashboard corrections, reversible",
        """
        ALTER TABLE findings ADD COLUMN evidence TEXT NOT NULL DEFAULT '';
        ALTER TABLE findings ADD COLUMN location TEXT NOT NULL DEFAULT '';
        ALTER TABLE findings ADD COLUMN remedy TEXT NOT NULL DEFAULT '';
        CREATE TABLE corrections (
            id {id},
            contribution BIGINT NOT NULL REFERENCES contributions (id),
            target TEXT NOT NULL,
            by_whom TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked_by TEXT,
            revoked_at TEXT
        );
        CREATE INDEX corrections_contribution ON corrections (contribution)
        """,
    ),
    (
        8,
        "dashboard: confirmations, reversible vouches, the judging policy, signals, keyset paging",
        """
        ALTER TABLE corrections ADD COLUMN kind TEXT NOT NULL DEFAULT 'wrong';
        ALTER TABLE vouches ADD COLUMN revoked_by TEXT;
        ALTER TABLE vouches ADD COLUMN revoked_at TEXT;
        ALTER TABLE findings ADD COLUMN details TEXT NOT NULL DEFAULT '';
        CREATE TABLE policies (
            digest TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            origin TEXT NOT NULL,
            document TEXT NOT NULL,
            first_seen TEXT NOT NULL
        );
        ALTER TABLE contributions ADD COLUMN policy TEXT;
        CREATE INDEX contributions_created ON contributions (created_at, id);
        CREATE INDEX contributions_project_created ON contributions (project, created_at, id)
        """,
    ),
    (
        9,
        "reply codes for the honeypot; the author's account as it looked at each contribution",
        """
        CREATE TABLE reply_codes (
            project TEXT NOT NULL,
            number BIGINT NOT NULL,
            code TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (project, number)
        );
        CREATE TABLE contribution_accounts (
            contribution BIGINT PRIMARY KEY REFERENCES contributions (id),
            login TEXT NOT NULL,
            classification TEXT NOT NULL,
            score INTEGER NOT NULL,
            as_of TEXT NOT NULL,
            reading TEXT NOT NULL
        )
        """,
    ),
)

ID_COLUMN = {
    "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "postgresql": "BIGSERIAL PRIMARY KEY",
}
