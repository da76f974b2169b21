"""
A small GitHub REST client: the calls patchvet needs, nothing more.

It follows `Link: rel="next"` pagination, retries 5xx answers with backoff, waits out
secondary rate limits (`Retry-After`, or `x-ratelimit-reset` when the quota is spent), caches
GETs for the life of the client (one run), and works against GitHub Enterprise Server through
`api_url`.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import httpx

from patchvet import __version__
from patchvet.errors import PatchvetError

PUBLIC_API = "https://api.github.com"
MAX_ATTEMPTS = 5


class GitHubError(PatchvetError):
    """GitHub answered with an error, or could not be reached."""

    def __init__(
        self,
        message: str,
        status: int | None = None,
        hint: str | None = None,
        accepted_permissions: str | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.status = status
        self.accepted_permissions = accepted_permissions
        """GitHub's `X-Accepted-GitHub-Permissions` on a 403: what the call would have needed."""


class GitHubClient:
    """REST calls with a token; `transport` lets tests and the App reuse connections."""

    def __init__(
        self,
        token: str | None,
        api_url: str = PUBLIC_API,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = 120.0,
    ) -> None:
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": f"patchvet/{__version__}",
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = httpx.Client(base_url=api_url.rstrip("/"), headers=headers, timeout=30.0,
                                 transport=transport)  # fmt: skip
        self.sleep = sleep
        self.max_wait = max_wait
        self.cache: dict[str, Any] = {}

    def close(self) -> None:
        """Release connections."""
        self.http.close()

    # -- transport ----------------------------------------------------------------------

    def _wait_for(self, response: httpx.Response) -> float | None:
        """Seconds to wait before retrying, or None when the answer is final."""
        if response.status_code >= 500:
            return None if response.status_code == 501 else -1.0
        if response.status_code in (403, 429):
            retry_after = response.headers.get("retry-after")
            if retry_after and retry_after.isdigit():
                return float(retry_after)
            if response.headers.get("x-ratelimit-remaining") == "0":
                reset = response.headers.get("x-ratelimit-reset", "")
                return max(0.0, float(reset) - time.time()) if reset.isdigit() else 60.0
        return None

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One call, retried on 5xx and secondary rate limits."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                response = self.http.request(method, url, **kwargs)
            except httpx.TransportError as error:
                if attempt == MAX_ATTEMPTS - 1:
                    raise GitHubError(f"cannot reach GitHub: {error}") from None
                self.sleep(2**attempt)
                continue
            wait = self._wait_for(response)
            if wait is None or attempt == MAX_ATTEMPTS - 1:
                break
            delay = 2**attempt if wait < 0 else wait
            if delay > self.max_wait:
                break
            self.sleep(delay)
        if response.status_code >= 400:
            try:
                detail = response.json().get("message", "")
            except ValueError:
                detail = response.text[:200]
            raise GitHubError(
                f"GitHub {method} {url}: {response.status_code} {detail}".strip(),
                status=response.status_code,
                accepted_permissions=response.headers.get("x-accepted-github-permissions"),
            )
        return response

    def get(self, url: str, params: dict[str, Any] | None = None) -> Any:
        """A cached GET returning JSON."""
        key = f"{url}?{sorted((params or {}).items())}"
        if key not in self.cache:
            self.cache[key] = self.request("GET", url, params=params).json()
        return self.cache[key]

    def paginate(self, url: str, limit: int | None = None) -> Iterator[Any]:
        """Every item of a list endpoint, following `Link: rel="next"`."""
        next_url: str | None = url
        params: dict[str, Any] | None = {"per_page": 100}
        count = 0
        while next_url:
            response = self.request("GET", next_url, params=params)
            for item in response.json():
                yield item
                count += 1
                if limit is not None and count >= limit:
                    return
            next_url = response.links.get("next", {}).get("url")
            params = None  # the next link carries its own query

    # -- the calls patchvet makes -------------------------------------------------------

    def pull(self, repo: str, number: int) -> Any:
        """`GET /repos/{repo}/pulls/{number}`."""
        return self.get(f"/repos/{repo}/pulls/{number}")

    def pull_files(self, repo: str, number: int) -> list[Any]:
        """All changed files (GitHub lists at most 3,000)."""
        return list(self.paginate(f"/repos/{repo}/pulls/{number}/files", limit=3000))

    def pull_commits(self, repo: str, number: int) -> list[Any]:
        """All commits (GitHub lists at most 250)."""
        return list(self.paginate(f"/repos/{repo}/pulls/{number}/commits"))

    def pull_reviews(self, repo: str, number: int) -> list[Any]:
        """Every review of a pull request."""
        return list(self.paginate(f"/repos/{repo}/pulls/{number}/reviews"))

    def issue(self, repo: str, number: int) -> Any:
        """`GET /repos/{repo}/issues/{number}` (a pull request is an issue too)."""
        return self.get(f"/repos/{repo}/issues/{number}")

    def default_branch(self, repo: str) -> str:
        """The repository's default branch (`GET /repos/{repo}`), where an issue's policy lives."""
        return str(self.get(f"/repos/{repo}").get("default_branch") or "main")

    def user(self, login: str) -> Any:
        """`GET /users/{login}`: account age and numeric id."""
        return self.get(f"/users/{login}")

    def file_at(self, repo: str, path: str, ref: str) -> str | None:
        """A file's text at `ref`, or None if it does not exist there."""
        try:
            data = self.get(f"/repos/{repo}/contents/{path}", params={"ref": ref})
        except GitHubError as error:
            if error.status == 404:
                return None
            raise
        if not isinstance(data, dict) or data.get("encoding") != "base64":
            return None
        return base64.b64decode(data.get("content", "")).decode("utf-8", "replace")

    def add_labels(self, repo: str, number: int, labels: list[str]) -> None:
        """Add labels to an issue or pull request."""
        self.request("POST", f"/repos/{repo}/issues/{number}/labels", json={"labels": labels})

    def comments(self, repo: str, number: int) -> list[Any]:
        """Every comment on an issue or pull request (not review comments), oldest first."""
        return list(self.paginate(f"/repos/{repo}/issues/{number}/comments"))

    def upsert_comment(
        self, repo: str, number: int, marker: str, body: str, author: str, create: bool = True
    ) -> str | None:
        """
        Edit the comment written by `author` (our own identity) that carries `marker`, or
        create it when `create`; return `updated`, `created` or None. A comment by anyone else
        is never touched, whatever it contains: a contributor can copy the marker.
        """
        for comment in self.comments(repo, number):
            if (comment.get("user") or {}).get("login", "").lower() != author.lower():
                continue
            if marker in (comment.get("body") or ""):
                self.request("PATCH", f"/repos/{repo}/issues/comments/{comment['id']}",
                             json={"body": body})  # fmt: skip
                return "updated"
        if not create:
            return None
        self.request("POST", f"/repos/{repo}/issues/{number}/comments", json={"body": body})
        return "created"

    def remove_label(self, repo: str, number: int, label: str) -> None:
        """Remove one label; a label already gone is not an error."""
        try:
            self.request("DELETE", f"/repos/{repo}/issues/{number}/labels/{quote(label, safe='')}")
        except GitHubError as error:
            if error.status != 404:
                raise

    def issue_events(self, repo: str, number: int) -> list[Any]:
        """The issue events of a pull request (who labeled and unlabeled what)."""
        return list(self.paginate(f"/repos/{repo}/issues/{number}/events"))

    def permission(self, repo: str, login: str) -> str:
        """`login`'s role in `repo`: admin, maintain, write, triage, read or none."""
        try:
            data = self.get(f"/repos/{repo}/collaborators/{quote(login, safe='')}/permission")
        except GitHubError as error:
            if error.status == 404:
                return "none"
            raise
        return str(data.get("role_name") or data.get("permission") or "none")

    def whoami(self) -> str | None:
        """The token's own login, or None for a GITHUB_TOKEN or App token (they cannot ask)."""
        try:
            return str(self.get("/user")["login"])
        except GitHubError as error:
            if error.status in (401, 403):
                return None
            raise

    def create_check_run(self, repo: str, payload: dict[str, Any]) -> Any:
        """`POST /repos/{repo}/check-runs`."""
        return self.request("POST", f"/repos/{repo}/check-runs", json=payload).json()

    def update_check_run(self, repo: str, run_id: int, payload: dict[str, Any]) -> None:
        """`PATCH /repos/{repo}/check-runs/{id}` (more annotations, 50 at a time)."""
        self.request("PATCH", f"/repos/{repo}/check-runs/{run_id}", json=payload)

    def hook_deliveries(self) -> Iterator[Any]:
        """The App's webhook deliveries, newest first (`GET /app/hook/deliveries`, App JWT)."""
        return self.paginate("/app/hook/deliveries")

    def redeliver(self, delivery_id: int) -> None:
        """Ask GitHub to send a delivery again (`POST /app/hook/deliveries/{id}/attempts`)."""
        self.request("POST", f"/app/hook/deliveries/{delivery_id}/attempts")

    def close_pull(self, repo: str, number: int) -> None:
        """Close a pull request."""
        self.request("PATCH", f"/repos/{repo}/pulls/{number}", json={"state": "closed"})

    def close_issue(self, repo: str, number: int) -> None:
        """Close an issue (as not planned: it was not judged on its merits)."""
        self.request("PATCH", f"/repos/{repo}/issues/{number}",
                     json={"state": "closed", "state_reason": "not_planned"})  # fmt: skip
