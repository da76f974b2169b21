"""A policy is validated completely at load: ids, id globs and path globs, every problem at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from patchvet.errors import ConfigError
from patchvet.policy import load_policy
from patchvet.policy.validate import finding_pattern_problems
from tests.helpers import run_cli


def _load(tmp_path: Path, text: str) -> str:
    target = tmp_path / "policy.toml"
    target.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_policy(str(target), tmp_path)
    return caught.value.message


def test_a_typo_in_verdicts_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    message = _load(tmp_path, '[verdicts]\n"size/larg" = "hold"\n')
    assert "unknown finding id 'size/larg'; did you mean 'size/large'?" in message


def test_a_glob_that_matches_no_finding_is_an_error(tmp_path: Path) -> None:
    message = _load(tmp_path, '[verdicts]\n"ci-chnage/*" = "hold"\n')
    assert "'ci-chnage/*' matches no finding id" in message


def test_a_bad_path_glob_is_rejected_at_load(tmp_path: Path) -> None:
    message = _load(tmp_path, '[size]\nexclude = ["[z-a]"]\n')
    assert "size.exclude: '[z-a]' is not a valid glob" in message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    message = _load(
        tmp_path,
        'mode = "loud"\n'
        '[verdicts]\n"size/larg" = "hold"\n"sizes" = "flag"\n'
        '[protected_paths.core]\npaths = ["src/[z-a]/**"]\nreason = "core"\n'
        '[ci]\nextra_paths = ["[b-a]"]\n',
    )
    assert message.startswith(f"{tmp_path / 'policy.toml'}: 5 problems:")
    for part in ("mode:", "'size/larg'", "'sizes' must be `family/name`",
                 "protected_paths.core.paths", "ci.extra_paths"):  # fmt: skip
        assert part in message


def test_protected_path_ids_follow_the_policy_entries(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(
        '[protected_paths.core]\npaths = ["src/**"]\nreason = "core"\n'
        '[verdicts]\n"protected-path/core" = "hold"\n"ci-change/*" = "flag"\n',
        encoding="utf-8",
    )
    assert load_policy(str(good), tmp_path).verdicts["protected-path/core"] == "hold"
    assert "unknown finding id 'protected-path/kernel'" in _load(
        tmp_path, '[verdicts]\n"protected-path/kernel" = "hold"\n'
    )


def test_the_validator_is_reusable_for_other_tables() -> None:
    assert finding_pattern_problems(["binary/added", "binary/*"], "ignore") == []
    assert finding_pattern_problems(["binary/addd"], "ignore.0.id") == [
        "ignore.0.id: unknown finding id 'binary/addd'; did you mean 'binary/added'?"
    ]


def test_the_cli_prints_every_problem_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text('[verdicts]\n"size/larg" = "hold"\n"x/*" = "hold"\n', encoding="utf-8")
    code, out, err = run_cli(capsys, "policy", "show", str(policy))
    assert code == 2 and out == ""
    assert "2 problems" in err and "size/larg" in err and "'x/*'" in err
    assert "Traceback" not in err


def test_ignore_ids_and_paths_and_exempt_families_are_validated(tmp_path: Path) -> None:
    message = _load(
        tmp_path,
        '[ignore."size/larg"]\nreason = "we like big changes"\n'
        '[ignore."ci-change/*"]\nreason = "ours"\npaths = ["[z-a]"]\n'
        '[maintainers]\nexempt_families = ["identiy"]\n',
    )
    assert "3 problems" in message
    assert "ignore: unknown finding id 'size/larg'; did you mean 'size/large'?" in message
    assert "ignore.'ci-change/*'.paths: '[z-a]' is not a valid glob" in message
    assert "unknown finding family 'identiy'; did you mean 'identity'?" in message
