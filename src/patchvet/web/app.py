"""
The dashboard as a Starlette app: queue, contribution, contributor and project pages, exports,
and overrides posted from the pages (corrections, confirmations, vouches, denouncements).

Who reads and who may override is the `Access` of the deployment (`web/access.py`): the local
token login, or GitHub OAuth in `patchvet serve`. Every POST must carry the session's CSRF
token, checked before the body means anything, and the visitor's write access to the
repository concerned, checked before anything is recorded (403 otherwise). Pages carry a
Content-Security-Policy that allows no script but the dashboard's own files, so even a mistake
in escaping runs nothing. Ledger work runs in a worker thread, one statement at a time over one
connection, so a slow query never stalls the event loop that also takes webhooks.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any, TypeVar
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from patchvet.ledger import LedgerError, SqlLedger, open_ledger
from patchvet.ledger.corrections import (
    correct,
    corrections_of,
    corrections_of_person,
    revoke,
    revoke_vouch,
    vouch_of,
    vouch_person,
    vouches_of,
)
from patchvet.web import pages, queries
from patchvet.web.access import HEADERS, Access, LocalAccess, Visitor, forbidden
from patchvet.web.session import COOKIE, Keys

MAX_FORM = 64 * 1024
T = TypeVar("T")

Handler = Callable[[Request, Visitor], Awaitable[Response]]


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=HEADERS)


def _not_found(what: str) -> HTMLResponse:
    return _html(pages.message_page("Not found", f"No {what} is recorded."), 404)


def _refused(error: LedgerError) -> HTMLResponse:
    return _html(pages.message_page("Not recorded", error.message), 400)


class Dashboard:
    """The routes over one ledger, behind one deployment's access rules."""

    def __init__(self, ledger_url: str, access: Callable[[Dashboard], Access]) -> None:
        self.ledger_url = ledger_url
        self._ledger: SqlLedger | None = None
        self._lock = threading.Lock()
        self.access = access(self)

    @property
    def ledger(self) -> SqlLedger:
        if self._ledger is None:
            self._ledger = open_ledger(self.ledger_url)
        return self._ledger

    async def read(self, work: Callable[[SqlLedger], T]) -> T:
        """Run ledger work in a thread, one unit at a time over the one connection."""

        def locked() -> T:
            with self._lock:
                return work(self.ledger)

        return await run_in_threadpool(locked)

    async def projects(self) -> list[str]:
        """Every recorded project's name."""
        return [name for name, _ in await self.read(queries.projects)]

    def close(self) -> None:
        with self._lock:
            if self._ledger is not None:
                self._ledger.close()
                self._ledger = None

    # -- access -------------------------------------------------------------------------

    def guarded(self, handler: Handler, post: bool = False) -> Callable[[Request], Any]:
        """`handler` behind the read check (and for POSTs, a session and the CSRF check)."""

        async def endpoint(request: Request) -> Response:
            visitor = self.access.visitor(request)
            if visitor is None:
                return forbidden(self.access.login_hint)
            if post:
                if not visitor.signed_in:
                    return forbidden(self.access.login_hint)
                form = await _form(request)
                if form is None:
                    return _html(pages.message_page("Too large", "The form is too large."), 413)
                if not self.access.keys.csrf_matches(visitor.session, form.get("csrf", "")):
                    return forbidden("The form's CSRF token is missing or wrong.")
                request.state.form = form
            return await handler(request, visitor)

        return endpoint

    def csrf(self, visitor: Visitor) -> str:
        return self.access.keys.csrf(visitor.session) if visitor.signed_in else ""

    async def writer(self, visitor: Visitor, projects: list[str]) -> bool:
        return visitor.signed_in and await self.access.may_write(visitor, projects)

    def _denied(self, visitor: Visitor, projects: list[str]) -> Response:
        where = ", ".join(projects[:3]) or "this contributor's repositories"
        return forbidden(f"{visitor.name} may read here but not override: that needs write "
                         f"access to {where}. Nothing was recorded.")  # fmt: skip

    async def logout(self, request: Request, visitor: Visitor) -> Response:
        self.access.logout(visitor)
        response = _html(pages.message_page("Logged out", "Log in again to come back."))
        response.delete_cookie(COOKIE, path="/")
        return response

    # -- pages --------------------------------------------------------------------------

    async def queue(self, request: Request, visitor: Visitor) -> Response:
        wanted = queries.QueueFilter.from_query(request.query_params)
        after = queries.parse_cursor(request.query_params.get("after"))
        before = None if after else queries.parse_cursor(request.query_params.get("before"))
        size = queries.PAGE_SIZE

        def work(ledger: SqlLedger) -> tuple[Any, ...]:
            rows = queries.queue(ledger, wanted, size + 1, after, before)
            more = len(rows) > size
            if before is not None:
                rows, newer = rows[-size:], more
                older = True
            else:
                rows, older = rows[:size], more
                newer = after is not None
            total = queries.count(ledger, wanted)
            names = [name for name, _ in queries.projects(ledger)]
            return rows, total, names, newer, older

        rows, total, names, newer, older = await self.read(work)
        return _html(pages.queue_page(wanted, rows, total, names, newer, older, visitor,
                                      self.csrf(visitor)))  # fmt: skip

    async def export(self, request: Request, visitor: Visitor) -> Response:
        wanted = queries.QueueFilter.from_query(request.query_params)
        rows = await self.read(lambda ledger: queries.queue(ledger, wanted, queries.EXPORT_LIMIT))
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

    async def contribution(self, request: Request, visitor: Visitor) -> Response:
        row_id = int(request.path_params["row"])

        def work(ledger: SqlLedger) -> tuple[Any, ...]:
            return queries.contribution(ledger, row_id), corrections_of(ledger, row_id)

        page, fixes = await self.read(work)
        if page is None:
            return _not_found("contribution")
        writer = await self.writer(visitor, [page.row.project])
        return _html(pages.contribution_page(page, fixes, visitor, writer, self.csrf(visitor)))

    async def person(self, request: Request, visitor: Visitor) -> Response:
        person_id = int(request.path_params["person"])

        def work(ledger: SqlLedger) -> tuple[Any, ...]:
            page = queries.person(ledger, person_id)
            if page is None:
                return (None,) * 5
            name = queries.author_names(ledger, [person_id]).get(person_id, "")
            history = queries.weeks(ledger, " WHERE c.person_id = ?", [person_id])
            return (page, name, history, corrections_of_person(ledger, person_id),
                    vouches_of(ledger, person_id))  # fmt: skip

        page, name, history, fixes, vouches = await self.read(work)
        if page is None:
            return _not_found("contributor")
        writer = await self.writer(visitor, list(page.projects))
        return _html(pages.person_page(page, name, history, fixes, vouches, visitor, writer,
                                       self.csrf(visitor)))  # fmt: skip

    async def project(self, request: Request, visitor: Visitor) -> Response:
        name = request.query_params.get("name", "")

        def work(ledger: SqlLedger) -> tuple[Any, ...]:
            history = queries.weeks(ledger, " WHERE c.project = ?", [name])
            if not history:
                return None, None, None
            return history, queries.top_findings(ledger, name), queries.breaker_view(ledger, name)

        history, top, breaker = await self.read(work)
        if not history:
            return _not_found("project of that name")
        return _html(pages.project_page(name, history, top, breaker, visitor, self.csrf(visitor)))

    async def missing(self, request: Request, visitor: Visitor) -> Response:
        return _not_found("page here")

    async def projects_page(self, request: Request, visitor: Visitor) -> Response:
        items = await self.read(queries.projects)
        return _html(pages.projects_page(items, visitor, self.csrf(visitor)))

    # -- overrides ----------------------------------------------------------------------

    async def _project_of(self, row_id: int) -> str | None:
        def work(ledger: SqlLedger) -> str | None:
            found = ledger.execute("SELECT project FROM contributions WHERE id = ?",
                                   (row_id,)).fetchone()  # fmt: skip
            return None if found is None else str(found[0])

        return await self.read(work)

    async def _projects_of_person(self, person: int) -> list[str]:
        def work(ledger: SqlLedger) -> list[str]:
            return [str(row[0]) for row in ledger.execute(
                "SELECT DISTINCT project FROM contributions WHERE person_id = ?", (person,)
            ).fetchall()]  # fmt: skip

        return await self.read(work)

    async def correct(self, request: Request, visitor: Visitor) -> Response:
        row_id = int(request.path_params["row"])
        form: dict[str, str] = request.state.form
        project = await self._project_of(row_id)
        if project is None:
            return _not_found("contribution")
        if not await self.writer(visitor, [project]):
            return self._denied(visitor, [project])
        kind = "confirm" if form.get("kind") == "confirm" else "wrong"
        target, reason = form.get("target", ""), form.get("reason", "")
        try:
            await self.read(lambda ledger: correct(ledger, row_id, target, visitor.name, reason,
                                                   kind))  # fmt: skip
        except LedgerError as error:
            return _refused(error)
        return RedirectResponse(f"/contribution/{row_id}", status_code=303, headers=HEADERS)

    async def revoke(self, request: Request, visitor: Visitor) -> Response:
        correction = int(request.path_params["correction"])

        def work(ledger: SqlLedger) -> str | None:
            found = ledger.execute(
                "SELECT c.project FROM corrections k JOIN contributions c "
                "ON c.id = k.contribution WHERE k.id = ?", (correction,)).fetchone()  # fmt: skip
            return None if found is None else str(found[0])

        project = await self.read(work)
        if project is None:
            return _not_found("correction")
        if not await self.writer(visitor, [project]):
            return self._denied(visitor, [project])
        try:
            taken = await self.read(lambda ledger: revoke(ledger, correction, visitor.name))
        except LedgerError as error:
            return _refused(error)
        return RedirectResponse(f"/contribution/{taken.contribution}", status_code=303,
                                headers=HEADERS)  # fmt: skip

    async def vouch(self, request: Request, visitor: Visitor) -> Response:
        person = int(request.path_params["person"])
        form: dict[str, str] = request.state.form
        projects = await self._projects_of_person(person)
        if not projects:
            return _not_found("contributor with contributions")
        if not await self.writer(visitor, projects):
            return self._denied(visitor, projects)
        expires = queries.parse_day(form.get("expires", ""))
        try:
            await self.read(lambda ledger: vouch_person(ledger, person, form.get("action", ""),
                                                        visitor.name, form.get("reason", ""),
                                                        expires))  # fmt: skip
        except LedgerError as error:
            return _refused(error)
        return RedirectResponse(f"/person/{person}", status_code=303, headers=HEADERS)

    async def revoke_vouch(self, request: Request, visitor: Visitor) -> Response:
        vouch = int(request.path_params["vouch"])
        found = await self.read(lambda ledger: vouch_of(ledger, vouch))
        if found is None:
            return _not_found("vouch or denouncement")
        projects = await self._projects_of_person(found.person)
        if not await self.writer(visitor, projects):
            return self._denied(visitor, projects)
        try:
            await self.read(lambda ledger: revoke_vouch(ledger, vouch, visitor.name))
        except LedgerError as error:
            return _refused(error)
        return RedirectResponse(f"/person/{found.person}", status_code=303, headers=HEADERS)


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


STATIC = {
    "uPlot.iife.min.js": "text/javascript; charset=utf-8",
    "uPlot.min.css": "text/css; charset=utf-8",
    "charts.js": "text/javascript; charset=utf-8",
    "uPlot.LICENSE": "text/plain; charset=utf-8",
}
"""The vendored files served at /static/: a fixed list, read from the installed package."""


async def _static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:
        return _not_found("file of that name")
    body = resources.files("patchvet.web").joinpath("static", name).read_bytes()
    headers = {**HEADERS, "Cache-Control": "public, max-age=3600"}
    return Response(body, media_type=STATIC[name], headers=headers)


def create_dashboard(ledger_url: str, keys: Keys, user: str) -> Starlette:
    """The local dashboard over the ledger at `ledger_url`; overrides are signed by `user`."""
    return create_web(ledger_url, lambda board: LocalAccess(keys, user))


def create_web(ledger_url: str, access: Callable[[Dashboard], Access]) -> Starlette:
    """
    The dashboard over the ledger at `ledger_url`, behind the access rules `access` makes for
    it (GitHub's need to list the recorded projects: `Dashboard.projects`).
    """
    board = Dashboard(ledger_url, access)
    board.ledger  # noqa: B018 - open (and migrate) now, so a bad URL fails at start
    get = board.guarded
    post = ["POST"]
    routes = [
        Route("/static/{name}", _static),
        Route("/login", board.access.login),
        Route("/login/callback", board.access.callback),
        Route("/", get(board.queue)),
        Route("/export.csv", get(board.export)),
        Route("/export.json", get(board.export)),
        Route("/contribution/{row:int}", get(board.contribution)),
        Route("/person/{person:int}", get(board.person)),
        Route("/project", get(board.project)),
        Route("/projects", get(board.projects_page)),
        Route("/contribution/{row:int}/correct", get(board.correct, post=True), methods=post),
        Route("/correction/{correction:int}/revoke", get(board.revoke, post=True), methods=post),
        Route("/person/{person:int}/vouch", get(board.vouch, post=True), methods=post),
        Route("/vouch/{vouch:int}/revoke", get(board.revoke_vouch, post=True), methods=post),
        Route("/logout", get(board.logout, post=True), methods=post),
    ]
    routes.append(Route("/{rest:path}", get(board.missing), methods=["GET", "POST"]))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        board.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.dashboard = board
    return app
