"""`identity/style-shift`: a sudden break from a contributor's own record, through `main`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from patchvet.analyzers.continuity import SHIFTED, SHIFTED_WITH_NEW_KEY
from patchvet.model.calibrate import fingerprint
from patchvet.model.scorer import shipped_model
from tests.cli.test_calibrate import AGENT_FILE, AGENT_MESSAGE, agentish, terse
from tests.helpers import GitRepo, run_cli
from tests.ledger.conftest import ledger_url  # noqa: F401  (both engines)

MIDDLING = "\n\n".join(AGENT_MESSAGE.split("\n\n")[:4]) + (
    "\n\n- Added comprehensive test coverage\n- Updated documentation"
)


def replay(
    capsys: pytest.CaptureFixture[str], repo: GitRepo, url: str, *extra: str
) -> list[dict[str, Any]]:
    code, out, err = run_cli(capsys, "check", "--git", "HEAD~1..HEAD", "--repo", str(repo.path),
                             "--record", "--db", url, "--format", "json", *extra)  # fmt: skip
    assert code == 0, err
    return list(json.loads(out)["contributions"])


def record_all(capsys: pytest.CaptureFixture[str], repo: GitRepo, url: str) -> None:
    code, _, err = run_cli(capsys, "check", "--git", "main", "--repo", str(repo.path), "--record",
                           "--db", url, "--format", "json")  # fmt: skip
    assert code == 0, err


def shift(contribution: dict[str, Any]) -> dict[str, Any] | None:
    found = [f for f in contribution["findings"] if f["id"] == "identity/style-shift"]
    return found[0] if found else None


def test_a_sudden_jump_after_a_long_low_record_is_noted(
    repo: GitRepo,
    capsys: pytest.CaptureFixture[str],
    ledger_url: str,  # noqa: F811
) -> None:
    for n in range(20):
        terse(repo, n)
    record_all(capsys, repo, ledger_url)
    agentish(repo, "config", "2022-03-01T00:00:00Z")
    [judged] = replay(capsys, repo, ledger_url)
    found = shift(judged)
    assert found is not None and found["severity"] == "low"
    values = {d["name"]: d["value"] for d in found["details"]}
    median = values["baseline_median"]
    assert f"against a median of {median:.2f} over 20 earlier contributions" in found["message"]
    assert values["score"] > 0.9 and values["baseline_median"] < 0.05
    assert values["jump"] == pytest.approx(values["score"] - values["baseline_median"], abs=1e-3)


def test_a_short_or_varied_record_is_no_baseline(
    repo: GitRepo,
    capsys: pytest.CaptureFixture[str],
    ledger_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    for n in range(20):
        terse(repo, n)
    record_all(capsys, repo, ledger_url)
    agentish(repo, "config", "2022-03-01T00:00:00Z")
    stricter = tmp_path / "p.toml"
    stricter.write_text('extends = "default"\n[identity]\nstyle_shift_after = 21\n')
    [judged] = replay(capsys, repo, ledger_url, "--policy", str(stricter))
    assert shift(judged) is None
    # Someone whose own record already holds agent-like work has no low baseline to break.
    for n in range(3):
        agentish(repo, f"mod{n}", f"2022-04-0{n + 1}T00:00:00Z", author="Bo <bo@example.org>")
    for n in range(20):
        terse(repo, 200 + n, year=2022, author="Bo <bo@example.org>")
    record_all(capsys, repo, ledger_url)
    agentish(repo, "late", "2022-12-01T00:00:00Z", author="Bo <bo@example.org>")
    [judged] = replay(capsys, repo, ledger_url)
    assert shift(judged) is None


def test_a_new_signing_key_lowers_the_bar(
    repo: GitRepo,
    capsys: pytest.CaptureFixture[str],
    ledger_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    keys = []
    for name in ("old", "new"):
        key = tmp_path / name
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
        keys.append(key)
    repo.git("config", "gpg.format", "ssh")
    repo.git("config", "commit.gpgsign", "true")
    repo.git("config", "user.signingkey", f"{keys[0]}.pub")
    repo.git("config", "user.email", "ann@example.org")
    for n in range(20):
        terse(repo, n)
    record_all(capsys, repo, ledger_url)
    files: dict[str, str | bytes] = {"src/config/validate.py": AGENT_FILE}
    repo.commit(MIDDLING, files, author="Ann <ann@example.org>", date="2022-05-01T00:00:00Z")
    model = shipped_model()
    assert model is not None
    # A calibrated bar well above these scores, so only a new key can make them a shift.
    bar = 0.99999
    policy = tmp_path / "p.toml"
    policy.write_text(
        f'extends = "default"\n[likelihood]\nthreshold = {bar}\n[likelihood.calibration]\n'
        f'model = "{fingerprint(model)}"\ncommits = 3000\nrange = "r"\nfalse_flag_rate = 0.01\n'
    )
    assert max(SHIFTED, model.threshold) <= bar
    [same_key] = replay(capsys, repo, ledger_url, "--policy", str(policy))
    assert SHIFTED_WITH_NEW_KEY <= same_key["scores"]["agent_likelihood"] < bar
    assert shift(same_key) is None
    repo.git("config", "user.signingkey", f"{keys[1]}.pub")
    # Committed and signed by someone else (GitHub signs web merges): not Ann's new key.
    repo.git("config", "user.email", "noreply@github.com")
    repo.commit(MIDDLING.replace("config", "store"), {"src/store/validate.py": AGENT_FILE},
                author="Ann <ann@example.org>", date="2022-05-02T00:00:00Z")  # fmt: skip
    [merged] = replay(capsys, repo, ledger_url, "--policy", str(policy))
    assert SHIFTED_WITH_NEW_KEY <= merged["scores"]["agent_likelihood"] < bar
    assert shift(merged) is None
    repo.git("config", "user.email", "ann@example.org")
    repo.commit(MIDDLING.replace("config", "cache"), {"src/cache/validate.py": AGENT_FILE},
                author="Ann <ann@example.org>", date="2022-05-03T00:00:00Z")  # fmt: skip
    [new_key] = replay(capsys, repo, ledger_url, "--policy", str(policy))
    assert SHIFTED_WITH_NEW_KEY <= new_key["scores"]["agent_likelihood"] < bar
    found = shift(new_key)
    assert found is not None and "signed with a key never seen from them" in found["message"]
    assert "new_signing_key" in {d["name"] for d in found["details"]}


def test_a_project_calibrated_higher_needs_a_higher_jump(
    repo: GitRepo,
    capsys: pytest.CaptureFixture[str],
    ledger_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    model = shipped_model()
    assert model is not None
    for n in range(20):
        terse(repo, n)
    record_all(capsys, repo, ledger_url)
    agentish(repo, "config", "2022-03-01T00:00:00Z")
    calibrated = tmp_path / "p.toml"
    calibrated.write_text(
        'extends = "default"\n[likelihood]\nthreshold = 0.999999\n[likelihood.calibration]\n'
        f'model = "{fingerprint(model)}"\ncommits = 3000\nrange = "r"\nfalse_flag_rate = 0.01\n'
    )
    [judged] = replay(capsys, repo, ledger_url, "--policy", str(calibrated))
    assert 0.9 <= judged["scores"]["agent_likelihood"] < 0.999999
    assert shift(judged) is None
