"""Confirmations, vouches and denouncements from the pages; the explained score, the judging
policy, rate limits and the circuit breaker as the pages show them."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from patchvet.ledger import open_ledger
from patchvet.ledger.corrections import LIKELIHOOD, calibration_labels, correct, revoke
from patchvet.policy import Policy, load_preset
from patchvet.records import (
    AccountReading,
    Assessment,
    Confidence,
    Contribution,
    Detail,
    Finding,
    Identity,
    JudgedFinding,
    Scores,
    Severity,
    SourceKind,
    Verdict,
)
from patchvet.web.queries import breaker_view, rate_state
from tests.web.conftest import csrf_of


def _person_of(client: httpx.Client, title_part: str) -> tuple[int, int]:
    page = client.get("/", params={"q": title_part}).text
    row = re.search(r'href="/contribution/(\d+)"', page)
    person = re.search(r'href="/person/(\d+)"', page)
    assert row and person, page
    return int(row.group(1)), int(person.group(1))


def test_confirm_a_verdict_shown_in_history_and_reversible(
    session: httpx.Client, filled: str
) -> None:
    row, person = _person_of(session, "generated")
    csrf = csrf_of(session.get(f"/contribution/{row}").text)
    form = {"target": "verdict", "kind": "confirm", "reason": "the author said so", "csrf": csrf}
    answer = session.post(f"/contribution/{row}/correct", data=form)
    assert answer.status_code == 303
    page = session.get(f"/contribution/{row}").text
    assert "maintainer-max confirmed the verdict" in page and "the author said so" in page
    assert "maintainer-max confirmed the verdict" in session.get(f"/person/{person}").text
    ledger = open_ledger(filled)
    try:
        kinds = ledger.execute("SELECT kind, by_whom, created_at FROM corrections").fetchall()
        assert [(k[0], k[1]) for k in kinds] == [("confirm", "maintainer-max")] and kinds[0][2]
    finally:
        ledger.close()


def test_vouch_and_denounce_from_the_page_change_the_tier_and_come_back(
    session: httpx.Client, filled: str
) -> None:
    _, person = _person_of(session, "pwned")
    page = session.get(f"/person/{person}").text
    assert "Trust tier <strong>new</strong>" in page
    csrf = csrf_of(page)
    target = f"/person/{person}/vouch"
    assert session.post(target, data={"action": "vouch", "reason": "x"}).status_code == 403
    assert session.post(target, data={"action": "bless", "reason": "x", "csrf": csrf}
                        ).status_code == 400  # fmt: skip
    assert session.post(target, data={"action": "vouch", "reason": " ", "csrf": csrf}
                        ).status_code == 400  # fmt: skip
    answer = session.post(target, data={"action": "vouch", "reason": "met at <FOSDEM>",
                                        "expires": "2099-01-01", "csrf": csrf})  # fmt: skip
    assert answer.status_code == 303
    page = session.get(f"/person/{person}").text
    assert "maintainer-max vouched for them" in page and "met at &lt;FOSDEM&gt;" in page
    assert "until 2099-01-01" in page and "Trust tier <strong>vouched</strong>" in page
    vouch = re.search(r'action="/vouch/(\d+)/revoke"', page)
    assert vouch
    assert session.post(f"/vouch/{vouch.group(1)}/revoke", data={"csrf": csrf}).status_code == 303
    page = session.get(f"/person/{person}").text
    assert "taken back by maintainer-max" in page and "Trust tier <strong>new</strong>" in page
    assert session.post(f"/vouch/{vouch.group(1)}/revoke", data={"csrf": csrf}).status_code == 400
    session.post(target, data={"action": "denounce", "reason": "spam run", "csrf": csrf})
    assert "maintainer-max denounced them" in session.get(f"/person/{person}").text
    ledger = open_ledger(filled)
    try:
        rows = ledger.execute("SELECT action, revoked_by FROM vouches ORDER BY id").fetchall()
        standing = ledger.standing(person, "2098-01-01T00:00:00+00:00")
    finally:
        ledger.close()
    assert [tuple(r) for r in rows] == [("vouch", "maintainer-max"), ("denounce", None)]
    assert standing is not None and standing.action == "denounce"


def test_pages_show_the_policy_rate_limits_and_breaker(session: httpx.Client, filled: str) -> None:
    row, person = _person_of(session, "generated")
    page = session.get(f"/contribution/{row}").text
    assert "judged by policy" in page and "mode advisory" in page
    assert "Explained score" in page
    people = session.get(f"/person/{person}").text
    assert "Rate limits now" in people and "open agent-made contributions" in people
    ledger = open_ledger(filled)
    try:
        rate = rate_state(ledger, person)
        breaker = breaker_view(ledger, "demo")
        recorded = ledger.execute("SELECT COUNT(DISTINCT policy), COUNT(*) FROM contributions "
                                  "WHERE policy IS NOT NULL").fetchone()  # fmt: skip
    finally:
        ledger.close()
    assert tuple(recorded) == (1, 4)  # one policy judged all four, stored once
    assert rate.tier == "known" and rate.max_per_window == 20 and rate.in_window == 0  # Ann: 3
    assert breaker.threshold == 0.5 and breaker.window_days == 42 and not breaker.enabled


def assessment_of(
    number: int, agent_made: bool, score: float, created: str,
    account: AccountReading | None = None,
) -> Assessment:  # fmt: skip
    author = Identity(name=f"Dev {number % 3}", email=f"dev{number % 3}@example.org")
    contribution = Contribution(f"sha{number}", f"{number:040x}", SourceKind.COMMIT,
                                f"Change {number}", author, created_at=created,
                                state="merged", account=account)  # fmt: skip
    findings = []
    if agent_made:
        findings.append(JudgedFinding(Finding("agent-fingerprint/co-author-trailer",
                                              Severity.INFO, Confidence.HIGH, "trailer"),
                                      Verdict.PASS))  # fmt: skip
    if score >= 0.5:
        findings.append(JudgedFinding(Finding(
            LIKELIHOOD, Severity.LOW, Confidence.MEDIUM, "resembles agent work",
            evidence=f"agent_likelihood={score:.3f}; threshold 0.5000: set by hand",
            details=(Detail("bullet_share", "share of lines that are <b>bullets</b>", 0.812),
                     Detail("message_length", "a long message", -0.2))), Verdict.FLAG))  # fmt: skip
    verdict = Verdict.FLAG if score >= 0.5 else Verdict.PASS
    return Assessment(contribution, verdict, tuple(findings), Scores(10, "small", 1, score))


def test_breaker_trips_against_rusts_threshold_and_the_score_is_explained(
    ledger_url: str, tmp_path: Path
) -> None:
    rust = load_preset("rust")
    assert rust.circuit_breaker.enabled and rust.circuit_breaker.max_agent_share == 0.5
    ledger = open_ledger(ledger_url)
    try:
        for number in range(14):
            created = f"2026-11-{10 + number:02d}T12:00:00+00:00"
            ledger.record(assessment_of(number, number % 4 != 0, 0.3 + number / 20, created),
                          "rust-lang/rust", rust)  # fmt: skip
        at = "2026-11-30T00:00:00+00:00"
        breaker = breaker_view(ledger, "rust-lang/rust", at)
        explained = ledger.execute(
            "SELECT c.id, f.details FROM findings f JOIN contributions c ON c.id = f.contribution "
            "WHERE f.finding_id = ? ORDER BY c.id LIMIT 1", (LIKELIHOOD,)).fetchone()  # fmt: skip
        other = breaker_view(ledger, "rust-lang/rust", "2026-01-01T00:00:00+00:00")
    finally:
        ledger.close()
    assert breaker.enabled and breaker.tripped and breaker.share > 0.5 and breaker.merged == 14
    assert not other.tripped and other.merged == 0
    assert "bullet_share" in explained[1]
    from patchvet.web.app import create_dashboard
    from patchvet.web.session import Keys
    from tests.service.conftest import RunningService

    keys = Keys.generate()
    app = create_dashboard(ledger_url, keys, "max")
    with RunningService(app) as served, httpx.Client(base_url=served.url) as client:
        client.get(f"/login?token={keys.token}")
        page = client.get(f"/contribution/{explained[0]}").text
        project = client.get("/project", params={"name": "rust-lang/rust"}).text
    app.state.dashboard.close()
    assert "bullet_share" in page and "share of lines that are &lt;b&gt;bullets&lt;/b&gt;" in page
    assert "+0.812" in page and "-0.200" in page and "Human work: mark wrong" in page
    assert "judged by policy" in page and "rust" in page
    assert "Circuit breaker of rust" in project and "tripped" in project


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
def test_calibration_reads_likelihood_corrections_latest_word_wins(ledger_url: str) -> None:
    ledger = open_ledger(ledger_url)
    try:
        for number in range(4):
            ledger.record(assessment_of(number, False, 0.6 + number / 100,
                                      f"2026-11-0{number + 1}T12:00:00+00:00"),
                          "demo", Policy())  # fmt: skip
        ids = [int(r[0]) for r in ledger.execute(
            "SELECT id FROM contributions ORDER BY id").fetchall()]  # fmt: skip
        correct(ledger, ids[0], LIKELIHOOD, "max", "she wrote it")
        correct(ledger, ids[1], LIKELIHOOD, "max", "an agent did", kind="confirm")
        taken = correct(ledger, ids[2], LIKELIHOOD, "max", "hasty")
        revoke(ledger, taken.id, "max")
        correct(ledger, ids[3], LIKELIHOOD, "max", "human")
        correct(ledger, ids[3], LIKELIHOOD, "ann", "no: agent", kind="confirm")
        correct(ledger, ids[0], "verdict", "max", "verdict corrections are not labels")
        human, agent = calibration_labels(ledger, "demo")
        elsewhere = calibration_labels(ledger, "other")
    finally:
        ledger.close()
    assert human == {f"{0:040x}": 0.6}
    assert agent == {f"{1:040x}": 0.61, f"{3:040x}": 0.63}
    assert elsewhere == ({}, {})


def test_the_authors_account_reading_shows_on_both_pages_escaped(ledger_url: str) -> None:
    reading = AccountReading("automation", 7, "2026-11-02T00:00:00+00:00",
                             (("burst", 4, "many repositories at once", "<b>40</b> forks"),),
                             login="bot-ish", created_at="2026-10-30T00:00:00Z",
                             public_repos=40, followers=0, events=300)  # fmt: skip
    ledger = open_ledger(ledger_url)
    try:
        ledger.record(assessment_of(1, False, 0.2, "2026-11-02T12:00:00+00:00", reading), "demo",
                      Policy())  # fmt: skip
        row, person = ledger.execute("SELECT id, person_id FROM contributions").fetchone()
    finally:
        ledger.close()
    from patchvet.web.app import create_dashboard
    from patchvet.web.session import Keys
    from tests.service.conftest import RunningService

    keys = Keys.generate()
    app = create_dashboard(ledger_url, keys, "max")
    with RunningService(app) as served, httpx.Client(base_url=served.url) as client:
        client.get(f"/login?token={keys.token}")
        pages = [client.get(f"/contribution/{row}").text, client.get(f"/person/{person}").text]
    app.state.dashboard.close()
    for page in pages:
        assert "bot-ish: <strong>automation</strong> (score 7)" in page
        assert "40 public repositories" in page and "&lt;b&gt;40&lt;/b&gt; forks" in page
        assert "<b>40</b>" not in page


def test_rate_state_counts_submissions_as_the_engine_does(ledger_url: str) -> None:
    """A replayed history records commits; the page's "in window" figure must not count them
    (the engine's rate limits do not: 30 commits pushed in a day are one push)."""
    ledger = open_ledger(ledger_url)
    created = "2026-03-01T10:00:00+00:00"
    try:
        for number in range(0, 30, 3):  # ten commits by Dev 0 in one hour
            ledger.record(assessment_of(number, False, 0.1, created), "demo", Policy())
        patch = assessment_of(30, False, 0.1, created)
        patch = replace(patch, contribution=replace(patch.contribution, kind=SourceKind.PATCH,
                                                    id="patch30"))  # fmt: skip
        ledger.record(patch, "demo", Policy())
        [[person]] = ledger.execute("SELECT DISTINCT person_id FROM contributions").fetchall()
        rate = rate_state(ledger, int(person), "2026-03-01T12:00:00+00:00")
    finally:
        ledger.close()
    assert rate.tier == "known"  # eleven contributions of any kind make a known author
    assert rate.in_window == 1  # but only the patch is a submission
