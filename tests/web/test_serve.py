"""
`patchvet serve` with the dashboard at `/`: GitHub OAuth login against the local GitHub double
(its `/login/oauth/*` web flow and REST `GET /user`, `GET /repos/{owner}/{repo}` over real HTTP),
overrides only with write access to the repository, reading by configuration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from patchvet.errors import ConfigError
from patchvet.ledger import open_ledger
from patchvet.service.app import create_app
from patchvet.web.access import GitHubAccess, OAuthSettings
from patchvet.web.app import create_web
from tests.github.double import GitHubDouble
from tests.service.conftest import RunningService, deliver, settings_for
from tests.web.conftest import HOSTILE, csrf_of, fill

REPO = "example/widgets"
CLIENT = ("Iv1.dashboard", "oauth-client-secret")


@pytest.fixture
def github() -> Iterator[GitHubDouble]:
    with GitHubDouble() as double:
        double.state.oauth_apps[CLIENT[0]] = CLIENT[1]
        double.state.permissions.update({"maint-max": "maintain", "reader-rita": "read"})
        double.state.repo_permissions[(REPO, "triager-tom")] = "triage"
        yield double


@pytest.fixture
def recorded(ledger_url: str, tmp_path: Path) -> str:
    return fill(ledger_url, tmp_path, REPO)


Serve = Any


@pytest.fixture
def serve(github: GitHubDouble, recorded: str) -> Iterator[Serve]:
    """Start `patchvet serve`'s app (webhook and dashboard) with a given read mode."""
    running: list[RunningService] = []

    def start(read: str = "signed-in", secret: str = CLIENT[1]) -> RunningService:
        oauth = OAuthSettings(CLIENT[0], secret, github.url, github.url, read)
        dashboard = create_web(recorded, lambda board: GitHubAccess(oauth, board.projects))
        app = create_app(settings_for(github.url), recorded, run_worker=False,
                         sweep_seconds=3600, dashboard=dashboard)  # fmt: skip
        service = RunningService(app).__enter__()
        running.append(service)
        return service

    yield start
    for service in running:
        service.__exit__()


def log_in(client: httpx.Client, github: GitHubDouble, login: str, user_id: int) -> httpx.Response:
    """The browser's trip: /login → GitHub's authorize → our callback, as `login`."""
    github.state.oauth_user = (login, user_id)
    start = client.get("/login")
    assert start.status_code == 303
    authorize = urlparse(start.headers["location"])
    query = parse_qs(authorize.query)
    assert authorize.path == "/login/oauth/authorize" and query["client_id"] == [CLIENT[0]]
    assert query["redirect_uri"] == [f"{str(client.base_url).rstrip('/')}/login/callback"]
    back = httpx.get(start.headers["location"])
    assert back.status_code == 302
    return client.get(back.headers["location"])


def _count(ledger_url: str, table: str) -> int:
    ledger = open_ledger(ledger_url)
    try:
        return int(ledger.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        ledger.close()


def _row(client: httpx.Client, title: str) -> int:
    found = re.search(r'href="/contribution/(\d+)"', client.get("/", params={"q": title}).text)
    assert found
    return int(found.group(1))


def test_a_maintainer_logs_in_with_github_and_overrides_next_to_the_webhook(
    serve: Serve, github: GitHubDouble, recorded: str
) -> None:
    service = serve()
    with httpx.Client(base_url=service.url, timeout=30) as client:
        assert client.get("/").status_code == 403
        assert "log in with GitHub" in client.get("/").text
        assert client.get("/healthz").status_code == 200
        assert deliver(service.url, "ping", {"zen": "x"}, signature="sha256=00").status_code == 401
        landed = log_in(client, github, "maint-max", 501)
        assert landed.status_code == 303 and landed.headers["location"] == "/"
        assert "SameSite=lax" in landed.headers["set-cookie"]
        assert "HttpOnly" in landed.headers["set-cookie"]
        queue = client.get("/")
        assert queue.status_code == 200 and "maint-max" in queue.text
        assert "4 contributions" in queue.text
        assert "gho_" not in landed.headers["set-cookie"]  # the GitHub token stays server-side
        row = _row(client, "generated")
        page = client.get(f"/contribution/{row}").text
        assert "Mark wrong" in page and "Confirm" in page
        answer = client.post(f"/contribution/{row}/correct", data={
            "target": "verdict", "reason": "human after all", "csrf": csrf_of(page)})  # fmt: skip
        assert answer.status_code == 303
        assert "maint-max marked the verdict wrong" in client.get(f"/contribution/{row}").text
        assert ("GET", f"/repos/{REPO}") in github.state.requests
        assert client.post("/logout", data={"csrf": csrf_of(page)}).status_code == 200
        assert client.get("/").status_code == 403
    ledger = open_ledger(recorded)
    try:
        by = ledger.execute("SELECT by_whom FROM corrections").fetchall()
    finally:
        ledger.close()
    assert [tuple(b) for b in by] == [("maint-max",)]


def test_without_write_access_reading_is_allowed_and_overriding_is_403_with_nothing_recorded(
    serve: Serve, github: GitHubDouble, recorded: str
) -> None:
    service = serve()
    for login, user_id in (("reader-rita", 601), ("triager-tom", 602)):
        with httpx.Client(base_url=service.url, timeout=30) as client:
            assert log_in(client, github, login, user_id).status_code == 303
            row = _row(client, "pwned")
            page = client.get(f"/contribution/{row}").text
            assert "&lt;script&gt;" in page and HOSTILE not in page
            assert "overriding needs write access" in page and "Mark wrong" not in page
            csrf = csrf_of(page)  # the logout form's: a valid token does not grant anything
            person = re.search(r'href="/person/(\d+)"', page)
            assert person
            attempts = [
                (f"/contribution/{row}/correct", {"target": "verdict", "reason": "no"}),
                (f"/contribution/{row}/correct",
                 {"target": "verdict", "reason": "no", "kind": "confirm"}),
                (f"/person/{person.group(1)}/vouch", {"action": "vouch", "reason": "friend"}),
            ]  # fmt: skip
            for path, form in attempts:
                answer = client.post(path, data={**form, "csrf": csrf})
                assert answer.status_code == 403, (login, path)
                assert "Nothing was recorded" in answer.text
    assert _count(recorded, "corrections") == 0 and _count(recorded, "vouches") == 0


def test_read_modes_public_and_writers(serve: Serve, github: GitHubDouble, recorded: str) -> None:
    public = serve("public")
    with httpx.Client(base_url=public.url, timeout=30) as client:
        page = client.get("/")
        assert page.status_code == 200 and "Log in" in page.text and "4 contributions" in page.text
        row = _row(client, "generated")
        assert "Mark wrong" not in client.get(f"/contribution/{row}").text
        refused = client.post(f"/contribution/{row}/correct",
                              data={"target": "verdict", "reason": "x", "csrf": ""})  # fmt: skip
        assert refused.status_code == 403
    writers = serve("writers")
    with httpx.Client(base_url=writers.url, timeout=30) as client:
        refused = log_in(client, github, "reader-rita", 601)
        assert refused.status_code == 403 and "no write access" in refused.text
        assert client.get("/").status_code == 403
        assert log_in(client, github, "maint-max", 501).status_code == 303
        assert client.get("/").status_code == 200
    assert _count(recorded, "corrections") == 0


def test_a_forged_state_or_wrong_client_secret_does_not_log_in(
    serve: Serve, github: GitHubDouble
) -> None:
    service = serve()
    with httpx.Client(base_url=service.url, timeout=30) as client:
        github.state.oauth_user = ("maint-max", 501)
        start = client.get("/login")
        back = httpx.get(start.headers["location"])
        code = parse_qs(urlparse(back.headers["location"]).query)["code"][0]
        forged = client.get("/login/callback", params={"code": code, "state": "attacker"})
        assert forged.status_code == 403 and "state does not match" in forged.text
        assert client.get("/").status_code == 403
    broken = serve(secret="wrong")
    with httpx.Client(base_url=broken.url, timeout=30) as client:
        answer = log_in(client, github, "maint-max", 501)
        assert answer.status_code == 403 and "client_secret passed are incorrect" in answer.text


def test_oauth_settings_from_the_environment() -> None:
    assert OAuthSettings.from_env({}) is None
    env = {"PATCHVET_GITHUB_CLIENT_ID": "id", "PATCHVET_GITHUB_CLIENT_SECRET": "s"}
    settings = OAuthSettings.from_env(env)
    assert settings is not None and settings.read == "signed-in"
    assert settings.oauth_url == "https://github.com"
    with pytest.raises(ConfigError, match="go together"):
        OAuthSettings.from_env({"PATCHVET_GITHUB_CLIENT_ID": "id"})
    with pytest.raises(ConfigError, match="PATCHVET_DASHBOARD_READ"):
        OAuthSettings.from_env({**env, "PATCHVET_DASHBOARD_READ": "everyone"})
