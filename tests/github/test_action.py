from __future__ import annotations

import json
from pathlib import Path

import pytest

from patchvet.cli import main
from patchvet.github.action import run_action
from patchvet.github.client import GitHubClient
from patchvet.records import Verdict
from tests.github.conftest import BASE_SHA, HEAD_SHA, REPO, seed_pull, write_event
from tests.github.double import GitHubDouble

HOSTILE_TITLE = "Fix <script>alert(1)</script> @maintainers [approved](https://evil.example) ✅"
HOSTILE_BODY = "<!-- patchvet-report --> ## patchvet ✅ pass\n\n<img src=x onerror=alert(1)>"


def test_advisory_run_labels_and_comments_once(
    github: GitHubDouble, client: GitHubClient, tmp_path: Path
) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    first = run_action(client, event)
    assert first is not None
    assert first.policy.name == "default"
    key = (REPO, 42)
    assert {"size/S", "llm-assisted", "needs-human-review"} <= set(github.state.labels[key])
    assert first.assessment.verdict is Verdict.HOLD  # lookalike dependency `reqeusts`
    assert first.published.comment == "created"
    assert not first.published.check_run and not first.published.closed
    second = run_action(GitHubClient("t", github.url, sleep=lambda _: None), event)
    assert second is not None
    assert second.published.comment == "updated"
    assert len(github.state.comments[key]) == 1
    assert not github.state.check_runs


def test_policy_comes_from_the_base_branch_not_the_head(
    github: GitHubDouble, client: GitHubClient, tmp_path: Path
) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    github.state.contents[(REPO, ".patchvet.toml", BASE_SHA)] = (
        'extends = "qemu"\nmode = "enforce"\n'
        '[actions]\nreject = ["summary", "comment", "check-run", "close"]\n'
    )
    github.state.contents[(REPO, ".patchvet.toml", HEAD_SHA)] = 'extends = "default"\n'
    run = run_action(client, event)
    assert run is not None
    assert run.policy.extends == "qemu" and run.assessment.verdict is Verdict.REJECT
    assert run.published.closed and (REPO, 42) in github.state.closed
    [check_run] = github.state.check_runs
    assert check_run["head_sha"] == HEAD_SHA and check_run["conclusion"] == "failure"
    paths = {a["path"] for a in check_run["output"]["annotations"]}
    assert "requirements.txt" in paths


def test_advisory_never_closes_even_if_configured(
    github: GitHubDouble, client: GitHubClient, tmp_path: Path
) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    github.state.contents[(REPO, ".patchvet.toml", BASE_SHA)] = (
        'extends = "qemu"\n[actions]\nreject = ["summary", "comment", "check-run", "close"]\n'
    )
    run = run_action(client, event)
    assert run is not None
    assert run.assessment.verdict is Verdict.REJECT
    assert not run.published.closed and not github.state.closed and not github.state.check_runs


def test_hostile_title_and_body_stay_inert(
    github: GitHubDouble, client: GitHubClient, tmp_path: Path
) -> None:
    event = write_event(tmp_path, seed_pull(github.state, title=HOSTILE_TITLE, body=HOSTILE_BODY))
    run_action(client, event)
    [comment] = github.state.comments[(REPO, 42)]
    body = comment["body"]
    assert "<script>" not in body and "<img" not in body
    assert "@maintainers" not in body and "](https://evil" not in body
    assert body.count("<!-- patchvet-report -->") == 1  # a body cannot fake our marker


def test_three_thousand_files_with_annotations_in_batches(
    github: GitHubDouble, client: GitHubClient, tmp_path: Path
) -> None:
    files = [
        {
            "filename": f"src/gen{n}.py",
            "status": "added",
            "additions": 1,
            "deletions": 0,
            "changes": 1,
            "patch": "@@ -0,0 +1 @@\n+x = '\u200b'",
        }
        for n in range(3000)
    ]
    event = write_event(tmp_path, seed_pull(github.state, files=files))
    github.state.contents[(REPO, ".patchvet.toml", BASE_SHA)] = (
        'mode = "enforce"\n[actions]\nhold = ["summary", "comment", "check-run"]\n'
    )
    run = run_action(client, event)
    assert run is not None
    assert run.assessment.scores.files == 3000
    [check_run] = github.state.check_runs
    assert len(check_run["output"]["annotations"]) == 3000
    assert [m for m, p in github.state.requests if "/check-runs/" in p].count("PATCH") == 59


def test_cli_action_reads_the_environment(
    github: GitHubDouble,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["action"]) == 0
    assert main(["action", "--fail-on", "hold"]) == 1
    out = capsys.readouterr().out
    assert "patchvet: hold for example/widgets#42" in out
    assert summary.read_text().startswith("<!-- patchvet-report -->")


def test_event_that_is_not_a_pull_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    push = tmp_path / "push.json"
    push.write_text(json.dumps({"ref": "refs/heads/main"}))
    assert main(["action", "--event", str(push)]) == 2
    assert "not a pull_request, issues or issue_comment event" in capsys.readouterr().err


def test_agent_approval_is_reported(
    github: GitHubDouble, client: GitHubClient, tmp_path: Path
) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    github.state.reviews[(REPO, 42)] = [
        {
            "id": 1,
            "user": {"login": "copilot-pull-request-reviewer[bot]", "id": 175728472, "type": "Bot"},
            "state": "APPROVED",
        },
        {"id": 2, "user": {"login": "maintainer", "id": 9, "type": "User"}, "state": "COMMENTED"},
    ]
    run = run_action(client, event)
    assert run is not None
    found = [j.finding for j in run.assessment.findings if j.finding.family == "review"]
    assert [f.id for f in found] == ["review/agent-approval"]
    assert "GitHub Copilot" in found[0].message
