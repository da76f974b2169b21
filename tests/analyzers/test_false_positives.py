"""
Rule false positives seen on real histories (issue 10), each in the shape it was met, next to
the sabotage the same rule must still catch.
"""

from __future__ import annotations

from patchvet.analyzers.ci_change import ci_change
from patchvet.analyzers.dependency import dependency, lookalike, popular
from patchvet.records import ChangeStatus
from tests.helpers import added, contribution, subject


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
