"""`patchvet dashboard`: a real process on 127.0.0.1 that prints the URL which logs a browser in."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from patchvet.cli import main
from tests.helpers import GitRepo
from tests.service.conftest import free_port


def test_dashboard_prints_a_token_url_that_logs_in(repo: GitRepo, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'l.db'}"
    repo.commit("Add <b>a</b>", {"a.txt": "a\n"}, author="Ann <ann@example.org>")
    assert main(["check", "--git", "HEAD", "--repo", str(repo.path), "--record", "--db", db,
                 "--format", "json", "-o", str(tmp_path / "r.json")]) in (0, 1)  # fmt: skip
    port = free_port()
    command = [sys.executable, "-m", "patchvet", "dashboard", "--db", db, "--port", str(port),
               "--as", "max"]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env={**os.environ}) as process:  # fmt: skip
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            prefix = f"patchvet dashboard: open http://127.0.0.1:{port}/login?token="
            assert line.startswith(prefix), line
            _log_in(line.split("open ", 1)[1].strip(), port)
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=20)


def _log_in(url: str, port: int) -> None:
    with httpx.Client(timeout=20) as client:
        for _ in range(100):
            try:
                refused = client.get(f"http://127.0.0.1:{port}/")
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert refused.status_code == 403
        assert client.get(url + "x").status_code == 403
        opened = client.get(url, follow_redirects=True)
        assert opened.status_code == 200
        assert "Add &lt;b&gt;a&lt;/b&gt;" in opened.text


def test_dashboard_with_a_bad_ledger_url_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dashboard", "--db", "mysql://nowhere", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("patchvet: error: unsupported ledger URL") and "Traceback" not in err
