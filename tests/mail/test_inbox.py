from __future__ import annotations

import json
from pathlib import Path

import pytest

from patchvet.errors import PatchvetError
from patchvet.records import Contribution, Skipped
from patchvet.sources.inbox import parse_message_id, read_inbox, split_inbox_url
from tests.helpers import GitRepo, run_cli
from tests.mail.inbox import Inbox, format_series, message_id, reply

SIGNED = "\n\nSigned-off-by: Jane Doe <jane@example.org>"


def _two_versions(repo: GitRepo, tmp_path: Path, inbox: Inbox) -> tuple[list[str], list[str]]:
    """A v1 series of two patches, a review, then a v2 in the same thread with a fix."""
    repo.commit("net: add a helper\n\nIt is needed." + SIGNED, {"net/helper.c": "int h(void);\n"})
    repo.commit("net: use the helper", {"net/user.c": "int u(void);\n"})  # no sign-off in v1
    v1 = format_series(repo, tmp_path / "v1", 2, 1, "Networking helpers\n\nTwo small patches.")
    v1_ids = [message_id(p) for p in v1]
    repo.git("reset", "-q", "--hard", "HEAD~1")
    files: dict[str, str | bytes] = {"net/user.c": "int u(void);\n", "net/more.c": "int m(void);\n"}
    repo.commit("net: use the helper everywhere" + SIGNED, files)
    v2 = format_series(repo, tmp_path / "v2", 2, 2, "Networking helpers\n\nNow everywhere.",
                       in_reply_to=v1_ids[0])  # fmt: skip
    review = reply(v1[2], "> int u(void);\nPlease use it everywhere.", "review-1@example.org")
    ids = inbox.add_thread([*v1, review, *v2])
    return ids[:3], ids[4:]


def test_message_ids_and_urls() -> None:
    assert parse_message_id("<abc@host>") == "abc@host"
    assert parse_message_id(" abc@host ") == "abc@host"
    with pytest.raises(PatchvetError):
        parse_message_id("not a message id")
    assert split_inbox_url("https://lore.kernel.org/qemu-devel/abc@host/T/#u") == (
        "https://lore.kernel.org/qemu-devel",
        "abc@host",
    )
    assert split_inbox_url("https://lore.kernel.org/all/a%2Fb@host/") == (
        "https://lore.kernel.org/all",
        "a/b@host",
    )
    assert split_inbox_url("https://example.org/docs/page.html") is None
    assert split_inbox_url("series.mbox") is None


def test_newest_revision_is_judged_from_any_message_of_the_thread(
    repo: GitRepo, tmp_path: Path, inbox: Inbox
) -> None:
    v1_ids, v2_ids = _two_versions(repo, tmp_path, inbox)
    for asked in (v1_ids[1], v2_ids[0], "review-1@example.org"):
        items = list(read_inbox(asked, inbox.url))
        assert all(isinstance(item, Contribution) for item in items)
        contributions = [item for item in items if isinstance(item, Contribution)]
        assert [c.title for c in contributions] == [
            "net: add a helper",
            "net: use the helper everywhere",
        ]
        assert [c.series.index for c in contributions if c.series] == [1, 2]
        assert {c.series.version for c in contributions if c.series} == {2}
        cover = contributions[0].series
        assert cover is not None and cover.cover_text and "Now everywhere" in cover.cover_text


def test_unknown_message_id_is_skipped_with_the_reason(inbox: Inbox) -> None:
    items = list(read_inbox("nope@example.org", inbox.url))
    assert len(items) == 1 and isinstance(items[0], Skipped)
    assert "not in" in items[0].reason


def test_check_by_msgid_and_by_url(
    repo: GitRepo, tmp_path: Path, inbox: Inbox, capsys: pytest.CaptureFixture[str]
) -> None:
    _, v2_ids = _two_versions(repo, tmp_path, inbox)
    code, out, err = run_cli(capsys, "check", "--msgid", f"<{v2_ids[1]}>", "--inbox", inbox.url,
                             "--format", "json")  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert [c["title"] for c in report["contributions"]] == [
        "net: add a helper",
        "net: use the helper everywhere",
    ]
    code, out, err = run_cli(capsys, "check", f"{inbox.url}/{v2_ids[0]}/T/#u", "--format", "json")
    assert code == 0, err
    assert len(json.loads(out)["contributions"]) == 2


def test_inbox_from_the_environment(
    repo: GitRepo,
    tmp_path: Path,
    inbox: Inbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, v2_ids = _two_versions(repo, tmp_path, inbox)
    monkeypatch.setenv("PATCHVET_INBOX_URL", inbox.url)
    code, out, _ = run_cli(capsys, "check", "--msgid", v2_ids[0], "--format", "json")
    assert code == 0 and len(json.loads(out)["contributions"]) == 2


def test_series_verdict_and_what_changed_since_v1(
    repo: GitRepo, tmp_path: Path, inbox: Inbox, capsys: pytest.CaptureFixture[str]
) -> None:
    _, v2_ids = _two_versions(repo, tmp_path, inbox)
    args = ["check", "--msgid", v2_ids[0], "--inbox", inbox.url, "--policy", "linux"]
    code, out, err = run_cli(capsys, *args, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert [c["series"]["tag"] for c in report["contributions"]] == [
        "[PATCH v2 1/2]",
        "[PATCH v2 2/2]",
    ]
    assert [c["source"].rsplit("#", 1)[1] for c in report["contributions"]] == ["1", "2"]
    (series,) = report["series"]
    assert series["version"] == 2 and series["total"] == 2 and series["missing"] == []
    assert series["title"] == "Networking helpers"
    # v1's second patch had no sign-off; v2 fixed it.
    assert series["since_previous"] == {"appeared": [], "gone": ["signoff/missing"]}
    code, out, _ = run_cli(capsys, *args)
    assert "[PATCH v2 2/2] net: use the helper everywhere" in out
    assert "SERIES Networking helpers · v2, 2 patches: PASS" in out
    assert "since v1: -signoff/missing" in out


def test_v1_alone_names_what_drives_the_series_verdict(
    repo: GitRepo, tmp_path: Path, inbox: Inbox, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("net: add a helper" + SIGNED, {"net/helper.c": "int h(void);\n"})
    repo.commit("net: use the helper", {"net/user.c": "int u(void);\n"})
    ids = inbox.add_thread(format_series(repo, tmp_path / "v1", 2, 1, "Helpers\n\nTwo."))
    code, out, _ = run_cli(capsys, "check", "--msgid", ids[0], "--inbox", inbox.url,
                           "--policy", "linux", "--format", "markdown")  # fmt: skip
    assert code == 0
    assert (
        "**Series** Helpers: v1, 2 patches: HOLD, driven by signoff/missing (2/2)"
        in out.replace("\\", "")
    )
