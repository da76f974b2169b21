"""
`--git` knows authors from the history the range builds on, never from the range itself.

Real repositories in temp dirs, judged by `patchvet check --git` as a user runs it (no ledger).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from patchvet.sources.git import Mailmap, RangeOptions
from patchvet.sources.git_history import known_authors, range_base_tips, repository_standing
from tests.helpers import GitRepo, run_cli

MAINT = "Maint Ainer <maint@example.org>"
NEWBIE = "New Comer <new@example.org>"
WORKFLOW = ".github/workflows/test.yml"


def _workflow(step: str) -> dict[str, str | bytes]:
    """A workflow whose edit runs something new: `ci-change/workflow` at medium for strangers."""
    return {WORKFLOW: f"on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
                      f"    steps:\n      - run: |\n          {step}\n"}  # fmt: skip


def _maintained(repo: GitRepo, commits: int = 3) -> None:
    """`main` with `commits` docs commits by the maintainer."""
    for n in range(commits):
        repo.commit(f"Docs {n}", {"docs.md": f"line {n}\n"}, author=MAINT)


def _report(capsys: pytest.CaptureFixture[str], repo: GitRepo, *argv: str) -> list[Any]:
    code, out, err = run_cli(
        capsys, "check", "--repo", str(repo.path), "--format", "json", "--jobs", "1", *argv
    )
    assert code in (0, 1), err
    contributions: list[Any] = json.loads(out)["contributions"]
    return contributions


def _workflow_finding(item: Any) -> Any:
    (found,) = [f for f in item["findings"] if f["id"] == "ci-change/workflow"]
    return found


def test_an_author_with_earlier_commits_in_the_base_is_established(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _maintained(repo)
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("CI: run pytest", _workflow("pytest"), author=MAINT)
    (item,) = _report(capsys, repo, "--git", "main..feature")
    assert item["verdict"] == "pass"
    workflow = _workflow_finding(item)
    assert workflow["severity"] == "info"
    assert (
        "3 earlier commits in the repository's history before this range" in (workflow["message"])
    )
    # The same edit by someone the base never saw is flagged.
    repo.commit("CI: run tox", _workflow("tox"), author=NEWBIE)
    items = _report(capsys, repo, "--git", "main..feature")
    assert [i["verdict"] for i in items] == ["pass", "flag"]
    assert _workflow_finding(items[1])["severity"] == "medium"


def test_a_branch_cannot_vouch_for_itself(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _maintained(repo)
    repo.git("checkout", "-q", "-b", "feature")
    for n in range(5):
        repo.commit(f"CI step {n}", _workflow(f"make step{n}"), author=NEWBIE)
    items = _report(capsys, repo, "--git", "main..feature")
    assert [i["verdict"] for i in items] == ["flag"] * 5
    # The same five commits as the newest window of the history: still nobody knows them.
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "feature")
    items = _report(capsys, repo, "--git", "HEAD", "-n", "5")
    assert [i["verdict"] for i in items] == ["flag"] * 5


def test_a_window_builds_on_its_boundary(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    _maintained(repo)
    oldest = repo.commit("CI: lint", _workflow("ruff check"), author=MAINT)
    repo.commit("CI: newcomer", _workflow("curl-less step"), author=NEWBIE)
    tips, vetted = range_base_tips(repo.path, "HEAD", RangeOptions(max_count=2))
    assert tips == [repo.git("rev-parse", f"{oldest}^").decode().strip()]
    assert oldest in vetted and len(vetted) == 2
    items = _report(capsys, repo, "--git", "HEAD", "-n", "2")
    assert [i["verdict"] for i in items] == ["pass", "flag"]
    # A window that is the whole history has no base: nobody is known.
    assert range_base_tips(repo.path, "HEAD", RangeOptions()) == ([], set())
    assert [i["verdict"] for i in _report(capsys, repo, "--git", "HEAD")][-2:] == ["flag"] * 2


def test_the_branch_mailmap_borrows_no_record(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _maintained(repo)
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("Mailmap", {".mailmap": f"{MAINT} <evil@example.org>\n"}, author=MAINT)
    repo.commit("CI", _workflow("make all"), author="Evil <evil@example.org>")
    items = _report(capsys, repo, "--git", "main..feature")
    assert items[-1]["author"]["email"] == "evil@example.org"
    assert items[-1]["verdict"] == "flag"


def test_the_base_mailmap_joins_an_authors_addresses(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Counted as the range is mapped: the base's .mailmap joins an old address to the new."""
    for n in range(3):
        repo.commit(f"Docs {n}", {"docs.md": f"{n}\n"}, author="Maint <old@example.org>")
    repo.commit("Mailmap", {".mailmap": f"{MAINT} <old@example.org>\n"}, author=MAINT)
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("CI", _workflow("make all"), author=MAINT)
    (item,) = _report(capsys, repo, "--git", "main..feature")
    assert item["verdict"] == "pass"
    assert "4 earlier commits" in _workflow_finding(item)["message"]
    known = repository_standing(repo.path, "main..feature")
    assert known is not None and known.commits.get("old@example.org") == 3  # no mailmap given
    mapped = repository_standing(repo.path, "main..feature", mailmap=Mailmap(blob="main:.mailmap"))
    assert mapped is not None and mapped.commits["maint@example.org"] == 4


def test_trust_established_false_flags_everyone(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _maintained(repo)
    repo.commit(
        "Policy", {".patchvet.toml": "[maintainers]\ntrust_established = false\n"}, author=MAINT
    )
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("CI", _workflow("make all"), author=MAINT)
    (item,) = _report(capsys, repo, "--git", "main..feature")
    assert item["verdict"] == "flag"


def test_the_count_is_bounded_and_leaves_out_vetted_commits(repo: GitRepo) -> None:
    _maintained(repo, 4)
    head = repo.git("rev-parse", "HEAD").decode().strip()
    everything = known_authors(repo.path, [head])
    assert everything is not None and everything.commits["maint@example.org"] == 4
    assert everything.counted == 5  # and the initial commit by jane
    newest = known_authors(repo.path, [head], limit=2)
    assert newest is not None and newest.counted == 2 and newest.commits == {"maint@example.org": 2}
    without = known_authors(repo.path, [head], vetted={head})
    assert without is not None and without.commits["maint@example.org"] == 3
    assert known_authors(repo.path, []) is None
    assert known_authors(repo.path, ["0" * 40]) is None


def test_json_mode_parallel_and_ledger_runs_agree(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Worker processes and the one-process ledger run see the same record."""
    _maintained(repo)
    repo.git("checkout", "-q", "-b", "feature")
    for n in range(40):  # more than one batch, so workers start
        repo.commit(f"CI {n}", _workflow(f"make {n}"), author=MAINT if n % 2 else NEWBIE)
    pooled = _report(capsys, repo, "--git", "main..feature", "--jobs", "2")
    db = f"sqlite:///{tmp_path / 'l.db'}"
    ledgered = _report(capsys, repo, "--git", "main..feature", "--db", db)
    assert [i["verdict"] for i in pooled] == ["flag", "pass"] * 20
    assert [i["verdict"] for i in ledgered] == [i["verdict"] for i in pooled]
