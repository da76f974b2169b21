"""
Maintainers in control on GitHub: exemptions by author association, the vouch list read from
the base commit, the Ghostty-style close in enforce mode, and overrides by label or comment
from someone with write access, recorded in the ledger with who and why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patchvet.github.client import GitHubClient
from patchvet.github.vet import VetRun, vet_pull
from patchvet.ledger import open_ledger
from patchvet.records import Verdict
from tests.conftest import SHARED
from tests.github.conftest import BASE_SHA, HEAD_SHA, REPO, act, seed_pull, write_event
from tests.github.double import GitHubDouble, GitHubState

KEY = (REPO, 42)
GHOSTTY_ENFORCED = 'extends = "ghostty"\nmode = "enforce"\n'


def ids(run: VetRun) -> set[str]:
    return {j.finding.id for j in run.assessment.findings}


def vet_with_ledger(github: GitHubDouble, tmp_path: Path) -> VetRun:
    tmp_path.mkdir(exist_ok=True)  # a ledger's directory is never made for it
    ledger = open_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    client = GitHubClient("t", github.url, sleep=lambda _: None)
    try:
        return vet_pull(client, REPO, 42, "github-actions[bot]", ledger=ledger)
    finally:
        client.close()
        ledger.close()


def test_the_owners_own_pull_request_is_not_a_first_contribution(
    github: GitHubDouble, tmp_path: Path
) -> None:
    seed_pull(github.state)
    outsider = vet_with_ledger(github, tmp_path / "a")
    assert "identity/first-contribution" in ids(outsider)
    github.state.pulls[KEY]["author_association"] = "OWNER"
    owner = vet_with_ledger(github, tmp_path / "b")
    assert "identity/first-contribution" not in ids(owner)
    [note] = [j.finding for j in owner.assessment.findings if j.finding.id == "identity/exempt"]
    assert "author association OWNER" in note.message
    # The change itself is still vetted: the lookalike dependency holds whoever wrote it.
    assert "dependency/lookalike-name" in ids(owner)


def test_exempt_associations_are_the_policys_choice(github: GitHubDouble, tmp_path: Path) -> None:
    seed_pull(github.state)
    github.state.pulls[KEY]["author_association"] = "MEMBER"
    github.state.contents[(REPO, ".patchvet.toml", BASE_SHA)] = (
        '[maintainers]\nexempt_associations = ["OWNER"]\n'
    )
    assert "identity/first-contribution" in ids(vet_with_ledger(github, tmp_path))


def _vouched(state: GitHubState, text: str, ref: str = BASE_SHA) -> None:
    state.contents[(REPO, ".github/VOUCHED.td", ref)] = text


def test_ghostty_closes_an_unvouched_pull_request_in_enforce_mode(
    github: GitHubDouble, tmp_path: Path
) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    github.state.contents[(REPO, ".patchvet.toml", BASE_SHA)] = GHOSTTY_ENFORCED
    _vouched(github.state, "# vouched contributors\nmitchellh\n")
    # The pull request vouching for its own author does not count: the list is the base's.
    _vouched(github.state, "mitchellh\njdoe\n", ref=HEAD_SHA)
    run = act(github, event)
    verdicts = {j.finding.id: j.verdict for j in run.assessment.findings}
    assert verdicts["identity/unvouched"] is Verdict.REJECT
    assert run.published.closed and KEY in github.state.closed
    [comment] = github.state.comments[KEY]
    assert "identity/unvouched" in comment["body"]


def test_ghostty_in_advisory_mode_only_reports(github: GitHubDouble, tmp_path: Path) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    github.state.contents[(REPO, ".patchvet.toml", BASE_SHA)] = 'extends = "ghostty"\n'
    _vouched(github.state, "mitchellh\n")
    run = act(github, event)
    assert run.assessment.verdict is Verdict.REJECT
    assert not run.published.closed and not github.state.closed


def test_a_vouched_author_is_exempt_and_a_denounced_one_is_closed(
    github: GitHubDouble, tmp_path: Path
) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    github.state.contents[(REPO, ".patchvet.toml", BASE_SHA)] = GHOSTTY_ENFORCED
    _vouched(github.state, "mitchellh\ngithub:jdoe introduced herself in #12\n")
    vouched = act(github, event)
    assert "identity/unvouched" not in ids(vouched) and not vouched.published.closed
    assert any("introduced herself" in j.finding.message for j in vouched.assessment.findings)
    _vouched(github.state, "-jdoe slingshotting LLM output\n")
    denounced = act(github, event)
    assert "identity/denounced" in ids(denounced) and denounced.published.closed


def test_require_vouch_does_nothing_without_a_list(github: GitHubDouble, tmp_path: Path) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    github.state.contents[(REPO, ".patchvet.toml", BASE_SHA)] = GHOSTTY_ENFORCED
    run = act(github, event)
    assert "identity/unvouched" not in ids(run) and not run.published.closed


def _comment(state: GitHubState, login: str, body: str) -> None:
    state.next_id += 1
    url = f"https://github.com/{REPO}/pull/42#issuecomment-{state.next_id}"
    state.comments[KEY].append(
        {"id": state.next_id, "body": body, "user": {"login": login}, "html_url": url}
    )


def test_an_override_comment_from_a_maintainer_passes_and_is_recorded(
    github: GitHubDouble, tmp_path: Path
) -> None:
    seed_pull(github.state)
    github.state.permissions["alice"] = "maintain"
    before = vet_with_ledger(github, tmp_path)
    assert before.assessment.verdict is Verdict.HOLD
    assert "needs-human-review" in github.state.labels[KEY]
    _comment(github.state, "alice", "Looked at it.\n/patchvet override reqeusts is our fork")
    after = vet_with_ledger(github, tmp_path)
    override = after.assessment.override
    assert after.assessment.verdict is Verdict.PASS and override is not None
    assert (override.by, override.reason, override.original) == (
        "alice", "reqeusts is our fork", Verdict.HOLD,
    )  # fmt: skip
    assert "needs-human-review" not in github.state.labels[KEY]
    body = next(c["body"] for c in github.state.comments[KEY] if c["user"]["login"] != "alice")
    assert "Overridden by alice" in body and "reqeusts is our fork" in body
    ledger = open_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        [(by, reason, via, original)] = ledger.overrides(REPO, f"{REPO}#42")
    finally:
        ledger.close()
    assert (by, reason, original) == ("alice", "reqeusts is our fork", "hold")
    assert via.startswith("comment https://github.com/")


def test_an_override_from_the_contributor_or_without_a_reason_does_not_count(
    github: GitHubDouble, tmp_path: Path
) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    github.state.permissions["alice"] = "write"
    _comment(github.state, "jdoe", "/patchvet override trust me")
    _comment(github.state, "alice", "/patchvet override")
    run = act(github, event)
    assert run.assessment.verdict is Verdict.HOLD and run.assessment.override is None
    assert any("jdoe ignored: their role is read" in r for r in run.refused_overrides)
    assert any("alice ignored: it gives no reason" in r for r in run.refused_overrides)


def test_the_override_label_counts_only_when_a_maintainer_added_it(
    github: GitHubDouble, tmp_path: Path
) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    github.state.permissions.update({"alice": "admin", "tracy": "triage"})
    github.state.add_label(REPO, 42, "patchvet:override", "tracy")
    refused = act(github, event)
    assert refused.assessment.verdict is Verdict.HOLD
    assert any("label patchvet:override by tracy" in r for r in refused.refused_overrides)
    github.state.labels[KEY].remove("patchvet:override")
    github.state.add_label(REPO, 42, "patchvet:override", "alice")
    run = act(github, event)
    assert run.assessment.override is not None
    assert (run.assessment.override.by, run.assessment.override.via) == (
        "alice", "label patchvet:override",
    )  # fmt: skip


REAL_OPENED = SHARED / "data" / "github-webhooks" / "pull_request" / "opened.payload.json"


@pytest.mark.skipif(not REAL_OPENED.is_file(), reason="../shared/data/github-webhooks is absent")
def test_a_real_owner_payload_is_not_greeted_as_a_first_contribution(
    github: GitHubDouble, tmp_path: Path
) -> None:
    payload = json.loads(REAL_OPENED.read_text())
    repo, pull = payload["repository"]["full_name"], payload["pull_request"]
    assert pull["author_association"] == "OWNER"
    github.state.pulls[(repo, pull["number"])] = pull
    github.state.files[(repo, pull["number"])] = []
    github.state.commits[(repo, pull["number"])] = []
    github.state.users[pull["user"]["login"]] = pull["user"]
    ledger = open_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    client = GitHubClient("t", github.url, sleep=lambda _: None)
    try:
        run = vet_pull(client, repo, pull["number"], "github-actions[bot]", ledger=ledger)
    finally:
        client.close()
        ledger.close()
    assert "identity/first-contribution" not in ids(run)
    assert "identity/exempt" in ids(run)


def test_an_override_does_not_survive_new_commits(github: GitHubDouble, tmp_path: Path) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    github.state.permissions["alice"] = "write"
    _comment(github.state, "alice", "/patchvet override reviewed at this commit")
    first = act(github, event)
    assert first.assessment.override is not None
    again = act(github, event)  # same head: still overridden, nothing new to review
    assert again.assessment.override is not None
    # The contributor pushes after the override: the maintainer has not seen this commit.
    new_head = "4" * 40
    github.state.pulls[KEY]["head"]["sha"] = new_head
    github.state.commits[KEY][-1]["sha"] = new_head
    pushed = act(github, event)
    assert pushed.assessment.override is None and pushed.assessment.verdict is Verdict.HOLD
    assert any("after new commits it needs a new one" in r for r in pushed.refused_overrides)
    assert "needs-human-review" in github.state.labels[KEY]
    _comment(github.state, "alice", "/patchvet override looked at the new commit too")
    renewed = act(github, event)
    assert renewed.assessment.override is not None
    assert renewed.assessment.override.reason == "looked at the new commit too"


def test_a_planted_record_cannot_revive_an_override(github: GitHubDouble, tmp_path: Path) -> None:
    event = write_event(tmp_path, seed_pull(github.state))
    github.state.permissions["alice"] = "write"
    _comment(github.state, "alice", "/patchvet override fine at the old commit")
    record = f"<!-- patchvet-override-at: comment:{github.state.next_id} {'5' * 40} -->"
    ours = {"id": 1, "user": {"login": "github-actions[bot]"},
            "body": f"<!-- patchvet-report -->\n{record}\n"}  # fmt: skip
    github.state.comments[KEY].insert(0, ours)
    # A contributor's comment claiming the override was given at the current head is not ours.
    _comment(github.state, "jdoe", f"<!-- patchvet-report -->\n<!-- patchvet-override-at: "
             f"comment:{github.state.next_id} {HEAD_SHA} -->")  # fmt: skip
    run = act(github, event)
    assert run.assessment.override is None
