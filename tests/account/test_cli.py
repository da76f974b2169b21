"""`patchvet account` against the local GitHub stand-in: pages, cache, unknowns, errors."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.account.streams import NOW, burst, maintainer, profile
from tests.github.double import GitHubDouble
from tests.helpers import run_cli


def _account(
    capsys: pytest.CaptureFixture[str], github: GitHubDouble, login: str, *extra: str
) -> tuple[int, str, str]:
    return run_cli(capsys, "account", login, "--api-url", github.url, *extra)


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "test-token")


def test_every_page_of_events_is_read_and_a_maintainer_is_organic(
    github: GitHubDouble, capsys: pytest.CaptureFixture[str]
) -> None:

    github.state.users["fisker"] = profile("fisker", NOW - timedelta(days=4000), repos=150)
    github.state.user_events["fisker"] = maintainer("fisker")
    github.state.search_counts = {
        "is:pr author:fisker -user:fisker is:merged": 900,
        "is:pr author:fisker -user:fisker is:closed is:unmerged": 80,
    }
    code, out, err = _account(
        capsys, github, "fisker", "--format", "json", "--as-of", "2026-12-01T12:00:00Z"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["classification"] == "organic"
    assert report["events"] == 300  # GitHub's cap, over three pages
    pages = [p for m, p in github.state.requests if p == "/users/fisker/events/public"]
    assert len(pages) == 3
    ids = {s["id"] for s in report["signals"]}
    assert {"account/merged-elsewhere", "account/reviews-given"} <= ids
    assert all(
        {"id", "weight", "meaning", "evidence", "known"} <= set(s) for s in report["signals"]
    )


def test_a_burst_account_is_automation_with_its_evidence(
    github: GitHubDouble, capsys: pytest.CaptureFixture[str]
) -> None:

    github.state.users["fresh"] = profile("fresh", NOW - timedelta(days=6), repos=30)
    github.state.user_events["fresh"] = burst("fresh")
    github.state.search_counts = {"is:pr author:fresh -user:fresh is:closed is:unmerged": 40}
    code, out, _ = _account(capsys, github, "fresh", "--as-of", "2026-12-01T12:00:00Z")
    assert code == 0
    assert out.startswith("fresh: automation (score 100/100")
    assert "account/agent-branches" in out and "codex/fix-typo-" in out
    assert "vouch" in out  # how to dispute it


def test_missing_search_is_unknown_never_suspicious(
    github: GitHubDouble, capsys: pytest.CaptureFixture[str]
) -> None:

    github.state.users["quiet"] = profile("quiet", NOW - timedelta(days=900))
    github.state.user_events["quiet"] = maintainer("quiet")[:40]
    github.state.search_counts = None  # an Enterprise server without search
    code, out, _ = _account(
        capsys, github, "quiet", "--format", "json", "--as-of", "2026-12-01T12:00:00Z"
    )
    report = json.loads(out)
    assert code == 0 and "search" in report["unknown"]
    (merged,) = [s for s in report["signals"] if s["id"] == "account/merged-elsewhere"]
    assert merged["known"] is False and merged["weight"] == 0
    assert report["classification"] in ("organic", "unknown")


def test_snapshots_are_cached_in_the_ledger(
    github: GitHubDouble, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:

    github.state.users["fresh"] = profile("fresh", NOW - timedelta(days=6))
    github.state.user_events["fresh"] = burst("fresh", 5)
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    first = _account(capsys, github, "fresh", "--db", db, "--format", "json")[1]
    calls = len(github.state.requests)
    second = _account(capsys, github, "fresh", "--db", db, "--format", "json")[1]
    assert len(github.state.requests) == calls  # the second answer cost no API call
    assert json.loads(first)["signals"] == json.loads(second)["signals"]
    _account(capsys, github, "fresh", "--db", db, "--ttl", "0")
    assert len(github.state.requests) > calls


def test_unknown_account_and_bad_time_are_one_line_errors(
    github: GitHubDouble, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _account(capsys, github, "nobody")
    assert code == 2 and err.startswith("patchvet: error: no GitHub account named 'nobody'")
    code, _, err = _account(capsys, github, "nobody", "--as-of", "yesterday")
    assert code == 2 and "--as-of" in err
