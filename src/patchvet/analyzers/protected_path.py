"""
`protected-path`: changes to paths the policy guards (core code, governance files, the policy
file itself), each with the project's reason and the action it requires.
"""

from __future__ import annotations

from collections.abc import Iterator

from patchvet.analyzers.interface import Subject
from patchvet.paths import first_match
from patchvet.records import Confidence, Finding, Location, Severity

_SHOWN = 10


def protected_path(subject: Subject) -> Iterator[Finding]:
    """One finding per protected-path entry that the change touches."""
    for name, entry in subject.policy.protected_paths.items():
        if entry.when == "ai-detected" and not subject.signals.ai_involved:
            continue
        touched = [
            change.path
            for change in subject.contribution.files
            if first_match(change.path, entry.paths)
            or (change.old_path and first_match(change.old_path, entry.paths))
        ]
        if not touched:
            continue
        qualifier = "AI-assisted change touches" if entry.when == "ai-detected" else "Touches"
        more = f" and {len(touched) - _SHOWN} more" if len(touched) > _SHOWN else ""
        yield Finding(
            id=f"protected-path/{name}",
            severity=Severity.MEDIUM,
            confidence=Confidence.HIGH,
            message=f"{qualifier} protected paths ({name}): {entry.reason}",
            evidence=", ".join(touched[:_SHOWN]) + more,
            remedy=entry.action,
            locations=tuple(Location(path=path) for path in touched[:_SHOWN]),
        )
