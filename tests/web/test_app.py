"""The dashboard over real ledgers (SQLite and PostgreSQL) filled by `check --record`."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import httpx
import pytest

from patchvet.ledger import open_ledger
from patchvet.web.queries import Cursor, QueueFilter, QueueRow, count, parse_cursor, queue
from tests.web.conftest import HOSTILE, csrf_of


def _row_of(client: httpx.Client, title_part: str) -> int:
    page = client.get("/", params={"q": title_part}).text
    found = re.search(r'href="/contribution/(\d+)"', page)
    assert found, page
    return int(found.group(1))


@pytest.mark.parametrize(
    "path", ["/", "/export.csv", "/export.json", "/contribution/1", "/person/1", "/projects",
             "/project?name=demo", "/nowhere"],
)  # fmt: skip
def test_nothing_is_served_without_a_session(client: httpx.Client, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 403
    assert "demo" not in answer.text and "Ann" not in answer.text


def test_a_wrong_token_or_forged_cookie_does_not_log_in(client: httpx.Client) -> None:
    assert client.get("/login?token=guess").status_code == 403
    assert client.get("/login").status_code == 403
    client.cookies.set("patchvet_session", "abc.9999999999.deadbeef")
    assert client.get("/").status_code == 403


def test_the_printed_url_logs_in_with_a_signed_http_only_cookie(
    client: httpx.Client, keys: object
) -> None:
    answer = client.get(f"/login?token={keys.token}")  # type: ignore[attr-defined]
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = client.get("/")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert policy.startswith("default-src 'none'") and "script-src 'self';" in policy
    assert "unsafe" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def test_queue_newest_first_with_filters(session: httpx.Client) -> None:
    page = session.get("/").text
    assert "4 contributions" in page
    assert page.index("formula title") < page.index("Add generated parser") < page.index("Add a")
    assert "1 contribution " in session.get("/", params={"q": "GENERATED"}).text
    by_author = session.get("/", params={"author": "mal@example.org"}).text
    assert "1 contribution " in by_author and "Add a" not in by_author
    dated = session.get("/", params={"since": "2026-01-10", "until": "2026-01-21"}).text
    assert "2 contributions" in dated and "Add generated parser" in dated
    assert "0 contributions" in session.get("/", params={"project": "other"}).text
    family = session.get("/", params={"family": "agent-fingerprint"}).text
    assert "1 contribution " in family and "Add generated parser" in family
    assert "0 contributions" in session.get("/", params={"q": "%"}).text


def test_queue_pages_by_keyset_both_ways(filled: str) -> None:
    ledger = open_ledger(filled)
    try:
        everything = queue(ledger, QueueFilter(), 10)
        older: list[QueueRow] = []
        mark: Cursor | None = None
        while page := queue(ledger, QueueFilter(), 1, after=mark):
            older += page
            mark = (page[-1].created_at, page[-1].id)
        newer: list[QueueRow] = []
        mark = (everything[-1].created_at, everything[-1].id)
        while page := queue(ledger, QueueFilter(), 1, before=mark):
            newer = page + newer
            mark = (page[0].created_at, page[0].id)
        plan = (
            ledger.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM contributions c "
                "WHERE (c.created_at, c.id) < (?, ?) ORDER BY c.created_at DESC, c.id DESC LIMIT 9",
                ("2026-02-01", 10),
            ).fetchall()
            if ledger.dialect == "sqlite"
            else []
        )
    finally:
        ledger.close()
    assert len(everything) == 4 and older == everything and newer == everything[:-1]
    if plan:  # SQLite: the keyset is found through the (created_at, id) index, not a scan
        assert "USING COVERING INDEX contributions_created" in str(plan[0])
    assert parse_cursor("2026-01-05T10:00:00+00:00_12") == ("2026-01-05T10:00:00+00:00", 12)
    ledger = open_ledger(filled)
    try:  # counted up to the cap and one beyond, never further
        assert [count(ledger, QueueFilter(), cap) for cap in (2, 3, 4, 50)] == [3, 4, 4, 4]
    finally:
        ledger.close()
    assert parse_cursor("nonsense") is None and parse_cursor("x_1") is None


def test_title_search_walks_in_chunks_and_finds_what_one_query_finds(filled: str) -> None:
    ledger = open_ledger(filled)
    try:
        for text in ("add", "a", "FORMULA", "nothing like it", "%"):
            whole = [r.id for r in queue(ledger, QueueFilter(q=text), 10, chunk=1000)]
            for chunk in (1, 2, 3):
                assert [r.id for r in queue(ledger, QueueFilter(q=text), 10, chunk=chunk)] == whole
            if len(whole) > 1:
                mark = (queue(ledger, QueueFilter(), 10)[0].created_at, 10**9)
                older = queue(ledger, QueueFilter(q=text), 1, after=mark, chunk=1)
                last = queue(ledger, QueueFilter(q=text), 10)[-1]
                newer = queue(ledger, QueueFilter(q=text), 10, before=(last.created_at, last.id),
                              chunk=1)  # fmt: skip
                assert [r.id for r in older] == whole[:1] and [r.id for r in newer] == whole[:-1]
        titles = [r.title for r in queue(ledger, QueueFilter(q="add"), 10, chunk=1)]
    finally:
        ledger.close()
    assert titles == ["Add generated parser", "Add a"]


def test_queue_pages_follow_the_cursor_over_http(session: httpx.Client) -> None:
    first = session.get("/").text
    assert 'rel="next"' not in first and 'rel="prev"' not in first  # 4 rows: one page
    cursor = "2026-01-21T10:00:00+00:00_999999"
    older = session.get("/", params={"after": cursor}).text
    assert "Add a" in older and "formula title" not in older and 'rel="prev"' in older
    newer = session.get("/", params={"before": cursor}).text
    assert "formula title" in newer and "Add a" not in newer
    assert session.get("/", params={"after": "junk"}).text.count("/contribution/") == 4


def test_a_hostile_title_renders_as_text_everywhere(session: httpx.Client) -> None:
    row = _row_of(session, "pwned")
    person = re.search(r'href="/person/(\d+)"', session.get(f"/contribution/{row}").text)
    assert person
    for path in ("/", f"/contribution/{row}", f"/person/{person.group(1)}"):
        page = session.get(path).text
        assert "<script>" not in page and "<img" not in page and HOSTILE not in page
        assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in page
        assert "\u202e" not in page and "\\u202e" in page


def test_contribution_page_shows_findings_with_evidence_and_remedy(session: httpx.Client) -> None:
    row = _row_of(session, "generated")
    page = session.get(f"/contribution/{row}").text
    assert "agent-fingerprint/" in page and "Remedy" in page
    assert "Evidence" in page or "Where" in page
    assert session.get("/contribution/999999").status_code == 404


def test_a_post_without_csrf_is_refused_and_records_nothing(
    session: httpx.Client, filled: str
) -> None:
    row = _row_of(session, "generated")
    for form in ({"target": "verdict", "reason": "human work"},
                 {"target": "verdict", "reason": "human work", "csrf": "forged"}):  # fmt: skip
        answer = session.post(f"/contribution/{row}/correct", data=form)
        assert answer.status_code == 403
    session.cookies.clear()
    answer = session.post(f"/contribution/{row}/correct", data={"target": "verdict", "reason": "x"})
    assert answer.status_code == 403
    ledger = open_ledger(filled)
    try:
        assert ledger.execute("SELECT COUNT(*) FROM corrections").fetchone()[0] == 0
    finally:
        ledger.close()


def test_mark_a_finding_wrong_see_it_in_history_and_take_it_back(
    session: httpx.Client, filled: str
) -> None:
    row = _row_of(session, "generated")
    page = session.get(f"/contribution/{row}").text
    finding = re.search(r'name="target" value="(agent-fingerprint/[^"]+)"', page)
    assert finding
    csrf = csrf_of(page)
    reason = "she wrote it <b>herself</b>"
    target = f"/contribution/{row}/correct"
    answer = session.post(target, data={"target": finding.group(1), "reason": reason, "csrf": csrf})
    assert answer.status_code == 303
    blank = session.post(target, data={"target": "verdict", "reason": "  ", "csrf": csrf})
    assert blank.status_code == 400
    person = re.search(r'href="/person/(\d+)"', page)
    assert person
    history = session.get(f"/person/{person.group(1)}").text
    assert "maintainer-max marked finding agent-fingerprint/" in history
    assert "she wrote it &lt;b&gt;herself&lt;/b&gt;" in history and "<svg" in history
    correction = re.search(r'action="/correction/(\d+)/revoke"', history)
    assert correction
    assert session.post(f"/correction/{correction.group(1)}/revoke").status_code == 403
    taken = session.post(f"/correction/{correction.group(1)}/revoke", data={"csrf": csrf})
    assert taken.status_code == 303
    again = session.get(f"/person/{person.group(1)}").text
    assert "taken back by maintainer-max" in again
    ledger = open_ledger(filled)
    try:
        kept = ledger.execute("SELECT target, revoked_by FROM corrections").fetchall()
        verdict = ledger.execute("SELECT verdict FROM contributions WHERE id = ?", (row,))
        original = verdict.fetchone()[0]
    finally:
        ledger.close()
    assert [tuple(k) for k in kept] == [(finding.group(1), "maintainer-max")]
    assert original in ("pass", "flag", "hold", "reject")  # the original record is untouched
    assert session.post(f"/correction/{correction.group(1)}/revoke",
                        data={"csrf": csrf}).status_code == 400  # fmt: skip


def test_export_follows_the_filters_and_defuses_formulas(session: httpx.Client) -> None:
    exported = session.get("/export.json", params={"author": "ann@example.org"})
    document = json.loads(exported.text)
    assert document["filters"] == {"author": "ann@example.org"}
    titles = [c["title"] for c in document["contributions"]]
    assert len(titles) == 3 and titles[-1] == "Add a"
    table = list(csv.DictReader(io.StringIO(session.get("/export.csv").text)))
    assert len(table) == 4
    formula = next(r for r in table if "formula" in r["title"])
    assert formula["title"].startswith("'=")
    assert any(r["title"] == HOSTILE for r in table)


def test_project_page_draws_weekly_charts(session: httpx.Client) -> None:
    page = session.get("/project", params={"name": "demo"}).text
    assert page.count("<svg") == 3 and "<rect" in page and "<polyline" in page
    assert "Circuit breaker" in page and "Rust's rule" in page
    assert "50%" in page and "42 days" in page
    assert "Most frequent findings" in page
    assert session.get("/project", params={"name": "nope"}).status_code == 404
    assert "demo" in session.get("/projects").text


def test_charts_carry_their_data_and_the_vendored_library_is_served(
    session: httpx.Client,
) -> None:
    page = session.get("/project", params={"name": "demo"}).text
    specs = [json.loads(html.unescape(raw)) for raw in re.findall(r'data-chart="([^"]+)"', page)]
    assert [spec["kind"] for spec in specs] == ["bars", "lines", "lines"]
    assert sum(specs[0]["series"][0]["values"]) == 4 and specs[0]["labels"][0] == "2026-01-05"
    assert '<script src="/static/charts.js"></script>' in page
    library = session.get("/static/uPlot.iife.min.js")
    assert library.status_code == 200 and "uPlot" in library.text
    assert library.headers["content-type"].startswith("text/javascript")
    assert "MIT" in session.get("/static/uPlot.LICENSE").text
    assert session.get("/static/../app.py").status_code == 404
    assert session.get("/static/pages.py").status_code == 404


def test_logout_needs_csrf_and_ends_the_session(session: httpx.Client) -> None:
    csrf = csrf_of(session.get("/").text)
    assert session.post("/logout").status_code == 403
    assert session.post("/logout", data={"csrf": csrf}).status_code == 200
    assert session.get("/").status_code == 403
