"""
Every key a policy can set, with what it means and what it accepts, for `policy show`: the
descriptions are the schema's own attribute docstrings, so they cannot drift from it. They are
read from the schema's source when asked for, not at import: every `check` imports the schema.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin

from patchvet.policy.schema import declared, is_table, keys_of


@dataclass(frozen=True)
class Key:
    """One key of a policy table."""

    name: str
    value: Any
    """The resolved value; None when unset."""
    description: str
    accepts: str


def keys(table: Any) -> Iterator[Key]:
    """The keys of one table in schema order, unset ones included."""
    kind: Any = type(table)
    documented, types_of = docstrings(kind), declared(kind)
    for field in keys_of(kind):
        description = " ".join(documented.get(field.name, "").split())
        accepted = accepts(types_of[field.name], field.metadata)
        yield Key(field.name, getattr(table, field.name), description, accepted)


@cache
def docstrings(table: Any) -> dict[str, str]:
    """The attribute docstrings of a schema class and its bases: the string after a field."""
    found: dict[str, str] = {}
    for cls in reversed(table.__mro__):
        if not is_table(cls):
            continue
        try:
            source = textwrap.dedent(inspect.getsource(cls))
        except (OSError, TypeError):
            continue
        node = ast.parse(source).body[0]
        if not isinstance(node, ast.ClassDef):
            continue
        for field, after in itertools.pairwise(node.body):
            if (
                isinstance(field, ast.AnnAssign)
                and isinstance(field.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                found[field.target.id] = inspect.cleandoc(after.value.value)
    return found


_BOUNDS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}


def accepts(annotation: Any, bounds: Mapping[str, float]) -> str:
    """`an integer ≥ 1`, `one of "allow", "forbid"`, `a list of strings`, …"""
    text = _type_text(annotation)
    shown = [f"{_BOUNDS[kind]} {bound}" for kind, bound in bounds.items() if kind in _BOUNDS]
    if shown:
        text += " " + " and ".join(shown)
    if _optional(annotation):
        text += ", or unset"
    return text


def _optional(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation)


def _type_text(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        parts = [a for a in get_args(annotation) if a is not type(None)]
        return " or ".join(_type_text(part) for part in parts)
    if origin is Literal:
        return "one of " + ", ".join(f'"{value}"' for value in get_args(annotation))
    if origin is list:
        (item,) = get_args(annotation)
        return f"a list of {_plural(_type_text(item))}"
    if origin is dict:
        key, value = get_args(annotation)
        return f"a table from {_type_text(key)} to {_type_text(value)}"
    if is_table(annotation):
        return "a table"
    names = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
    return names.get(annotation, str(annotation))


def _plural(text: str) -> str:
    if text.startswith(("a ", "an ")):
        return text.split(" ", 1)[1] + "s"
    if text.startswith("one of "):
        return "values, each " + text
    return text
