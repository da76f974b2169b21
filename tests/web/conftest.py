"""A ledger on each engine, filled by `patchvet check --record` over a real git repository."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from patchvet.cli import main
from patchvet.web.app import create_dashboard
from patchvet.web.session import Keys
from tests.helpers import GitRepo, make_repo
from tests.ledger.conftest import ledger_url  # noqa: F401 - the fixture, on both engines
from tests.service.conftest import RunningService

HOSTILE = "Fix <script>alert(\"pwned\")</script> & 'quotes' \u202eevil\u202c <img src=x onerror=1>"
AGENT = "Co-authored-by: Claude <noreply@anthropic.com>"


def fill(url: str, tmp_path: Path, project: str = "demo") -> str:
    """Record four commits of two authors, one with a hostile title, under `project`."""
    repo: GitRepo = make_repo(tmp_path / "demo")
    repo.commit("Add a", {"a.txt": "a\n"}, author="Ann <ann@example.org>",
                date="2026-01-05T10:00:00Z")  # fmt: skip
    repo.commit(HOSTILE, {"b.txt": "b\n"}, author="Mallory <mal@example.org>",
                date="2026-01-14T10:00:00Z")  # fmt: skip
    repo.commit(f"Add generated parser\n\nWritten with help.\n\n{AGENT}\n",
                {"c.py": "x = 1\n" * 40}, author="Ann <ann@example.org>",
                date="2026-01-21T10:00:00Z")  # fmt: skip
    repo.commit("=HYPERLINK(\"http://x\") formula title", {"d.txt": "d\n"},
                author="Ann <ann@example.org>", date="2026-01-28T10:00:00Z")  # fmt: skip
    code = main(["check", "--git", "HEAD~4..HEAD", "--repo", str(repo.path), "--record",
                 "--db", url, "--project", project, "--format", "json", "-o",
                 str(tmp_path / "report.json")])  # fmt: skip
    assert code in (0, 1)
    return url


@pytest.fixture
def filled(ledger_url: str, tmp_path: Path) -> str:  # noqa: F811 - the fixture above
    """The ledger after recording four commits of two authors, one with a hostile title."""
    return fill(ledger_url, tmp_path)


@pytest.fixture
def keys() -> Keys:
    return Keys.generate()


@pytest.fixture
def client(filled: str, keys: Keys) -> Iterator[httpx.Client]:
    """A client of the dashboard served by uvicorn on localhost, not logged in yet."""
    app = create_dashboard(filled, keys, "maintainer-max")
    with RunningService(app) as served, httpx.Client(base_url=served.url, timeout=30) as opened:
        yield opened
    app.state.dashboard.close()


@pytest.fixture
def session(client: httpx.Client, keys: Keys) -> httpx.Client:
    """The client after opening the printed login URL."""
    answer = client.get(f"/login?token={keys.token}")
    assert answer.status_code == 303
    return client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page carries no CSRF field"
    return found.group(1)
