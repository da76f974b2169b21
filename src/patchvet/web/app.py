"""
The dashboard as a Starlette app: queue, contribution, contributor and project pages, exports,
and corrections posted from the pages.

Nothing is served without a session: `GET /login?token=…` with the token printed at start sets
a signed cookie and redirects; any other request without a valid cookie gets 403. Every POST
must carry the session's CSRF token, checked before the body means anything. Pages carry a
Content-Security-Policy that allows no script at all, so even a mistake in escaping runs nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from patchvet.ledger import LedgerError, SqlLedger, open_ledger
from patchvet.ledger.corrections import (
    correct,
    corrections_of,
    corrections_of_person,
    revoke,
)
from patchvet.web import pages, queries
from patchvet.web.session import COOKIE, SESSION_SECONDS, Keys

MAX_FORM = 64 * 1024
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

Handler = Callable[[Request, str], Awaitable[Response]]


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=HEADERS)


def _forbidden(reason: str) -> HTMLResponse:
    return _html(pages.message_page("Forbidden", reason), 403)


def _not_found(what: str) -> HTMLResponse:
    return _html(pages.message_page("Not found", f"No {what} is recorded."), 404)


class Dashboard:
    """The routes over one ledger, for one maintainer (`user` signs the corrections)."""

    def __init__(self, ledger_url: str, keys: Keys, user: str) -> None:
        self.ledger_url = ledger_url
        self.keys = keys
        self.user = user
        self._ledger: SqlLedger | None = None

    @property
    def ledger(self) -> SqlLedger:
        if self._ledger is None:
            self._ledger = open_ledger(self.ledger_url)
        return self._ledger

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None

    # -- access -------------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        if not self.keys.token_matches(request.query_params.get("token", "")):
            return _forbidden("This link is not valid; use the one `patchvet dashboard` printed.")
        response = RedirectResponse("/", status_code=303, headers=HEADERS)
        response.set_cookie(COOKIE, self.keys.new_session(), max_age=SESSION_SECONDS,
                            httponly=True, samesite="strict", path="/")  # fmt: skip
        return response

    def guarded(self, handler: Handler, post: bool = False) -> Callable[[Request], Any]:
        """`handler` behind the session check (and for POSTs, the CSRF check)."""

        async def endpoint(request: Request) -> Response:
            session = self.keys.session_id(request.cookies.get(COOKIE))
            if session is None:
                return _forbidden("Not logged in: open the URL `patchvet dashboard` printed.")
            if post:
                form = await _form(request)
                if form is None:
                    return _html(pages.message_page("Too large", "The form is too large."), 413)
                if not self.keys.csrf_matches(session, form.get("csrf", "")):
                    return _forbidden("The form's CSRF token is missing or wrong.")
                request.state.form = form
            return await handler(request, self.keys.csrf(session))

        return endpoint

    async def logout(self, request: Request, csrf: str) -> Response:
        response = _html(pages.message_page("Logged out", "Open the printed URL to log in again."))
        response.delete_cookie(COOKIE, path="/")
        return response

    # -- pages --------------------------------------------------------------------------

    async def queue(self, request: Request, csrf: str) -> Response:
        wanted = queries.QueueFilter.from_query(request.query_params)
        page = _int(request.query_params.get("page"), 1, 1, 1_000_000)
        size = queries.PAGE_SIZE
        rows = queries.queue(self.ledger, wanted, (page - 1) * size, size)
        total = queries.count(self.ledger, wanted)
        names = [name for name, _ in queries.projects(self.ledger)]
        return _html(pages.queue_page(wanted, rows, total, page, size, names, csrf))

    async def export(self, request: Request, csrf: str) -> Response:
        wanted = queries.QueueFilter.from_query(request.query_params)
        rows = queries.queue(self.ledger, wanted, 0, queries.EXPORT_LIMIT)
        records = [_export_record(row) for row in rows]
        if request.url.path.endswith(".json"):
            document = {"schema": "patchvet/queue/v1", "filters": dict(wanted.items()),
                        "contributions": records}  # fmt: skip
            text = json.dumps(document, ensure_ascii=False, indent=1)
            return Response(text, media_type="application/json", headers=_download("queue.json"))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(_EXPORT_FIELDS), lineterminator="\r\n")
        writer.writeheader()
        for record in records:
            writer.writerow({key: _cell(value) for key, value in record.items()})
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers=_download("queue.csv"))  # fmt: skip

    async def contribution(self, request: Request, csrf: str) -> Response:
        row_id = int(request.path_params["row"])
        page = queries.contribution(self.ledger, row_id)
        if page is None:
            return _not_found("contribution")
        return _html(pages.contribution_page(page, corrections_of(self.ledger, row_id), csrf))

    async def person(self, request: Request, csrf: str) -> Response:
        person_id = int(request.path_params["person"])
        page = queries.person(self.ledger, person_id)
        if page is None:
            return _not_found("contributor")
        name = queries.author_names(self.ledger, [person_id]).get(person_id, "")
        history = queries.weeks(self.ledger, " WHERE c.person_id = ?", [person_id])
        fixes = corrections_of_person(self.ledger, person_id)
        return _html(pages.person_page(page, name, history, fixes, csrf))

    async def project(self, request: Request, csrf: str) -> Response:
        name = request.query_params.get("name", "")
        history = queries.weeks(self.ledger, " WHERE c.project = ?", [name])
        if not history:
            return _not_found("project of that name")
        top = queries.top_findings(self.ledger, name)
        return _html(pages.project_page(name, history, top, csrf))

    async def missing(self, request: Request, csrf: str) -> Response:
        return _not_found("page here")

    async def projects(self, request: Request, csrf: str) -> Response:
        return _html(pages.projects_page(queries.projects(self.ledger), csrf))

    # -- corrections --------------------------------------------------------------------

    async def correct(self, request: Request, csrf: str) -> Response:
        row_id = int(request.path_params["row"])
        form: dict[str, str] = request.state.form
        try:
            correct(self.ledger, row_id, form.get("target", ""), self.user, form.get("reason", ""))
        except LedgerError as error:
            return _html(pages.message_page("Not recorded", error.message), 400)
        return RedirectResponse(f"/contribution/{row_id}", status_code=303, headers=HEADERS)

    async def revoke(self, request: Request, csrf: str) -> Response:
        try:
            taken = revoke(self.ledger, int(request.path_params["correction"]), self.user)
        except LedgerError as error:
            return _html(pages.message_page("Not recorded", error.message), 400)
        return RedirectResponse(f"/contribution/{taken.contribution}", status_code=303,
                                headers=HEADERS)  # fmt: skip


_EXPORT_FIELDS = ("created_at", "project", "contribution_id", "title", "author", "verdict",
                  "agent_likelihood", "size_lines", "families")  # fmt: skip


def _export_record(row: queries.QueueRow) -> dict[str, Any]:
    return {
        "created_at": row.created_at, "project": row.project,
        "contribution_id": row.contribution_id, "title": row.title, "author": row.author,
        "verdict": row.verdict, "agent_likelihood": row.agent_likelihood,
        "size_lines": row.size_lines, "families": list(row.families),
    }  # fmt: skip


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    if isinstance(value, list):
        value = " ".join(value)
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


def _download(name: str) -> dict[str, str]:
    return {**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}


def _int(text: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(text or default), low), high)
    except ValueError:
        return default


async def _form(request: Request) -> dict[str, str] | None:
    """An url-encoded form, at most MAX_FORM bytes (None beyond), first value of each field."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            return None
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {key: values[0] for key, values in fields.items()}


def create_dashboard(ledger_url: str, keys: Keys, user: str) -> Starlette:
    """The dashboard app over the ledger at `ledger_url`; corrections are signed by `user`."""
    board = Dashboard(ledger_url, keys, user)
    board.ledger  # noqa: B018 - open (and migrate) now, so a bad URL fails at start
    get = board.guarded
    routes = [
        Route("/login", board.login),
        Route("/", get(board.queue)),
        Route("/export.csv", get(board.export)),
        Route("/export.json", get(board.export)),
        Route("/contribution/{row:int}", get(board.contribution)),
        Route("/person/{person:int}", get(board.person)),
        Route("/project", get(board.project)),
        Route("/projects", get(board.projects)),
        Route("/contribution/{row:int}/correct", get(board.correct, post=True), methods=["POST"]),
        Route(
            "/correction/{correction:int}/revoke", get(board.revoke, post=True), methods=["POST"]
        ),
        Route("/logout", get(board.logout, post=True), methods=["POST"]),
    ]
    routes.append(Route("/{rest:path}", get(board.missing), methods=["GET", "POST"]))
    app = Starlette(routes=routes)
    app.state.dashboard = board
    return app
