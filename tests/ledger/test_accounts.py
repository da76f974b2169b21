"""The ledger's own account tables: the reading kept with each contribution, reply codes, and
issues limited apart from code."""

from __future__ import annotations

import dataclasses
from dataclasses import replace

from patchvet.ledger import SqlLedger
from patchvet.ledger.accounts import reading_of, reply_code, stored_reply_code
from patchvet.policy import load_preset
from patchvet.records import AccountReading, Contribution, Identity, SourceKind
from tests.ledger.test_ledger import ids, pr, run

READING = AccountReading(
    classification="automation",
    score=85,
    as_of="2026-11-01T09:55:00+00:00",
    signals=(
        ("account/pr-burst", 40, "pull requests to many repositories within a day", "30 in 24 h"),
    ),
    login="Burst1",
    created_at="2026-10-26T09:55:00Z",
    public_repos=30,
    followers=0,
    events=90,
    fetched_at="2026-11-01T10:00:00Z",
)


def _issue(number: int, when: str, login: str = "fast", user_id: int = 77) -> Contribution:
    return Contribution(
        source=f"acme/app#{number}",
        id=f"issue-{number}",
        kind=SourceKind.ISSUE,
        title="It breaks",
        author=Identity(login=login, id=user_id),
        description="Steps to reproduce.",
        created_at=when,
        state="open",
    )


def test_the_account_reading_is_kept_with_the_contribution(ledger: SqlLedger) -> None:
    item = dataclasses.replace(pr(1, "burst1", 4242, "2026-11-01T09:55:00Z"), account=READING)
    run(ledger, [item, pr(2, "other", 5, "2026-11-01T10:00:00Z")])
    rows = dict(
        ledger.execute(
            "SELECT contribution_id, id FROM contributions WHERE project = 'acme/app'"
        ).fetchall()
    )
    assert reading_of(ledger, int(rows["sha1"])) == READING
    assert reading_of(ledger, int(rows["sha2"])) is None  # not read: nothing invented
    stored = ledger.execute(
        "SELECT login, classification, score FROM contribution_accounts"
    ).fetchall()
    assert [tuple(row) for row in stored] == [("burst1", "automation", 85)]


def test_one_reply_code_per_thread_first_writer_wins(ledger: SqlLedger) -> None:
    assert stored_reply_code(ledger, "acme/app", 7) is None
    first = reply_code(ledger, "acme/app", 7, "aaaaaaaaaaaa", "2026-11-01T10:00:00+00:00")
    again = reply_code(ledger, "acme/app", 7, "bbbbbbbbbbbb", "2026-11-01T11:00:00+00:00")
    other = reply_code(ledger, "acme/app", 8, "cccccccccccc", "2026-11-01T11:00:00+00:00")
    assert (first, again, other) == ("aaaaaaaaaaaa", "aaaaaaaaaaaa", "cccccccccccc")
    assert stored_reply_code(ledger, "acme/app", 7) == "aaaaaaaaaaaa"


def test_issues_and_pull_requests_have_separate_rate_limits(ledger: SqlLedger) -> None:
    base = load_preset("default")
    policy = replace(base, rate=replace(base.rate, max_per_window={"new": 2}, max_open={"new": 2}))
    issues = [_issue(n, f"2026-01-01T0{n}:00:00Z") for n in range(1, 4)]
    results = run(ledger, issues, policy)
    assert {"rate/submissions", "rate/open-contributions"} <= ids(results[2])
    [code] = run(ledger, [pr(9, "fast", 77, "2026-01-01T05:00:00Z")], policy)
    assert not any(found.startswith("rate/") for found in ids(code))
