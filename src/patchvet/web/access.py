"""
Who may read the dashboard and who may change anything through it.

Two deployments, one interface:

- `LocalAccess` (`patchvet dashboard`): the URL printed at start carries a token; opening it
  logs the browser in as the maintainer who started the process, who may override anything.
- `GitHubAccess` (`patchvet serve`): people log in with GitHub's OAuth web flow; the dashboard
  asks GitHub, with the visitor's own token, what they may do in a repository
  (`GET /repos/{owner}/{repo}` → `permissions`), and lets only those who may push (write,
  maintain, admin) override there. Reading is configurable: `public` (no login needed),
  `signed-in` (any GitHub account), `writers` (only people with write access to a recorded
  repository; everyone else gets nothing).

Sessions are signed cookies carrying a random id; the GitHub token stays in this process's
memory, never in the cookie.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol
from urllib.parse import urlencode

import httpx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from patchvet.errors import ConfigError
from patchvet.web.session import COOKIE, SESSION_SECONDS, Keys

READ_MODES = ("public", "signed-in", "writers")
OAUTH_STATE_COOKIE = "patchvet_oauth_state"
PERMISSION_SECONDS = 120.0
"""How long GitHub's answer on a visitor's permission in a repository is trusted."""
REPOSITORY = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}")


@dataclass(frozen=True)
class Visitor:
    """Who is looking: the name overrides are recorded under, and their session (for CSRF)."""

    name: str
    session: str
    """Empty for an anonymous reader (public mode), who sees no forms."""

    @property
    def signed_in(self) -> bool:
        return bool(self.session)


class Access(Protocol):
    """What the dashboard asks of a deployment's access rules."""

    keys: Keys
    login_hint: str

    def visitor(self, request: Request) -> Visitor | None:
        """The visitor of a request, or None when they may not read."""

    async def login(self, request: Request) -> Response: ...

    async def callback(self, request: Request) -> Response: ...

    def logout(self, visitor: Visitor) -> None: ...

    async def may_write(self, visitor: Visitor, projects: Sequence[str]) -> bool:
        """Whether the visitor may override in at least one of these projects."""


class LocalAccess:
    """`patchvet dashboard`: one maintainer, logged in by the printed token."""

    login_hint = "Not logged in: open the URL `patchvet dashboard` printed."

    def __init__(self, keys: Keys, user: str) -> None:
        self.keys = keys
        self.user = user

    def visitor(self, request: Request) -> Visitor | None:
        session = self.keys.session_id(request.cookies.get(COOKIE))
        return None if session is None else Visitor(self.user, session)

    async def login(self, request: Request) -> Response:
        if not self.keys.token_matches(request.query_params.get("token", "")):
            return forbidden("This link is not valid; use the one `patchvet dashboard` printed.")
        response = RedirectResponse("/", status_code=303, headers=HEADERS)
        set_session(response, self.keys.new_session(), "strict")
        return response

    async def callback(self, request: Request) -> Response:
        return forbidden("This dashboard logs in with its printed URL, not GitHub.")

    def logout(self, visitor: Visitor) -> None:
        """Nothing kept server-side: dropping the cookie ends the session."""

    async def may_write(self, visitor: Visitor, projects: Sequence[str]) -> bool:
        return visitor.signed_in


@dataclass(frozen=True)
class OAuthSettings:
    """The GitHub OAuth App (or GitHub App user authorization) the dashboard logs in with."""

    client_id: str
    client_secret: str
    oauth_url: str = "https://github.com"
    """Where `/login/oauth/authorize` and `/login/oauth/access_token` are."""
    api_url: str = "https://api.github.com"
    read: str = "signed-in"
    public_url: str | None = None
    """The dashboard's own address as browsers reach it (for the OAuth callback)."""
    session_secret: bytes | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> OAuthSettings | None:
        """
        `PATCHVET_GITHUB_CLIENT_ID`/`_SECRET` (both, or neither: no dashboard at `/`),
        `PATCHVET_DASHBOARD_READ`, `PATCHVET_GITHUB_OAUTH_URL`, `PATCHVET_GITHUB_API_URL`,
        `PATCHVET_PUBLIC_URL`, `PATCHVET_SESSION_SECRET`.
        """
        env = dict(os.environ if environ is None else environ)
        client_id = env.get("PATCHVET_GITHUB_CLIENT_ID", "")
        client_secret = env.get("PATCHVET_GITHUB_CLIENT_SECRET", "")
        if not client_id and not client_secret:
            return None
        if not (client_id and client_secret):
            raise ConfigError(
                "PATCHVET_GITHUB_CLIENT_ID and PATCHVET_GITHUB_CLIENT_SECRET go together",
                hint="set both (the OAuth app the dashboard logs in with), or neither",
            )
        read = env.get("PATCHVET_DASHBOARD_READ", "signed-in")
        if read not in READ_MODES:
            raise ConfigError(f"PATCHVET_DASHBOARD_READ={read!r} is not one of "
                              f"{', '.join(READ_MODES)}")  # fmt: skip
        secret = env.get("PATCHVET_SESSION_SECRET")
        return cls(client_id, client_secret,
                   env.get("PATCHVET_GITHUB_OAUTH_URL", "https://github.com").rstrip("/"),
                   env.get("PATCHVET_GITHUB_API_URL", "https://api.github.com").rstrip("/"),
                   read, env.get("PATCHVET_PUBLIC_URL") or None,
                   secret.encode() if secret else None)  # fmt: skip


@dataclass(frozen=True)
class _GitHubSession:
    login: str
    token: str
    expires: float


class GitHubAccess:
    """`patchvet serve`: GitHub OAuth login; overrides only with write access to the repository."""

    login_hint = "Not logged in: log in with GitHub at /login."

    def __init__(
        self,
        settings: OAuthSettings,
        projects: Callable[[], Awaitable[Sequence[str]]],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        secret = settings.session_secret or secrets.token_bytes(32)
        self.keys = Keys(secrets.token_urlsafe(32), secret)
        self.projects = projects
        self.transport = transport
        self.sessions: dict[str, _GitHubSession] = {}
        self.permissions: dict[tuple[str, str], tuple[bool, float]] = {}

    def _client(self, base: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=base, timeout=15, transport=self.transport,
                                 headers={"Accept": "application/json",
                                          "User-Agent": "patchvet-dashboard"})  # fmt: skip

    def visitor(self, request: Request) -> Visitor | None:
        session = self.keys.session_id(request.cookies.get(COOKIE))
        known = self.sessions.get(session or "")
        if session is not None and known is not None and known.expires > time.time():
            return Visitor(known.login, session)
        if self.settings.read == "public":
            return Visitor("", "")
        return None

    def _callback_url(self, request: Request) -> str:
        base = self.settings.public_url or str(request.base_url)
        return base.rstrip("/") + "/login/callback"

    async def login(self, request: Request) -> Response:
        """Send the browser to GitHub with a fresh `state`, remembered in a signed cookie."""
        state = secrets.token_urlsafe(24)
        query = urlencode({"client_id": self.settings.client_id,
                           "redirect_uri": self._callback_url(request), "state": state,
                           "allow_signup": "false"})  # fmt: skip
        response = RedirectResponse(f"{self.settings.oauth_url}/login/oauth/authorize?{query}",
                                    status_code=303, headers=HEADERS)  # fmt: skip
        response.set_cookie(OAUTH_STATE_COOKIE, self.keys.sign("oauth", state),
                            max_age=600, httponly=True, samesite="lax", path="/login")  # fmt: skip
        return response

    async def callback(self, request: Request) -> Response:
        """GitHub's redirect back: check `state`, trade the code for a token, ask who it is."""
        state = request.query_params.get("state", "")
        code = request.query_params.get("code", "")
        remembered = request.cookies.get(OAUTH_STATE_COOKIE, "")
        expected = self.keys.sign("oauth", state)
        if not state or not code or not secrets.compare_digest(remembered, expected):
            return forbidden("This login did not start here (its state does not match); "
                             "log in again from /login.")  # fmt: skip
        try:
            async with self._client(self.settings.oauth_url) as oauth:
                answer = await oauth.post("/login/oauth/access_token", data={
                    "client_id": self.settings.client_id,
                    "client_secret": self.settings.client_secret, "code": code,
                    "redirect_uri": self._callback_url(request)})  # fmt: skip
            granted = answer.json() if answer.status_code == 200 else {}
            token = str(granted.get("access_token") or "")
            if not token:
                reason = granted.get("error_description") or granted.get("error")
                return forbidden(f"GitHub did not grant a token: {reason or answer.status_code}")
            async with self._client(self.settings.api_url) as api:
                user = await api.get("/user", headers={"Authorization": f"Bearer {token}"})
            login = str(user.json().get("login") or "") if user.status_code == 200 else ""
        except (httpx.HTTPError, ValueError) as error:
            return forbidden(f"GitHub could not be asked who you are: {error}")
        if not login:
            return forbidden("GitHub did not say who you are.")
        session = self.keys.new_session()
        session_id = self.keys.session_id(session)
        assert session_id is not None
        self.sessions[session_id] = _GitHubSession(login, token, time.time() + SESSION_SECONDS)
        visitor = Visitor(login, session_id)
        writers_only = self.settings.read == "writers"
        if writers_only and not await self.may_write(visitor, await self.projects()):
            del self.sessions[session_id]
            return forbidden(f"{login} has no write access to any repository this dashboard "
                             "records; it shows nothing to others.")  # fmt: skip
        response = RedirectResponse("/", status_code=303, headers=HEADERS)
        set_session(response, session, "lax")
        response.delete_cookie(OAUTH_STATE_COOKIE, path="/login")
        return response

    def logout(self, visitor: Visitor) -> None:
        self.sessions.pop(visitor.session, None)

    async def may_write(self, visitor: Visitor, projects: Sequence[str]) -> bool:
        known = self.sessions.get(visitor.session)
        if known is None:
            return False
        names = [name for name in dict.fromkeys(projects) if REPOSITORY.fullmatch(name)][:30]
        answers = await asyncio.gather(*(self._may_push(known, name) for name in names))
        return any(answers)

    async def _may_push(self, session: _GitHubSession, repository: str) -> bool:
        """GitHub's word, with the visitor's own token, on whether they may push to a repository."""
        key = (session.token, repository.lower())
        cached = self.permissions.get(key)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        try:
            async with self._client(self.settings.api_url) as api:
                authorization = {"Authorization": f"Bearer {session.token}"}
                answer = await api.get(f"/repos/{repository}", headers=authorization)
            rights = answer.json().get("permissions", {}) if answer.status_code == 200 else {}
        except (httpx.HTTPError, ValueError, AttributeError):
            return False  # not cached: ask again next time
        allowed = bool(rights.get("push") or rights.get("maintain") or rights.get("admin"))
        if len(self.permissions) > 10_000:
            self.permissions.clear()
        self.permissions[key] = (allowed, time.time() + PERMISSION_SECONDS)
        return allowed


HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def set_session(response: Response, cookie: str, samesite: Literal["lax", "strict"]) -> None:
    """
    The session cookie: `strict` where login happens on this site (the printed URL), `lax` after
    GitHub's redirect, which a strict cookie would not survive; POSTs carry a CSRF token either way.
    """
    response.set_cookie(COOKIE, cookie, max_age=SESSION_SECONDS, httponly=True,
                        samesite=samesite, path="/")  # fmt: skip


def forbidden(reason: str) -> Response:
    from patchvet.web import pages

    return Response(pages.message_page("Forbidden", reason), status_code=403,
                    media_type="text/html", headers=HEADERS)  # fmt: skip
