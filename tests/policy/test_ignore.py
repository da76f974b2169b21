"""`[ignore]`: findings the maintainers chose not to act on, by id and path, with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patchvet.check import assess
from patchvet.policy.loader import load_text
from patchvet.records import ChangeStatus, SourceKind, Verdict
from tests.helpers import added, contribution, run_cli

POLICY = """
[ignore."ci-change/*"]
reason = "release workflows are reviewed in the release checklist"
paths = [".github/workflows/release-*.yml"]

[ignore."binary/added"]
reason = "icons come from the design team's export"
"""


def workflow(path: str) -> object:
    return contribution(
        files=(added(path, "on: push", "jobs: {}", status=ChangeStatus.ADDED),),
        kind=SourceKind.PULL_REQUEST,
    )


def test_ignored_by_id_and_path_with_the_reason() -> None:
    policy = load_text(POLICY, "test.toml")
    release = assess(workflow(".github/workflows/release-pypi.yml"), policy)  # type: ignore[arg-type]
    ci = [j for j in release.findings if j.finding.family == "ci-change"]
    assert ci and all(j.verdict is Verdict.PASS for j in ci)
    assert {j.ignored for j in ci} == {"release workflows are reviewed in the release checklist"}
    other = assess(workflow(".github/workflows/test.yml"), policy)  # type: ignore[arg-type]
    ci = [j for j in other.findings if j.finding.family == "ci-change"]
    assert ci and all(j.ignored is None for j in ci)
    assert other.verdict > Verdict.PASS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[ignore."size/large"]\npaths = ["docs/**"]\n', "reason"),
        ('[ignore."size/large"]\nreason = ""\n', "reason"),
        ('[ignore.large]\nreason = "x"\n', "family/name"),
    ],
)
def test_an_ignore_needs_a_reason_and_an_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(text)
    patch = tmp_path / "x.patch"
    patch.write_text("")
    code, _, err = run_cli(capsys, "check", str(patch), "--policy", str(policy))
    assert code == 2 and message in err


PATCH = """\
From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001
From: Jane Doe <jane@example.org>
Date: Mon, 2 Nov 2026 10:00:00 +0000
Subject: [PATCH] ci: publish wheels on release

---
 .github/workflows/release-wheels.yml | 2 ++
 1 file changed, 2 insertions(+)
 create mode 100644 .github/workflows/release-wheels.yml

diff --git a/.github/workflows/release-wheels.yml b/.github/workflows/release-wheels.yml
new file mode 100644
index 0000000..1111111
--- /dev/null
+++ b/.github/workflows/release-wheels.yml
@@ -0,0 +1,2 @@
+on: release
+jobs: {}
--
2.43.0
"""


def test_the_reason_is_in_every_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(POLICY)
    patch = tmp_path / "release.patch"
    patch.write_text(PATCH)
    code, out, _ = run_cli(capsys, "check", str(patch), "--policy", str(policy), "--format", "json")
    [report] = json.loads(out)["contributions"]
    ignored = [f for f in report["findings"] if f["id"].startswith("ci-change/")]
    assert ignored and {f.get("ignored") for f in ignored} == {
        "release workflows are reviewed in the release checklist"
    }
    assert {f["verdict"] for f in ignored} == {"pass"} and code == 0
    for fmt in ("text", "markdown"):
        _, out, _ = run_cli(capsys, "check", str(patch), "--policy", str(policy), "--format", fmt)
        assert "release workflows are reviewed in the release checklist" in out
