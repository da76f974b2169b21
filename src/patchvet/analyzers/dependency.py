"""
`dependency`: dependencies added or changed in manifests (Python, JavaScript, Rust, Go), lock
files changed, sources other than the registry, and names one edit away from a popular package
(typosquatting and "slopsquatting", where an agent invents a plausible name an attacker claims).

Only added lines are read, so a changed version shows as the new requirement.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from patchvet.analyzers.interface import Subject
from patchvet.analyzers.standing import established
from patchvet.budget import checkpoint
from patchvet.linear import Match, compile_linear
from patchvet.paths import LOCK_FILES, first_index, first_match
from patchvet.records import AddedLine, Confidence, FileChange, Finding, Location, Severity


@dataclass(frozen=True)
class Requirement:
    """A dependency named by an added manifest line."""

    ecosystem: str
    name: str
    spec: str
    line: int
    path: str

    @property
    def installed_name(self) -> str:
        """
        The registry package actually installed: for an npm alias (`"slash3":
        "npm:slash@^3.0.0"`) the aliased package, not the local name chosen for it.
        """
        if self.ecosystem == "npm" and self.spec.startswith("npm:"):
            target = self.spec.removeprefix("npm:")
            name = target[: target.find("@", 1)] if target.find("@", 1) > 0 else target
            return name or self.name
        return self.name

    @property
    def from_vcs_or_url(self) -> bool:
        """
        Installed from a URL, git or a local path instead of the registry. A path to a crate or
        package inside the same repository (a workspace member) is the project's own code.
        """
        if _VCS_OR_URL.search(self.spec):
            return True
        local = _LOCAL_PATH.search(self.spec)
        if local is None:
            return False
        return not _inside_repository(self.path, local["path"] or local["file"] or "")


# Every pattern here reads contribution text, so each is linear-time (see patchvet.linear).
_VCS_OR_URL = compile_linear(r"git\+|https?://|github:|\bgit\s*=")
_WINDOWS_DRIVE = compile_linear(r"[A-Za-z]:[\\/]")
_LOCAL_PATH = compile_linear(r"(?:\bpath\s*=\s*[\"'](?P<path>[^\"']*)|file:(?P<file>\S*))")


def _inside_repository(manifest: str, target: str) -> bool:
    """Whether `target`, relative to the manifest's folder, stays inside the repository."""
    if not target or target.startswith(("/", "~")) or _WINDOWS_DRIVE.match(target):
        return False
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(manifest), target))
    return joined != ".." and not joined.startswith("../")


_MANIFESTS = {
    "pypi": ("requirements*.txt", "requirements/*.txt", "requirements/*.in", "*requirements.in",
             "pyproject.toml", "Pipfile", "setup.cfg"),
    "npm": ("package.json",),
    "crates": ("Cargo.toml",),
    "go": ("go.mod",),
}  # fmt: skip
_REQ_LINE = compile_linear(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?P<spec>(?:[<>=!~@;].*)?)$"
)
_PYPROJECT_LINE = compile_linear(
    r"^\s*[\"'](?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?P<spec>[<>=!~@;][^\"']*)?"
    r"[\"']\s*,?\s*$"
)
_TOML_DEP = compile_linear(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9_-]*)\s*=\s*(?P<spec>\"[\^~<>=*]?\s*\d[^\"]*\"|\"\*\""
    r"|\{[^}]*\b(?:version|git|path)\s*=.*)$"
)
_TOML_NOT_DEPS = {
    "version", "edition", "rust-version", "python", "requires-python", "name", "resolver",
    "license", "readme", "description", "homepage", "repository", "documentation", "authors",
}  # fmt: skip
_NPM_LINE = compile_linear(
    r"^\s*\"(?P<name>@?[a-z0-9][\w.-]*(?:/[\w.-]+)?)\"\s*:\s*\"(?P<spec>[^\"]*)\""
)
_NPM_SPEC = compile_linear(
    r"^(?:[\^~<>=]*\s*v?\d[\w.*+-]*(?:\s*(?:\|\||-|<|>|=)+\s*\S+)*|\*|latest|next|x"
    r"|workspace:.*|npm:.*|github:.*|git\+.*|https?://.*|file:.*|link:.*)$"
)
_NPM_NOT_DEPS = {
    "name", "version", "description", "main", "module", "types", "typings", "license",
    "author", "homepage", "node", "npm", "packageManager", "type", "engines", "browser",
}  # fmt: skip
_GO_LINE = compile_linear(
    r"^\s*(?:require\s+)?(?P<name>[a-z0-9.-]+\.[a-z]{2,}/\S+)\s+(?P<spec>v\d\S*)"
)
# Where a lock file says a package comes from: package-lock.json, yarn.lock (v1) and
# Cargo.lock (`source = "git+https://…"` for a git dependency).
_NPM_RESOLVED = compile_linear(
    r"\"resolved\"\s*:\s*\"(?P<url>[^\"]+)\"|^\s+resolved\s+\"(?P<yarn>[^\"]+)\""
    r"|^source\s*=\s*\"(?P<cargo>[^\"]+)\""
)
_CARGO_REGISTRIES = (
    "registry+https://github.com/rust-lang/crates.io-index", "sparse+https://index.crates.io/",
)  # fmt: skip
_NPM_REGISTRIES = ("https://registry.npmjs.org/", "https://registry.yarnpkg.com/")


@cache
def _ranked(ecosystem: str) -> tuple[tuple[str, ...], int]:
    """(normalized names, most popular first; how many of the first are lookalike targets)."""
    text = files("patchvet.analyzers").joinpath(f"data/popular-{ecosystem}.txt").read_text("utf-8")
    names: list[str] = []
    targets = 0
    for line in text.splitlines():
        if line.startswith("# targets:"):
            targets = int(line.split(":", 1)[1])
        elif line.strip() and not line.startswith("#"):
            names.append(_normalize(ecosystem, line.strip()))
    return tuple(names), targets or len(names)


@cache
def popular(ecosystem: str) -> frozenset[str]:
    """Every known package name of an ecosystem, normalized: these are never lookalikes."""
    return frozenset(_ranked(ecosystem)[0])


@cache
def _targets(ecosystem: str) -> tuple[str, ...]:
    """The names popular enough to be worth imitating (the head of the ranking)."""
    names, targets = _ranked(ecosystem)
    return tuple(name for name in names[:targets] if len(name) >= 4)


_SEPARATORS_TO_HYPHEN = str.maketrans("_.", "--")


def _normalize(ecosystem: str, name: str) -> str:
    """
    Lower case; for PyPI and crates.io every run of `-`, `_` and `.` one `-` (PEP 503). With
    `str` methods, not a pattern: the shipped lists alone have 28,000 names to normalise
    when a process first meets a manifest, and a pattern call cost 100 ms of them.
    """
    name = name.lower()
    if ecosystem not in ("pypi", "crates"):
        return name
    name = name.translate(_SEPARATORS_TO_HYPHEN)
    while "--" in name:  # each pass halves every run: log2(n) passes for a run of n
        name = name.replace("--", "-")
    return name


def _within_one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance exactly one (insert, delete, substitute or swap)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )  # fmt: skip
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


def lookalike(ecosystem: str, name: str) -> str | None:
    """The popular package `name` imitates, or None when it is popular itself or unlike any."""
    normalized = _normalize(ecosystem, name)
    if normalized in popular(ecosystem):
        return None
    squashed = normalized.replace("-", "")
    for candidate in _targets(ecosystem):
        if _within_one_edit(normalized, candidate) or (
            squashed == candidate.replace("-", "") and normalized != candidate
        ):
            return candidate
    return None


# Where dependencies are declared in TOML manifests: (table, array key); "*" is any key.
_DEPENDENCY_ARRAYS = {
    ("project", "dependencies"), ("project.optional-dependencies", "*"),
    ("dependency-groups", "*"), ("build-system", "requires"),
}  # fmt: skip
_DEPENDENCY_TABLE = re.compile(
    r"^(?:(?:target\..+\.)?(?:dev-|build-)?dependencies|workspace\.dependencies"
    r"|tool\.poetry(?:\.group\.[^.]+)?\.(?:dev-)?dependencies|(?:dev-)?packages)$"
)
# Array keys that never list dependencies, whatever table holds them.
_NEVER_DEPENDENCIES = {
    "keywords", "classifiers", "authors", "maintainers", "license-files", "include", "exclude",
    "select", "ignore", "extend-select", "extend-ignore", "testpaths", "addopts", "markers",
    "filterwarnings", "files", "plugins", "categories",
}  # fmt: skip
_TRIPLE_QUOTE = re.compile(r"\"\"\"|\'\'\'")
# Linear-time: the lazy name between runs of spaces is quadratic in `re` on `[` and spaces.
_TABLE_HEADER = compile_linear(r"^\s*\[\[?\s*(?P<name>[^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_ARRAY_OPEN = re.compile(r"^\s*(?P<key>[A-Za-z0-9_.\"-]+)\s*=\s*\[(?P<rest>[^\]]*)$")


@dataclass(frozen=True)
class _Scope:
    """What an added TOML line sits in, when the added lines above it show it."""

    table: str | None
    """The table, when its header is among the contiguous added lines above."""
    array: str | None
    """The key of the array the line is an element of, when its opening line was added."""

    def declares_dependencies(self) -> bool | None:
        """True or False when the scope is known, None when the diff does not show it."""
        if self.array is not None:
            if self.table is None:
                return None if self.array not in _NEVER_DEPENDENCIES else False
            return (self.table, self.array) in _DEPENDENCY_ARRAYS or (
                self.table,
                "*",
            ) in _DEPENDENCY_ARRAYS
        if self.table is None:
            return None
        return _DEPENDENCY_TABLE.match(self.table) is not None


def _toml_scopes(change: FileChange) -> Iterator[tuple[AddedLine, _Scope]]:
    """
    Each added line with the table and array it belongs to, as far as the added lines show:
    context is carried only across contiguous added lines (a gap means unseen lines between).
    """
    table: str | None = None
    array: str | None = None
    previous = -1
    opaque = False
    for line in change.added_lines:
        if line.number != previous + 1:
            table = array = None
            opaque = False
        previous = line.number
        # Inside a multi-line string a `[table]` line is text: stop trusting what we track
        # (a hostile manifest must not hide its dependencies behind a fake header).
        opaque = opaque or _TRIPLE_QUOTE.search(line.text) is not None
        if opaque:
            yield line, _Scope(None, None)
            continue
        header = _TABLE_HEADER.match(line.text)
        opener = _ARRAY_OPEN.match(line.text)
        if header and not opener and header["name"].strip(" \t\"'"):
            table, array = header["name"].replace('"', "").strip(), None
            yield line, _Scope(table, None)
            continue
        if opener:
            yield line, _Scope(table, None)
            array = opener["key"].strip('"')
            continue
        yield line, _Scope(table, array)
        if line.text.strip().startswith("]"):
            array = None


def _plausible_bare_name(name: str) -> bool:
    return name.islower() and len(name) >= 3 and name not in {"tests", "docs", "src", "test"}


def _parse_toml_line(ecosystem: str, text: str, scope: _Scope) -> Match | None:
    declared = scope.declares_dependencies()
    if declared is False:
        return None
    if ecosystem == "pypi":
        match = _PYPROJECT_LINE.match(text)
        # Bare strings in other TOML lists (ruff codes, paths) look like unpinned
        # requirements; keep only names shaped like a distribution. Where the diff shows the
        # list is `keywords = [...]` or another non-dependency key, `declared` is False.
        if match and not match["spec"] and not _plausible_bare_name(match["name"]):
            match = None
        if match:
            return match
    return _TOML_DEP.match(text)


def _parse_line(
    ecosystem: str, path: str, text: str, scope: _Scope | None = None
) -> tuple[str, str] | None:
    stripped = text.strip()
    if not stripped or stripped.startswith(("#", "//", "-", "[")):
        return None
    match: Match | None
    if scope is not None:
        match = _parse_toml_line(ecosystem, text, scope)
    elif ecosystem == "pypi":
        if path.endswith(".cfg"):
            match = _REQ_LINE.match(text) if text[:1] in (" ", "\t") else None
        else:
            match = _REQ_LINE.match(text.split(" #", 1)[0])
    elif ecosystem == "go":
        match = _GO_LINE.match(text)
    else:
        match = _NPM_LINE.match(text)
        if match and not _NPM_SPEC.match(match["spec"].strip()):
            return None
    if not match or match["name"] in _TOML_NOT_DEPS or match["name"] in _NPM_NOT_DEPS:
        return None
    return match["name"], (match["spec"] or "").strip()


_JSON_OBJECT_OPEN = compile_linear(r"^\s*\"(?P<key>[^\"]+)\"\s*:\s*\{\s*$")
_JSON_OBJECT_CLOSE = compile_linear(r"^\s*\},?\s*$")
_NPM_DEPENDENCY_OBJECTS = {
    "dependencies", "devDependencies", "peerDependencies", "optionalDependencies",
    "bundleDependencies", "bundledDependencies", "overrides", "resolutions", "pnpm",
}  # fmt: skip


def _npm_outside_dependencies(change: FileChange) -> set[int]:
    """
    Lines of a package.json that the added lines show to sit in an object other than a
    dependency list (`"repository": {"url": "git+https://…"}`, `"bugs"`, `"funding"`). Context
    is carried only across contiguous added lines; where the diff does not show the object, a
    line still counts as a possible dependency (the safe side).
    """
    outside: set[int] = set()
    objects: list[str] = []
    known = False
    previous = -1
    for line in change.added_lines:
        if line.number != previous + 1:
            objects, known = [], False
        previous = line.number
        opener = _JSON_OBJECT_OPEN.match(line.text)
        if opener:
            objects.append(opener["key"])
            known = True
            continue
        if _JSON_OBJECT_CLOSE.match(line.text):
            if objects:
                objects.pop()
            known = bool(objects)
            continue
        if (
            known
            and objects[-1] not in _NPM_DEPENDENCY_OBJECTS
            and not (set(objects) & _NPM_DEPENDENCY_OBJECTS)
        ):
            outside.add(line.number)
    return outside


_MANIFEST_GLOBS = tuple(glob for globs in _MANIFESTS.values() for glob in globs)
_MANIFEST_ECOSYSTEMS = tuple(ecosystem for ecosystem, globs in _MANIFESTS.items() for _ in globs)
"""Every manifest glob in `_MANIFESTS` order, and the ecosystem of each: one look-up a file."""


def requirements(change: FileChange) -> Iterator[Requirement]:
    """The dependencies that added lines of a manifest name."""
    index = first_index(change.path, _MANIFEST_GLOBS)
    if index is None:
        return
    ecosystem = _MANIFEST_ECOSYSTEMS[index]
    if change.path.endswith((".toml", "Pipfile")):
        lines: Iterator[tuple[AddedLine, _Scope | None]] = _toml_scopes(change)
    else:
        lines = ((line, None) for line in change.added_lines)
    outside = _npm_outside_dependencies(change) if ecosystem == "npm" else set()
    for line, scope in lines:
        checkpoint()
        if line.number in outside:
            continue
        parsed = _parse_line(ecosystem, change.path, line.text, scope)
        if parsed:
            yield Requirement(ecosystem, parsed[0], parsed[1], line.number, change.path)


def dependency(subject: Subject) -> Iterator[Finding]:
    """Manifest and lock-file findings."""
    found: list[Requirement] = []
    locks: list[FileChange] = []
    for change in subject.contribution.files:
        if first_match(change.path, LOCK_FILES):
            locks.append(change)
            yield from _lock_sources(change)
        else:
            found.extend(requirements(change))
    if found:
        listed = ", ".join(f"{r.name} {r.spec}".strip() for r in found[:15])
        more = f" and {len(found) - 15} more" if len(found) > 15 else ""
        yield Finding(
            id="dependency/changed",
            severity=Severity.INFO,
            confidence=Confidence.MEDIUM,
            message=f"Adds or changes {len(found)} dependenc{'ies' if len(found) > 1 else 'y'}",
            evidence=listed + more,
            remedy="Check that each dependency is needed, maintained, and the one intended.",
            locations=tuple(Location(path=r.path, line=r.line) for r in found[:15]),
        )
    if subject.policy.dependency.typosquat:
        for requirement in found:
            installed = requirement.installed_name
            imitated = lookalike(requirement.ecosystem, installed)
            if imitated:
                yield Finding(
                    id="dependency/lookalike-name",
                    severity=Severity.HIGH,
                    confidence=Confidence.MEDIUM,
                    message=f"`{installed}` is one edit away from the popular "
                    f"{requirement.ecosystem} package `{imitated}`",
                    evidence=f"{requirement.name} {requirement.spec}".strip(),
                    remedy=f"Confirm the name on the registry; if `{imitated}` was meant, fix it. "
                    "Agents invent plausible names that attackers then register.",
                    locations=(Location(path=requirement.path, line=requirement.line),),
                )
    for requirement in found:
        if requirement.from_vcs_or_url:
            yield Finding(
                id="dependency/non-registry-source",
                severity=Severity.MEDIUM,
                confidence=Confidence.HIGH,
                message=f"`{requirement.name}` comes from a URL, git or a path, not the registry",
                evidence=f"{requirement.name} {requirement.spec}".strip(),
                remedy="Depend on a released version from the registry, or explain why not.",
                locations=(Location(path=requirement.path, line=requirement.line),),
            )
    manifests = [change.path for change in subject.contribution.files]
    locks = [change for change in locks if not _manifest_changed(change.path, manifests)]
    if locks and not found:
        repinned = all(_only_repins(change) for change in locks)
        registry = not repinned and all(_registry_versions_only(change) for change in locks)
        standing = established(subject) if subject.policy.maintainers.trust_established else None
        note = (
            ": only the pinned revisions of the same sources move"
            if repinned
            else ": only published registry versions, whose checksums the registry vouches for"
            if registry
            else f" (by an established contributor: {standing})"
            if standing is not None
            else ""
        )
        yield Finding(
            id="dependency/lockfile-only",
            severity=Severity.INFO if repinned or registry or standing else Severity.LOW,
            confidence=Confidence.MEDIUM,
            message="Lock files change without a matching manifest change" + note,
            evidence=", ".join(change.path for change in locks[:10]),
            remedy="Check resolved versions, URLs and checksums; regenerate the lock file "
            "yourself if in doubt.",
            locations=tuple(Location(path=change.path) for change in locks[:10]),
        )


# Which manifests each lock file is written from. A lock that changes beside one of them (a
# release bumping `version`, a workspace crate added) is not changed "alone".
_LOCK_MANIFESTS = {
    "package-lock.json": ("package.json",), "npm-shrinkwrap.json": ("package.json",),
    "yarn.lock": ("package.json",), "pnpm-lock.yaml": ("package.json", "pnpm-workspace.yaml"),
    "bun.lockb": ("package.json",), "Cargo.lock": ("Cargo.toml",),
    "poetry.lock": ("pyproject.toml",), "uv.lock": ("pyproject.toml",),
    "Pipfile.lock": ("Pipfile",), "pdm.lock": ("pyproject.toml",), "go.sum": ("go.mod",),
    "composer.lock": ("composer.json",), "Gemfile.lock": ("Gemfile", "*.gemspec"),
    "mix.lock": ("mix.exs",), "flake.lock": ("flake.nix",),
    "packages.lock.json": ("*.csproj", "*.fsproj", "Directory.Packages.props"),
}  # fmt: skip


def _manifest_changed(lock: str, paths: list[str]) -> bool:
    """Whether a manifest the lock file is written from changed too (anywhere: workspaces)."""
    globs = _LOCK_MANIFESTS.get(lock.rsplit("/", 1)[-1], ())
    return bool(globs) and any(first_match(path, globs) for path in paths)


# A `nix flake update`: the same inputs (owner, repo, url unchanged) pinned to newer revisions.
_REPIN_LINE = re.compile(
    r'^\s*"(?:lastModified|narHash|rev|revCount)"\s*:\s*("[\w+/=:.-]*"|\d+),?\s*$'
)


# Lock lines that can only select published registry versions: a crate's name, version and
# crates.io checksum (cargo checks it against the index), or a go.sum hash (checked against
# the Go checksum database). Any other `source` is a finding of its own.
_REGISTRY_LOCK_LINE = {
    "Cargo.lock": re.compile(
        r'^(?:\s*|\[\[package\]\]|(?:name|version|checksum) = "[\w.+-]*"|version = \d+'
        r'|source = "(?:registry\+https://github\.com/rust-lang/crates\.io-index'
        r'|sparse\+https://index\.crates\.io/)"|dependencies = \[|\]|#.*|\[metadata\]'
        r'|\s+"[\w.+ -]*(?: \(registry\+https://github\.com/rust-lang/crates\.io-index\))?",'
        r'|"checksum [\w.+-]+ [\w.+-]+ \(registry\+https://github\.com/rust-lang/crates\.io-index\)"'
        r' = "[0-9a-f]+")$'
    ),
    "go.sum": re.compile(r"^[\w./~-]+ v[\w.+-]+(?:/go\.mod)? h1:[A-Za-z0-9+/=]+$"),
}


def _registry_versions_only(change: FileChange) -> bool:
    """A Cargo.lock or go.sum edit whose added lines only pick published registry versions."""
    line_shape = _REGISTRY_LOCK_LINE.get(change.path.rsplit("/", 1)[-1])
    return line_shape is not None and all(
        line_shape.match(line.text) for line in change.added_lines
    )


def _only_repins(change: FileChange) -> bool:
    """A flake.lock edit that moves pins of existing inputs and names no new source."""
    return (
        change.path.rsplit("/", 1)[-1] == "flake.lock"
        and change.additions == change.deletions
        and bool(change.added_lines)
        and all(_REPIN_LINE.match(line.text) for line in change.added_lines)
    )


def _registry_or_inside(lock: str, resolved: str) -> bool:
    """
    An npm registry URL, or a relative path to a package inside the same repository (npm
    writes `"resolved": "../vendor/x"` for a `file:` dependency).
    """
    if resolved.startswith(_NPM_REGISTRIES):
        return True
    return (
        not _VCS_OR_URL.search(resolved)
        and ":" not in resolved
        and _inside_repository(lock, resolved)
    )


def _foreign(lock: str, match: Match) -> bool:
    """Whether a lock file's source line points outside the registry and the repository."""
    if match["cargo"]:
        return not match["cargo"].startswith(_CARGO_REGISTRIES)
    return not _registry_or_inside(lock, match["url"] or match["yarn"])


def _lock_sources(change: FileChange) -> Iterator[Finding]:
    for line in change.added_lines:
        checkpoint()
        match = next(
            (m for m in _NPM_RESOLVED.finditer(line.text) if _foreign(change.path, m)), None
        )
        if match:
            yield Finding(
                id="dependency/non-registry-source",
                severity=Severity.MEDIUM,
                confidence=Confidence.HIGH,
                message=f"Lock file resolves a package outside the registry in {change.path}",
                evidence=(match["url"] or match["yarn"] or match["cargo"])[:300],
                remedy="Lock files should resolve to the registry; regenerate it and compare.",
                locations=(Location(path=change.path, line=line.number),),
            )
            return
