"""Service configuration, from the environment (secrets never on the command line)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from patchvet.errors import ConfigError
from patchvet.github.client import PUBLIC_API, GitHubClient


@dataclass(frozen=True)
class Settings:
    """`PATCHVET_*` environment variables, checked once at start."""

    webhook_secret: bytes
    api_url: str = PUBLIC_API
    token: str | None = None
    app_id: str | None = None
    private_key: str | None = field(default=None, repr=False)
    bot_login: str | None = None
    """Who the service comments and labels as (default: asked from GitHub)."""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read and validate the environment."""
        env = dict(os.environ if environ is None else environ)
        secret = env.get("PATCHVET_WEBHOOK_SECRET", "")
        if not secret:
            raise ConfigError(
                "PATCHVET_WEBHOOK_SECRET is not set",
                hint="set it to the webhook secret configured on the GitHub App or webhook",
            )
        key = env.get("PATCHVET_GITHUB_PRIVATE_KEY")
        if key and not key.lstrip().startswith("-----BEGIN"):
            try:
                key = Path(key).read_text("utf-8")
            except OSError as error:
                raise ConfigError(
                    f"cannot read PATCHVET_GITHUB_PRIVATE_KEY file: {error}"
                ) from None
        app_id = env.get("PATCHVET_GITHUB_APP_ID")
        token = env.get("PATCHVET_GITHUB_TOKEN")
        if bool(app_id) != bool(key):
            raise ConfigError("PATCHVET_GITHUB_APP_ID and PATCHVET_GITHUB_PRIVATE_KEY go together")
        if not (app_id or token):
            raise ConfigError(
                "no GitHub credentials",
                hint="set PATCHVET_GITHUB_APP_ID with PATCHVET_GITHUB_PRIVATE_KEY, "
                "or PATCHVET_GITHUB_TOKEN",
            )
        return cls(secret.encode(), env.get("PATCHVET_GITHUB_API_URL", PUBLIC_API), token,
                   app_id, key, env.get("PATCHVET_GITHUB_BOT_LOGIN"))  # fmt: skip


class Credentials:
    """GitHub clients for installations: App installation tokens (cached), or the plain token."""

    def __init__(self, settings: Settings, transport: Any = None) -> None:
        self.settings = settings
        self.transport = transport
        self._tokens: dict[int, tuple[str, float]] = {}
        self._login: str | None = settings.bot_login
        self.clients_made = 0
        """How many installation clients `client` has made: a delivery that made none did
        nothing on GitHub (the worker settles such deliveries together)."""

    def _app_jwt(self) -> str:
        import jwt

        now = int(time.time())
        claims = {"iat": now - 60, "exp": now + 540, "iss": self.settings.app_id}
        return str(jwt.encode(claims, self.settings.private_key or "", algorithm="RS256"))

    def app_client(self) -> GitHubClient | None:
        """A client acting as the App itself (a JWT), or None without App credentials."""
        if self.settings.app_id is None:
            return None
        app = GitHubClient(None, self.settings.api_url, self.transport)
        app.http.headers["Authorization"] = f"Bearer {self._app_jwt()}"
        return app

    def login(self, client: GitHubClient) -> str:
        """
        Who this service acts as on GitHub: `<app slug>[bot]` for an App (from `GET /app`),
        the token's user otherwise; only comments by this login are ever edited.
        """
        if self._login is None:
            if self.settings.app_id is not None:
                app = self.app_client()
                assert app is not None
                try:
                    self._login = f"{app.request('GET', '/app').json()['slug']}[bot]"
                finally:
                    app.close()
            else:
                self._login = client.whoami() or "github-actions[bot]"
        return self._login

    def client(self, installation: int | None) -> GitHubClient:
        """A client acting for `installation` (or with the plain token)."""
        self.clients_made += 1
        settings = self.settings
        if settings.app_id is None or installation is None:
            return GitHubClient(settings.token, settings.api_url, self.transport)
        cached = self._tokens.get(installation)
        if cached is None or cached[1] < time.time() + 60:
            app = self.app_client()
            assert app is not None
            try:
                answer = app.request("POST", f"/app/installations/{installation}/access_tokens")
            finally:
                app.close()
            token = answer.json()["token"]
            self._tokens[installation] = (token, time.time() + 3000)
            cached = self._tokens[installation]
        return GitHubClient(cached[0], settings.api_url, self.transport)
