"""
Time `patchvet check` over a directory of patches, interpreter start included.

It exports commits with `git format-patch` (from a repository it builds with varied commits,
or with `--source-repo` from a real clone's history), copies them up to `--count` patch files,
then runs the installed `patchvet check DIR --format json` as a child process and reports
patches per second and the child's peak memory. The agent-likelihood model is included when
the package ships one. Run it with different counts to see that memory stays flat.

    python benchmarks/check_throughput.py --count 10000
    python benchmarks/check_throughput.py --count 4000 --source-repo ../some-clone
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_speed import export_patches  # the same patch sets as check_speed

_ENV = {
    **os.environ,
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Bench Author",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "Bench Author",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
}
_TRAILERS = [
    "Signed-off-by: Bench Author <bench@example.org>",
    "Co-Authored-By: Claude <noreply@anthropic.com>",
    "Assisted-by: Claude:claude-opus-4-6 coccinelle",
    "Reviewed-by: Someone Else <else@example.org>",
]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=_ENV, capture_output=True)


def _source_patches(work: Path, commits: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    repo = work / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    for index in range(commits):
        for _ in range(rng.randint(1, 4)):
            folder = rng.choice(["src", "lib", "tests", "docs", ".github/workflows"])
            target = repo / folder / f"module_{rng.randint(0, 30)}.py"
            target.parent.mkdir(parents=True, exist_ok=True)
            lines = [
                f"def function_{index}_{n}(value):\n    return value * {n}  # step {n}\n"
                for n in range(rng.randint(3, 40))
            ]
            with target.open("a", encoding="utf-8") as stream:
                stream.writelines(lines)
        trailers = "\n".join(rng.sample(_TRAILERS, rng.randint(1, 2)))
        message = f"module: change number {index}\n\nExplain the change {index}.\n\n{trailers}"
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", message)
    out = work / "source"
    _git(repo, "format-patch", "-q", "-o", str(out), f"--max-count={commits}", "HEAD")
    return sorted(out.iterdir())


def _fill(directory: Path, sources: list[Path], count: int) -> None:
    directory.mkdir()
    for index in range(count):
        shutil.copyfile(sources[index % len(sources)], directory / f"{index:06d}.patch")


def main() -> int:
    """Build the corpus, time one run, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="patch files to check")
    parser.add_argument("--distinct", type=int, default=200, help="distinct commits to export")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--source-repo",
        type=Path,
        metavar="PATH",
        help="export real commits from this clone instead of synthetic ones",
    )
    args = parser.parse_args()
    patchvet = shutil.which("patchvet")
    if patchvet is None:
        print("patchvet is not installed: python3 -m pip install .", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="patchvet-bench-") as raw:
        work = Path(raw)
        distinct = min(args.distinct, args.count)
        sources = (
            export_patches(args.source_repo, distinct, work / "source")
            if args.source_repo
            else _source_patches(work, distinct, args.seed)
        )
        corpus = work / "patches"
        _fill(corpus, sources, args.count)
        size = sum(path.stat().st_size for path in corpus.iterdir())
        started = time.perf_counter()
        done = subprocess.run(
            [patchvet, "check", str(corpus), "--format", "json", "-o", str(work / "report.json")],
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        if done.returncode not in (0, 1):
            print(done.stderr, file=sys.stderr)
            return 2
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"patches:        {args.count} ({size / 1e6:.1f} MB)")
    print(f"elapsed:        {elapsed:.2f} s (interpreter start included)")
    print(f"throughput:     {args.count / elapsed:.0f} patches/s")
    print(f"peak memory:    {peak_mib:.0f} MiB (largest child process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
