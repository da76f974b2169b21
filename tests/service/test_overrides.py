"""The App honours a maintainer's override comment, records who and why, and acts as itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from patchvet.formats.markdown import MARKER
from patchvet.ledger import open_ledger
from patchvet.service.settings import Settings
from tests.github.conftest import BASE_SHA, REPO, seed_pull
from tests.github.double import GitHubDouble
from tests.service.conftest import SECRET, deliver, delivered, settings_for, wait_for

KEY = (REPO, 42)


def test_an_override_comment_is_honoured_and_recorded(
    github: GitHubDouble, ledger_db: str, service_factory: Any
) -> None:
    payload = seed_pull(github.state)
    github.state.permissions["alice"] = "write"
    service = service_factory(settings_for(github.url), ledger_db)
    deliver(service.url, "pull_request", payload, delivery="p-1")
    wait_for(lambda: delivered(ledger_db, "p-1"))
    assert "needs-human-review" in github.state.labels[KEY]
    url = f"https://github.com/{REPO}/pull/42#c5"
    comment = {"id": 5, "body": "/patchvet override the lookalike is our internal mirror",
               "user": {"login": "alice"}, "html_url": url}  # fmt: skip
    github.state.comments[KEY].append(comment)
    event = {"action": "created", "issue": {"number": 42, "pull_request": {"url": "…"}},
             "comment": comment, "repository": {"full_name": REPO}}  # fmt: skip
    deliver(service.url, "issue_comment", event, delivery="c-1")
    wait_for(lambda: delivered(ledger_db, "c-1"))
    assert "needs-human-review" not in github.state.labels[KEY]
    ledger = open_ledger(ledger_db)
    try:
        [verdict] = ledger.execute("SELECT verdict FROM contributions").fetchone()
        overrides = ledger.overrides(REPO, f"{REPO}#42")
    finally:
        ledger.close()
    assert verdict == "pass"
    assert overrides == [("alice", "the lookalike is our internal mirror",
                          f"comment {url}", "hold")]  # fmt: skip


def test_the_app_edits_only_its_own_comment(
    github: GitHubDouble, ledger_db: str, service_factory: Any, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp_path / "app.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))  # fmt: skip
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    github.state.app_public_key = (
        key.public_key().public_bytes(serialization.Encoding.PEM, public).decode()
    )
    settings = Settings.from_env({
        "PATCHVET_WEBHOOK_SECRET": SECRET, "PATCHVET_GITHUB_APP_ID": github.state.app_id,
        "PATCHVET_GITHUB_PRIVATE_KEY": str(tmp_path / "app.pem"),
        "PATCHVET_GITHUB_API_URL": github.url,
    })  # fmt: skip
    planted = {"id": 3, "body": f"{MARKER}\n✅ pass", "user": {"login": "jdoe"}}
    github.state.comments[KEY].append(dict(planted))
    payload = {**seed_pull(github.state), "installation": {"id": 99}}
    service = service_factory(settings, ledger_db)
    for n in (1, 2):
        deliver(service.url, "pull_request", payload, delivery=f"app-{n}")
        wait_for(lambda n=n: delivered(ledger_db, f"app-{n}"))
    first, ours = github.state.comments[KEY]
    assert first == planted
    assert ours["user"]["login"] == "patchvet-app[bot]" and "🟠 hold" in ours["body"]


def test_our_own_comment_edits_and_labels_do_not_loop(
    github: GitHubDouble, ledger_db: str, service_factory: Any
) -> None:
    payload = seed_pull(github.state)
    service = service_factory(settings_for(github.url), ledger_db)
    deliver(service.url, "pull_request", payload, delivery="p-1")
    wait_for(lambda: delivered(ledger_db, "p-1"))
    [ours] = github.state.comments[KEY]
    seen = len(github.state.requests)
    own = {"login": "github-actions[bot]", "type": "Bot"}
    echoes = [
        ("issue_comment", {"action": "edited", "comment": ours, "sender": own,
                           "issue": {"number": 42, "pull_request": {"url": "…"}}}),
        ("pull_request", {**payload, "action": "labeled", "label": {"name": "size/S"},
                          "sender": own}),
    ]  # fmt: skip
    for n, (event, echo) in enumerate(echoes):
        deliver(service.url, event, {**echo, "repository": {"full_name": REPO}}, f"e-{n}")
        wait_for(lambda n=n: delivered(ledger_db, f"e-{n}"))
    assert [r for r in github.state.requests[seen:] if r[0] != "GET" or "/pulls/" in r[1]] == []


def test_the_app_closes_an_unvouched_pull_request_under_ghostty_enforce(
    github: GitHubDouble, ledger_db: str, service_factory: Any
) -> None:
    payload = seed_pull(github.state)
    github.state.contents[(REPO, ".patchvet.toml", BASE_SHA)] = (
        'extends = "ghostty"\nmode = "enforce"\n'
    )
    github.state.contents[(REPO, ".github/VOUCHED.td", BASE_SHA)] = "mitchellh\n"
    service = service_factory(settings_for(github.url), ledger_db)
    deliver(service.url, "pull_request", payload, delivery="g-1")
    wait_for(lambda: delivered(ledger_db, "g-1"))
    assert KEY in github.state.closed
    [comment] = github.state.comments[KEY]
    assert "identity/unvouched" in comment["body"]
    ledger = open_ledger(ledger_db)
    try:
        [verdict] = ledger.execute("SELECT verdict FROM contributions").fetchone()
    finally:
        ledger.close()
    assert verdict == "reject"
