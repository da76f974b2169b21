"""The pipeline's arrows point one way: each part imports only what docs/architecture.md allows."""

from __future__ import annotations

import ast
from pathlib import Path

import patchvet

PACKAGE = Path(patchvet.__file__).parent

BASE = {"errors", "records", "paths", "linear", "budget", "__init__"}
"""Leaves every part may use: the error type, the shared records, path rules, linear-time
patterns, the time budget, the version."""

ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "records": {"errors"},
    "linear": set(),
    "budget": set(),
    "paths": {"linear"},
    "sources": BASE | {"compiled"},
    "marks": BASE | {"sources"},
    "_kernels": set(),  # compiled, typed by its `.pyi` stub
    "compiled": {"_kernels"},
    "model": BASE | {"sources", "marks", "compiled"},
    "policy": BASE,
    "ledger": BASE | {"policy"},
    "analyzers": BASE | {"sources", "marks", "model", "policy", "ledger"},
    "check": BASE | {"sources", "analyzers", "policy", "ledger"},
    "formats": BASE | {"policy", "compiled"},
    "github": BASE | {"sources", "policy", "check", "formats", "ledger", "analyzers", "account"},
    "watch": BASE | {"sources", "policy", "check", "formats", "ledger"},
    "account": BASE | {"sources", "marks", "github", "ledger"},
    "service": BASE | {"sources", "policy", "check", "formats", "ledger", "github"},
    "web": BASE | {"ledger", "policy", "formats"},
    "cli": set(),  # the top: checked apart, it may import anything
    "__main__": {"cli"},
}


def _imports(path: Path) -> set[str]:
    """The first-level parts of patchvet that a module imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "patchvet":
                found.add(parts[1] if len(parts) > 1 else "__init__")
    return found


def test_every_part_is_named_in_the_architecture() -> None:
    parts = {p.stem for p in PACKAGE.iterdir()
             if p.suffix in (".py", ".pyi") or (p / "__init__.py").exists()}  # fmt: skip
    assert parts - {"__init__"} == set(ALLOWED)


def test_imports_follow_the_pipeline() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        part = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if part in ("cli", "__init__"):
            continue
        allowed = ALLOWED[part]
        wrong += [
            f"{path.relative_to(PACKAGE)} imports patchvet.{target}"
            for target in sorted(_imports(path) - {part} - allowed)
        ]
    assert wrong == []


def test_no_command_modules_left_at_the_top() -> None:
    assert not list(PACKAGE.glob("_cli*.py"))
