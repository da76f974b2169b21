"""
The features of a fixed set of real-shaped contributions are exactly those recorded from the
implementation before the speed work (issue 11): same dense values, same buckets, same log
counts, in the same order, so every model scores them exactly as before, whatever its weights.

`expected-features.json` holds a SHA-256 of each contribution's features (the `repr` of every
float is exact) and how many buckets it fills; regenerate it only for a deliberate change of
feature semantics (`python -m tests.model.test_feature_record`), never for an optimisation.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from patchvet.model.features import dense, hashed, view
from patchvet.records import ChangeStatus, Contribution, SourceKind
from patchvet.sources import read_path
from tests.helpers import added, contribution

ASSETS = Path(__file__).parent.parent / "assets"
RECORD = ASSETS / "features" / "expected-features.json"


def _built() -> dict[str, Contribution]:
    """Shapes no patch file carries: pull requests, surrogates, tiny and odd messages."""
    code = ("def f(x):", "    return x  # fine", "\tif (x) {", "", "    ", "x = 1 ")
    return {
        "built:empty-subject": contribution("", files=(added("a.py", *code),)),
        "built:two-chars": contribution("ab", files=(added("a/b/c.txt", "hi"),)),
        "built:crlf-tabs": contribution(
            "Fix\tthe parser\r\n\r\n * first\r\n * second\r\n", files=(added("p.c", *code),)
        ),
        "built:pull-request-surrogate": contribution(
            kind=SourceKind.PULL_REQUEST,
            description="Adds a cache \ud800 for lookups.\n\n- [x] tests\n<!-- template -->",
            files=(added("cache.py", "CACHE = {}  # \udcff", status=ChangeStatus.ADDED),),
        ),
        "built:emoji-and-cjk": contribution(
            "✨ 添加缓存 for the lookups 🚀\n\n说明：缓存命中率 — naïve café",
            files=(added("src/缓存.rs", "// 缓存 👍", 'let x = "日本語";'),),
        ),
        "built:only-lock-file": contribution("Bump", files=(added("package-lock.json", "{}"),)),
        "built:pasted-size-report": contribution(
            "ash: code shrink\n\nFold two loops.\n\n"
            "function                                             old     new   delta\n"
            "evalcmd                                              120     108     -12\n"
            "------------------------------------------------------------------------------\n"
            "(add/remove: 0/0 grow/shrink: 0/1 up/down: 0/-12)             Total: -12 bytes",
            files=(added("shell/ash.c", *code),),
        ),
        "built:long-lines": contribution(
            "Refactor " + "word " * 400 + "\n\n" + ("Body text line. " * 80 + "\n") * 6,
            files=(added("x/y.go", *("\tfoo := bar(" + "a, " * 60 + ")" for _ in range(500))),),
        ),
    }


def fixtures() -> dict[str, Contribution]:
    """Every fixture by a stable name: the patch assets, these features' own, and built ones."""
    found: dict[str, Contribution] = {}
    for folder in (ASSETS / "patches", ASSETS / "features"):
        for item in read_path(folder):
            if isinstance(item, Contribution):
                found[f"{folder.name}/{Path(item.source).name}"] = item
    return found | _built()


def digest(item: Contribution, compiled: bool = True) -> dict[str, object]:
    """A fingerprint of everything the model reads of `item` (computed in C or in Python)."""
    seen = view(item)
    values = dense(seen, compiled=compiled)
    buckets = list(hashed(seen, values, compiled=compiled).items())
    text = repr((values, buckets))
    return {"sha256": hashlib.sha256(text.encode()).hexdigest(), "buckets": len(buckets)}


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("name", sorted(fixtures()))
def test_features_equal_the_recorded_ones(name: str, compiled: bool) -> None:
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    assert digest(fixtures()[name], compiled) == recorded[name]


def test_every_recorded_fixture_is_still_there() -> None:
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    assert set(recorded) == set(fixtures())
    assert len(recorded) >= 20


if __name__ == "__main__":
    RECORD.write_text(
        json.dumps({name: digest(item) for name, item in sorted(fixtures().items())}, indent=1)
        + "\n",
        encoding="utf-8",
    )
