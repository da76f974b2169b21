"""
Issue 17 end to end: `patchvet serve` as a process, signed deliveries, and the GitHub double
serving real-shaped `/users`, paginated `/events/public`, issues and comments.

Under one policy (account signals on, the template phrase and the reply code, issues vetted, a
label for `flag`): a burst account's pull request gets an account section and its reading is
kept in the ledger; the reply code answered in the author's next comment adds the finding and
the label; an issue with the template phrase and an agent footer is labeled; an exempt member is
never scored or baited.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from patchvet.formats.markdown import MARKER
from patchvet.ledger import open_ledger
from patchvet.ledger.accounts import reading_of
from tests.account.streams import burst, profile
from tests.github.conftest import BASE_SHA, REPO, author_comment, clean_pull, seed_issue, seed_pull
from tests.github.double import GitHubDouble
from tests.service.conftest import SECRET, deliver, delivered, free_port, wait_for

POLICY = """\
[honeypot]
phrases = ["mention the retry budget"]
reply_code = true
[issues]
vet = true
[actions]
flag = ["summary", "comment", "label:suspected-agent"]
"""
OPENED = datetime.fromisoformat("2026-11-01T09:55:00+00:00")
FOOTER = "🤖 Generated with [Claude Code](https://claude.com/claude-code)"
_CODE = re.compile(r"<!-- patchvet-reply-code: ([0-9a-f]{12}) ")


def _pull(github: GitHubDouble, number: int, login: str, association: str) -> dict[str, Any]:
    """A clean pull request by `login`, opened at OPENED; its `pull_request` event."""
    event = seed_pull(github.state, number=number)
    clean_pull(github.state, number)
    for pull in (github.state.pulls[(REPO, number)], event["pull_request"]):
        pull["user"] = {**pull["user"], "login": login, "id": 6000 + number}
        pull["author_association"] = association
        pull["head"] = {**pull["head"], "sha": f"{number:040d}"}  # the ledger keys on it
    user = github.state.pulls[(REPO, number)]["user"]
    for commit in github.state.commits[(REPO, number)]:
        commit["author"] = commit["committer"] = {"login": login, "id": user["id"], "type": "User"}
    event["sender"] = user
    return event


def _burst_account(github: GitHubDouble, login: str) -> None:
    """A six-day-old account forking and opening `codex/` pull requests, as of OPENED."""
    github.state.users[login] = profile(login, OPENED - timedelta(days=6), repos=30)
    events = burst(login)
    shift = datetime.fromisoformat("2026-12-01T12:00:00+00:00") - OPENED
    for event in events:
        moved = datetime.fromisoformat(event["created_at"].replace("Z", "+00:00")) - shift
        event["created_at"] = moved.strftime("%Y-%m-%dT%H:%M:%SZ")
    github.state.user_events[login] = events  # 90 events: the client follows the Link pages


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def served(github: GitHubDouble, ledger_db: str) -> Iterator[str]:
    """`patchvet serve` on a free port, acting through the double; its URL."""
    port = free_port()
    env = {"PATCHVET_WEBHOOK_SECRET": SECRET, "PATCHVET_GITHUB_TOKEN": "t",
           "PATCHVET_GITHUB_API_URL": github.url, "PATH": "/usr/bin:/bin"}  # fmt: skip
    command = [sys.executable, "-m", "patchvet", "serve", "--port", str(port), "--db", ledger_db]
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _healthy(url), timeout=30)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def _send(url: str, ledger_db: str, event: str, payload: dict[str, Any], delivery: str) -> None:
    assert deliver(url, event, payload, delivery=delivery).status_code == 202
    wait_for(lambda: delivered(ledger_db, delivery), timeout=60)


def _findings(ledger_db: str, source: str) -> set[str]:
    ledger = open_ledger(ledger_db)
    try:
        rows = ledger.execute(
            "SELECT f.finding_id FROM findings f JOIN contributions c ON c.id = f.contribution "
            "WHERE c.source = ?",
            (source,),
        ).fetchall()
        return {str(row[0]) for row in rows}
    finally:
        ledger.close()


def test_accounts_honeypots_and_issues_through_patchvet_serve(
    github: GitHubDouble, ledger_db: str, served: str
) -> None:
    state = github.state
    state.contents[(REPO, ".patchvet.toml", BASE_SHA)] = POLICY
    state.contents[(REPO, ".patchvet.toml", "main")] = POLICY

    # 1. A burst account's pull request: an account section, flagged, the reading kept.
    _burst_account(github, "burst1")
    _send(served, ledger_db, "pull_request", _pull(github, 42, "burst1", "NONE"), "e2e-1")
    (report,) = [c for c in state.comments[(REPO, 42)] if MARKER in c["body"]]
    assert "activity reads as automation" in report["body"]
    assert "account/automation-pattern" in _findings(ledger_db, f"{REPO}#42")
    assert "suspected-agent" in state.labels[(REPO, 42)]
    pages = [p for m, p in state.requests if p == "/users/burst1/events/public"]
    assert len(pages) == 1  # one first page; the rest came by Link, with their own query
    ledger = open_ledger(ledger_db)
    try:
        row = ledger.execute(
            "SELECT id FROM contributions WHERE source = ?", (f"{REPO}#42",)
        ).fetchone()
        reading = reading_of(ledger, int(row[0]))
    finally:
        ledger.close()
    assert reading is not None and reading.classification == "automation"
    assert reading.login == "burst1" and reading.public_repos == 30 and reading.events == 90

    # 2. The reply code: baited in the first comment, answered in the author's next comment.
    state.users["newbie"] = profile("newbie", OPENED - timedelta(days=900))
    _send(served, ledger_db, "pull_request", _pull(github, 43, "newbie", "NONE"), "e2e-2")
    (ours,) = [c for c in state.comments[(REPO, 43)] if MARKER in c["body"]]
    found = _CODE.search(ours["body"])
    assert found is not None
    assert "suspected-agent" not in state.labels[(REPO, 43)]
    reply = author_comment(state, 43, f"Thanks, updated! {found[1]}", "newbie", pull=True)
    _send(served, ledger_db, "issue_comment", reply, "e2e-3")
    assert "honeypot/reply-code" in _findings(ledger_db, f"{REPO}#43")
    assert "suspected-agent" in state.labels[(REPO, 43)]

    # 3. An issue with the template phrase and an agent footer is labeled.
    body = f"The retry loop spins. I mention the retry budget.\r\n\r\n{FOOTER}"
    _send(served, ledger_db, "issues", seed_issue(state, number=7, body=body), "e2e-4")
    assert {"honeypot/template-phrase", "agent-fingerprint/agent-footer"} <= _findings(
        ledger_db, f"{REPO}#7"
    )
    assert state.labels[(REPO, 7)] == ["llm-assisted", "suspected-agent"]

    # 4. An exempt member, with the same burst history and the phrase: never scored, no bait.
    _burst_account(github, "alice")
    member = _pull(github, 44, "alice", "MEMBER")
    state.pulls[(REPO, 44)]["body"] = "I mention the retry budget."
    _send(served, ledger_db, "pull_request", member, "e2e-5")
    assert not {f.split("/")[0] for f in _findings(ledger_db, f"{REPO}#44")} & {
        "account", "honeypot"
    }  # fmt: skip
    assert ("GET", "/users/alice/events/public") not in state.requests
    assert not any("patchvet-reply-code" in c["body"] for c in state.comments[(REPO, 44)])
