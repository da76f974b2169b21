"""
`binary`: binary files added or modified. Nobody can review them in a diff; executables and
archives can carry anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from patchvet.analyzers.interface import Subject
from patchvet.paths import MEDIA_FILES, first_match
from patchvet.records import ChangeStatus, Confidence, Finding, Location, Severity

_EXECUTABLE = {
    ".exe", ".dll", ".so", ".dylib", ".jar", ".class", ".pyc", ".pyd", ".whl", ".o", ".a",
    ".lib", ".bin", ".elf", ".wasm", ".zip", ".gz", ".tgz", ".xz", ".bz2", ".zst", ".7z",
    ".rar", ".tar", ".deb", ".rpm", ".msi", ".apk", ".dmg", ".node",
}  # fmt: skip


def binary(subject: Subject) -> Iterator[Finding]:
    """One finding per added or modified binary file; executables and archives rank higher."""
    for change in subject.contribution.files:
        if not change.binary or change.status is ChangeStatus.DELETED:
            continue
        suffix = PurePosixPath(change.path).suffix.lower()
        executable = suffix in _EXECUTABLE
        # Images, fonts and sound are opened and looked at, not run: reported, not flagged.
        media = not executable and first_match(change.path, MEDIA_FILES) is not None
        added = change.status is ChangeStatus.ADDED
        verb = "Adds" if added else "Modifies"
        name = "executable-or-archive" if executable else ("added" if added else "modified")
        yield Finding(
            id=f"binary/{name}",
            severity=Severity.MEDIUM if executable else Severity.INFO if media else Severity.LOW,
            confidence=Confidence.HIGH,
            message=f"{verb} binary file {change.path}"
            + (" (compiled code or an archive)" if executable else "")
            + (" (an image, font or sound file)" if media else ""),
            evidence=change.path,
            remedy="Build binaries from source in CI instead of committing them, or explain "
            "where this file comes from and how to reproduce it.",
            locations=(Location(path=change.path),),
        )
