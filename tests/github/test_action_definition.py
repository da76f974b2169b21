"""
action.yml and the documented workflow: pinned by SHA, hash-locked dependencies that cover
patchvet's own, outputs that match what patchvet writes, and a README copy that is the file.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.github.conftest import seed_pull, write_event
from tests.github.double import GitHubDouble

ROOT = Path(__file__).parents[2]
ACTION = (ROOT / "action.yml").read_text()
WORKFLOW = (ROOT / "docs" / "workflow.yml").read_text()
_NAME = re.compile(r"[-_.]+")


def _normal(name: str) -> str:
    return _NAME.sub("-", name).lower()


def test_the_readme_workflow_is_the_documented_file() -> None:
    readme = (ROOT / "README.md").read_text()
    assert f"```yaml\n{WORKFLOW}```" in readme


def test_the_workflow_is_safe_and_complete() -> None:
    assert "ready_for_review" in WORKFLOW and "cancel-in-progress: true" in WORKFLOW
    assert re.search(r"concurrency:\n\s+group: patchvet-\$\{\{ github\.event\.pull_request"
                     r"\.number \|\| github\.event\.issue\.number \}\}", WORKFLOW)  # fmt: skip
    assert "actions/checkout" not in WORKFLOW.replace("No actions/checkout", "")
    assert "permissions: {}" in WORKFLOW  # nothing by default; the job asks for what it needs
    assert WORKFLOW.count("zizmor: ignore[dangerous-triggers]") == 2


def test_every_action_it_uses_is_pinned_by_commit_sha() -> None:
    uses = re.findall(r"uses: (\S+)", ACTION)
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", ref) for ref in uses)


def test_dependencies_come_from_hash_locks_that_cover_pyproject() -> None:
    assert ACTION.count("--require-hashes") == 1 and "--no-build-isolation" in ACTION
    assert "requirements/build.lock" in ACTION and "requirements/action.lock" in ACTION
    assert "pip install" not in ACTION.replace('bin/pip" install', "")  # no other installs
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for lock, wanted in (("action.lock", project["dependencies"]), ("build.lock", ["setuptools"])):
        text = (ROOT / "requirements" / lock).read_text()
        blocks = re.findall(r"^([A-Za-z0-9_.-]+)==\S+(?: ;[^\\\n]*)? \\\n((?:\s+--hash=\S+.*\n)+)",
                            text, re.M)  # fmt: skip
        pinned = {_normal(name) for name, _ in blocks}
        assert len(blocks) == len(re.findall(r"^[A-Za-z0-9_.-]+==", text, re.M))
        assert all("--hash=sha256:" in hashes for _, hashes in blocks)
        for requirement in wanted:
            assert _normal(re.split(r"[<>=!~\[; ]", requirement)[0]) in pinned, requirement


def test_the_outputs_are_the_ones_patchvet_writes(github: GitHubDouble, tmp_path: Path) -> None:
    value = r"value: \$\{\{ steps\.vet\.outputs\.([\w-]+) \}\}"
    output = rf"^  ([\w-]+):\n    description: .*\n    {value}"
    declared = re.findall(output, ACTION, re.M)
    assert declared and all(name == step for name, step in declared)
    # Run the way the action's last step does: `python -m patchvet action` from the source.
    event = write_event(tmp_path, seed_pull(github.state))
    outputs = tmp_path / "outputs"
    env = {"PYTHONPATH": str(ROOT / "src"), "GITHUB_EVENT_PATH": str(event),
           "GITHUB_TOKEN": "t", "GITHUB_API_URL": github.url, "GITHUB_OUTPUT": str(outputs),
           "PATH": "/usr/bin:/bin"}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "patchvet", "action"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = re.findall(r"^([\w-]+)<<", outputs.read_text(), re.M)
    assert written == [name for name, _ in declared]
