"""
Validation of a policy: pydantic models derived from the schema's dataclasses on first use.

`schema.py` writes every table once, as a frozen dataclass; a run on a shipped preset never
validates, so pydantic is imported only here, when a project's own file (or a recorded policy
document) is read. Each table becomes a model of the same name, keys and types, its nested
tables their models, each key's `metadata` its bounds and `FIELD_CHECKS` its checks, unknown
keys forbidden: the messages a user sees are pydantic's for a model written by hand.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from patchvet.policy.schema import FIELD_CHECKS, Policy, declared, dump, is_table, keys_of, trusted

_CONFIG = ConfigDict(extra="forbid", frozen=True)


def validate_policy(data: dict[str, Any]) -> Policy:
    """A policy from a file's resolved tables; pydantic's ValidationError lists what is wrong."""
    checked = model_of(Policy).model_validate(data)
    return trusted(Policy, checked.model_dump(exclude_unset=True))


def policy_json(policy: Policy) -> str:
    """The policy as a JSON document (compact, keys in schema order), as pydantic writes it."""
    return model_of(Policy).model_validate(dump(policy)).model_dump_json()


def policy_from_json(text: str) -> Policy:
    """A policy from a document `policy_json` wrote; ValueError when it is not one."""
    checked = model_of(Policy).model_validate_json(text)
    return trusted(Policy, checked.model_dump(exclude_unset=True))


@cache
def model_of(table: type) -> type[BaseModel]:
    """The pydantic model of one schema table."""
    fields: dict[str, Any] = {}
    validators: dict[str, Any] = {}
    types_of = declared(table)
    for key in keys_of(table):
        if key.default is not dataclasses.MISSING:
            default: Any = Field(default=key.default, **key.metadata)
        elif key.default_factory is not dataclasses.MISSING:
            default = Field(default_factory=key.default_factory, **key.metadata)
        else:
            default = Field(**key.metadata)
        fields[key.name] = (_derived(types_of[key.name]), default)
        check = FIELD_CHECKS.get((table, key.name))
        if check is not None:
            validators[f"_check_{key.name}"] = field_validator(key.name)(_as_validator(check))
    model: type[BaseModel] = create_model(
        table.__name__, __config__=_CONFIG, __doc__=table.__doc__, __validators__=validators,
        **fields,
    )  # fmt: skip
    return model


def _as_validator(check: typing.Callable[[Any], Any]) -> Any:
    def validator(cls: type, value: Any) -> Any:
        return check(value)

    return classmethod(validator)


def _derived(annotation: Any) -> Any:
    """`annotation` with every schema table in it replaced by its model."""
    if is_table(annotation):
        return model_of(annotation)
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is list:
        return types.GenericAlias(list, (_derived(arguments[0]),))
    if origin is dict:
        return types.GenericAlias(dict, (arguments[0], _derived(arguments[1])))
    if origin in (types.UnionType, typing.Union):
        return typing.Union[tuple(_derived(argument) for argument in arguments)]  # noqa: UP007
    return annotation
