"""Ledgers on both engines: SQLite in a temp dir, and a fresh database on the local PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from patchvet.ledger import SqlLedger, open_ledger

POSTGRES_ADMIN = os.environ.get(
    "PATCHVET_TEST_POSTGRES", "postgresql://postgres@127.0.0.1/postgres"
)


def _postgres_database() -> Iterator[str]:
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        if os.environ.get("CI"):
            raise  # CI must test the real PostgreSQL path, never skip it
        pytest.skip(f"no PostgreSQL at {POSTGRES_ADMIN}: {error}")
    name = f"patchvet_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE DATABASE {name}")
    try:
        yield POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty ledger on each engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[SqlLedger]:
    """An open, migrated ledger on each engine."""
    opened = open_ledger(ledger_url)
    try:
        yield opened
    finally:
        opened.close()


LedgerFactory = Callable[[], SqlLedger]
