"""
`dependency`: dependencies added or changed in manifests (Python, JavaScript, Rust, Go), lock
files changed, sources other than the registry, and names one edit away from a popular package
(typosquatting and "slopsquatting", where an agent invents a plausible name an attacker claims).

Only added lines are read, so a changed version shows as the new requirement.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from patchvet.analyzers.interface import Subject
from patchvet.paths import LOCK_FILES, first_match
from patchvet.records import Confidence, FileChange, Finding, Location, Severity


@dataclass(frozen=True)
class Requirement:
    """A dependency named by an added manifest line."""

    ecosystem: str
    name: str
    spec: str
    line: int
    path: str

    @property
    def from_vcs_or_url(self) -> bool:
        """Installed from a URL, git or a local path instead of the registry."""
        return bool(re.search(r"(?:git\+|https?://|github:|file:|\bgit\s*=|\bpath\s*=)", self.spec))


_MANIFESTS = {
    "pypi": ("requirements*.txt", "requirements/*.txt", "requirements/*.in", "*requirements.in",
             "pyproject.toml", "Pipfile", "setup.cfg"),
    "npm": ("package.json",),
    "crates": ("Cargo.toml",),
    "go": ("go.mod",),
}  # fmt: skip
_REQ_LINE = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?P<spec>(?:[<>=!~@;].*)?)$"
)
_PYPROJECT_LINE = re.compile(
    r"^\s*[\"'](?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?P<spec>[<>=!~@;][^\"']*)?"
    r"[\"']\s*,?\s*$"
)
_TOML_DEP = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9_-]*)\s*=\s*(?P<spec>\"[\^~<>=*]?\s*\d[^\"]*\"|\"\*\""
    r"|\{[^}]*\b(?:version|git|path)\s*=.*)$"
)
_TOML_NOT_DEPS = {
    "version", "edition", "rust-version", "python", "requires-python", "name", "resolver",
    "license", "readme", "description", "homepage", "repository", "documentation", "authors",
}  # fmt: skip
_NPM_LINE = re.compile(
    r"^\s*\"(?P<name>@?[a-z0-9][\w.-]*(?:/[\w.-]+)?)\"\s*:\s*\"(?P<spec>[^\"]*)\""
)
_NPM_SPEC = re.compile(
    r"^(?:[\^~<>=]*\s*v?\d[\w.*+-]*(?:\s*(?:\|\||-|<|>|=)+\s*\S+)*|\*|latest|next|x"
    r"|workspace:.*|npm:.*|github:.*|git\+.*|https?://.*|file:.*|link:.*)$"
)
_NPM_NOT_DEPS = {
    "name", "version", "description", "main", "module", "types", "typings", "license",
    "author", "homepage", "node", "npm", "packageManager", "type", "engines", "browser",
}  # fmt: skip
_GO_LINE = re.compile(r"^\s*(?:require\s+)?(?P<name>[a-z0-9.-]+\.[a-z]{2,}/\S+)\s+(?P<spec>v\d\S*)")
_NPM_RESOLVED = re.compile(
    r"\"resolved\"\s*:\s*\"(?!https://registry\.(?:npmjs\.org|yarnpkg\.com)/)(?P<url>[^\"]+)\""
)


@cache
def popular(ecosystem: str) -> frozenset[str]:
    """Well-known package names of an ecosystem, normalized."""
    text = files("patchvet.analyzers").joinpath(f"data/popular-{ecosystem}.txt").read_text("utf-8")
    return frozenset(
        _normalize(ecosystem, line.strip())
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def _normalize(ecosystem: str, name: str) -> str:
    name = name.lower()
    return re.sub(r"[-_.]+", "-", name) if ecosystem in ("pypi", "crates") else name


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
    known = popular(ecosystem)
    normalized = _normalize(ecosystem, name)
    if normalized in known:
        return None
    squashed = normalized.replace("-", "")
    for candidate in known:
        if len(candidate) < 4:
            continue
        if _within_one_edit(normalized, candidate) or (
            squashed == candidate.replace("-", "") and normalized != candidate
        ):
            return candidate
    return None


def _plausible_bare_name(name: str) -> bool:
    return name.islower() and len(name) >= 3 and name not in {"tests", "docs", "src", "test"}


def _parse_line(ecosystem: str, path: str, text: str) -> tuple[str, str] | None:
    stripped = text.strip()
    if not stripped or stripped.startswith(("#", "//", "-", "[")):
        return None
    if ecosystem == "pypi":
        if path.endswith((".toml", "Pipfile")):
            match = _PYPROJECT_LINE.match(text)
            # Bare strings in other TOML lists (ruff codes, paths) look like unpinned
            # requirements; keep only names shaped like a distribution.
            if match and not match["spec"] and not _plausible_bare_name(match["name"]):
                match = None
            match = match or _TOML_DEP.match(text)
        elif path.endswith(".cfg"):
            match = _REQ_LINE.match(text) if text[:1] in (" ", "\t") else None
        else:
            match = _REQ_LINE.match(text.split(" #", 1)[0])
    elif ecosystem == "crates":
        match = _TOML_DEP.match(text)
    elif ecosystem == "go":
        match = _GO_LINE.match(text)
    else:
        match = _NPM_LINE.match(text)
        if match and not _NPM_SPEC.match(match["spec"].strip()):
            return None
    if not match or match["name"] in _TOML_NOT_DEPS or match["name"] in _NPM_NOT_DEPS:
        return None
    return match["name"], (match["spec"] or "").strip()


def requirements(change: FileChange) -> Iterator[Requirement]:
    """The dependencies that added lines of a manifest name."""
    for ecosystem, globs in _MANIFESTS.items():
        if first_match(change.path, globs):
            for line in change.added_lines:
                parsed = _parse_line(ecosystem, change.path, line.text)
                if parsed:
                    yield Requirement(ecosystem, parsed[0], parsed[1], line.number, change.path)
            return


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
            imitated = lookalike(requirement.ecosystem, requirement.name)
            if imitated:
                yield Finding(
                    id="dependency/lookalike-name",
                    severity=Severity.HIGH,
                    confidence=Confidence.MEDIUM,
                    message=f"`{requirement.name}` is one edit away from the popular "
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
    if locks and not found:
        yield Finding(
            id="dependency/lockfile-only",
            severity=Severity.LOW,
            confidence=Confidence.MEDIUM,
            message="Lock files change without a matching manifest change",
            evidence=", ".join(change.path for change in locks[:10]),
            remedy="Check resolved versions, URLs and checksums; regenerate the lock file "
            "yourself if in doubt.",
            locations=tuple(Location(path=change.path) for change in locks[:10]),
        )


def _lock_sources(change: FileChange) -> Iterator[Finding]:
    for line in change.added_lines:
        match = _NPM_RESOLVED.search(line.text)
        if match:
            yield Finding(
                id="dependency/non-registry-source",
                severity=Severity.MEDIUM,
                confidence=Confidence.HIGH,
                message=f"Lock file resolves a package outside the npm registry in {change.path}",
                evidence=match["url"][:300],
                remedy="Lock files should resolve to the registry; regenerate it and compare.",
                locations=(Location(path=change.path, line=line.number),),
            )
            return
