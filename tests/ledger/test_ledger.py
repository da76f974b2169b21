from __future__ import annotations

import dataclasses
from dataclasses import replace
from pathlib import Path

import pytest

from patchvet.check import check
from patchvet.ledger import SqlLedger, open_ledger
from patchvet.ledger.identity import parse_spec, parse_vouched_line
from patchvet.ledger.migrations import MIGRATIONS
from patchvet.policy import Policy, load_preset
from patchvet.records import Assessment, Contribution, Identity, SourceKind, Verdict
from tests.helpers import added, contribution

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"


def pr(
    number: int, login: str, user_id: int, when: str, message: str = "Fix", state: str = "open"
) -> Contribution:
    base = contribution(
        message=message,
        kind=SourceKind.PULL_REQUEST,
        author=Identity(login=login, id=user_id),
        files=(added("src/x.py", "x = 1"),),
    )
    return dataclasses.replace(
        base, source=f"acme/app#{number}", id=f"sha{number}", created_at=when, state=state
    )


def commit(
    n: int, email: str, when: str, message: str = "Fix", aliases: tuple[str, ...] = ()
) -> Contribution:
    base = contribution(
        message=message,
        author=Identity(name="Dev", email=email),
        kind=SourceKind.COMMIT,
        files=(added("a.py", "y = 2"),),
    )
    return dataclasses.replace(
        base,
        source=f"c{n}",
        id=f"c{n}",
        created_at=when,
        state="merged",
        author_aliases=tuple(Identity(email=a) for a in aliases),
    )


def run(
    ledger: SqlLedger,
    items: list[Contribution],
    policy: Policy | str = "default",
    record: bool = True,
) -> list[Assessment]:
    resolved = load_preset(policy) if isinstance(policy, str) else policy
    results = list(check(items, resolved, ledger, "acme/app", record=record))
    assert all(isinstance(r, Assessment) for r in results)
    return [r for r in results if isinstance(r, Assessment)]


def ids(assessment: Assessment) -> set[str]:
    return {j.finding.id for j in assessment.findings}


def test_migrations_are_versioned_and_idempotent(ledger_url: str) -> None:
    for _ in range(2):
        opened = open_ledger(ledger_url)
        rows = opened.execute("SELECT version FROM schema_migrations").fetchall()
        assert [row[0] for row in rows] == [version for version, _, _ in MIGRATIONS]
        opened.close()


def test_history_first_contribution_and_show(ledger: SqlLedger) -> None:
    first, second = run(
        ledger,
        [pr(1, "jane", 42, "2026-01-01T00:00:00Z"), pr(2, "jane", 42, "2026-01-03T00:00:00Z")],
    )
    assert "identity/first-contribution" in ids(first)
    assert "identity/first-contribution" not in ids(second)
    summary = ledger.summary(parse_spec("@jane"))
    assert summary is not None and summary.contributions == 2
    assert ("github", "42") in summary.identities
    assert summary.latest is not None and summary.latest[1] == "acme/app"


def test_rename_does_not_escape_a_denouncement(ledger: SqlLedger) -> None:
    run(ledger, [pr(1, "oldname", 7, "2026-01-01T00:00:00Z")])
    ledger.vouch(parse_spec("oldname"), "denounce", "maintainer", "slingshotting LLM output")
    [renamed] = run(ledger, [pr(2, "newname", 7, "2026-02-01T00:00:00Z")])
    assert "identity/denounced" in ids(renamed)
    assert renamed.verdict is Verdict.HOLD
    summary = ledger.summary(parse_spec("newname"))
    assert summary is not None and set(summary.logins) == {"oldname", "newname"}


def test_denounced_login_follows_its_first_account_not_a_later_one(ledger: SqlLedger) -> None:
    ledger.vouch(parse_spec("taken"), "denounce", "maintainer", "spam")
    [first] = run(ledger, [pr(1, "taken", 9, "2026-01-01T00:00:00Z")])
    assert "identity/denounced" in ids(first)
    # Account 9 renames away; account 10 registers the freed name.
    run(ledger, [pr(2, "elsewhere", 9, "2026-02-01T00:00:00Z")])
    [stranger] = run(ledger, [pr(3, "taken", 10, "2026-03-01T00:00:00Z")])
    assert "identity/denounced" not in ids(stranger)


def test_vouched_contributors_skip_identity_modifiers(ledger: SqlLedger) -> None:
    ledger.vouch(parse_spec("55"), "vouch", "maintainer", "long-time contributor")
    [item] = run(ledger, [pr(1, "vee", 55, "2026-01-01T00:00:00Z")])
    assert ids(item) & {"identity/first-contribution", "identity/vouched"} == {"identity/vouched"}
    ledger.vouch(parse_spec("56"), "vouch", "m", "temporary", expires_at="2020-01-01")
    [lapsed] = run(ledger, [pr(2, "vi", 56, "2026-01-01T00:00:00Z")])
    assert "identity/vouched" not in ids(lapsed)


def test_mailmap_aliases_link_to_one_person(ledger: SqlLedger) -> None:
    run(
        ledger,
        [
            commit(1, "dev@new.example", "2026-01-01T00:00:00Z", aliases=("dev@old.example",)),
            commit(2, "dev@new.example", "2026-01-02T00:00:00Z"),
        ],
    )
    old, new = (
        ledger.summary(("email", "dev@old.example")),
        ledger.summary(("email", "dev@new.example")),
    )
    assert old is not None and new is not None and old.person == new.person
    assert new.contributions == 2


def test_new_email_is_noticed(ledger: SqlLedger) -> None:
    first = pr(1, "jane", 42, "2026-01-01T00:00:00Z")
    first = dataclasses.replace(
        first,
        commits=(
            dataclasses.replace(
                first.commits[0], author=Identity("Jane", "jane@work.example", "jane", 42)
            ),
        ),
    )
    later = dataclasses.replace(
        pr(2, "jane", 42, "2026-01-02T00:00:00Z"),
        commits=(
            dataclasses.replace(
                first.commits[0], author=Identity("Jane", "j@else.example", "jane", 42)
            ),
        ),
    )
    _, second = run(ledger, [first, later])
    assert "identity/new-email" in ids(second)


def test_author_mismatch(ledger: SqlLedger) -> None:
    item = pr(1, "jane", 42, "2026-01-01T00:00:00Z")
    item = dataclasses.replace(
        item,
        commits=(
            dataclasses.replace(
                item.commits[0], author=Identity("Bob", "bob@x.example", "bob", 99)
            ),
        ),
    )
    [result] = run(ledger, [item])
    assert "identity/author-mismatch" in ids(result)


def test_rate_window_and_open_limits(ledger: SqlLedger) -> None:
    base = load_preset("default")
    policy = replace(base, rate=replace(base.rate, max_per_window={"new": 2}, max_open={"new": 2}))
    items = [pr(n, "fast", 77, f"2026-01-01T0{n}:00:00Z") for n in range(1, 4)]
    results = run(ledger, items, policy)
    assert "rate/submissions" not in ids(results[1])
    assert {"rate/submissions", "rate/open-contributions"} <= ids(results[2])
    [next_day] = run(ledger, [pr(9, "fast", 77, "2026-01-03T00:00:00Z", state="merged")], policy)
    assert "rate/submissions" not in ids(next_day)


def test_homebrew_one_open_agent_pr(ledger: SqlLedger) -> None:
    message = f"Fix\n\n{CLAUDE}"
    first, second = run(
        ledger,
        [
            pr(1, "ai", 5, "2026-01-01T00:00:00Z", message),
            pr(2, "ai", 5, "2026-01-02T00:00:00Z", message),
        ],
        "homebrew",
    )
    assert "rate/open-agent-contributions" not in ids(first)
    assert "rate/open-agent-contributions" in ids(second)
    assert second.verdict >= Verdict.HOLD


def test_rust_circuit_breaker_trips_and_cools_down(ledger: SqlLedger) -> None:
    agent_msg = f"Change\n\n{CLAUDE}"
    history = [
        commit(
            n,
            f"dev{n}@x.example",
            f"2026-01-{n + 1:02d}T00:00:00Z",
            agent_msg if n % 3 else "Human change",
        )
        for n in range(12)
    ]
    run(ledger, history, "rust")
    trips = ledger.execute("SELECT COUNT(*) FROM breaker_trips").fetchone()[0]
    assert trips == 1
    agent_pr, human_pr = run(
        ledger,
        [
            pr(100, "a", 1, "2026-01-14T00:00:00Z", agent_msg, state="open"),
            pr(101, "b", 2, "2026-01-14T00:00:00Z", "Plain", state="open"),
        ],
        "rust",
        record=False,
    )
    assert "rate/circuit-breaker" in ids(agent_pr) and agent_pr.verdict is Verdict.HOLD
    assert "rate/circuit-breaker" not in ids(human_pr)
    # Six weeks of human merges bring the share down; the cooldown has long passed.
    humans = [
        commit(200 + n, f"h{n}@x.example", f"2026-02-{n + 1:02d}T00:00:00Z", "Human")
        for n in range(20)
    ]
    run(ledger, humans, "rust")
    [later] = run(
        ledger, [pr(102, "a", 1, "2026-02-25T00:00:00Z", agent_msg)], "rust", record=False
    )
    assert "rate/circuit-breaker" not in ids(later)


def test_record_is_idempotent(ledger: SqlLedger) -> None:
    item = pr(1, "jane", 42, "2026-01-01T00:00:00Z")
    run(ledger, [item])
    run(ledger, [dataclasses.replace(item, state="merged")])
    rows = ledger.execute("SELECT state FROM contributions").fetchall()
    assert [row[0] for row in rows] == ["merged"]


def test_interrupted_transaction_leaves_nothing(ledger: SqlLedger) -> None:
    try:
        with ledger.transaction():
            ledger.link([("email", "ghost@x.example")], "2026-01-01T00:00:00+00:00")
            raise RuntimeError("killed mid-record")
    except RuntimeError:
        pass
    assert ledger.person_of(("email", "ghost@x.example")) is None


def test_vouched_td_lines() -> None:
    assert parse_vouched_line("alice") == ("vouch", ("login", "alice"), "")
    assert parse_vouched_line("github:Bob # core team") == ("vouch", ("login", "bob"), "core team")
    assert parse_vouched_line("-mallory slingshotting LLM output") == (
        "denounce",
        ("login", "mallory"),
        "slingshotting LLM output",
    )
    assert parse_vouched_line("# comment") is None
    with pytest.raises(ValueError, match="unsupported platform"):
        parse_vouched_line("gitlab:someone")


def test_policy_preset_file_paths(tmp_path: Path) -> None:
    assert load_preset("rust").circuit_breaker.enabled
    assert load_preset("homebrew").rate.max_open_agent == {"new": 1, "known": 1}


def test_signing_key_links_two_addresses(tmp_path: Path) -> None:
    import subprocess

    from patchvet.sources import read_git_range
    from tests.helpers import make_repo

    repo = make_repo(tmp_path / "signed")
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    repo.git("config", "gpg.format", "ssh")
    repo.git("config", "user.signingkey", f"{key}.pub")
    for n, email in enumerate(("dev@home.example", "dev@work.example")):
        repo.git("config", "user.email", email)
        repo.write(f"f{n}.txt", f"{n}\n")
        repo.git("add", "-A")
        repo.git("commit", "-q", "-S", "-m", f"signed {n}", f"--author=Dev <{email}>")
    ledger = open_ledger(f"sqlite:///{tmp_path / 'l.db'}")
    items = [
        i
        for i in read_git_range("HEAD~2..HEAD", repo.path, signatures=True)
        if isinstance(i, Contribution)
    ]
    assert all(
        i.commits[0].signing_key and i.commits[0].signing_key.startswith("SHA256:") for i in items
    )
    run(ledger, items)
    home, work = (
        ledger.summary(("email", "dev@home.example")),
        ledger.summary(("email", "dev@work.example")),
    )
    assert home is not None and work is not None and home.person == work.person
    fingerprint = items[0].commits[0].signing_key
    assert fingerprint is not None
    via_key = ledger.summary(parse_spec(fingerprint))
    assert via_key is not None and via_key.person == home.person
    ledger.close()


def test_commits_of_a_range_are_not_submissions(ledger: SqlLedger) -> None:
    """A maintainer's 25 commits of one day, replayed, are one push, not 25 submissions."""
    day = [commit(n, "dev@x.example", f"2022-03-01T{n % 24:02d}:{n:02d}:00Z") for n in range(25)]
    results = run(ledger, day)
    assert not any("rate/submissions" in ids(r) for r in results)
    # A pull request by the same person that day counts its own kind only: it is their first.
    author = Identity(name="Dev", email="dev@x.example", login="dev", id=5)
    item = dataclasses.replace(pr(1, "dev", 5, "2022-03-01T23:59:00Z"), author=author)
    tight = load_preset("default")
    tight = replace(tight, rate=replace(tight.rate, max_per_window={"known": 1}))
    view = ledger.view(item, tight, "acme/app")
    assert view.prior_contributions == 25 and view.tier == "known" and view.in_window == 0
    first, second = run(ledger, [item, dataclasses.replace(item, id="sha2", source="acme/app#2")],
                        tight)  # fmt: skip
    assert "rate/submissions" not in ids(first)
    assert "rate/submissions" in ids(second)
