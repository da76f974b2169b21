from __future__ import annotations

from pathlib import Path

import pytest

from patchvet.errors import ConfigError
from patchvet.policy import load_policy, load_preset, preset_names, preset_text

REQUIRED = {
    "default",
    "linux",
    "qemu",
    "rust",
    "gentoo",
    "netbsd",
    "cloud-hypervisor",
    "fedora",
    "asf",
    "llvm",
    "curl",
    "ghostty",
    "cpython",
    "servo",
    "zig",
    "kubernetes",
    "homebrew",
}


def test_every_required_preset_ships_loads_and_cites_its_source() -> None:
    assert set(preset_names()) >= REQUIRED
    for name in preset_names():
        policy = load_preset(name)
        assert policy.name == name
        assert policy.mode == "advisory"
        assert policy.source
        assert preset_text(name).startswith("#"), f"{name} must open with its citation"
        if name != "default":
            assert policy.extends == "default"


def test_project_file_extends_and_overrides(tmp_path: Path) -> None:
    (tmp_path / ".patchvet.toml").write_text(
        'extends = "linux"\nmode = "enforce"\n'
        '[protected_paths.core]\npaths = ["/kernel/**"]\nreason = "core"\n'
        '[verdicts]\n"size/large" = "hold"\n'
    )
    policy = load_policy(None, tmp_path)
    assert policy.extends == "linux" and policy.mode == "enforce"
    assert policy.signoff.required  # from linux
    assert set(policy.protected_paths) == {"governance", "core"}  # merged with default's
    assert policy.verdicts["size/large"] == "hold"
    assert policy.verdicts["signoff/ai-signoff"] == "reject"


def test_pyproject_table_is_discovered(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.patchvet]\nextends = "qemu"\n')
    assert load_policy(None, tmp_path).ai.stance == "ban"


def test_no_project_file_means_default(tmp_path: Path) -> None:
    assert load_policy(None, tmp_path).name == "default"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('extends = "linux"\nsignof = {}\n', "signof"),
        ('[disclosure]\nrequire = ["assisted-by|telepathy"]\n', "telepathy"),
        ('[actions]\nflag = ["explode"]\n', "explode"),
        ('extends = "nonexistent"\n', "unknown policy preset"),
        ("mode = 'sometimes'\n", "mode"),
        ("this is not toml\n", "not valid TOML"),
        ('[verdicts]\nsize = "hold"\n', "family/name"),
    ],
)
def test_invalid_policies_are_config_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_policy(str(path), tmp_path)


def test_unknown_preset_name() -> None:
    with pytest.raises(ConfigError) as error:
        load_policy("qemuu", Path())
    assert error.value.hint is not None and "qemu" in error.value.hint
