"""A resolved policy as commented TOML: every key, set or not, with what it accepts."""

from __future__ import annotations

import json
import re
from typing import Any

from patchvet.policy import Policy
from patchvet.policy.describe import Key, keys
from patchvet.policy.schema import ProtectedPath, dump, is_table, keys_of

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_key(key: str) -> str:
    """A TOML key, quoted when it is not bare."""
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def toml_value(value: Any) -> str:
    """An inline TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if is_table(value):
        return toml_value(dump(value, exclude_none=True))
    raise TypeError(f"no TOML for {type(value).__name__}")


def _comment(key: Key) -> str:
    text = f"{key.description} " if key.description else ""
    return f"# {text}Accepts {key.accepts}.\n"


def _key_lines(key: Key) -> str:
    if key.value is None:
        return _comment(key) + f"# {key.name} =    (unset)\n"
    return _comment(key) + f"{toml_key(key.name)} = {toml_value(key.value)}\n"


def render(policy: Policy) -> str:
    """The whole policy; `tomllib` reads it back to the same values."""
    scalars: list[str] = []
    tables: list[str] = []
    for key in keys(policy):
        if is_table(key.value):
            body = "".join(_key_lines(inner) for inner in keys(key.value))
            tables.append(f"\n[{key.name}]\n{body}")
        elif key.name == "protected_paths":
            tables.append(_protected(key))
        elif isinstance(key.value, dict):
            entries = "".join(
                f"{toml_key(str(k))} = {toml_value(v)}\n" for k, v in key.value.items()
            )
            tables.append(f"\n{_comment(key)}[{key.name}]\n{entries}")
        else:
            scalars.append(_key_lines(key))
    return "".join(scalars) + "".join(tables)


def _protected(key: Key) -> str:
    out = [f"\n{_comment(key)}"]
    entries: dict[str, ProtectedPath] = key.value
    for name, entry in entries.items():
        out.append(f"[protected_paths.{toml_key(name)}]\n")
        out += [_key_lines(inner) for inner in keys(entry)]
    if not entries:
        out.append("# [protected_paths.NAME]   (none set; each entry takes these keys)\n")
        for field in keys_of(ProtectedPath):
            out.append(f"#   {field.name}: \n")
    return "".join(out)
