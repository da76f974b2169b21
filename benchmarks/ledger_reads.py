"""
Time the ledger reads made for one contribution, on SQLite holding 100,000 contributions.

    python benchmarks/ledger_reads.py [--contributions 100000] [--samples 2000]

The ledger is filled through its own `record` path in one transaction per 1,000 contributions
(5,000 people, a tenth of them vouched), then `view` is timed for random contributors.
Target: under 5 ms per contribution.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from patchvet.ledger import open_ledger
from patchvet.policy import load_preset
from patchvet.records import Assessment, Commit, Contribution, Identity, Scores, SourceKind, Verdict


def _contribution(n: int, person: int, when: str) -> Contribution:
    author = Identity(name=f"Dev {person}", email=f"dev{person}@example.org")
    commit = Commit(f"{n:040x}", author, author, f"change {n}", f"change {n}")
    return Contribution(source=f"{n:040x}", id=f"{n:040x}", kind=SourceKind.COMMIT,
                        title=f"change {n}", author=author, commits=(commit,),
                        created_at=when, state="merged")  # fmt: skip


def main() -> int:
    """Fill, sample, print percentiles."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contributions", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--samples", type=int, default=2_000)
    args = parser.parse_args()
    policy = load_preset("rust")  # the circuit breaker adds its reads too
    rng = random.Random(5)
    with tempfile.TemporaryDirectory(prefix="patchvet-reads-") as raw:
        ledger = open_ledger(f"sqlite:///{Path(raw) / 'ledger.db'}")
        started = time.perf_counter()
        for start in range(0, args.contributions, 1000):
            with ledger.transaction():
                for n in range(start, min(start + 1000, args.contributions)):
                    day = 1 + n * 700 // args.contributions
                    item = _contribution(n, rng.randrange(args.people),
                                         f"2025-{1 + (day - 1) // 60:02d}-{1 + (day - 1) % 28:02d}"
                                         f"T{n % 24:02d}:00:00Z")  # fmt: skip
                    scores = Scores(size_lines=10, size_bucket="S", files=1)
                    ledger.record(Assessment(item, Verdict.PASS, (), scores), "bench", policy)
        filled = time.perf_counter() - started
        for person in range(0, args.people, 10):
            ledger.vouch(("email", f"dev{person}@example.org"), "vouch", "bench", "sample")
        timings = []
        for n in range(args.samples):
            probe = dataclasses.replace(
                _contribution(args.contributions + n, rng.randrange(args.people),
                              "2026-01-01T00:00:00Z"),
                state="open",
            )  # fmt: skip
            started = time.perf_counter()
            ledger.view(probe, policy, "bench")
            timings.append((time.perf_counter() - started) * 1000)
        ledger.close()
    timings.sort()
    print(f"contributions:  {args.contributions} ({filled:.0f} s to record)")
    print(f"view p50:       {statistics.median(timings):.2f} ms")
    print(f"view p95:       {timings[int(len(timings) * 0.95)]:.2f} ms")
    print(f"view max:       {timings[-1]:.2f} ms (target: under 5 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
