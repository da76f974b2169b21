"""
A local GitHub REST API double over real HTTP, so the real client code runs unchanged.

It serves pull requests, issues (`GET /repos/{o}/{r}/issues/N` answers for a pull request too,
with its `pull_request` key, as GitHub does), the repository (its default branch, and the
caller's `permissions` on it), files, commits, users with their public events, contents,
comments, labels (with the issue events that record who added or removed each), collaborator
permissions, check runs, closing, GitHub's OAuth web flow (`/login/oauth/authorize`,
`/login/oauth/access_token`), and the App's webhook delivery log with redelivery (which really
POSTs the delivery again, signed), in GitHub's shapes, with `Link` pagination (`per_page` up to
100, files capped at 3,000 as GitHub does), and can be told to fail: 5xx answers or secondary
rate limits with `Retry-After`, a given number of times per path.

Tokens have identities (`tokens`): a token the double does not know acts like a workflow's
`GITHUB_TOKEN` (`github-actions[bot]`, and `GET /user` is refused as GitHub refuses it for
integration tokens); a read-only token gets GitHub's 403 with `X-Accepted-GitHub-Permissions`
on every write. Comment bodies over 65,536 characters are refused with 422, as GitHub does.
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
from urllib.parse import parse_qs, quote, unquote, urlparse


@dataclass(frozen=True)
class Token:
    """Who a token acts as, and whether it may write."""

    login: str
    integration: bool = False
    """A GITHUB_TOKEN or App installation token: `GET /user` is refused."""
    read_only: bool = False
    user_id: int = 777


_WRITE_PERMISSION = {
    "labels": "issues=write; pull_requests=write",
    "comments": "issues=write; pull_requests=write",
    "pulls": "pull_requests=write",
    "check-runs": "checks=write",
}
_LEGACY_PERMISSION = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read"}


def _event(kind: str, label: str, actor: str, state: GitHubState) -> dict[str, Any]:
    state.next_id += 1
    return {"id": state.next_id, "event": kind, "label": {"name": label},
            "actor": {"login": actor, "type": "Bot" if actor.endswith("[bot]") else "User"},
            "created_at": "2026-12-01T12:00:00Z"}  # fmt: skip


@dataclass
class GitHubState:
    """Everything the double knows and everything clients did to it."""

    pulls: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    issues: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    """Plain issues (not pull requests), in the shape of `GET /repos/{o}/{r}/issues/N`."""
    default_branch: str = "main"
    files: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)
    commits: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)
    reviews: dict[tuple[str, int], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    user_events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """`GET /users/{login}/events/public`, newest first, paginated; 300 at most, as GitHub."""
    search_counts: dict[str, int] | None = field(default_factory=dict)
    """`GET /search/issues` answers by query (`total_count`); None: search is not there (404)."""
    contents: dict[tuple[str, str, str], str] = field(default_factory=dict)
    comments: dict[tuple[str, int], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    labels: dict[tuple[str, int], list[str]] = field(default_factory=lambda: defaultdict(list))
    check_runs: list[dict[str, Any]] = field(default_factory=list)
    closed: set[tuple[str, int]] = field(default_factory=set)
    failures: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    timed_requests: list[tuple[float, str, str]] = field(default_factory=list)
    """(monotonic time, method, path) of every request."""
    app_public_key: str | None = None
    """PEM of the App's public key: installation tokens are only given for valid App JWTs."""
    app_id: str = "12345"
    delay: dict[str, float] = field(default_factory=dict)
    """Seconds to wait before answering requests to a path (a slow GitHub)."""
    next_id: int = 1000
    tokens: dict[str, Token] = field(default_factory=dict)
    """Known tokens; any other token is a workflow's GITHUB_TOKEN with write access."""
    events: dict[tuple[str, int], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    permissions: dict[str, str] = field(default_factory=dict)
    """Repository role of each user (`admin`, `maintain`, `write`, `triage`, `read`)."""
    app_slug: str = "patchvet-app"
    hook_deliveries: list[dict[str, Any]] = field(default_factory=list)
    """The App's webhook delivery log, newest first, as `GET /app/hook/deliveries` lists it."""
    hook_payloads: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    """What each delivery (guid) carried: (event, body), for redelivery."""
    hook_target: tuple[str, str] | None = None
    """(webhook URL, secret) that a redelivery is POSTed to, signed, as GitHub does."""
    repo_permissions: dict[tuple[str, str], str] = field(default_factory=dict)
    """(repository, login) to role, where it differs from `permissions`."""
    oauth_apps: dict[str, str] = field(default_factory=dict)
    """OAuth client id to its secret."""
    oauth_user: tuple[str, int] | None = None
    """(login, id) of who the browser is signed in to GitHub as: authorize approves for them."""
    oauth_codes: dict[str, tuple[str, int, str, str]] = field(default_factory=dict)
    """Unused codes: (login, id, client id, redirect URI)."""

    def identity(self, authorization: str) -> Token:
        """Who a request's token acts as."""
        token = authorization.removeprefix("Bearer ")
        if token in self.tokens:
            return self.tokens[token]
        if token.startswith("ghs_installation_"):
            return Token(f"{self.app_slug}[bot]", integration=True)
        return Token("github-actions[bot]", integration=True)

    def add_label(self, repo: str, number: int, name: str, actor: str) -> None:
        """A label added by someone, with its `labeled` issue event."""
        if name not in self.labels[(repo, number)]:
            self.labels[(repo, number)].append(name)
            self.events[(repo, number)].append(_event("labeled", name, actor, self))

    def log_delivery(self, guid: str, event: str, body: bytes, status_code: int) -> int:
        """Record a delivery attempt in the App's log (newest first); return its id."""
        self.next_id += 1
        self.hook_payloads[guid] = (event, body)
        self.hook_deliveries.insert(0, {
            "id": self.next_id, "guid": guid,
            "delivered_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "redelivery": any(d["guid"] == guid for d in self.hook_deliveries),
            "duration": 0.1, "status": "OK" if status_code < 300 else "Invalid HTTP Response",
            "status_code": status_code, "event": event, "action": None,
            "installation_id": None, "repository_id": None, "throttled_at": None,
        })  # fmt: skip
        return self.next_id

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
        state.timed_requests.append((time.monotonic(), method, path))
        if path in state.delay:
            time.sleep(state.delay[path])
        for prefix, queue in state.failures.items():
            if path.startswith(prefix) and queue:
                status, headers = queue.pop(0)
                self._send(status, {"message": "injected failure"}, headers)
                return
        if path.startswith("/login/oauth/"):
            self._oauth(method, path, query)
            return
        authorization = self.headers.get("Authorization", "")
        if not authorization.startswith("Bearer "):
            self._send(401, {"message": "Requires authentication"})
            return
        if match := re.fullmatch(r"/app/installations/(\d+)/access_tokens", path):
            self._installation_token(authorization.removeprefix("Bearer "), int(match[1]))
            return
        if path.startswith("/app/hook/"):
            if self._app_claims(authorization.removeprefix("Bearer ")) is not None:
                self._hook(method, path, query)
            return
        if path == "/app":
            if self._app_claims(authorization.removeprefix("Bearer ")) is not None:
                self._send(200, {"id": int(state.app_id), "slug": state.app_slug})
            return
        me = state.identity(authorization)
        if method != "GET" and me.read_only:
            area = next((k for k in _WRITE_PERMISSION if f"/{k}" in path), "pulls")
            by = "integration" if me.integration else "personal access token"
            self._send(403, {"message": f"Resource not accessible by {by}"},
                       {"X-Accepted-GitHub-Permissions": _WRITE_PERMISSION[area]})  # fmt: skip
            return
        body: Any = self._body() if method in ("POST", "PATCH") else {}
        if method in ("POST", "PATCH") and len(str(body.get("body", ""))) > 65_536:
            self._send(422, {"message": "Validation Failed", "errors": [
                {"resource": "IssueComment", "code": "custom", "field": "body",
                 "message": "body is too long (maximum is 65536 characters)"}]})  # fmt: skip
            return
        if path == "/user":
            if me.integration:
                self._send(403, {"message": "Resource not accessible by integration"})
            else:
                self._send(200, {"login": me.login, "id": me.user_id, "type": "User"})
            return
        if match := re.fullmatch(r"/repos/([^/]+/[^/]+)/collaborators/([^/]+)/permission", path):
            role = state.permissions.get(match[2], "read")
            self._send(200, {"permission": _LEGACY_PERMISSION.get(role, role), "role_name": role,
                             "user": {"login": match[2]}})  # fmt: skip
            return
        if match := re.fullmatch(r"/repos/([^/]+/[^/]+)", path):
            role = state.repo_permissions.get((match[1], me.login),
                                              state.permissions.get(me.login, "read"))  # fmt: skip
            order = ["read", "triage", "write", "maintain", "admin"]
            rank = order.index(role) if role in order else 0
            rights = {"pull": True, "triage": rank >= 1, "push": rank >= 2, "maintain": rank >= 3,
                      "admin": rank >= 4}  # fmt: skip
            self._send(200, {"full_name": match[1], "default_branch": state.default_branch,
                             "private": False, "permissions": rights})  # fmt: skip
            return
        if match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/events", path):
            key = (match[1], int(match[2]))
            chunk, link = _page(state.events[key], query, f"{self.base}{path}")
            self._send(200, chunk, {"Link": link} if link else None)
            return
        if match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/labels/(.+)", path):
            key, name = (match[1], int(match[2])), unquote(match[3])
            if name not in state.labels[key]:
                self._send(404, {"message": "Label does not exist"})
                return
            state.labels[key].remove(name)
            state.events[key].append(_event("unlabeled", name, me.login, state))
            self._send(200, [{"name": label} for label in state.labels[key]])
            return
        if match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)", path):
            self._issue(method, (match[1], int(match[2])), body)
            return
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
                labels = [{"name": name} for name in state.labels[key]]
                self._send(200, {**state.pulls[key], "labels": labels})
                return
            items = {
                "/files": state.files[key][:3000],
                "/commits": state.commits[key],
                "/reviews": state.reviews[key],
            }[match[3]]
            chunk, link = _page(items, query, f"{self.base}{path}")
            self._send(200, chunk, {"Link": link} if link else None)
        elif match := re.fullmatch(r"/users/([^/]+)/events/public", path):
            if match[1] not in state.users:
                self._send(404, {"message": "Not Found"})
                return
            events = state.user_events.get(match[1], [])[:300]
            chunk, link = _page(events, query, f"{self.base}{path}")
            self._send(200, chunk, {"Link": link} if link else None)
        elif path == "/search/issues":
            if state.search_counts is None:
                self._send(404, {"message": "Not Found"})
                return
            total = state.search_counts.get(query.get("q", [""])[0], 0)
            self._send(200, {"total_count": total, "incomplete_results": False, "items": []})
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
                state.add_label(key[0], key[1], label, me.login)
            self._send(200, [{"name": name} for name in state.labels[key]])
        elif match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", path):
            key = (match[1], int(match[2]))
            if method == "POST":
                state.next_id += 1
                kind = "issues" if key in state.issues else "pull"
                comment = {"id": state.next_id, "body": body["body"],
                           "user": {"login": me.login, "type": "Bot" if me.integration else "User"},
                           "html_url": f"https://github.com/{key[0]}/{kind}/{key[1]}"
                           f"#issuecomment-{state.next_id}",
                           "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                           "author_association": "NONE"}  # fmt: skip
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

    def _issue(self, method: str, key: tuple[str, int], body: dict[str, Any]) -> None:
        """`GET` or `PATCH` (close) `/repos/{o}/{r}/issues/N`, for an issue or a pull request."""
        state = self.state
        labels = [{"name": name} for name in state.labels[key]]
        if key in state.issues:
            if method == "PATCH":
                state.issues[key].update(
                    {k: v for k, v in body.items() if k in ("state", "state_reason")}
                )
                if body.get("state") == "closed":
                    state.closed.add(key)
            self._send(200, {**state.issues[key], "labels": labels})
        elif key in state.pulls:
            pull = state.pulls[key]
            api = f"{self.base}/repos/{key[0]}/pulls/{key[1]}"
            self._send(200, {
                "number": key[1], "title": pull["title"], "body": pull.get("body"),
                "user": pull["user"], "state": pull.get("state", "open"), "labels": labels,
                "created_at": pull.get("created_at"),
                "author_association": pull.get("author_association"),
                "pull_request": {"url": api, "html_url": pull.get("html_url")},
            })  # fmt: skip
        else:
            self._send(404, {"message": "Not Found"})

    def _app_claims(self, token: str) -> dict[str, Any] | None:
        """The App JWT's claims, or None after answering 401."""
        import jwt

        try:
            claims = jwt.decode(token, self.state.app_public_key or "", algorithms=["RS256"])
        except jwt.PyJWTError as error:
            self._send(401, {"message": f"A JSON web token could not be decoded: {error}"})
            return None
        if str(claims.get("iss")) != self.state.app_id:
            self._send(401, {"message": "Integration not found"})
            return None
        return dict(claims)

    def _hook(self, method: str, path: str, query: dict[str, list[str]]) -> None:
        """`GET /app/hook/deliveries` (cursor pages) and `POST …/{id}/attempts` (202)."""
        state = self.state
        if method == "GET" and path == "/app/hook/deliveries":
            per_page = min(100, int(query.get("per_page", ["30"])[0]))
            start = int(query.get("cursor", ["0"])[0])
            chunk = state.hook_deliveries[start : start + per_page]
            link = None
            if start + per_page < len(state.hook_deliveries):
                link = (
                    f'<{self.base}{path}?per_page={per_page}&cursor={start + per_page}>; rel="next"'
                )
            self._send(200, chunk, {"Link": link} if link else None)
            return
        match = re.fullmatch(r"/app/hook/deliveries/(\d+)/attempts", path)
        attempt = next(
            (d for d in state.hook_deliveries if match and d["id"] == int(match[1])), None
        )
        if method != "POST" or attempt is None:
            self._send(404, {"message": "Not Found"})
            return
        self._send(202, {})
        threading.Thread(target=self._redeliver, args=(attempt["guid"],), daemon=True).start()

    def _redeliver(self, guid: str) -> None:
        """Send the delivery again, signed, with its original guid, and log the attempt."""
        import hashlib
        import hmac
        import urllib.error
        import urllib.request

        state = self.state
        event, body = state.hook_payloads[guid]
        if state.hook_target is None:
            state.log_delivery(guid, event, body, 0)  # nowhere to send it: a failed attempt
            return
        url, secret = state.hook_target
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "X-GitHub-Event": event, "X-GitHub-Delivery": guid,
            "X-Hub-Signature-256": signature, "Content-Type": "application/json",
        })  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        state.log_delivery(guid, event, body, status)

    def _oauth(self, method: str, path: str, query: dict[str, list[str]]) -> None:
        """GitHub's OAuth web flow: authorize redirects back with a code; the code buys a token."""
        state = self.state
        if method == "GET" and path == "/login/oauth/authorize":
            client = query.get("client_id", [""])[0]
            redirect = query.get("redirect_uri", [""])[0]
            if client not in state.oauth_apps:
                self._send(404, {"message": "Not Found"})
                return
            if state.oauth_user is None:
                self._send(200, {"message": "Sign in to GitHub to continue"})
                return
            state.next_id += 1
            code = f"code{state.next_id}"
            state.oauth_codes[code] = (*state.oauth_user, client, redirect)
            sep = "&" if "?" in redirect else "?"
            target = f"{redirect}{sep}code={code}&state={quote(query.get('state', [''])[0])}"
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if method == "POST" and path == "/login/oauth/access_token":
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            client = form.get("client_id", "")
            if state.oauth_apps.get(client) != form.get("client_secret"):
                self._send(200, {"error": "incorrect_client_credentials",
                                 "error_description": "The client_id and/or client_secret "
                                 "passed are incorrect."})  # fmt: skip
                return
            grant = state.oauth_codes.pop(form.get("code", ""), None)
            if grant is None or grant[2] != client:
                self._send(200, {"error": "bad_verification_code", "error_description":
                                 "The code passed is incorrect or expired."})  # fmt: skip
                return
            if form.get("redirect_uri") and form["redirect_uri"] != grant[3]:
                self._send(200, {"error": "redirect_uri_mismatch"})
                return
            state.next_id += 1
            token = f"gho_{state.next_id}"
            state.tokens[token] = Token(grant[0], user_id=grant[1])
            self._send(200, {"access_token": token, "token_type": "bearer", "scope": ""})
            return
        self._send(404, {"message": "Not Found"})

    def _installation_token(self, token: str, installation: int) -> None:
        if self._app_claims(token) is None:
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

    def do_DELETE(self) -> None:
        self._route("DELETE")


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
