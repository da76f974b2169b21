"""
Reading an account from GitHub's REST API: `GET /users/{login}`, every page of
`GET /users/{login}/events/public` (GitHub keeps at most 300 events of 90 days), and two
searches for the account's pull requests in repositories it does not own.

An endpoint that is missing or refused (404, an Enterprise server without search, a spent rate
limit) is recorded in `missing` and its signals become unknown: never suspicious.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from patchvet.account.snapshot import AccountSnapshot, Event, event_from_api
from patchvet.errors import PatchvetError
from patchvet.github.client import GitHubClient, GitHubError
from patchvet.ledger import SqlLedger
from patchvet.ledger.accounts import cached_account, store_account

MAX_EVENTS = 300
API_CALLS = "1 profile + up to 3 pages of events + 2 searches"


def _count(client: GitHubClient, query: str) -> int:
    found = client.get("/search/issues", {"q": query, "per_page": 1})
    total = found.get("total_count") if isinstance(found, dict) else None
    if not isinstance(total, int) or total < 0:
        raise GitHubError("search answered without a total_count")
    return min(total, 10**9)


def fetch_snapshot(
    client: GitHubClient, login: str, now: datetime | None = None
) -> AccountSnapshot:
    """The account as GitHub shows it now; `PatchvetError` when the account does not exist."""
    fetched = (now or datetime.now(UTC)).isoformat().replace("+00:00", "Z")
    try:
        profile = client.user(login)
    except GitHubError as error:
        if error.status == 404:
            raise PatchvetError(f"no GitHub account named {login!r}") from None
        raise
    missing: dict[str, str] = {}
    events: list[Event] = []
    try:
        for raw in client.paginate(f"/users/{login}/events/public", limit=MAX_EVENTS):
            event = event_from_api(raw) if isinstance(raw, dict) else None
            if event is not None:
                events.append(event)
    except GitHubError as error:
        missing["events"] = error.message
    merged = closed = None
    try:
        merged = _count(client, f"is:pr author:{login} -user:{login} is:merged")
        closed = _count(client, f"is:pr author:{login} -user:{login} is:closed is:unmerged")
    except GitHubError as error:
        missing["search"] = error.message
    return AccountSnapshot(
        login=str(profile.get("login") or login),
        fetched_at=fetched,
        id=profile.get("id") if isinstance(profile.get("id"), int) else None,
        created_at=profile.get("created_at")
        if isinstance(profile.get("created_at"), str)
        else None,
        public_repos=_int(profile.get("public_repos")),
        followers=_int(profile.get("followers")),
        events=tuple(events),
        merged_elsewhere=merged,
        closed_unmerged_elsewhere=closed,
        missing=missing,
    )


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and 0 <= value < 10**12 else None


def cached_snapshot(
    client: GitHubClient, login: str, ledger: SqlLedger | None, ttl_hours: float
) -> AccountSnapshot:
    """A snapshot younger than `ttl_hours` from the ledger, else a fresh one (then cached)."""
    if ledger is None:
        return fetch_snapshot(client, login)
    since = (datetime.now(UTC) - timedelta(hours=ttl_hours)).isoformat().replace("+00:00", "Z")
    cached = cached_account(ledger, login, since)
    if cached is not None:
        return AccountSnapshot.from_json(cached)
    snapshot = fetch_snapshot(client, login)
    store_account(ledger, login, snapshot.fetched_at, snapshot.to_json())
    return snapshot
