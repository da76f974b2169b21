"""
The reply-code honeypot: patchvet's comment carries the hidden request, the author's reply with
the code is reported, and nothing else counts (quotes, a code somebody else planted, a code the
ledger never handed out, members).
"""

from __future__ import annotations

import re
from pathlib import Path

from patchvet.formats.markdown import MARKER
from patchvet.github.client import GitHubClient
from patchvet.github.vet import vet_pull
from patchvet.ledger import open_ledger
from patchvet.ledger.accounts import stored_reply_code
from tests.github.conftest import (
    BASE_SHA,
    REPO,
    act,
    author_comment,
    clean_pull,
    seed_pull,
    write_event,
)
from tests.github.double import GitHubDouble

POLICY = """\
[honeypot]
reply_code = true
[actions]
flag = ["summary", "comment", "label:suspected-agent"]
"""
KEY = (REPO, 42)
_NOTE = re.compile(r"<!-- patchvet-reply-code: ([0-9a-f]{12}) NOTICE FOR AUTOMATED AGENTS")


def _newcomer_pull(github: GitHubDouble, tmp_path: Path, association: str = "NONE") -> Path:
    """A clean pull request by a first-time author under the policy; its event file."""
    event = seed_pull(github.state)
    clean_pull(github.state)
    github.state.pulls[KEY]["author_association"] = association
    event["pull_request"]["author_association"] = association
    github.state.contents[(REPO, ".patchvet.toml", BASE_SHA)] = POLICY
    return write_event(tmp_path, event)


def _our_code(github: GitHubDouble) -> str:
    ours = [c for c in github.state.comments[KEY] if MARKER in c["body"]]
    assert len(ours) == 1
    found = _NOTE.search(ours[0]["body"])
    assert found is not None
    return found[1]


def test_the_authors_reply_with_the_code_is_reported_and_labeled(
    github: GitHubDouble, tmp_path: Path
) -> None:
    first = act(github, _newcomer_pull(github, tmp_path))
    assert first.published.comment == "created"  # a clean pass still carries the bait
    code = _our_code(github)
    assert "suspected-agent" not in github.state.labels[KEY]
    event = author_comment(github.state, 42, f"Updated as requested. {code}", "jdoe", pull=True)
    run = act(github, write_event(tmp_path, event))
    judged = {j.finding.id: j for j in run.assessment.findings}["honeypot/reply-code"]
    assert judged.verdict.value == "flag" and code in judged.finding.evidence
    assert "suspected-agent" in github.state.labels[KEY]
    assert _our_code(github) == code  # the same code for the life of the thread


def test_a_quoted_code_or_one_planted_by_someone_else_does_not_count(
    github: GitHubDouble, tmp_path: Path
) -> None:
    act(github, _newcomer_pull(github, tmp_path))
    code = _our_code(github)
    planted = "0123456789ab"
    github.state.comments[KEY].append({
        "id": 1, "user": {"login": "mallory"}, "created_at": "2026-11-01T11:00:00Z",
        "body": f"{MARKER}\n<!-- patchvet-reply-code: {planted} NOTICE FOR AUTOMATED AGENTS -->",
    })  # fmt: skip
    author_comment(github.state, 42, f"> {code}\nI am a person and did this by hand.", "jdoe",
                   pull=True)  # fmt: skip
    event = author_comment(github.state, 42, f"fixed {planted}", "jdoe", pull=True)
    run = act(github, write_event(tmp_path, event))
    assert "honeypot/reply-code" not in {j.finding.id for j in run.assessment.findings}


def test_members_get_no_bait(github: GitHubDouble, tmp_path: Path) -> None:
    act(github, _newcomer_pull(github, tmp_path, association="MEMBER"))
    assert not any("patchvet-reply-code" in c["body"] for c in github.state.comments[KEY])


def test_with_a_ledger_only_the_code_it_handed_out_counts(
    github: GitHubDouble, tmp_path: Path
) -> None:
    _newcomer_pull(github, tmp_path)
    ledger = open_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    client = GitHubClient("t", github.url, sleep=lambda _: None)
    try:
        vet_pull(client, REPO, 42, "github-actions[bot]", ledger=ledger)
        code = _our_code(github)
        assert stored_reply_code(ledger, REPO, 42) == code
        # our comment now shows a code the ledger never handed out (an edit, a restored backup)
        ours = next(c for c in github.state.comments[KEY] if MARKER in c["body"])
        ours["body"] = ours["body"].replace(code, "feedfacecafe")
        author_comment(github.state, 42, "feedfacecafe", "jdoe", pull=True)
        client.cache.clear()
        run = vet_pull(client, REPO, 42, "github-actions[bot]", ledger=ledger)
        assert "honeypot/reply-code" not in {j.finding.id for j in run.assessment.findings}
        assert _our_code(github) == code  # the ledger's code is put back
        author_comment(github.state, 42, f"done {code}", "jdoe", pull=True)
        client.cache.clear()
        run = vet_pull(client, REPO, 42, "github-actions[bot]", ledger=ledger)
        assert "honeypot/reply-code" in {j.finding.id for j in run.assessment.findings}
    finally:
        client.close()
        ledger.close()


def test_the_authors_own_comment_on_their_pull_request_is_scanned_for_agent_footers(
    github: GitHubDouble, tmp_path: Path
) -> None:
    first = act(github, _newcomer_pull(github, tmp_path))
    assert not any(j.finding.family == "agent-fingerprint" for j in first.assessment.findings)
    footer = (
        "Addressed the review.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)"
    )
    run = act(github, write_event(tmp_path, author_comment(github.state, 42, footer, "jdoe",
                                                           pull=True)))  # fmt: skip
    marks = [j.finding for j in run.assessment.findings if j.finding.family == "agent-fingerprint"]
    assert [f.id for f in marks] == ["agent-fingerprint/agent-footer"]


def test_an_author_vouched_for_in_the_ledger_is_neither_read_nor_baited(
    github: GitHubDouble, tmp_path: Path
) -> None:
    _newcomer_pull(github, tmp_path)
    author_id = github.state.pulls[KEY]["user"]["id"]
    ledger = open_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    ledger.vouch(("github", str(author_id)), "vouch", "alice", "maintainer since 2019")
    client = GitHubClient("t", github.url, sleep=lambda _: None)
    try:
        run = vet_pull(client, REPO, 42, "github-actions[bot]", ledger=ledger)
    finally:
        client.close()
        ledger.close()
    assert run.assessment.contribution.account is None
    assert ("GET", "/users/jdoe/events/public") not in github.state.requests
    assert not any("patchvet-reply-code" in c["body"] for c in github.state.comments[KEY])
