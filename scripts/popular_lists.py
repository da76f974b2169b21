"""
Rebuild `src/patchvet/analyzers/data/popular-*.txt` from public, registry-derived rankings.

Each source is a public repository whose data is computed from the registry itself; bring
them with git first, then pass their git directories:

- PyPI: hugovk/top-pypi-packages, `top-pypi-packages-30-days.min.json` (the 15,000 most
  downloaded projects of the last 30 days, from PyPI's public download statistics).
- npm: wooorm/npm-high-impact, `lib/top.js` (packages with ≥ 1,000,000 downloads a week,
  most downloaded first, then the most depended-upon; from the npm registry).
- crates.io: huhu/rust-search-extension, `extension/index/crates.js` (the ~20,000 most
  downloaded crates, from the crates.io database dump; not ordered by rank).

Usage: python scripts/popular_lists.py --pypi GITDIR --npm GITDIR --crates GITDIR
Only names are written, one a line, most popular first where the source ranks them.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src" / "patchvet" / "analyzers" / "data"
_JS_STRING = re.compile(r"^\s*'([^']+)',?$", re.MULTILINE)
_CRATE_KEY = re.compile(r'[{,]"([A-Za-z0-9_-]+)":\[')


def _show(gitdir: Path, path: str) -> tuple[str, str, str]:
    """(content, commit, commit date) of `path` at HEAD of a bare or normal repository."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "--git-dir", str(gitdir), *args], capture_output=True, text=True, check=True
        ).stdout

    commit, date = git("log", "-1", "--format=%H %cs", "HEAD", "--", path).split()
    return git("show", f"HEAD:{path}"), commit, date


def _write(name: str, header: list[str], names: list[str]) -> None:
    seen: set[str] = set()
    unique = [n for n in names if not (n in seen or seen.add(n))]
    lines = [f"# {line}" if line else "#" for line in header] + unique
    (DATA / f"popular-{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"popular-{name}.txt: {len(unique)} names")


def main() -> None:
    """Rebuild the lists that have a source given."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pypi", type=Path)
    parser.add_argument("--npm", type=Path)
    parser.add_argument("--crates", type=Path)
    parser.add_argument(
        "--crates-head",
        type=Path,
        help="names to put first as lookalike targets (the source lacks some of the most "
        "downloaded crates, e.g. tokio and serde)",
    )
    args = parser.parse_args()
    if args.pypi:
        path = "top-pypi-packages-30-days.min.json"
        text, commit, date = _show(args.pypi, path)
        rows = json.loads(text)["rows"]
        _write("pypi", [
            "The most downloaded PyPI projects of 30 days, most downloaded first.",
            f"Source: github.com/hugovk/top-pypi-packages {path} at {commit[:12]} ({date}),",
            "computed from PyPI's public download statistics. Rebuilt by scripts/popular_lists.py.",
            "targets: 2000",
        ], [row["project"] for row in rows])  # fmt: skip
    if args.npm:
        path = "lib/top.js"
        text, commit, date = _show(args.npm, path)
        _write("npm", [
            "npm packages downloaded >= 1,000,000 times a week (most downloaded first), then the",
            "most depended-upon. Source: github.com/wooorm/npm-high-impact",
            f"{path} at {commit[:12]} ({date}), from the npm registry. Rebuilt by",
            "scripts/popular_lists.py.",
            "targets: 2000",
        ], _JS_STRING.findall(text))  # fmt: skip
    if args.crates:
        path = "extension/index/crates.js"
        text, commit, date = _show(args.crates, path)
        names = sorted({name.replace("_", "-") for name in _CRATE_KEY.findall(text)})
        head = []
        if args.crates_head:
            head = [n for n in args.crates_head.read_text().split() if not n.startswith("#")]
        _write("crates", [
            f"First {len(head)} names: widely used crates listed by hand (the lookalike targets);",
            "the source below lacks some of the most downloaded crates (tokio, serde).",
            "Then crates among the ~20,000 most downloaded that the source indexes (not ranked;",
            f"'_' written '-'). Source: github.com/huhu/rust-search-extension {path} at",
            f"{commit[:12]} ({date}), built from the crates.io database dump.",
            "Rebuilt by scripts/popular_lists.py.",
            f"targets: {len(head)}" if head else "",
        ], head + names)  # fmt: skip


if __name__ == "__main__":
    main()
