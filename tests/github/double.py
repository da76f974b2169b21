"""
A local GitHub REST API double over real HTTP, so the real client code runs unchanged.

It serves pull requests, files, commits, users, contents, comments, labels, check runs and
closing, in GitHub's shapes, with `Link` pagination (`per_page` up to 100, files capped at
3,000 as GitHub does), and can be told to fail: 5xx answers or secondary rate limits with
`Retry-After`, a given number of times per path.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class GitHubState:
    """Everything the double knows and everything clients did to it."""

    pulls: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    files: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)
    commits: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)
    reviews: dict[tuple[str, int], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    contents: dict[tuple[str, str, str], str] = field(default_factory=dict)
    comments: dict[tuple[str, int], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    labels: dict[tuple[str, int], list[str]] = field(default_factory=lambda: defaultdict(list))
    check_runs: list[dict[str, Any]] = field(default_factory=list)
    closed: set[tuple[str, int]] = field(default_factory=set)
    failures: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    app_public_key: str | None = None
    """PEM of the App's public key: installation tokens are only given for valid App JWTs."""
    app_id: str = "12345"
    delay: dict[str, float] = field(default_factory=dict)
    """Seconds to wait before answering requests to a path (a slow GitHub)."""
    next_id: int = 1000

    def fail(self, path_prefix: str, status: int, times: int = 1, **headers: str) -> None:
        """Answer `status` (with `headers`) to the next `times` requests under a path."""
        self.failures.setdefault(path_prefix, []).extend([(status, headers)] * times)


def _page(items: list[Any], query: dict[str, list[str]], base: str) -> tuple[list[Any], str | None]:
    per_page = min(100, int(query.get("per_page", ["30"])[0]))
    page = int(query.get("page", ["1"])[0])
    start = (page - 1) * per_page
    chunk = items[start : start + per_page]
    link = None
    if start + per_page < len(items):
        link = f'<{base}?per_page={per_page}&page={page + 1}>; rel="next"'
    return chunk, link


class _Handler(BaseHTTPRequestHandler):
    state: GitHubState
    base: str

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length", "0"))
        return json.loads(self.rfile.read(length)) if length else {}

    def _route(self, method: str) -> None:
        url = urlparse(self.path)
        path, query = url.path, parse_qs(url.query)
        state = self.state
        state.requests.append((method, path))
        if path in state.delay:
            time.sleep(state.delay[path])
        for prefix, queue in state.failures.items():
            if path.startswith(prefix) and queue:
                status, headers = queue.pop(0)
                self._send(status, {"message": "injected failure"}, headers)
                return
        authorization = self.headers.get("Authorization", "")
        if not authorization.startswith("Bearer "):
            self._send(401, {"message": "Requires authentication"})
            return
        if match := re.fullmatch(r"/app/installations/(\d+)/access_tokens", path):
            self._installation_token(authorization.removeprefix("Bearer "), int(match[1]))
            return
        body: Any = self._body() if method in ("POST", "PATCH") else {}
        if match := re.fullmatch(
            r"/repos/([^/]+/[^/]+)/pulls/(\d+)(/files|/commits|/reviews)?", path
        ):
            key = (match[1], int(match[2]))
            if method == "PATCH":
                state.closed.add(key)
                self._send(200, {**state.pulls[key], "state": "closed"})
                return
            if key not in state.pulls:
                self._send(404, {"message": "Not Found"})
                return
            if match[3] is None:
                self._send(200, state.pulls[key])
                return
            items = {
                "/files": state.files[key][:3000],
                "/commits": state.commits[key],
                "/reviews": state.reviews[key],
            }[match[3]]
            chunk, link = _page(items, query, f"{self.base}{path}")
            self._send(200, chunk, {"Link": link} if link else None)
        elif match := re.fullmatch(r"/users/([^/]+)", path):
            user = state.users.get(match[1])
            self._send(200 if user else 404, user or {"message": "Not Found"})
        elif match := re.fullmatch(r"/repos/([^/]+/[^/]+)/contents/(.+)", path):
            text = state.contents.get((match[1], match[2], query.get("ref", [""])[0]))
            if text is None:
                self._send(404, {"message": "Not Found"})
            else:
                encoded = base64.b64encode(text.encode()).decode()
                self._send(
                    200,
                    {"type": "file", "encoding": "base64", "content": encoded, "path": match[2]},
                )
        elif match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/labels", path):
            key = (match[1], int(match[2]))
            for label in body["labels"]:
                if label not in state.labels[key]:
                    state.labels[key].append(label)
            self._send(200, [{"name": name} for name in state.labels[key]])
        elif match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", path):
            key = (match[1], int(match[2]))
            if method == "POST":
                state.next_id += 1
                comment = {"id": state.next_id, "body": body["body"], "user": {"login": "bot"}}
                state.comments[key].append(comment)
                self._send(201, comment)
            else:
                chunk, link = _page(state.comments[key], query, f"{self.base}{path}")
                self._send(200, chunk, {"Link": link} if link else None)
        elif match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/comments/(\d+)", path):
            for comments in state.comments.values():
                for comment in comments:
                    if comment["id"] == int(match[2]):
                        comment["body"] = body["body"]
                        self._send(200, comment)
                        return
            self._send(404, {"message": "Not Found"})
        elif re.fullmatch(r"/repos/([^/]+/[^/]+)/check-runs(/\d+)?", path):
            if method == "POST":
                state.next_id += 1
                state.check_runs.append({"id": state.next_id, **body})
                self._send(201, {"id": state.next_id})
            else:
                run_id = int(path.rsplit("/", 1)[1])
                run = next(r for r in state.check_runs if r["id"] == run_id)
                run["output"]["annotations"] += body["output"]["annotations"]
                self._send(200, {"id": run_id})
        else:
            self._send(404, {"message": "Not Found"})

    def _installation_token(self, token: str, installation: int) -> None:
        import jwt

        try:
            claims = jwt.decode(token, self.state.app_public_key or "", algorithms=["RS256"])
        except jwt.PyJWTError as error:
            self._send(401, {"message": f"A JSON web token could not be decoded: {error}"})
            return
        if str(claims.get("iss")) != self.state.app_id:
            self._send(401, {"message": "Integration not found"})
            return
        self._send(
            201, {"token": f"ghs_installation_{installation}", "expires_at": "2099-01-01T00:00:00Z"}
        )

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PATCH(self) -> None:
        self._route("PATCH")


class GitHubDouble:
    """Start with `with GitHubDouble() as github:`; `github.url` is the API base URL."""

    def __init__(self) -> None:
        self.state = GitHubState()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        handler: type[_Handler] = type(
            "Handler", (_Handler,), {"state": self.state, "base": self.url}
        )
        self.server.RequestHandlerClass = handler
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> GitHubDouble:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
