"""Shipped presets are taken as written: exactly the policy validation would give."""

from __future__ import annotations

from typing import Any

import pytest

from patchvet.policy import Policy, load_preset, preset_names
from patchvet.policy.checked import policy_json, validate_policy
from patchvet.policy.schema import is_table, keys_of


def _same(fast: Any, checked: Any, where: str = "policy") -> None:
    """Equal, and equal in kind all the way down (1 == 1.0, but a dump tells them apart)."""
    assert type(fast) is type(checked), where
    if is_table(fast):
        for key in keys_of(type(fast)):
            _same(getattr(fast, key.name), getattr(checked, key.name), f"{where}.{key.name}")
    elif isinstance(fast, dict):
        assert list(fast) == list(checked), where
        for key in fast:
            _same(fast[key], checked[key], f"{where}[{key!r}]")
    elif isinstance(fast, list):
        assert len(fast) == len(checked), where
        for index, (one, other) in enumerate(zip(fast, checked, strict=True)):
            _same(one, other, f"{where}[{index}]")
    else:
        assert fast == checked, where


@pytest.mark.parametrize("name", preset_names())
def test_a_preset_taken_as_written_is_what_validation_gives(name: str) -> None:
    fast, checked = load_preset(name), load_preset(name, validate=True)
    _same(fast, checked)
    assert fast == checked
    assert fast.origin == checked.origin == f"preset {name}"
    assert policy_json(fast) == policy_json(checked)


def test_the_defaults_made_without_validation_are_the_validated_ones() -> None:
    _same(Policy(), validate_policy({}))
