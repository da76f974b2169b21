"""
How fast `patchvet check` is on real patches, interpreter start and the model included.

Three measurements, each run as child processes the way a user runs them:

- `dir`: `patchvet check DIR --format json` over N real `git format-patch` files taken in turn
  from the given repositories (distinct commits, newest first), for each N of `--counts`;
  patches per second and the peak memory of the whole process tree (main + workers);
- `git`: `patchvet check --git RANGE --format json` over the newest N commits of a repository
  against `git log -p` over the same range (the floor: git has to print the diffs);
- `one`: `patchvet check ONE.patch`, text report then `--format json`, wall and CPU time. A
  package installed by pip has its bytecode compiled, but a development environment may run
  with PYTHONDONTWRITEBYTECODE=1 and recompile patchvet from source on every run; so the
  installed package is compiled first (`python -m compileall -q`), as a user's install is.
  With `--source`, the runs are first timed without patchvet's bytecode (its `__pycache__`
  folders removed, PYTHONDONTWRITEBYTECODE=1), the figure such an environment sees;
- `big`: one patch at a time of three made-up large shapes (no repository needed): 3.8 MB of
  random bytes as a `GIT binary patch`, 90,000 added lines of C (each about 5 MB), and a
  one-megabyte commit subject (held by the time budget); peak memory and CPU of each.

Each measurement is repeated `--repeat` times; the best and the median are printed with the
load average seen before each run (the development machine is shared), and the CPU time of the
whole process tree (user + system, workers included), the steadier figure on a loaded machine.
`--data DIR` keeps the exported patch sets in DIR and reuses them on the next run.

    python benchmarks/check_speed.py dir --repo /path/datasette --repo /path/sqlite-utils \
        --repo /path/prql --counts 1000 4000 16000
    python benchmarks/check_speed.py git --repo /path/strace --count 10000
    python benchmarks/check_speed.py one --repo /path/datasette --repeat 5
    python benchmarks/check_speed.py big --repeat 1
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import itertools
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

_ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _patchvet() -> str:
    found = shutil.which("patchvet")
    if found is None:
        sys.exit("patchvet is not installed: python3 -m pip install .")
    return found


def _name(repo: Path) -> str:
    """A mirror at `owner+name/repo` or a clone's `.git` is named by its parent folder."""
    return repo.parent.name if repo.name in ("repo", ".git") else repo.name


def export_patches(repo: Path, count: int, out: Path) -> list[Path]:
    """The newest `count` non-merge commits of `repo` as format-patch files."""
    out.mkdir(parents=True)
    subprocess.run(
        ["git", "-C", str(repo), "format-patch", "-q", "--no-merges", "-o", str(out),
         f"--max-count={count}", "HEAD"],
        check=True, env=_ENV, capture_output=True,
    )  # fmt: skip
    return sorted(out.iterdir())


def _corpus(repos: list[Path], count: int, work: Path, export: int) -> tuple[Path, dict[str, int]]:
    """
    `count` distinct patches, taken in turn from each repository's newest `export` commits,
    in one folder (so a smaller set is the start of a larger one; a repository with fewer
    commits than its share leaves the largest set short, and the benchmark stops).
    """
    outs = [work / "export" / f"{_name(repo)}-{export}" for repo in repos]
    exported = [
        sorted(out.iterdir()) if out.is_dir() else export_patches(repo, export, out)
        for repo, out in zip(repos, outs, strict=True)
    ]
    folder = work / f"patches-{count}"
    if folder.is_dir():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    taken: dict[str, int] = {_name(repo): 0 for repo in repos}
    turns = itertools.chain.from_iterable(itertools.zip_longest(*exported))
    for index, path in enumerate(itertools.islice(filter(None, turns), count)):
        os.link(path, folder / f"{index:06d}.patch")
        taken[path.parent.name.rsplit("-", 1)[0]] += 1
    if sum(taken.values()) < count:
        sys.exit(f"the repositories hold only {sum(taken.values())} non-merge commits")
    return folder, taken


def _load() -> float:
    return os.getloadavg()[0]


def _tree_rss_kib(root: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    total = 0
    pending = [root]
    while pending:
        pid = pending.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        pending += [int(child) for child in children]
    return total


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _timed(
    command: list[str], cwd: Path | None = None, environ: dict[str, str] | None = None
) -> tuple[float, int, float]:
    """Wall seconds, the peak resident memory of the process tree in KiB (sampled), and the
    CPU seconds of the tree (a worker's time counts once its parent has waited for it)."""
    peak = 0
    cpu = _cpu()
    started = time.perf_counter()
    with subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environ or _ENV
    ) as process:
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.02):
                peak = max(peak, _tree_rss_kib(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = process.wait()
        done.set()
        sampler.join()
    elapsed = time.perf_counter() - started
    if code not in (0, 1):
        sys.exit(f"{command[:4]} exited {code}")
    return elapsed, peak, _cpu() - cpu


def _repeat(
    label: str, runs: int, once: Callable[[], tuple[float, int, float]]
) -> tuple[list[float], list[float]]:
    times, cpus = [], []
    for _ in range(runs):
        load = _load()
        elapsed, peak, cpu = once()
        times.append(elapsed)
        cpus.append(cpu)
        print(
            f"  {label}: {elapsed:.2f} s wall, {cpu:.2f} s CPU, peak tree RSS "
            f"{peak / 1024:.0f} MiB, load {load:.2f} before, {_load():.2f} after"
        )
    return times, cpus


def _dir(args: argparse.Namespace) -> None:
    patchvet = _patchvet()
    with tempfile.TemporaryDirectory(prefix="patchvet-speed-") as raw:
        work = args.data or Path(raw)
        for count in args.counts:
            each = -(-max(args.counts) // len(args.repo))  # an equal share of the largest set
            folder, taken = _corpus(args.repo, count, work, each)
            size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
            print(f"{count} patches ({size:.1f} MB): {taken}")
            report = work / "report.json"
            command = [patchvet, "check", str(folder), "--format", "json", "-o", str(report)]
            command += ["--skip-unreadable"] + (["--jobs", str(args.jobs)] if args.jobs else [])
            for path in folder.iterdir():  # read once, so the runs time no disk
                path.read_bytes()
            times, cpus = _repeat(f"{count}", args.repeat, functools.partial(_timed, command))
            judged = len(json.loads(report.read_text(encoding="utf-8"))["contributions"])
            print(f"  the report judged {judged} contributions")
            best, median, cpu = min(times), statistics.median(times), min(cpus)
            print(
                f"{count}: best {best:.2f} s = {count / best:.0f} patches/s, "
                f"median {median:.2f} s = {count / median:.0f} patches/s; "
                f"CPU {cpu:.2f} s = {cpu / count * 1000:.2f} ms a patch "
                f"({2 * count / cpu:.0f} patches/s on two idle cores)"
            )


def _git(args: argparse.Namespace) -> None:
    patchvet = _patchvet()
    (repo,) = args.repo
    newest = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--no-merges", f"--max-count={args.count}", "HEAD"],
        check=True, capture_output=True, text=True, env=_ENV,
    ).stdout.split()  # fmt: skip
    oldest = newest[-1]
    revision = f"{oldest}~1..HEAD" if len(newest) == args.count else "HEAD"
    print(f"{_name(repo)}: {revision} ({len(newest)} non-merge commits)")
    log = ["git", "-C", str(repo), "log", "-p", "--no-merges", "--reverse", revision]
    check = [patchvet, "check", "--git", revision, "--repo", str(repo), "--format", "json"]
    check += ["--skip-unreadable"] + (["--jobs", str(args.jobs)] if args.jobs else [])
    git_times, git_cpus = _repeat("git log -p", args.repeat, lambda: _timed(log))
    check_times, check_cpus = _repeat("check --git", args.repeat, lambda: _timed(check))
    for name, pick in (("best", min), ("median", statistics.median)):
        ratio = pick(check_times) / pick(git_times)
        print(f"{name}: git log -p {pick(git_times):.2f} s, check --git "
              f"{pick(check_times):.2f} s = {ratio:.2f}x")  # fmt: skip
    print(f"CPU: git log -p {min(git_cpus):.2f} s, check --git {min(check_cpus):.2f} s "
          f"(git included) = {min(check_cpus) / min(git_cpus):.2f}x")  # fmt: skip


def _installed_package() -> Path:
    """The folder of the patchvet this interpreter imports (found without importing it)."""
    spec = importlib.util.find_spec("patchvet")
    if spec is None or spec.origin is None:
        sys.exit("patchvet is not installed: python3 -m pip install .")
    return Path(spec.origin).parent


def _one(args: argparse.Namespace) -> None:
    patchvet = _patchvet()
    package = _installed_package()
    with tempfile.TemporaryDirectory(prefix="patchvet-speed-") as raw:
        (patch,) = export_patches(args.repo[0], 1, Path(raw) / "one")
        for bytecode in ([False] if args.source else []) + [True]:
            if bytecode:  # what pip does when it installs a wheel
                subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
            else:
                for cache in sorted(package.rglob("__pycache__")):
                    shutil.rmtree(cache)
            environ = None if bytecode else {**_ENV, "PYTHONDONTWRITEBYTECODE": "1"}
            for report in ("text", "json"):
                command = [patchvet, "check", str(patch), "--format", report]
                label = f"--format {report}, {'bytecode' if bytecode else 'from source'}"
                once = functools.partial(_timed, command, environ=environ)
                times, cpus = _repeat(label, args.repeat, once)
                best, median = min(times) * 1000, statistics.median(times) * 1000
                cpu, cpu_median = min(cpus) * 1000, statistics.median(cpus) * 1000
                print(f"check one.patch {label}: best {best:.0f} ms, median {median:.0f} ms "
                      f"wall; CPU best {cpu:.0f} ms, median {cpu_median:.0f} ms")  # fmt: skip


def _big_patches(work: Path) -> list[Path]:
    repo = work / "big"
    repo.mkdir()

    def git(*args: str, data: bytes | None = None) -> None:
        subprocess.run(["git", "-C", str(repo), *args], input=data, check=True, env=_ENV,
                       capture_output=True)  # fmt: skip

    git("init", "-q")
    git("-c", "user.name=B", "-c", "user.email=b@example.org", "commit", "-q", "--allow-empty",
        "-m", "base")  # fmt: skip
    letters = random.Random(11)
    (repo / "demo.gif").write_bytes(letters.randbytes(3_800_000))
    table = "".join(
        f"    table[{n}] = 0x{letters.getrandbits(32):08x}; /* {'x' * letters.randrange(5, 30)} */"
        "\n"
        for n in range(90_000)
    )
    subject = "".join(letters.choice("abcdefghijklmnopqrstuvwxyz ABC.,") for _ in range(1_000_000))
    for name, content, message in (
        ("demo.gif", None, "Add an animated demo"),
        ("table.c", table, "Add a generated table"),
        ("note.txt", "a note\n", subject),
    ):
        if content is not None:
            (repo / name).write_text(content, encoding="utf-8")
        git("add", name)
        git("-c", "user.name=B", "-c", "user.email=b@example.org", "commit", "-q", "-F", "-",
            data=message.encode())  # fmt: skip
    git("format-patch", "-q", "-3", "-o", str(work / "out"))
    return sorted((work / "out").iterdir())


def _big(args: argparse.Namespace) -> None:
    patchvet = _patchvet()
    with tempfile.TemporaryDirectory(prefix="patchvet-speed-") as raw:
        for patch in _big_patches(Path(raw)):
            size = patch.stat().st_size / 1e6
            command = [patchvet, "check", str(patch), "--format", "json"]
            once = functools.partial(_timed, command)
            _repeat(f"{patch.name[:40]} ({size:.1f} MB)", args.repeat, once)


def main() -> int:
    """Parse the arguments and run one measurement."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["dir", "git", "one", "big"])
    parser.add_argument("--repo", type=Path, action="append", default=[])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 4000, 16000])
    parser.add_argument("--count", type=int, default=10_000, help="commits for `git`")
    parser.add_argument("--jobs", type=int, help="pass --jobs N (default: patchvet's own)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, help="keep (and reuse) the exported patch sets here")
    parser.add_argument(
        "--source", action="store_true", help="`one`: also time it without patchvet's bytecode"
    )
    args = parser.parse_args()
    if args.what != "big" and not args.repo:
        parser.error(f"{args.what} needs --repo")
    {"dir": _dir, "git": _git, "one": _one, "big": _big}[args.what](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
