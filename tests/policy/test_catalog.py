"""The finding catalog cannot drift from the analyzers, nor docs/findings.md from the catalog."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from patchvet.analyzers.ci_change import _PATTERNS, _SURFACES
from patchvet.analyzers.fingerprint import _WHAT
from patchvet.cli.findings import markdown
from patchvet.policy.catalog import FAMILIES, FINDINGS, finding_kind
from tests.helpers import run_cli

SRC = Path(__file__).parents[2] / "src" / "patchvet"
DOCS = Path(__file__).parents[2] / "docs" / "findings.md"
_LITERAL_ID = re.compile(r'id=f?"([a-z-]+)/([a-z-]*)')


def _analyzer_sources() -> str:
    return "\n".join(p.read_text("utf-8") for p in sorted((SRC / "analyzers").glob("*.py")))


def test_every_id_an_analyzer_writes_is_in_the_catalog() -> None:
    source = _analyzer_sources()
    written = _LITERAL_ID.findall(source)
    assert len(written) > 30
    for family, name in written:
        assert family in FAMILIES, family
        if name:  # f"family/{name}": the names come from tables, checked below
            assert finding_kind(f"{family}/{name}") is not None, f"{family}/{name}"
    generated = [f"agent-fingerprint/{name}" for name, _ in _WHAT.values()]
    generated += [f"ci-change/{pattern.name}" for pattern in _PATTERNS]
    generated += [f"ci-change/{surface}" for surface in _SURFACES]
    for finding_id in generated:
        assert finding_kind(finding_id) is not None, finding_id


def test_every_catalog_id_is_written_somewhere() -> None:
    source = "\n".join(p.read_text("utf-8") for p in sorted(SRC.rglob("*.py")))
    for kind in FINDINGS:
        name = kind.id.split("/", 1)[1]
        if name == "*":
            continue
        assert f'"{kind.id}"' in source or f'"{name}"' in source, kind.id


def test_docs_findings_md_is_generated_from_the_catalog() -> None:
    assert DOCS.read_text("utf-8") == markdown(), (
        "regenerate: patchvet findings --format markdown > docs/findings.md"
    )


def test_findings_command_lists_every_id_with_family_severity_and_link(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "findings")
    assert code == 0
    for kind in FINDINGS:
        line = next(line for line in out.splitlines() if line.startswith(kind.id + " "))
        assert kind.family in line and kind.severity.value in line
        assert kind.url in out
    code, out, _ = run_cli(capsys, "findings", "--format", "json")
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows["size/over-limit"]["default_verdict"] == "flag"
    assert rows["disclosure/missing"]["default_verdict"] == "flag"
    assert rows["analysis/incomplete"]["default_verdict"] == "hold"
    assert rows["agent-likelihood/high-score"]["default_verdict"] == "flag"
