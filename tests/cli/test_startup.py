"""A command imports what it needs: `check` neither the service stack, nor training, nor rich
for a JSON report; `--version` hardly anything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PATCH = Path(__file__).parent.parent / "assets" / "patches" / "0002-core-count-distinct-items.patch"


def _modules_after(*argv: str) -> set[str]:
    code = (
        "import contextlib, io, json, sys\n"
        "from patchvet.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    try:\n        main({list(argv)!r})\n    except SystemExit:\n        pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def _loaded(modules: set[str], prefix: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for name in modules)


def test_check_with_a_json_report_imports_only_what_it_uses() -> None:
    modules = _modules_after("check", str(PATCH), "--format", "json")
    assert _loaded(modules, "numpy")  # the model scored the patch
    for unneeded in ("rich", "patchvet.service", "celery", "patchvet.model.train", "scipy"):
        assert not _loaded(modules, unneeded), unneeded


def test_a_text_report_brings_rich() -> None:
    assert _loaded(_modules_after("check", str(PATCH)), "rich")


def test_version_imports_no_command() -> None:
    modules = _modules_after("--version")
    assert not _loaded(modules, "patchvet.cli.check")
    assert not _loaded(modules, "pydantic")
