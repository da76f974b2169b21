"""
What a policy file says that its types alone cannot check: finding ids and id globs that must
name real findings, and path globs that must compile. Every problem is
collected, so a maintainer fixes a policy in one pass.

The checks read the resolved TOML (before pydantic), tolerating wrong shapes: pydantic reports
those, and these report the rest, together.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Iterable, Mapping
from typing import Any

from patchvet.paths import matches
from patchvet.policy.catalog import FAMILIES, FINDINGS, known_ids

_GLOB_CHARS = frozenset("*?[")


def finding_pattern_problems(
    patterns: Iterable[object], where: str, protected_paths: Iterable[str] = ()
) -> list[str]:
    """
    Problems with finding ids or id globs (`[verdicts]` keys, `[ignore]` ids): each must be
    `family/name` and name, or match, at least one finding patchvet can report.
    """
    ids = known_ids(tuple(protected_paths))
    universe = (*ids, *(kind.id for kind in FINDINGS if kind.id.endswith("/*")))
    problems = []
    for pattern in patterns:
        if not isinstance(pattern, str):
            continue
        if "/" not in pattern:
            problems.append(f"{where}: {pattern!r} must be `family/name` or a glob like `family/*`")
        elif _GLOB_CHARS & set(pattern):
            if not _valid_glob(pattern):
                problems.append(f"{where}: {pattern!r} is not a valid glob")
            elif not any(fnmatch.fnmatchcase(known, pattern) for known in universe):
                problems.append(f"{where}: {pattern!r} matches no finding id")
        elif pattern not in ids:
            problems.append(f"{where}: unknown finding id {pattern!r}{_suggest(pattern, ids)}")
    return problems


def glob_problems(globs: object, where: str) -> list[str]:
    """Problems with path globs: each must be a glob patchvet can match with."""
    if not isinstance(globs, list):
        return []
    return [
        f"{where}: {glob!r} is not a valid glob ({reason})"
        for glob in globs
        if isinstance(glob, str) and (reason := _glob_error(glob)) is not None
    ]


def policy_problems(raw: Mapping[str, Any]) -> list[str]:
    """Every problem of a resolved policy's ids, id globs and path globs."""
    protected = raw.get("protected_paths")
    protected = protected if isinstance(protected, dict) else {}
    problems: list[str] = []
    verdicts = raw.get("verdicts")
    if isinstance(verdicts, dict):
        problems += finding_pattern_problems(verdicts, "verdicts", protected)
    ignore = raw.get("ignore")
    if isinstance(ignore, dict):
        problems += finding_pattern_problems(ignore, "ignore", protected)
        for pattern, rule in ignore.items():
            if isinstance(rule, dict):
                problems += glob_problems(rule.get("paths"), f"ignore.{pattern!r}.paths")
    maintainers = raw.get("maintainers")
    families = maintainers.get("exempt_families") if isinstance(maintainers, dict) else None
    if isinstance(families, list):
        problems += [
            f"maintainers.exempt_families: unknown finding family {family!r}"
            f"{_suggest(family, FAMILIES)}"
            for family in families
            if isinstance(family, str) and family not in FAMILIES
        ]
    for section, key in (("size", "exclude"), ("ci", "extra_paths")):
        table = raw.get(section)
        if isinstance(table, dict):
            problems += glob_problems(table.get(key), f"{section}.{key}")
    for name, entry in protected.items():
        if isinstance(entry, dict):
            problems += glob_problems(entry.get("paths"), f"protected_paths.{name}.paths")
    return problems


def _glob_error(glob: str) -> str | None:
    try:
        matches("probe", glob)
    except Exception as error:  # noqa: BLE001 - whatever the matcher refuses, say why
        return str(error) or type(error).__name__
    return None


def _valid_glob(pattern: str) -> bool:
    try:
        re.compile(fnmatch.translate(pattern))
    except re.error:
        return False
    return True


def _suggest(pattern: str, ids: Iterable[str]) -> str:
    close = difflib.get_close_matches(pattern, list(ids), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
