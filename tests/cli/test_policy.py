from __future__ import annotations

import json
import re
import tomllib

import pytest

from patchvet.cli.policy_toml import render
from patchvet.policy import Policy, load_preset, preset_names
from patchvet.policy.loader import load_text
from patchvet.policy.schema import declared, dump, is_table, keys_of
from tests.helpers import run_cli


def test_policy_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "policy", "list")
    assert code == 0 and out.splitlines()[0].startswith("default")
    assert len(out.splitlines()) == 17
    code, out, _ = run_cli(capsys, "policy", "show", "qemu")
    assert code == 0
    assert 'stance = "ban"' in out and "# source:" in out
    code, out, _ = run_cli(capsys, "policy", "show", "linux", "--format", "json")
    assert json.loads(out)["signoff"]["required"] is True
    assert json.loads(out)["size"]["max_lines"] is None


def _every_key(table: type, prefix: str = "") -> list[str]:
    names = []
    for field in keys_of(table):
        name, annotation = field.name, declared(table)[field.name]
        if is_table(annotation):
            names += _every_key(annotation, f"{name}.")
        else:
            names.append(prefix + name)
    return names


def test_show_prints_every_key_with_what_it_accepts_unset_ones_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "policy", "show", "default")
    assert code == 0
    assert "# max_lines =    (unset)" in out
    assert "# threshold =    (unset)" in out
    lines = out.splitlines()
    for dotted in _every_key(Policy):
        name = re.escape(dotted.rsplit(".", 1)[-1])
        shown = [
            i for i, line in enumerate(lines) if re.match(rf"^(# )?\[?{name}(\]|\.| = )", line)
        ]
        assert shown, f"{dotted} is missing"
        comment = lines[shown[0] - 1]
        assert comment.startswith("# ") and "Accepts " in comment, dotted
        assert not comment.startswith("# Accepts"), f"{dotted} has no description"


@pytest.mark.parametrize("name", preset_names())
def test_shown_policy_reads_back_to_the_same_policy(name: str) -> None:
    policy = load_preset(name)
    text = render(policy)
    assert tomllib.loads(text) == dump(policy, exclude_none=True)
    assert dump(load_text(text, name)) == dump(policy)
