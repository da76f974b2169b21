"""
Access to the local dashboard: a one-time-printed token logs a browser in; the session is an
HMAC-signed cookie; every state-changing request carries a CSRF token derived from the session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

COOKIE = "patchvet_session"
SESSION_SECONDS = 12 * 3600


@dataclass(frozen=True)
class Keys:
    """The secrets of one dashboard process: the login token and the signing key."""

    token: str
    secret: bytes

    @classmethod
    def generate(cls) -> Keys:
        return cls(secrets.token_urlsafe(32), secrets.token_bytes(32))

    def _sign(self, text: str) -> str:
        return hmac.new(self.secret, text.encode(), hashlib.sha256).hexdigest()

    def sign(self, purpose: str, text: str) -> str:
        """`text` with its signature for one purpose (the OAuth `state` cookie)."""
        return f"{text}.{self._sign(purpose + ':' + text)}"

    def token_matches(self, offered: str) -> bool:
        return hmac.compare_digest(offered.encode(), self.token.encode())

    def new_session(self, now: float | None = None) -> str:
        """A cookie value: a random session id and its expiry, signed."""
        expires = int((time.time() if now is None else now) + SESSION_SECONDS)
        body = f"{secrets.token_urlsafe(16)}.{expires}"
        return f"{body}.{self._sign('session:' + body)}"

    def session_id(self, cookie: str | None, now: float | None = None) -> str | None:
        """The session id of a valid, unexpired cookie, else None."""
        if not cookie or cookie.count(".") != 2:
            return None
        session, expires, signature = cookie.split(".")
        body = f"{session}.{expires}"
        if not hmac.compare_digest(signature.encode(), self._sign("session:" + body).encode()):
            return None
        if not expires.isdigit() or int(expires) < (time.time() if now is None else now):
            return None
        return session

    def csrf(self, session: str) -> str:
        """The CSRF token of a session: every form of that session carries it."""
        return self._sign("csrf:" + session)

    def csrf_matches(self, session: str, offered: str) -> bool:
        return hmac.compare_digest(offered.encode(), self.csrf(session).encode())
