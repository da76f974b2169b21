"""Writing a calibrated threshold into a policy file, keeping what the maintainer wrote."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from patchvet.errors import ConfigError
from patchvet.policy.loader import load_file
from patchvet.policy.schema import Calibration
from patchvet.policy.write import write_calibration

CALIBRATION = Calibration(
    model="0123456789abcdef", commits=2914, range='HEAD before 2023-01-01: "quoted"',
    false_flag_rate=0.0099, target_rate=0.01, date="2026-12-01",
)  # fmt: skip


def test_a_new_file_extends_default(tmp_path: Path) -> None:
    target = tmp_path / ".patchvet.toml"
    assert write_calibration(target, 0.9123, CALIBRATION, ["0.99% of 2,914 reach it"])
    policy = load_file(target)
    assert policy.extends == "default" and policy.likelihood.threshold == 0.9123
    assert policy.likelihood.calibration == CALIBRATION
    assert "# patchvet calibrate: 0.99% of 2,914 reach it" in target.read_text()


def test_other_keys_and_comments_are_kept_and_a_second_run_replaces_the_first(
    tmp_path: Path,
) -> None:
    target = tmp_path / ".patchvet.toml"
    target.write_text(
        '# our policy\nextends = "default"\n\n[likelihood]\n# keep this note\nenabled = true\n'
        "threshold = 0.5\n\n[signoff]\nrequired = true  # DCO\n"
    )
    assert not write_calibration(target, 0.9, CALIBRATION, ["first"])
    write_calibration(target, 0.95, replace(CALIBRATION, commits=10), ["second"])
    text = target.read_text()
    assert "# our policy" in text and "# keep this note" in text
    assert "required = true  # DCO" in text
    assert "first" not in text and text.count("threshold =") == 1
    assert text.count("[likelihood.calibration]") == 1
    # The calibration table is separated from the maintainer's next table by one blank line.
    assert "\n\n[signoff]" in text and "\n\n\n[signoff]" not in text
    policy = load_file(target)
    assert policy.likelihood.threshold == 0.95 and policy.signoff.required
    assert policy.likelihood.calibration is not None and policy.likelihood.calibration.commits == 10


def test_pyproject_tables_are_written_under_tool_patchvet(tmp_path: Path) -> None:
    target = tmp_path / "pyproject.toml"
    target.write_text('[project]\nname = "x"\n\n[tool.patchvet]\nextends = "default"\n')
    write_calibration(target, 0.8, CALIBRATION, [])
    raw = tomllib.loads(target.read_text())
    assert raw["project"] == {"name": "x"}
    assert raw["tool"]["patchvet"]["likelihood"]["threshold"] == 0.8
    assert load_file(target).likelihood.calibration == CALIBRATION


def test_forms_it_cannot_edit_are_refused_untouched(tmp_path: Path) -> None:
    target = tmp_path / ".patchvet.toml"
    original = 'extends = "default"\nlikelihood = { enabled = true }\n'
    target.write_text(original)
    with pytest.raises(ConfigError, match="cannot edit"):
        write_calibration(target, 0.9, CALIBRATION, [])
    assert target.read_text() == original
