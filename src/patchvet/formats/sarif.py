"""
SARIF 2.1.0 for code scanning: one result per finding, with file and line locations where the
finding has them, so GitHub can annotate the lines. Rules are collected as results stream and
written after them (JSON object member order carries no meaning).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from patchvet import __version__
from patchvet.formats.interface import Reporter
from patchvet.records import Assessment, Severity, Skipped, Verdict

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {
    Severity.INFO: "note",
    Severity.LOW: "note",
    Severity.MEDIUM: "warning",
    Severity.HIGH: "error",
}


def _result(assessment: Assessment, index: int) -> list[dict[str, Any]]:
    results = []
    source = assessment.contribution.source
    for judged in assessment.findings:
        finding = judged.finding
        locations = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": location.path},
                    **({"region": {"startLine": location.line,
                                   **({"startColumn": location.column}
                                      if location.column else {})}}
                       if location.line else {}),
                }
            }
            for location in finding.locations
            if location.path
        ]  # fmt: skip
        text = finding.message
        if finding.remedy:
            text += f" Fix: {finding.remedy}"
        results.append(
            {
                "ruleId": finding.id,
                "level": _LEVEL[finding.severity],
                "message": {"text": text},
                "locations": locations,
                "partialFingerprints": {
                    "patchvet/v1": f"{assessment.contribution.id}:{finding.id}"
                },
                "properties": {
                    "contribution": source,
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


class SarifReporter(Reporter):
    """Streams results; writes the tool and its rules at the end."""

    def start(self) -> None:
        self.out.write('{\n  "$schema": "' + SARIF_SCHEMA + '",\n  "version": "2.1.0",\n')
        self.out.write('  "runs": [\n    {\n      "results": [')
        self._first = True
        self._rules: dict[str, Severity] = {}
        self._count = 0

    def add(self, assessment: Assessment) -> None:
        for result in _result(assessment, self._count):
            self.out.write(("\n        " if self._first else ",\n        ") + json.dumps(result))
            self._first = False
        for judged in assessment.findings:
            current = self._rules.get(judged.finding.id)
            if current is None or judged.finding.severity > current:
                self._rules[judged.finding.id] = judged.finding.severity
        self._count += 1

    def finish(self, skipped: Sequence[Skipped], counts: Mapping[Verdict, int]) -> None:
        rules = [
            {
                "id": rule,
                "name": rule.replace("/", "-"),
                "shortDescription": {"text": rule},
                "defaultConfiguration": {"level": _LEVEL[severity]},
            }
            for rule, severity in sorted(self._rules.items())
        ]
        tool = {
            "driver": {
                "name": "patchvet",
                "version": __version__,
                "informationUri": "https://github.com/patchvet/patchvet",
                "rules": rules,
            }
        }
        invocation = {
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {"level": "warning", "message": {"text": f"skipped {s.source}: {s.reason}"}}
                for s in skipped
            ],
        }
        self.out.write("\n      ]," if not self._first else "],")
        self.out.write(f'\n      "tool": {json.dumps(tool)},')
        self.out.write(f'\n      "invocations": [{json.dumps(invocation)}]\n    }}\n  ]\n}}\n')
