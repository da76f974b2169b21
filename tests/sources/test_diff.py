from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given

from patchvet.records import ChangeStatus, FileChange
from patchvet.sources._diff import DiffError, parse_diff, unquote_path
from tests.fuzzing import DIFF_LINES, FUZZ, lines_of

GIT_DIFF = """\
diff --git a/src/app.py b/src/app.py
index 1111111..2222222 100644
--- a/src/app.py
+++ b/src/app.py
@@ -1,3 +1,4 @@
 import os
-import sys
+import json
+import re
 print(os)
diff --git a/new.txt b/new.txt
new file mode 100755
index 0000000..3333333
--- /dev/null
+++ b/new.txt
@@ -0,0 +1,2 @@
+hello
+-- 
diff --git a/old.txt b/old.txt
deleted file mode 100644
index 4444444..0000000
--- a/old.txt
+++ /dev/null
@@ -1 +0,0 @@
-bye
diff --git a/a.txt b/b.txt
similarity index 100%
rename from a.txt
rename to b.txt
diff --git a/logo.png b/logo.png
new file mode 100644
index 0000000..5555555
Binary files /dev/null and b/logo.png differ
-- 
2.39.5
"""


def test_parses_git_diff_statuses_counts_and_line_numbers() -> None:
    files = {f.path: f for f in parse_diff(GIT_DIFF.splitlines())}
    assert set(files) == {"src/app.py", "new.txt", "old.txt", "b.txt", "logo.png"}
    app = files["src/app.py"]
    assert (app.status, app.additions, app.deletions) == (ChangeStatus.MODIFIED, 2, 1)
    assert [(line.number, line.text) for line in app.added_lines] == [
        (2, "import json"),
        (3, "import re"),
    ]
    assert files["new.txt"].status is ChangeStatus.ADDED
    assert files["new.txt"].new_mode == "100755"
    # "+-- " is content, not the mail signature that follows the last hunk.
    assert [line.text for line in files["new.txt"].added_lines] == ["hello", "-- "]
    assert files["old.txt"].status is ChangeStatus.DELETED
    assert files["b.txt"].status is ChangeStatus.RENAMED
    assert files["b.txt"].old_path == "a.txt"
    assert files["logo.png"].binary


def test_plain_unified_diff_without_git_headers() -> None:
    text = "--- a/x.c\t2020-01-01\n+++ b/x.c\t2020-01-02\n@@ -1 +1 @@\n-a\n+b\n"
    [change] = parse_diff(text.splitlines())
    assert change.path == "x.c"
    assert (change.additions, change.deletions) == (1, 1)


def test_git_binary_patch_is_binary() -> None:
    text = (
        "diff --git a/blob.bin b/blob.bin\nnew file mode 100644\nindex 0..1\n"
        "GIT binary patch\nliteral 12\nTcmZ?wbaVEW$Y4n2Z~zRH\n\nliteral 0\nHcmV?d00001\n\n"
    )
    [change] = parse_diff(text.splitlines())
    assert change.binary and change.status is ChangeStatus.ADDED


def test_truncated_hunk_is_an_error() -> None:
    text = "--- a/x\n+++ b/x\n@@ -1,5 +1,6 @@\n a\n+b\n"
    with pytest.raises(DiffError, match="ends inside a hunk"):
        parse_diff(text.splitlines())


def test_garbage_inside_a_hunk_is_an_error() -> None:
    text = "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n%%% garbage\n"
    with pytest.raises(DiffError, match="ends early"):
        parse_diff(text.splitlines())


def test_quoted_paths_are_unquoted() -> None:
    assert unquote_path('"a/t\\303\\251st file.txt"') == "a/tést file.txt"
    assert unquote_path('"a/tab\\there"') == "a/tab\there"
    assert unquote_path("b/plain.txt\t2020-01-01") == "b/plain.txt"


def _parsed(lines: list[str], compiled: bool) -> list[FileChange] | str:
    try:
        return parse_diff(lines, compiled=compiled)
    except DiffError as error:
        return f"DiffError: {error}"


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "python"])
def test_both_hunk_readers_parse_the_example(compiled: bool) -> None:
    files = parse_diff(GIT_DIFF.split("\n"), compiled=compiled)
    assert [(f.path, f.additions, f.deletions) for f in files][:3] == [
        ("src/app.py", 2, 1), ("new.txt", 2, 0), ("old.txt", 0, 1)
    ]  # fmt: skip
    assert [(line.number, line.text) for line in files[0].added_lines] == [
        (2, "import json"), (3, "import re")
    ]  # fmt: skip


@FUZZ
@given(lines_of(DIFF_LINES, 60))
def test_the_compiled_hunk_reader_reads_as_the_python_one(lines: list[str]) -> None:
    assert _parsed(lines, compiled=True) == _parsed(lines, compiled=False)


def test_the_compiled_hunk_reader_reads_every_stored_patch_as_the_python_one() -> None:
    patches = sorted((Path(__file__).parent.parent / "assets").rglob("*.patch"))
    assert len(patches) >= 10
    for patch in patches:
        lines = patch.read_text(encoding="utf-8", errors="replace").split("\n")
        assert _parsed(lines, compiled=True) == _parsed(lines, compiled=False), patch.name
