from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from patchvet.records import Contribution, Skipped
from patchvet.sources import read_path, read_stream
from patchvet.sources.mbox import patch_files, split_messages
from tests.helpers import GitRepo, run_cli

_SHA1 = "0123456789abcdef0123456789abcdef01234567"


def _series(repo: GitRepo, out: Path, cover: bool = True) -> list[Path]:
    repo.commit(
        "net: add a helper\n\nLonger text.\n\nSigned-off-by: Jane Doe <jane@example.org>",
        {"net/helper.c": "int helper(void) { return 1; }\n"},
    )
    repo.commit(
        "net: use the helper\n\nSigned-off-by: Jane Doe <jane@example.org>",
        {"net/user.c": "int user(void) { return helper(); }\n"},
    )
    args = ["format-patch", "-q", "-o", str(out), "HEAD~2"]
    if cover:
        args.insert(1, "--cover-letter")
    repo.git(*args)
    return sorted(out.iterdir())


def test_format_patch_series_with_cover_letter(repo: GitRepo, tmp_path: Path) -> None:
    paths = _series(repo, tmp_path / "out")
    cover = paths[0]
    cover.write_text(
        cover.read_text()
        .replace("*** SUBJECT HERE ***", "Networking helpers")
        .replace("*** BLURB HERE ***", "This series adds a helper."),
        encoding="utf-8",
    )
    mbox = tmp_path / "series.mbox"
    mbox.write_bytes(b"".join(path.read_bytes() for path in paths))
    items = list(read_path(mbox))
    assert all(isinstance(item, Contribution) for item in items)
    first, second = items
    assert isinstance(first, Contribution) and isinstance(second, Contribution)
    # The cover letter is not counted: `#n` is `[PATCH n/m]`.
    assert [first.source, second.source] == [f"{mbox}#1", f"{mbox}#2"]
    assert first.title == "net: add a helper"
    assert first.author.email == "jane@example.org"
    assert first.series is not None and first.series.total == 2 and first.series.index == 1
    assert first.series.cover_title == "Networking helpers"
    assert first.series.cover_text is not None and "adds a helper" in first.series.cover_text
    assert [t.key for t in first.commits[0].trailers] == ["Signed-off-by"]
    assert first.files[0].path == "net/helper.c"
    assert len(first.id) == 40


def test_directory_of_patches_is_read_in_name_order(repo: GitRepo, tmp_path: Path) -> None:
    paths = _series(repo, tmp_path / "out", cover=False)
    items = list(read_path(tmp_path / "out"))
    assert [item.source for item in items] == [str(p) for p in paths]
    assert all(isinstance(item, Contribution) and item.series is not None for item in items)


def test_stdin_stream_of_two_patches(repo: GitRepo, tmp_path: Path) -> None:
    _series(repo, tmp_path / "out", cover=False)
    data = repo.git("format-patch", "--stdout", "HEAD~2")
    items = list(read_stream(io.BytesIO(data), "-"))
    assert [item.source for item in items] == ["-#1", "-#2"]


def test_in_body_from_overrides_the_sender(tmp_path: Path) -> None:
    raw = (
        "From: Maintainer <m@example.org>\nSubject: [PATCH] fix: thing\n\n"
        "From: Real Author <author@example.org>\n\nBody text.\n---\n"
        " x | 1 +\n\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+y\n"
    )
    path = tmp_path / "one.eml"
    path.write_text(raw, encoding="utf-8")
    [item] = list(read_path(path))
    assert isinstance(item, Contribution)
    assert item.author.email == "author@example.org"
    assert item.source == str(path)


def test_encoded_headers_and_quoted_printable_body(tmp_path: Path) -> None:
    raw = (
        "From: =?UTF-8?q?Ren=C3=A9_Lef=C3=A8vre?= <rene@example.org>\n"
        "Subject: =?UTF-8?q?=5BPATCH=5D_doc=3A_caf=C3=A9?=\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
        "Caf=C3=A9 text.\n---\ndiff --git a/d b/d\n--- a/d\n+++ b/d\n@@ -0,0 +1 @@\n+caf=C3=A9\n"
    )
    path = tmp_path / "qp.patch"
    path.write_text(raw, encoding="ascii")
    [item] = list(read_path(path))
    assert isinstance(item, Contribution)
    assert item.author.name == "René Lefèvre"
    assert item.title == "doc: café"
    assert item.files[0].added_lines[0].text == "café"


def test_latin1_body(tmp_path: Path) -> None:
    raw = (
        "From: A <a@example.org>\nSubject: [PATCH] x\n"
        "Content-Type: text/plain; charset=iso-8859-1\n"
        "Content-Transfer-Encoding: 8bit\n\n---\n--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+na\xefve\n"
    ).encode("latin-1")
    path = tmp_path / "latin.patch"
    path.write_bytes(raw)
    [item] = list(read_path(path))
    assert isinstance(item, Contribution)
    assert item.files[0].added_lines[0].text == "naïve"


def test_hostile_inputs_are_skipped_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "garbage.patch").write_bytes(bytes(range(256)) * 64)
    (tmp_path / "empty.patch").write_bytes(b"")
    (tmp_path / "prose.eml").write_text("Subject: hello\n\nJust a reply, no diff.\n")
    (tmp_path / "truncated.patch").write_text(
        "From: A <a@example.org>\nSubject: [PATCH] x\n\n---\n"
        "--- a/x\n+++ b/x\n@@ -1,9 +1,9 @@\n a\n"
    )
    items = list(read_path(tmp_path))
    assert all(isinstance(item, Skipped) for item in items)
    reasons = {Path(item.source).name: item.reason for item in items if isinstance(item, Skipped)}
    assert reasons["garbage.patch"] == "binary data, not a patch"
    assert reasons["empty.patch"] == "empty input"
    assert reasons["prose.eml"].startswith("no diff found")
    assert reasons["truncated.patch"].startswith("corrupt diff")


def test_patch_files_are_listed_as_paths_name_them(tmp_path: Path) -> None:
    """What `Path` says of each entry, read from the listing instead of a `stat` per file."""
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.patch").write_text("x")
    (tmp_path / "a.eml").write_text("x")
    (tmp_path / "..patch").write_text("x")  # Path("..patch").suffix is ".patch"
    (tmp_path / ".patch").write_text("x")  # a hidden file without a suffix
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "c.mbox").mkdir()  # a folder named like a patch file is listed through
    (tmp_path / "c.mbox" / "1.diff").write_text("x")
    (tmp_path / "linked.patch").symlink_to(tmp_path / "a.eml")
    (tmp_path / "dangling.patch").symlink_to(tmp_path / "gone.patch")
    (tmp_path / "loop").symlink_to(tmp_path)  # a link to a folder is not followed
    listing = list(patch_files(tmp_path))
    found = [str(p.relative_to(tmp_path)) for p in listing if isinstance(p, Path)]
    assert len(found) == len(listing)
    assert found == ["..patch", "a.eml", "b/2.patch", "c.mbox/1.diff", "linked.patch"]
    listed = sorted(tmp_path.iterdir())  # the rule as `Path` writes it, for comparison
    assert [
        str(p.relative_to(tmp_path))
        for p in listed
        if p.is_file() and p.suffix in (".patch", ".eml", ".mbox", ".diff")
    ] == ["..patch", "a.eml", "linked.patch"]


def test_a_folder_given_as_a_path_is_read_as_one(tmp_path: Path) -> None:
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "x.patch").write_bytes(b"")
    (tmp_path / "link").symlink_to(tmp_path / "inner")
    for folder in (tmp_path / "inner", tmp_path / "link"):
        [item] = list(read_path(folder))
        assert isinstance(item, Skipped) and item.reason == "empty input"


def test_unreadable_path_is_skipped(tmp_path: Path) -> None:
    [item] = list(read_path(tmp_path / "missing.patch"))
    assert isinstance(item, Skipped) and item.reason.startswith("cannot open")


def test_escaped_from_lines_in_mboxrd_are_restored(tmp_path: Path) -> None:
    message = (
        "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n"
        "From: A <a@example.org>\nSubject: [PATCH] x\n\nSee below.\n\n>From the start.\n---\n"
        "--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+y\n\n"
    )
    path = tmp_path / "two.mbox"
    path.write_text(message + message.replace("[PATCH] x", "[PATCH] z"), encoding="utf-8")
    items = list(read_path(path))
    assert [i.title for i in items if isinstance(i, Contribution)] == ["x", "z"]
    first = items[0]
    assert isinstance(first, Contribution)
    assert "From the start." in first.commits[0].message
    assert first.id == "0123456789abcdef0123456789abcdef01234567"


def test_oversized_message_is_skipped_and_the_next_one_read() -> None:
    patch = (
        "From: A <a@example.org>\nSubject: [PATCH] {}\n\n---\n"
        "--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+{}\n"
    )
    envelope = "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n"
    data = envelope + patch.format("huge", "y" * 5000) + "\n" + envelope + patch.format("ok", "z")
    items = list(read_stream(io.BytesIO(data.encode()), "big.mbox", max_message_bytes=4096))
    assert isinstance(items[0], Skipped) and "exceeds the 4096-byte limit" in items[0].reason
    assert isinstance(items[1], Contribution) and items[1].title == "ok"


def _mailed_with_note(repo: GitRepo, tmp_path: Path, note: str, message: str) -> Path:
    repo.commit(message, {"lib/a.c": "int a(void) { return 2; }\n"})
    out = tmp_path / "out"
    repo.git("format-patch", "-q", "-o", str(out), "HEAD~1")
    (patch,) = sorted(out.iterdir())
    text = patch.read_text(encoding="utf-8").replace("\n---\n", f"\n---\n{note}\n", 1)
    patch.write_text(text, encoding="utf-8")
    return patch


def test_trailers_below_the_divider_are_dropped_not_present(repo: GitRepo, tmp_path: Path) -> None:
    patch = _mailed_with_note(
        repo,
        tmp_path,
        "v2: rebased\nSigned-off-by: Jane Doe <jane@example.org>\nAssisted-by: LLM sparse",
        "lib: change a\n\nWhy it changes.",
    )
    (item,) = read_path(patch, str(patch))
    assert isinstance(item, Contribution)
    (commit,) = item.commits
    assert commit.trailers == ()
    assert [t.key for t in commit.dropped_trailers] == ["Signed-off-by", "Assisted-by"]
    # git am agrees: the applied commit carries no trailer at all.
    applied = _git_am(repo, patch)
    assert "Signed-off-by" not in applied and "Assisted-by" not in applied


def _git_am(repo: GitRepo, patch: Path) -> str:
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.git("am", "-q", str(patch))
    return repo.git("log", "-1", "--format=%B").decode()


def test_below_divider_findings_through_the_cli(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patch = _mailed_with_note(
        repo,
        tmp_path,
        "Signed-off-by: Jane Doe <jane@example.org>\nAssisted-by: LLM sparse",
        "lib: change a\n\nWhy it changes.\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
    )
    _, out, _ = run_cli(capsys, "check", str(patch), "--policy", "linux", "--format", "json")
    (report,) = json.loads(out)["contributions"]
    found = {finding["id"] for finding in report["findings"]}
    assert {"signoff/below-divider", "disclosure/below-divider", "signoff/missing"} <= found
    assert "disclosure/missing" in found  # the Assisted-by below `---` does not count


def _split(data: bytes, block: int, limit: int = 1 << 20) -> list[tuple[bytes | None, str | None]]:
    return [(m.data, m.envelope) for m in split_messages(io.BytesIO(data), limit, block)]


def test_messages_split_the_same_whatever_the_read_size() -> None:
    envelope = b"From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n"
    body = b"Subject: [PATCH] x\n\n>From here\n>>From there\nFrom inside, no blank line before\n"
    data = b"preamble\n\n" + envelope + body + b"\n" + envelope + body + b"  \n" + envelope + b"end"
    expected = [
        (b"preamble\n\n", None),
        (body.replace(b">From", b"From").replace(b">>From", b">From") + b"\n", _SHA1),
        (body.replace(b">From", b"From").replace(b">>From", b">From") + b"  \n", _SHA1),
        (b"end", _SHA1),
    ]
    for block in (1, 2, 7, 64, 1 << 16):
        assert _split(data, block) == expected, block


def test_a_from_line_not_after_a_blank_line_stays_in_the_message() -> None:
    envelope = b"From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n"
    data = envelope + b"text\n" + envelope + b"more\n"
    assert _split(data, 5) == [(b"text\n" + envelope + b"more\n", _SHA1)]


def test_an_oversized_message_is_counted_across_reads() -> None:
    envelope = b"From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n"
    data = envelope + b"x" * 100 + b"\n\n" + envelope + b"small\n"
    messages = list(split_messages(io.BytesIO(data), 50, 16))
    assert [(m.data, m.size) for m in messages] == [(None, 102), (b"small\n", 6)]
