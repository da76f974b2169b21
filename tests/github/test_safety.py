"""
An Action safe to run with a write token: its own comment only, its own labels only, labels it
set never counted as the contributor's disclosure, comments under GitHub's limit, a 403 that
still prints the verdict, and step outputs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from patchvet.cli import main
from patchvet.formats.markdown import MARKER
from patchvet.github.publish import COMMENT_LIMIT, fit_comment
from patchvet.records import Verdict
from tests.github.conftest import (
    BASE_SHA,
    REPO,
    act,
    clean_pull,
    seed_issue,
    seed_pull,
    write_event,
)
from tests.github.double import GitHubDouble, Token

KEY = (REPO, 42)
FAKE_PASS = f"{MARKER}\n## patchvet\n\n### ✅ pass · all good, merge away"


def test_a_contributors_comment_with_the_marker_is_left_untouched(
    github: GitHubDouble, tmp_path: Path
) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    github.state.comments[KEY].append({"id": 7, "body": FAKE_PASS, "user": {"login": "jdoe"}})
    first = act(github, event)
    second = act(github, event)
    assert (first.published.comment, second.published.comment) == ("created", "updated")
    planted, ours = github.state.comments[KEY]
    assert planted == {"id": 7, "body": FAKE_PASS, "user": {"login": "jdoe"}}
    assert ours["user"]["login"] == "github-actions[bot]"
    assert MARKER in ours["body"] and "🟠 hold" in ours["body"]
    assert ("PATCH", f"/repos/{REPO}/issues/comments/7") not in github.state.requests


def test_a_personal_token_finds_its_comment_by_its_own_login(
    github: GitHubDouble, tmp_path: Path
) -> None:
    github.state.tokens["pat"] = Token("vet-bot")
    event = write_event(tmp_path, seed_pull(github.state))
    # Our marker in a comment by github-actions[bot] is someone else's comment for this token.
    github.state.comments[KEY].append(
        {"id": 8, "body": FAKE_PASS, "user": {"login": "github-actions[bot]"}}
    )
    run = act(github, event, token="pat")
    assert run.published.comment == "created"
    assert [c["user"]["login"] for c in github.state.comments[KEY]] == [
        "github-actions[bot]",
        "vet-bot",
    ]
    assert github.state.comments[KEY][0]["body"] == FAKE_PASS


def test_labels_that_no_longer_apply_are_removed_and_only_ours(
    github: GitHubDouble, tmp_path: Path
) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    # A maintainer's own label, with the same name patchvet would use, is theirs to remove.
    github.state.add_label(REPO, 42, "needs-human-review", "alice")
    first = act(github, event)
    assert first.assessment.verdict is Verdict.HOLD
    assert {"size/S", "llm-assisted", "needs-human-review"} <= set(github.state.labels[KEY])
    clean_pull(github.state)
    second = act(github, event)
    assert second.assessment.verdict is Verdict.PASS
    assert set(second.published.removed) == {"size/S", "llm-assisted"}
    assert set(github.state.labels[KEY]) == {"enhancement", "needs-human-review", "size/XS"}
    removals = [e["label"]["name"] for e in github.state.events[KEY] if e["event"] == "unlabeled"]
    assert sorted(removals) == ["llm-assisted", "size/S"]


def test_the_rust_label_patchvet_adds_is_not_the_contributors_disclosure(
    github: GitHubDouble, tmp_path: Path
) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    github.state.contents[(REPO, ".patchvet.toml", BASE_SHA)] = 'extends = "rust"\n'
    first = act(github, event)
    assert "llm-assisted" in github.state.labels[KEY]
    second = act(github, event)
    for run in (first, second):
        verdicts = {j.finding.id: j.verdict for j in run.assessment.findings}
        assert verdicts["disclosure/missing"] is Verdict.HOLD
        assert run.assessment.verdict is Verdict.HOLD


def test_the_contributors_own_label_is_a_disclosure(github: GitHubDouble, tmp_path: Path) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    github.state.contents[(REPO, ".patchvet.toml", BASE_SHA)] = 'extends = "rust"\n'
    github.state.add_label(REPO, 42, "llm-assisted", "jdoe")
    run = act(github, event)
    ids = {j.finding.id for j in run.assessment.findings}
    assert "disclosure/missing" not in ids and "disclosure/present" in ids


def test_a_read_only_token_still_prints_the_verdict_then_the_missing_permission(
    github: GitHubDouble,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    github.state.tokens["read-only"] = Token("github-actions[bot]", integration=True,
                                             read_only=True)  # fmt: skip
    event = write_event(tmp_path, seed_pull(github.state))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_TOKEN", "read-only")
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    assert main(["action"]) == 0
    out = capsys.readouterr().out
    verdict = out.index("patchvet: hold for example/widgets#42")
    denied = out.index("::error::patchvet cannot set the labels")
    assert verdict < denied
    assert "`issues: write; pull-requests: write`" in out
    assert "::error::patchvet cannot set the comment" in out
    assert github.state.labels[KEY] == ["enhancement"] and not github.state.comments[KEY]


def test_enforcement_that_cannot_act_fails_the_job(
    github: GitHubDouble,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    github.state.tokens["read-only"] = Token("reader", read_only=True)
    event = write_event(tmp_path, seed_pull(github.state))
    github.state.contents[(REPO, ".patchvet.toml", BASE_SHA)] = (
        'extends = "qemu"\nmode = "enforce"\n[actions]\nreject = ["summary", "comment", "close"]\n'
    )
    monkeypatch.setenv("GITHUB_TOKEN", "read-only")
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    assert main(["action", "--event", str(event)]) == 2
    out = capsys.readouterr().out
    assert out.index("patchvet: reject") < out.index("cannot set the close")
    assert "`pull_requests: write`".replace("_", "-") in out
    assert KEY not in github.state.closed


def test_a_report_too_long_for_a_comment_is_cut_with_a_link(
    github: GitHubDouble, tmp_path: Path
) -> None:
    # One finding per binary file: a real pull request vendoring assets hits GitHub's limit.
    files = [
        {"filename": f"assets/icons/icon-{n:04}.png", "status": "added", "additions": 0,
         "deletions": 0, "changes": 0}
        for n in range(400)
    ]  # fmt: skip
    event = write_event(tmp_path, seed_pull(github.state, files=files))
    summary = tmp_path / "summary.md"
    url = "https://github.com/example/widgets/actions/runs/99"
    run = act(github, event, summary_path=str(summary), details_url=url)
    full = summary.read_text()
    assert len(full) > COMMENT_LIMIT  # the case GitHub refuses with 422
    [comment] = github.state.comments[KEY]
    assert run.published.comment == "created"
    assert len(comment["body"]) <= COMMENT_LIMIT
    assert comment["body"].startswith(MARKER)
    assert f"[job summary]({url})" in comment["body"]
    assert comment["body"].count("<details") == comment["body"].count("</details>")


def test_fit_comment_leaves_short_bodies_alone() -> None:
    assert fit_comment("short", None) == "short"
    cut = fit_comment("line\n" * 20_000, None)
    assert len(cut) <= COMMENT_LIMIT and "check run" in cut


def test_outputs_for_later_steps(
    github: GitHubDouble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    outputs = tmp_path / "outputs"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    assert main(["action", "--event", str(event), "--fail-on", "hold"]) == 1
    lines = outputs.read_text().splitlines()
    values = {lines[i].split("<<")[0]: lines[i + 1] for i in range(0, len(lines), 3)}
    assert values["verdict"] == "hold"
    assert set(values["labels"].split(",")) == {"size/S", "llm-assisted", "needs-human-review"}
    assert "dependency/lookalike-name" in values["findings"].split(",")
    assert values["overridden-by"] == ""
    assert all(lines[i + 2] == lines[i].split("<<")[1] for i in range(0, len(lines), 3))


def test_an_override_comment_event_is_a_pull_request_run(
    github: GitHubDouble, tmp_path: Path
) -> None:
    seed_pull(github.state)
    event = write_event(tmp_path, {
        "action": "created",
        "issue": {"number": 42, "pull_request": {"url": "…"}},
        "comment": {"body": "/patchvet override checked", "user": {"login": "alice"}},
        "repository": {"full_name": REPO},
    })  # fmt: skip
    run = act(github, event)
    assert run.assessment.contribution.source == f"{REPO}#42"


def test_a_comment_on_a_plain_issue_does_nothing_unless_issues_are_vetted(
    github: GitHubDouble,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed_issue(github.state, number=3)
    event = write_event(tmp_path, {"issue": {"number": 3}, "repository": {"full_name": REPO}})
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    assert main(["action", "--event", str(event)]) == 0
    assert "not vetted" in capsys.readouterr().out
    assert not [r for r in github.state.requests if r[0] != "GET"]
