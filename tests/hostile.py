"""
Hostile inputs, built rather than stored: the shapes a fault and fuzz campaign found (issue 16)
and their neighbours — backtracking bait for every pattern family, NUL bytes, lying and truncated
hunks, damaged headers, huge numbers, deep JSON and giant lines.

Each input is a file patchvet reads as a contribution: an emailed patch, a bare diff, or a GitHub
`pull_request` event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

AUTHOR = "Jane Doe <jane@example.org>"


@dataclass(frozen=True)
class Hostile:
    """One hostile input: a name for reports, a file name (its suffix picks the reader), bytes."""

    name: str
    filename: str
    data: bytes


def mail(
    subject: str = "Add a file",
    body: str = "A change.",
    diff: str | None = None,
    headers: str | None = None,
) -> str:
    """A `git format-patch` mail around `diff`, with every part replaceable."""
    head = headers if headers is not None else (
        f"From: {AUTHOR}\nDate: Thu, 1 Jan 2026 00:00:00 +0000\nSubject: [PATCH] {subject}\n"
    )  # fmt: skip
    return (
        "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n"
        f"{head}\n{body}\n\nSigned-off-by: {AUTHOR}\n---\n"
        + (diff if diff is not None else added("notes.txt", ["hello"]))
        + "--\n2.45.0\n"
    )


def added(path: str, lines: list[str]) -> str:
    """The diff of a new file `path` with `lines`."""
    plus = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..1111111\n"
        f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{plus}"
    )


def patch_adding(path: str, line: str, subject: str = "Add a file") -> bytes:
    """An emailed patch that adds one file holding one line."""
    return mail(subject=subject, diff=added(path, [line])).encode("utf-8", "surrogateescape")


def event(title: object = "Add a file", body: object = "A change.", **extra: object) -> bytes:
    """A `pull_request` webhook event, as GitHub sends it, with fields replaceable."""
    user = {"login": "jane", "id": 1001, "type": "User"}
    pull = {
        "number": 7,
        "title": title,
        "body": body,
        "user": user,
        "labels": [],
        "head": {"ref": "feature", "sha": "a" * 40},
        "base": {"ref": "main", "sha": "b" * 40},
        "state": "open",
        "created_at": "2026-01-01T00:00:00Z",
        "additions": 1,
        "deletions": 0,
        "changed_files": 1,
        "merged": False,
        "draft": False,
        "html_url": "https://github.com/o/r/pull/7",
    }
    pull.update(extra)
    payload = {
        "action": "opened",
        "number": 7,
        "pull_request": pull,
        "repository": {"full_name": "o/r", "id": 1, "name": "r", "owner": {"login": "o"}},
        "sender": user,
    }
    return json.dumps(payload).encode()


# The five cases of issue 16, at the sizes that stalled `re` (and larger).
def left_pad(pairs: int) -> bytes:
    """package.json `"left-pad": "1=a=a=…=a x"`: exponential in `pairs` with `re`."""
    return patch_adding("package.json", '  "left-pad": "1' + "=a" * pairs + ' x",')


def curls(size: int) -> bytes:
    """A build-script line of repeated `curl `: quadratic with `re` (125 KB: 31 s)."""
    return patch_adding("build.sh", "curl " * (size // 5))


def spaced_requirement(spaces: int) -> bytes:
    """requirements.txt `a`, spaces, `x`: quadratic with `re` (20,000 spaces: 12.8 s)."""
    return patch_adding("requirements.txt", "a" + " " * spaces + "x")


def series_brackets(size: int) -> bytes:
    """A subject of repeated `[1 `: quadratic with `re` (30 KB: 17 s)."""
    return patch_adding("notes.txt", "hello", subject="[1 " * (size // 3))


def _bait() -> list[Hostile]:
    """Backtracking bait for each pattern family that reads contribution text."""
    big = 40_000
    cases = {
        "left-pad-30": left_pad(30),
        "left-pad-2000": left_pad(2000),
        "curl-125k": curls(125_000),
        "curl-250k": curls(250_000),
        "requirements-spaces-20k": spaced_requirement(20_000),
        "requirements-spaces-40k": spaced_requirement(40_000),
        "subject-brackets-30k": series_brackets(30_000),
        "subject-brackets-60k": series_brackets(60_000),
        "wget-pipe-bait": patch_adding("install.sh", "wget " * (big // 5) + "|"),
        "base64-bait": patch_adding("run.sh", "base64 -d " * (big // 10)),
        "iex-bait": patch_adding("run.ps1", "iex " * (big // 4)),
        "subshell-curl-bait": patch_adding("run.sh", "$(curl " * (big // 7)),
        "npm-spec-ranges": patch_adding(
            "package.json", '  "lib": "1' + " || 1 -" * (big // 7) + ' !",'
        ),
        "npm-name-bait": patch_adding("package.json", '  "' + "a." * (big // 2) + '": "1",'),
        "pyproject-bait": patch_adding("pyproject.toml", '  "a' + " " * big + "[x] >=1"),
        "cargo-bait": patch_adding("Cargo.toml", "serde = { " + "version = " * (big // 10)),
        "go-mod-bait": patch_adding("go.mod", "require a.bc/" + "x" * big + " " * big + "q"),
        "lock-resolved-bait": patch_adding(
            "package-lock.json", '"resolved": "' * (big // 13) + "x"
        ),
        "secrets-bait": patch_adding(
            ".github/workflows/ci.yml", "${{ secrets." + "GITHUB_TOKEN" * (big // 12)
        ),
        "uses-bait": patch_adding(".github/workflows/ci.yml", "uses: " + "a/" * (big // 2) + "@"),
        "script-injection-bait": patch_adding(
            ".github/workflows/ci.yml", "${{ " * (big // 4) + "github.event"
        ),
        "permissions-bait": patch_adding(
            ".github/workflows/ci.yml", " " * big + "contents:" + " " * big + "read"
        ),
        "unicode-word-bait": patch_adding("a.py", "а" + "a" * big + "\u200b" * 1000),
        "trailer-bait": mail(body="Ack-by-by" + "-by" * (big // 3) + " " * big + "x").encode(),
        "statement-bait": mail(body="this change was " + "made " * (big // 5) + "by hand").encode(),
        "disclosure-field-bait": mail(body="AI use:" + " " * big + "n/" * 1000).encode(),
        "denial-bait": mail(body="did not use " * (big // 12) + "x").encode(),
        "co-author-bait": mail(
            body="Co-authored-by: a" + " " * big + "<x" * 1000 + "\n\nSigned-off-by: a"
        ).encode(),
        "linked-issue-bait": event(body="fix" + " " * big + "x"),
        "fixes-5000-digits": event(body="Fixes #" + "9" * 5000),
        "html-comment-bait": event(body="<!--" * (big // 4)),
        "pr-number-bait": patch_adding("a.txt", "x", subject="a" + " " * big + "(#1)x"),
        "agent-name-bait": patch_adding("a.txt", "x", subject="gpt-4" + "-" * big + "!"),
        "binary-files-and-bait": (
            "diff --git a/x b/x\nBinary files " + " and " * (big // 5) + "\n"
        ).encode(),
        "branch-bait": event(head={"ref": "claude/a-" + "aA" * big, "sha": "a" * 40}),
    }
    return [Hostile(name, _filename(name, data), data) for name, data in cases.items()]


def _filename(name: str, data: bytes) -> str:
    return f"{name}.json" if data.startswith(b"{") else f"{name}.patch"


def _malformed() -> list[Hostile]:
    """Damaged patches: NUL bytes, lying and truncated hunks, broken headers and encodings."""
    good = added("a.c", ["int a;", "int b;"])
    cases: dict[str, str | bytes] = {
        "nul-in-added-line": mail(diff=added("a.c", ["int a;\x00 evil();"])),
        "nul-in-subject": mail(subject="Fix\x00 it"),
        "nul-in-path": mail(diff=added("a\x00b.c", ["x"])),
        "hunk-claims-more": mail(diff=good.replace("+1,2 @@", "+1,9 @@")),
        "hunk-claims-less": mail(diff=good.replace("+1,2 @@", "+1,1 @@")),
        "hunk-truncated": mail(diff=good[: good.rindex("+int b;")]),
        "hunk-header-garbage": mail(diff=good.replace("@@ -0,0 +1,2 @@", "@@ -x,y +z @@")),
        "hunk-huge-count": mail(diff=good.replace("+1,2 @@", "+1," + "9" * 5000 + " @@")),
        "hunk-huge-start": mail(diff=good.replace("+1,2 @@", "+" + "9" * 5000 + ",2 @@")),
        "hunk-negative": mail(diff=good.replace("+1,2 @@", "+1,-2 @@")),
        "hunk-without-file": mail(diff="@@ -1 +1 @@\n+x\n"),
        "diff-header-only": mail(diff="diff --git a/x b/x\n"),
        "diff-no-paths": mail(diff="diff --git\n--- \n+++ \n@@ -0,0 +1 @@\n+x\n"),
        "quoted-path-bad-escape": mail(diff=added('"a\\777\\"', ["x"])),
        "quoted-path-unterminated": mail(diff=good.replace("b/a.c\n", '"b/a.c\n', 1)),
        "headers-missing": mail(headers=""),
        "header-no-colon": mail(headers="From Jane\nSubject\n"),
        "header-folded-forever": mail(headers="Subject: x\n" + " y\n" * 20_000),
        "header-giant-subject": mail(subject="s" * 300_000),
        "header-bad-encoded-word": mail(subject="=?utf-8?q?=ZZ=?= =?x-unknown?b?!!!?="),
        "header-bad-charset": mail(
            headers=f"From: {AUTHOR}\nSubject: x\nContent-Type: text/plain; charset=nope\n"
        ),
        "header-bad-base64": mail(
            headers=f"From: {AUTHOR}\nSubject: x\nContent-Transfer-Encoding: base64\n"
        ),
        "header-bad-date": mail(headers=f"From: {AUTHOR}\nDate: 99 Foo 99999\nSubject: x\n"),
        "from-garbage": mail(headers="From: <<<@@@>>>\nSubject: x\n"),
        "mime-boundary-missing": mail(
            headers=f"From: {AUTHOR}\nSubject: x\nContent-Type: multipart/mixed\n"
        ),
        "invalid-utf8": mail().encode() + b"\xff\xfe\xc3\x28",
        "lone-surrogates": mail(diff=added("a.py", ["x = '\udcff\udc80'"])).encode(
            "utf-8", "surrogateescape"
        ),
        "crlf-everywhere": mail().replace("\n", "\r\n"),
        "mbox-of-garbage": b"From x Mon Jan  1 00:00:00 2026\n" + b"\xff" * 1000,
        "empty-file": b"",
        "only-newlines": b"\n" * 100_000,
        "binary-patch-garbage": mail(
            diff="diff --git a/x.bin b/x.bin\nGIT binary patch\nliteral 99999999999999999999\n!!!\n"
        ),
        "rename-without-paths": mail(diff="diff --git a/x b/y\nrename from\nrename to\n"),
        "mode-garbage": mail(diff=good.replace("new file mode 100644", "new file mode 99x")),
        "trailers-only-message": mail(body="Signed-off-by: x\n" * 5000),
    }
    return [
        Hostile(name, f"{name}.patch", data if isinstance(data, bytes) else _encode(data))
        for name, data in cases.items()
    ]


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _events() -> list[Hostile]:
    """Damaged GitHub events: deep nesting, huge numbers, wrong types."""
    deep = "[" * 100_000 + "]" * 100_000
    cases = {
        "json-deep-array": f'{{"pull_request": {deep}}}'.encode(),
        "json-deep-object": ('{"a":' * 50_000 + "1" + "}" * 50_000).encode(),
        "json-id-10e30": event(user={"login": "jane", "id": 10**30, "type": "User"}),
        "json-number-5000-digits": event(number=int("9" * 4000)),
        "json-wrong-types": event(title=["not", "a", "string"], body={"x": 1}),
        "json-truncated": event()[:-20],
    }
    return [Hostile(name, f"{name}.json", data) for name, data in cases.items()]


def giant_lines() -> list[Hostile]:
    """Lines far longer than any real code, in each kind of file an analyzer reads."""
    line = "x" * 1_000_000
    return [
        Hostile("giant-code-line", "giant-code-line.patch", patch_adding("a.py", line)),
        Hostile(
            "giant-workflow-line",
            "giant-workflow-line.patch",
            patch_adding(".github/workflows/ci.yml", line),
        ),
        Hostile("giant-path", "giant-path.patch", patch_adding("d/" * 20_000 + "f.py", "x")),
    ]


def all_hostile() -> list[Hostile]:
    """Every hostile input (79, as in issue 16's campaign), each with a unique name."""
    inputs = _bait() + _malformed() + _events() + giant_lines()
    assert len({h.name for h in inputs}) == len(inputs) == 79
    return inputs
