"""
`ci-change`: edits to CI workflows, build and release scripts and hooks — the surfaces where
sabotage hides — and, in added lines, the patterns that make such edits dangerous: a download
piped into a shell, new uses of secrets, untrusted text expanded into a script, privileged
triggers, install hooks, and binary test fixtures (the shape of the xz backdoor).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from patchvet.analyzers._workflow import inert_workflow_change, yaml_lines
from patchvet.analyzers.interface import Subject
from patchvet.analyzers.standing import established
from patchvet.budget import checkpoint
from patchvet.linear import Match, Pattern, compile_linear
from patchvet.paths import MEDIA_FILES, first_index, first_match
from patchvet.records import Confidence, FileChange, Finding, Location, Severity

_SURFACES: dict[str, tuple[Severity, str, tuple[str, ...]]] = {
    "workflow": (Severity.MEDIUM, "CI workflow", (
        ".github/workflows/*", ".github/actions/**", ".gitlab-ci.yml", ".gitlab/ci/**",
        ".circleci/**", ".travis.yml", "azure-pipelines.yml", ".azure-pipelines/**",
        "Jenkinsfile", ".buildkite/**", ".drone.yml", "appveyor.yml", ".cirrus.yml",
        "bitbucket-pipelines.yml", ".woodpecker/**", ".woodpecker.yml", ".forgejo/workflows/*",
        ".gitea/workflows/*", ".ci/**",
    )),
    "release": (Severity.MEDIUM, "release tooling", (
        ".goreleaser.yml", ".goreleaser.yaml", "release.sh", "scripts/release*", "publish.sh",
        "scripts/publish*", ".release-please-manifest.json", "release-please-config.json",
    )),
    "hook": (Severity.LOW, "git or pre-commit hook", (
        ".pre-commit-config.yaml", ".pre-commit-hooks.yaml", ".husky/**", ".githooks/**",
        "lefthook.yml", ".lefthook.yml",
    )),
    "build-script": (Severity.INFO, "build script", (
        "Makefile", "GNUmakefile", "*.mk", "CMakeLists.txt", "*.cmake", "meson.build",
        "configure", "configure.ac", "Makefile.am", "*.m4", "build.rs", "setup.py",
        "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradlew",
        "BUILD", "BUILD.bazel", "WORKSPACE", "*.bzl", "Dockerfile", "*.dockerfile",
        "Containerfile", "noxfile.py", "tox.ini", "justfile", "Justfile", "Rakefile", "build.sh",
    )),
}  # fmt: skip
_SCRIPTS = ("*.sh", "*.bash", "*.zsh", "*.ps1", "package.json")
_TEST_DIRS = ("test/", "tests/", "testdata/", "testing/", "fixtures/", "__fixtures__/", "spec/")


@dataclass(frozen=True)
class _Pattern:
    name: str
    severity: Severity
    regex: Pattern
    message: str
    remedy: str
    workflow_only: bool = False
    exempt: Callable[[Match], bool] | None = None
    """What RE2 cannot say inside the pattern (a look-ahead): matches for which this is true
    do not count."""

    def found(self, text: str) -> bool:
        """Whether a counting match is anywhere in `text` (linear time, like the pattern)."""
        if self.exempt is None:
            return self.regex.search(text) is not None
        return any(not self.exempt(match) for match in self.regex.finditer(text))


_PATTERNS = (
    _Pattern(
        "pipe-to-shell", Severity.HIGH,
        compile_linear(
            r"(?i)\b(?:curl|wget|fetch|iwr|Invoke-WebRequest)\b[^|\n]*\|\s*(?:sudo\s+)?"
            r"(?:ba|z|k|da|fi)?sh\b|\b(?:ba)?sh\s+<\(\s*(?:curl|wget)\b"
            r"|\$\(\s*(?:curl|wget)\b[^)]*\)\s*\"?\s*$|\bbase64\s+(?:-d|--decode)\b[^|\n]*\|\s*"
            r"(?:ba)?sh\b|\b(?:iex|Invoke-Expression)\b[^\n]*(?:iwr|Invoke-WebRequest|DownloadString)"
            r"|\b(?:curl|wget)\b[^|\n]*\|\s*(?:sudo\s+)?python3?\b"
        ),
        "Downloads code and runs it in one step",
        "Pin what is downloaded (a checksum or a pinned version from a package manager) and "
        "review it; never pipe a download into an interpreter.",
    ),
    _Pattern(
        "script-injection", Severity.HIGH,
        compile_linear(
            r"\$\{\{\s*github\.(?:head_ref|event\.(?:pull_request\.(?:title|body|head\.ref"
            r"|head\.label)|issue\.(?:title|body)|comment\.body|review\.body"
            r"|review_comment\.body|discussion\.(?:title|body)|head_commit\.(?:message|author)"
            r"|commits\b|pages\b))"
        ),
        "Expands contributor-controlled text directly into the workflow",
        "Pass the value through an environment variable (`env: TITLE: ${{ … }}`) and quote it "
        "in the script.",
        workflow_only=True,
    ),
    _Pattern(
        "secret-use", Severity.HIGH,
        # `secrets.NAME`, `secrets['NAME']`, `toJSON(secrets)` (every secret at once) and
        # `secrets: inherit` (every secret passed to a called workflow).
        compile_linear(
            r"\$\{\{[^}\n]*?\bsecrets\b(?:\s*\.\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*))?"
            r"|^\s*secrets:\s*inherit\b"
        ),
        "Uses a repository secret",
        "Check why this step needs the secret and that no contributor-controlled code runs "
        "with it.",
        workflow_only=True,
        exempt=lambda match: match["name"] == "GITHUB_TOKEN",
    ),
    _Pattern(
        "privileged-trigger", Severity.MEDIUM,
        # Not after a dot: `github.event.workflow_run.conclusion` reads the event of a
        # trigger already there.
        compile_linear(r"(?:^|[^.\w])(?:pull_request_target|workflow_run|issue_comment)\b"),
        "Adds a trigger that runs with the base repository's secrets and write token",
        "Never check out or run the pull request's code in such a workflow.",
        workflow_only=True,
    ),
    _Pattern(
        "permissions", Severity.MEDIUM,
        compile_linear(r"\bpermissions:\s*write-all\b|^\s*(?:contents|actions|packages|id-token"
                   r"|pull-requests|security-events|deployments):\s*write\b"),
        "Widens the workflow token's permissions",
        "Grant the least privilege each job needs.",
        workflow_only=True,
    ),
    _Pattern(
        "unpinned-action", Severity.LOW,
        compile_linear(
            r"\buses:\s*[\"']?(?P<owner>[\w.-]+)/[\w./-]+@(?P<sha>[0-9a-f]{40}\b)?"
        ),
        "Uses a third-party action by a movable tag or branch",
        "Pin third-party actions to a full commit SHA.",
        workflow_only=True,
        exempt=lambda match: match["owner"] in ("actions", "github") or match["sha"] is not None,
    ),
    _Pattern(
        "install-hook", Severity.MEDIUM,
        compile_linear(r"\"(?:preinstall|install|postinstall|prepare|prepublish)\"\s*:"),
        "Adds a package install hook that runs on every install",
        "Explain why an install-time script is needed; prefer an explicit build step.",
    ),
)  # fmt: skip


@lru_cache(maxsize=64)
def _surface_globs(extra: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every surface's globs in order, then the policy's extra build scripts; and whose each is."""
    owned = [(glob, name) for name, (_, _, globs) in _SURFACES.items() for glob in globs]
    owned += [(glob, "build-script") for glob in extra]
    return tuple(glob for glob, _ in owned), tuple(name for _, name in owned)


def _surface(path: str, extra: list[str]) -> str | None:
    """The first surface whose globs match `path`: one look-up for all of them."""
    globs, names = _surface_globs(tuple(extra))
    index = first_index(path, globs)
    return None if index is None else names[index]


# Patterns whose risk is the contributor's intent rather than the content: a third-party
# action by tag is a hazard the project may accept, but a stranger adding one can move the tag
# after the merge. Reported as `info` for established authors, like the surface edits.
_TRUSTING = {"unpinned-action"}


# Every pattern in one alternation over all of a file's added lines, with `^` and `$` at line
# ends: a line a pattern matches alone is matched there too (the alternation may also match
# across lines, and then the lines are read one by one as before). Most build scripts and
# workflows gain lines none of the patterns matches, and each pattern called per line went
# through the RE2 wrapper.
_ANY_PATTERN = compile_linear("(?m)" + "|".join(f"(?:{p.regex.pattern})" for p in _PATTERNS))
_TEXT = operator.attrgetter("text")


def _pattern_findings(
    change: FileChange, surface: str | None, standing: str | None
) -> Iterator[Finding]:
    if _ANY_PATTERN.search("\n".join(map(_TEXT, change.added_lines))) is None:
        return
    seen: set[str] = set()
    yaml = surface == "workflow" and change.path.endswith((".yml", ".yaml"))
    where = {y.line.number: y for y in yaml_lines(change)} if yaml else {}
    for line in change.added_lines:
        checkpoint()
        placed = where.get(line.number)
        for pattern in _PATTERNS:
            if pattern.name in seen or (pattern.workflow_only and surface != "workflow"):
                continue
            if placed is not None and placed.comment:
                continue
            if pattern.name == "script-injection" and placed is not None and placed.data_only:
                continue
            if pattern.found(line.text):
                seen.add(pattern.name)
                trusted = standing is not None and pattern.name in _TRUSTING
                yield Finding(
                    id=f"ci-change/{pattern.name}",
                    severity=Severity.INFO if trusted else pattern.severity,
                    confidence=Confidence.HIGH,
                    message=f"{pattern.message} in {change.path}"
                    + (f" (by an established contributor: {standing})" if trusted else ""),
                    evidence=line.text.strip()[:300],
                    remedy=pattern.remedy,
                    locations=(Location(path=change.path, line=line.number),),
                )


def ci_change(subject: Subject) -> Iterator[Finding]:
    """Surface-level findings per kind of file, then pattern findings per added line."""
    extra = subject.policy.ci.extra_paths
    standing = established(subject) if subject.policy.maintainers.trust_established else None
    touched: dict[str, list[str]] = {}
    for change in subject.contribution.files:
        surface = _surface(change.path, extra)
        if surface:
            touched.setdefault(surface, []).append(change.path)
        if surface or first_match(change.path, _SCRIPTS):
            yield from _pattern_findings(change, surface, standing)
        if (
            change.binary
            and change.status.value != "deleted"
            and any(f"/{d}" in f"/{change.path}" for d in _TEST_DIRS)
            and not first_match(change.path, MEDIA_FILES)
        ):
            yield Finding(
                id="ci-change/binary-fixture",
                severity=Severity.MEDIUM,
                confidence=Confidence.HIGH,
                message=f"Adds or changes a binary test fixture ({change.path}); binary test "
                "data can carry a payload no reviewer can read",
                evidence=change.path,
                remedy="Generate the fixture from a script committed beside it, or explain its "
                "origin so it can be reproduced.",
                locations=(Location(path=change.path),),
            )
    for surface, paths in touched.items():
        severity, label, _ = _SURFACES[surface]
        note = ""
        if (
            surface == "workflow"
            and all(
                inert_workflow_change(change)
                for change in subject.contribution.files
                if change.path in paths and change.path.endswith((".yml", ".yaml"))
            )
            and all(path.endswith((".yml", ".yaml")) for path in paths)
        ):
            severity = Severity.INFO
            note = ": only versions of GitHub's own actions, runners, branches or schedules"
        elif standing is not None and severity > Severity.INFO and surface != "build-script":
            severity = Severity.INFO
            note = f" by an established contributor ({standing})"
        yield Finding(
            id=f"ci-change/{surface}",
            severity=severity,
            confidence=Confidence.HIGH,
            message=f"Changes {label} ({len(paths)} file{'s' if len(paths) > 1 else ''}){note}",
            evidence=", ".join(paths[:10]),
            remedy="Review these files line by line; they run with the project's privileges.",
            locations=tuple(Location(path=path) for path in paths[:10]),
        )
