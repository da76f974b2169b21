"""The author's account in the Action's report: burst accounts flagged, members never read."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from patchvet.records import Verdict
from tests.account.streams import burst, profile
from tests.github.conftest import REPO, act, clean_pull, seed_pull, write_event
from tests.github.double import GitHubDouble

OPENED = datetime.fromisoformat("2026-11-01T09:55:00+00:00")


def _burst_author(github: GitHubDouble) -> None:
    github.state.users["jdoe"] = profile("jdoe", OPENED - timedelta(days=6), repos=30)
    # the stream as of the pull request: fresh account, codex/ branches, fork after fork
    events = burst("jdoe")
    for event in events:
        moved = datetime.fromisoformat(event["created_at"].replace("Z", "+00:00"))
        moved -= datetime.fromisoformat("2026-12-01T12:00:00+00:00") - OPENED
        event["created_at"] = moved.strftime("%Y-%m-%dT%H:%M:%SZ")
    github.state.user_events["jdoe"] = events


def test_a_burst_accounts_pull_request_gets_an_account_section(
    github: GitHubDouble, tmp_path: Path
) -> None:
    event = seed_pull(github.state)
    clean_pull(github.state)
    github.state.pulls[(REPO, 42)]["author_association"] = "NONE"
    event["pull_request"]["author_association"] = "NONE"
    _burst_author(github)
    run = act(github, write_event(tmp_path, event))
    found = {j.finding.id: j for j in run.assessment.findings}
    judged = found["account/automation-pattern"]
    assert judged.verdict is Verdict.FLAG  # advice: an account alone never holds
    assert "codex/" in judged.finding.evidence and "vouch" in judged.finding.remedy
    comment = next(c for c in github.state.comments[(REPO, 42)] if "patchvet" in c["body"])
    assert "activity reads as automation" in comment["body"]


def test_members_and_earlier_contributors_are_never_read(
    github: GitHubDouble, tmp_path: Path
) -> None:
    for association in ("MEMBER", "CONTRIBUTOR"):
        github.state.requests.clear()
        event = seed_pull(github.state)
        github.state.pulls[(REPO, 42)]["author_association"] = association
        event["pull_request"]["author_association"] = association
        _burst_author(github)
        run = act(github, write_event(tmp_path, event))
        assert not any(j.finding.family == "account" for j in run.assessment.findings)
        assert ("GET", "/users/jdoe/events/public") not in github.state.requests
