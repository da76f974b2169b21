"""Exemptions: allowlisted bots and exempt associations skip contributor checks, not the change."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from patchvet.check import check
from patchvet.ledger import open_ledger
from patchvet.policy.loader import load_text
from patchvet.records import Assessment, Contribution, Identity, Listing, SourceKind
from patchvet.sources.git import read_git_range
from tests.helpers import added, contribution, ids, judge, make_repo

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


DEPENDABOT = "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>"


def test_a_github_app_commit_read_from_git_is_that_app(tmp_path: Path) -> None:
    """Shape from a real Go project's history: `Bump github.com/mattn/go-isatty from 0.0.14 to
    0.0.16 (#2926)` by dependabot[bot], read with `--git`, got `agent-likelihood/high-score`
    (0.99) and no exemption, because git names the account only in its no-reply address."""
    repo = make_repo(tmp_path / "repo")
    repo.commit("Add go.mod", {"go.mod": "module example.org/x\n\nrequire (\n)\n"})
    bump = repo.commit(
        "Bump github.com/mattn/go-isatty from 0.0.14 to 0.0.16 (#2926)\n\n"
        "Bumps [github.com/mattn/go-isatty](https://github.com/mattn/go-isatty) from 0.0.14 "
        "to 0.0.16.\n- [Release notes](https://github.com/mattn/go-isatty/releases)\n\n"
        "---\nupdated-dependencies:\n- dependency-name: github.com/mattn/go-isatty\n"
        "  dependency-type: direct:production\n  update-type: version-update:semver-patch\n"
        "...\n\nSigned-off-by: dependabot[bot] <support@github.com>",
        {"go.mod": "module example.org/x\n\nrequire (\n\tgithub.com/mattn/go-isatty v0.0.16\n)\n"},
        author=DEPENDABOT,
    )
    human = repo.commit("Fix the flag parser\n\nIt dropped the last flag.", {"main.go": "x\n"})
    [app, person] = [
        r
        for r in check(
            read_git_range(f"{bump}~1..{human}", repo.path), load_text("", "p.toml"), None
        )
        if isinstance(r, Assessment)
    ]
    assert app.contribution.author.github_login() == "dependabot[bot]"
    assert app.scores.agent_likelihood is None  # automation by its own name, not style
    assert "identity/exempt" in ids(app)
    assert "dependency/changed" in ids(app)  # the change itself is still vetted
    assert person.scores.agent_likelihood is not None
    assert "identity/exempt" not in ids(person)


def test_a_no_reply_address_names_its_login_and_nothing_else_does() -> None:
    assert Identity(email="1234+jdoe@users.noreply.github.com").github_login() == "jdoe"
    assert Identity(email="jdoe@users.noreply.github.com").github_login() == "jdoe"
    assert Identity(email="jdoe@example.org").github_login() is None
    assert Identity(email="x@users.noreply.github.com.evil.example").github_login() is None
    assert Identity(login="octocat", email="1+jdoe@users.noreply.github.com").github_login() == (
        "octocat"
    )
    assert Identity(email="49699333+dependabot[bot]@users.noreply.github.com").is_app_account()
    assert not Identity(name="dependabot[bot]", email="bot@example.org").is_app_account()
