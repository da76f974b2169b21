"""
Finding, reading and resolving policies.

A policy is TOML: a preset shipped in `presets/`, a file named with `--policy`, or the
repository's `.patchvet.toml` (or `[tool.patchvet]` in `pyproject.toml`). `extends = "<preset>"`
merges the preset under the file: tables merge key by key, every other value is replaced.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from patchvet.errors import ConfigError
from patchvet.policy.schema import Policy, trusted

PROJECT_FILE = ".patchvet.toml"
DEFAULT_PRESET = "default"


def preset_names() -> list[str]:
    """Names of the shipped presets, sorted, `default` first."""
    names = sorted(
        entry.name.removesuffix(".toml")
        for entry in files("patchvet.policy").joinpath("presets").iterdir()
        if entry.name.endswith(".toml")
    )
    return sorted(names, key=lambda name: (name != DEFAULT_PRESET, name))


def preset_text(name: str) -> str:
    """The TOML text of a preset, comments included."""
    if name not in preset_names():
        raise ConfigError(
            f"unknown policy preset {name!r}",
            hint=f"choose one of: {', '.join(preset_names())}, or pass a path to a TOML file",
        )
    return files("patchvet.policy").joinpath(f"presets/{name}.toml").read_text("utf-8")


def _parse(text: str, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{origin} is not valid TOML: {error}") from None


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _resolve(raw: dict[str, Any], origin: str, chain: tuple[str, ...] = ()) -> dict[str, Any]:
    parent = raw.get("extends")
    if parent is None:
        return raw
    if not isinstance(parent, str):
        raise ConfigError(f"{origin}: `extends` must be the name of a preset")
    if parent in chain:
        raise ConfigError(f"{origin}: `extends` loops through {' -> '.join((*chain, parent))}")
    base = _resolve(
        _parse(preset_text(parent), f"preset {parent}"), f"preset {parent}", (*chain, parent)
    )
    merged = _merge(base, raw)
    merged["extends"] = parent
    return merged


def _validate(raw: dict[str, Any], origin: str, default_name: str) -> Policy:
    from pydantic import ValidationError  # only a project's own file is validated

    from patchvet.policy.checked import validate_policy
    from patchvet.policy.validate import policy_problems

    resolved = _resolve(raw, origin)
    resolved["name"] = raw.get("name", default_name)
    problems: list[str] = []
    policy = None
    try:
        policy = validate_policy(resolved)
    except ValidationError as error:
        for each in error.errors():
            where = ".".join(str(part) for part in each["loc"]) or "top level"
            problems.append(f"{where}: {each['msg']}")
    problems += policy_problems(resolved)
    if problems:
        listed = "".join(f"\n  - {problem}" for problem in problems)
        count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        raise ConfigError(
            f"{origin}: {count}:{listed}",
            hint="`patchvet policy show default` lists every key; `patchvet findings` every id",
        )
    assert policy is not None
    return policy.from_origin(origin)


def load_preset(name: str, *, validate: bool = False) -> Policy:
    """
    A shipped preset, resolved. It is taken as written unless `validate`: the tests validate
    every preset and hold the two equal, and validating (with pydantic's import) would cost a
    run about a third of a one-patch check.
    """
    origin = f"preset {name}"
    raw = _parse(preset_text(name), origin)
    if validate:
        return _validate(raw, origin, name)
    resolved = _resolve(raw, origin)
    resolved["name"] = raw.get("name", name)
    return trusted(Policy, resolved).from_origin(origin)


def load_file(path: Path) -> Policy:
    """A policy file: `.patchvet.toml` style, or a `pyproject.toml` with `[tool.patchvet]`."""
    try:
        text = path.read_text("utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read policy {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"policy {path} is not UTF-8 text") from None
    return load_text(text, str(path))


def load_text(text: str, origin: str) -> Policy:
    """A policy from TOML text: `.patchvet.toml` style, or `pyproject.toml` when `origin` is."""
    raw = _parse(text, origin)
    if origin.endswith("pyproject.toml"):
        section = raw.get("tool", {}).get("patchvet")
        if not isinstance(section, dict):
            raise ConfigError(f"{origin} has no [tool.patchvet] table")
        raw = section
    return _validate(raw, origin, origin)


def discover(root: Path) -> Path | None:
    """The project's policy file under `root`, if it declares one."""
    candidate = root / PROJECT_FILE
    if candidate.is_file():
        return candidate
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            raw = tomllib.loads(pyproject.read_text("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
            return None
        if isinstance(raw.get("tool", {}).get("patchvet"), dict):
            return pyproject
    return None


def is_file_spec(spec: str) -> bool:
    """`--policy ./linux`, `conf/p.toml` and `p.toml` name files; `linux` names the preset."""
    return "/" in spec or "\\" in spec or spec.endswith(".toml") or spec.startswith(".")


def load_policy(spec: str | None, root: Path) -> Policy:
    """
    The policy for a run: `spec` names a preset or, when it looks like a path, a file; without
    it, the project's own file under `root`, else the `default` preset.
    """
    if spec is None:
        found = discover(root)
        return load_file(found) if found else load_preset(DEFAULT_PRESET)
    if is_file_spec(spec):
        path = Path(spec)
        if not path.exists():
            raise ConfigError(f"policy file {spec} does not exist")
        return load_file(path)
    if spec not in preset_names() and Path(spec).is_file():
        raise ConfigError(
            f"unknown policy preset {spec!r}",
            hint=f"to use the file named {spec}, write --policy ./{spec}",
        )
    return load_preset(spec)


def load_from_tree(read: Callable[[str], str | None], where: str) -> Policy | None:
    """
    The project's policy as a tree holds it (`read(path)` gives a file's text or None):
    `.patchvet.toml`, else `[tool.patchvet]` in `pyproject.toml`; None when it declares none.
    """
    text = read(PROJECT_FILE)
    if text is not None:
        return load_text(text, f"{where}:{PROJECT_FILE}")
    pyproject = read("pyproject.toml")
    if pyproject is not None:
        try:
            declares = isinstance(tomllib.loads(pyproject).get("tool", {}).get("patchvet"), dict)
        except tomllib.TOMLDecodeError:
            declares = False
        if declares:
            return load_text(pyproject, f"{where}:pyproject.toml")
    return None
