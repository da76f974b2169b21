"""A large synthetic git history, made fast with `git fast-import`."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def make_history(path: Path, commits: int, authors: int = 300, seed: int = 3) -> Path:
    """A repository of `commits` commits by `authors` people, each touching one or two files."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True, env=ENV)
    lines = []
    when = 1_600_000_000
    for mark in range(1, commits + 1):
        who = rng.randrange(authors)
        when += rng.randint(60, 7200)
        body = "".join(
            f"def f_{mark}_{n}(x):\n    return x + {n}\n" for n in range(rng.randint(1, 12))
        )
        message = f"module: change {mark}\n\nWhy change {mark} is needed.\n"
        if rng.random() < 0.2:
            message += "\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
        lines += [
            "commit refs/heads/main",
            f"mark :{mark}",
            f"author Dev {who} <dev{who}@example.org> {when} +0000",
            f"committer Dev {who} <dev{who}@example.org> {when} +0000",
            f"data {len(message.encode())}",
            message,
        ]
        if mark > 1:
            lines.append(f"from :{mark - 1}")
        data = body.encode()
        lines += [f"M 100644 inline src/m{rng.randrange(200)}.py", f"data {len(data)}", body, ""]
    stream = "\n".join(lines).encode()
    subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"], input=stream, check=True,
                   env=ENV)  # fmt: skip
    subprocess.run(["git", "-C", str(path), "reset", "-q", "--hard", "main"], check=True, env=ENV)
    return path
