from __future__ import annotations

import json

import pytest

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
