"""
SARIF 2.1.0 for code scanning: one result per finding. Every result has a location: the file
and line where the finding has one, else the contribution (commit, patch or pull request) as a
logical location. Fingerprints are digests of what the result says, so they are stable across
runs and distinct within one. Rules carry the catalog's descriptions and help. Rules are
collected as results stream and written after them (member order carries no meaning in JSON).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from patchvet import __version__
from patchvet.formats.interface import Reporter
from patchvet.policy import Policy
from patchvet.policy.catalog import finding_kind
from patchvet.records import Assessment, Finding, Location, Severity, Skipped, SourceKind, Verdict

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/patchvet/patchvet"
FINGERPRINT = "patchvet/v2"
_LEVEL = {
    Severity.INFO: "note",
    Severity.LOW: "note",
    Severity.MEDIUM: "warning",
    Severity.HIGH: "error",
}
_KIND = {
    SourceKind.COMMIT: "commit",
    SourceKind.PATCH: "patch",
    SourceKind.PULL_REQUEST: "pull request",
}


def _physical(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(location.path or "")}}
    if location.line is not None and location.line >= 1:
        region: dict[str, Any] = {"startLine": location.line}
        if location.column is not None and location.column >= 1:
            region["startColumn"] = location.column
        physical["region"] = region
    return {"physicalLocation": physical}


def _logical(assessment: Assessment, commit: str | None) -> dict[str, Any]:
    """The contribution itself (or one of its commits) as where a finding applies."""
    contribution = assessment.contribution
    kind = "commit" if commit else _KIND.get(contribution.kind, "contribution")
    name = commit or contribution.source
    return {
        "logicalLocations": [
            {"name": name[:12] if commit else name, "fullyQualifiedName": name,
             "kind": "resource"}
        ],
        "message": {"text": f"{kind} {name} ({contribution.source}: {contribution.title})"},
    }  # fmt: skip


def locations(assessment: Assessment, finding: Finding) -> list[dict[str, Any]]:
    """Files and lines where the finding has them; otherwise its commits or the contribution."""
    files = [_physical(loc) for loc in finding.locations if loc.path]
    if files:
        return files
    commits = list(dict.fromkeys(loc.commit for loc in finding.locations if loc.commit))
    return [_logical(assessment, commit) for commit in commits] or [_logical(assessment, None)]


def fingerprint(assessment: Assessment, finding: Finding, occurrence: int) -> str:
    """A digest of what the result says; `occurrence` tells identical findings apart."""
    where = [(loc.path, loc.line, loc.column, loc.commit) for loc in finding.locations]
    text = json.dumps(
        [assessment.contribution.source, assessment.contribution.id, finding.id,
         finding.evidence, where, occurrence]
    )  # fmt: skip
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _results(assessment: Assessment) -> list[dict[str, Any]]:
    results = []
    seen: Counter[str] = Counter()
    for judged in assessment.findings:
        finding = judged.finding
        digest = fingerprint(assessment, finding, 0)
        seen[digest] += 1
        if seen[digest] > 1:
            digest = fingerprint(assessment, finding, seen[digest] - 1)
        text = finding.message
        if finding.remedy:
            text += f" Fix: {finding.remedy}"
        results.append(
            {
                "ruleId": finding.id,
                "level": _LEVEL[finding.severity],
                "message": {"text": text},
                "locations": locations(assessment, finding),
                "partialFingerprints": {FINGERPRINT: digest},
                "properties": {
                    "contribution": assessment.contribution.source,
                    "verdict": judged.verdict.value,
                    "contributionVerdict": assessment.verdict.value,
                    "confidence": finding.confidence.value,
                    "evidence": finding.evidence,
                    **(
                        {
                            "details": [
                                {"name": d.name, "text": d.text, "value": d.value}
                                for d in finding.details
                            ]
                        }
                        if finding.details
                        else {}
                    ),
                },
            }
        )
    return results


def rule(rule_id: str, severity: Severity, message: str, policy: Policy) -> dict[str, Any]:
    """A reporting descriptor from the finding catalog (and the policy, for protected paths)."""
    kind = finding_kind(rule_id)
    summary = kind.summary if kind else message
    help_text = kind.help if kind else "See the finding's message and remedy."
    entry = policy.protected_paths.get(rule_id.split("/", 1)[1]) if "/" in rule_id else None
    if rule_id.startswith("protected-path/") and entry is not None:
        summary = f"The change touches protected paths: {entry.reason}."
        help_text = f"{entry.action} Paths: {', '.join(entry.paths)}."
    descriptor: dict[str, Any] = {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in rule_id.replace("/", "-").split("-")),
        "shortDescription": {"text": summary},
        "fullDescription": {"text": f"{summary} {help_text}"},
        "help": {
            "text": f"{help_text}\n\nDocumentation: {kind.url if kind else INFORMATION_URI}",
            "markdown": f"{help_text}\n\n[Documentation]({kind.url if kind else INFORMATION_URI})",
        },
        "defaultConfiguration": {"level": _LEVEL[kind.severity if kind else severity]},
        "properties": {"tags": [rule_id.split("/", 1)[0]]},
    }
    if kind is not None:
        descriptor["helpUri"] = kind.url
    return descriptor


class SarifReporter(Reporter):
    """Streams results; writes the tool and its rules at the end."""

    def start(self) -> None:
        self.out.write('{\n  "$schema": "' + SARIF_SCHEMA + '",\n  "version": "2.1.0",\n')
        self.out.write('  "runs": [\n    {\n      "results": [')
        self._first = True
        self._rules: dict[str, tuple[Severity, str]] = {}

    def add(self, assessment: Assessment) -> None:
        for result in _results(assessment):
            self.out.write(("\n        " if self._first else ",\n        ") + json.dumps(result))
            self._first = False
        for judged in assessment.findings:
            finding = judged.finding
            current = self._rules.get(finding.id)
            if current is None or finding.severity > current[0]:
                self._rules[finding.id] = (finding.severity, finding.message)

    def finish(self, skipped: Sequence[Skipped], counts: Mapping[Verdict, int]) -> None:
        rules = [rule(rule_id, severity, message, self.policy)
                 for rule_id, (severity, message) in sorted(self._rules.items())]  # fmt: skip
        tool = {
            "driver": {
                "name": "patchvet",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        }
        invocation = {
            "executionSuccessful": not any(item.error for item in skipped),
            "toolExecutionNotifications": [
                {
                    "level": "error" if item.error else "note",
                    "message": {"text": f"skipped {item.source}: {item.reason}"},
                }
                for item in skipped
            ],
        }
        properties = {
            "policy": {"name": self.policy.name, "extends": self.policy.extends,
                       "mode": self.policy.mode, "origin": self.policy.origin}
        }  # fmt: skip
        self.out.write("\n      ]," if not self._first else "],")
        self.out.write(f'\n      "tool": {json.dumps(tool)},')
        self.out.write(f'\n      "invocations": [{json.dumps(invocation)}],')
        self.out.write(f'\n      "properties": {json.dumps(properties)}\n    }}\n  ]\n}}\n')
