"""Exemptions: allowlisted bots and exempt associations skip contributor checks, not the change."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from patchvet.check import check
from patchvet.ledger import open_ledger
from patchvet.policy.loader import load_text
from patchvet.records import Assessment, Contribution, Identity, Listing, SourceKind
from tests.helpers import added, contribution, ids, judge

TIGHT = load_text(
    "[rate]\nmax_per_window = { new = 2, known = 2 }\nmax_open = { new = 2, known = 2 }\n",
    "tight.toml",
)


def bot_pr(number: int, login: str) -> Contribution:
    base = contribution(
        message="chore(deps): update dependency rich to v14",
        kind=SourceKind.PULL_REQUEST,
        author=Identity(login=login, id=29139614),
        files=(added("requirements.txt", "rich==14.0.0"),),
    )
    return dataclasses.replace(base, source=f"acme/app#{number}", id=f"sha{number}",
                               created_at=f"2026-01-01T0{number}:00:00Z", state="open")  # fmt: skip


def run_prs(tmp_path: Path, login: str) -> list[Assessment]:
    (tmp_path / login).mkdir(exist_ok=True)
    ledger = open_ledger(f"sqlite:///{tmp_path / login / 'ledger.db'}")
    try:
        items = [bot_pr(n, login) for n in range(1, 8)]
        results = list(check(items, TIGHT, ledger, "acme/app", record=True))
    finally:
        ledger.close()
    assert all(isinstance(r, Assessment) for r in results)
    return [r for r in results if isinstance(r, Assessment)]


def test_renovate_gets_no_rate_findings(tmp_path: Path) -> None:
    other = run_prs(tmp_path, "update-helper[bot]")
    assert {"rate/submissions", "rate/open-contributions"} <= ids(other[-1])
    renovate = run_prs(tmp_path, "renovate[bot]")
    for result in renovate:
        assert not {i for i in ids(result) if i.startswith(("rate/", "identity/first"))}
        assert "identity/exempt" in ids(result)
        assert "dependency/changed" in ids(result)  # the change itself is still vetted


def test_exemption_by_association_and_vouch_list() -> None:
    item = contribution(kind=SourceKind.PULL_REQUEST, author=Identity(login="jdoe", id=5))
    owner = dataclasses.replace(item, author_association="OWNER")
    [note] = [j.finding for j in judge(owner).findings if j.finding.id == "identity/exempt"]
    assert (
        note.message
        == "Exempt from identity, rate, honeypot, account checks: author association OWNER"
    )
    listed = dataclasses.replace(
        item, author_association="CONTRIBUTOR",
        author_listing=Listing("vouch", "acme/app@abc:.github/VOUCHED.td", "met at FOSDEM"),
    )  # fmt: skip
    assert "met at FOSDEM" in next(
        j.finding.message for j in judge(listed).findings if j.finding.id == "identity/exempt"
    )
    outsider = dataclasses.replace(item, author_association="FIRST_TIME_CONTRIBUTOR")
    assert "identity/exempt" not in ids(judge(outsider))
