"""
JSON report, schema `patchvet/report/v1` (DESIGN.md). Stable: changes are additive only.

Additions to the documented shape: each finding's `verdict` (what the policy made of it),
`scores.size_bucket` and `scores.files`, `series` for emailed patches, a top-level
`series` list: each revision of a patch series judged as a unit, `mail` for emailed patches
(Message-ID, the sender from the mail's header, and what attests the author), `details` on
a finding that measured something: `[{"name", "text", "value"}]`, strongest first (the signals
behind an agent-likelihood score with their weights; a contributor's baseline and jump), and
`policy.origin` (where the policy was read from: `preset linux`, a file,
`<base sha>:.patchvet.toml`), `ignored` on a finding the policy's `[ignore]` covers (its
reason; the finding's verdict is then pass), and `override` on a contribution a maintainer
overrode (`by`, `reason`, `via`, `original_verdict`; the verdict is then pass).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from json.encoder import encode_basestring_ascii
from typing import Any

from patchvet import __version__
from patchvet.compiled import indent_json as _COMPILED_INDENT
from patchvet.formats.interface import Reporter
from patchvet.formats.series import SeriesOutcome
from patchvet.policy import Policy
from patchvet.records import Assessment, Finding, Identity, Location, Skipped, Verdict

_quote = encode_basestring_ascii  # json's own, in C: the same escapes


SCHEMA = "patchvet/report/v1"


def identity_to_dict(identity: Identity) -> dict[str, Any]:
    """The `author` object."""
    return {"name": identity.name, "email": identity.email, "login": identity.login,
            "id": identity.id}  # fmt: skip


def location_to_dict(location: Location) -> dict[str, Any]:
    """A location, leaving out what is unknown."""
    out: dict[str, Any] = {}
    if location.path is not None:
        out["path"] = location.path
    if location.line is not None:
        out["line"] = location.line
    if location.column is not None:
        out["column"] = location.column
    if location.commit is not None:
        out["commit"] = location.commit
    return out


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    """The `policy` object."""
    return {"name": policy.name, "extends": policy.extends, "mode": policy.mode,
            "origin": policy.origin}  # fmt: skip


def _details(finding: Finding) -> dict[str, Any]:
    """`details`, only on findings that measured something (additive to v1)."""
    if not finding.details:
        return {}
    return {
        "details": [
            {"name": detail.name, "text": detail.text, "value": detail.value}
            for detail in finding.details
        ]
    }


def assessment_to_dict(assessment: Assessment) -> dict[str, Any]:
    """One element of `contributions`."""
    contribution = assessment.contribution
    out: dict[str, Any] = {
        "source": contribution.source,
        "id": contribution.id,
        "title": contribution.title,
        "author": identity_to_dict(contribution.author),
        "verdict": assessment.verdict.value,
        "scores": {
            "agent_likelihood": assessment.scores.agent_likelihood,
            "size_lines": assessment.scores.size_lines,
            "size_bucket": assessment.scores.size_bucket,
            "files": assessment.scores.files,
        },
        "findings": [
            {
                "id": judged.finding.id,
                "severity": judged.finding.severity.value,
                "confidence": judged.finding.confidence.value,
                "message": judged.finding.message,
                "locations": [location_to_dict(loc) for loc in judged.finding.locations],
                "evidence": judged.finding.evidence,
                "remedy": judged.finding.remedy,
                "verdict": judged.verdict.value,
                **_details(judged.finding),
                **({"ignored": judged.ignored} if judged.ignored is not None else {}),
            }
            for judged in assessment.findings
        ],
    }
    if contribution.mail is not None:
        mail = contribution.mail
        out["mail"] = {"message_id": mail.message_id, "sender": identity_to_dict(mail.sender),
                       "attestation": mail.attestation}  # fmt: skip
    if assessment.override is not None:
        override = assessment.override
        out["override"] = {"by": override.by, "reason": override.reason, "via": override.via,
                           "original_verdict": override.original.value}  # fmt: skip
    if contribution.series is not None:
        series = contribution.series
        out["series"] = {"index": series.index, "total": series.total, "tag": series.tag,
                         "version": series.version, "cover_title": series.cover_title,
                         "thread": series.thread}  # fmt: skip
    return out


def series_to_dict(outcome: SeriesOutcome) -> dict[str, Any]:
    """One element of `series`: a revision of a patch series judged as a unit."""
    return {
        "title": outcome.title,
        "version": outcome.version,
        "total": outcome.total,
        "verdict": outcome.verdict.value,
        "drivers": [{"id": finding, "index": index} for finding, index in outcome.drivers],
        "missing": list(outcome.missing),
        "since_previous": None
        if outcome.appeared is None
        else {"appeared": list(outcome.appeared), "gone": list(outcome.gone)},
        "summary": outcome.summary(),
    }


def contribution_text(assessment: Assessment) -> str:
    """One element of `contributions` as the report writes it (indented for its place)."""
    return "    " + indented(assessment_to_dict(assessment), "    ")


def indented(value: object, pad: str = "", *, compiled: bool = True) -> str:
    """
    `json.dumps(value, indent=2)` with `pad` before every line but the first: the same text.

    With `indent`, the json module leaves its C encoder for a Python one built of nested
    generators, which cost more than building the rest of a contribution's report; this
    writes the same characters straight into one list (strings are still quoted in C), or,
    where the compiled kernel is built (and `compiled` is true), into one buffer in C. A
    value of a type it does not know goes to the json module whole.
    """
    if compiled and _COMPILED_INDENT is not None:
        text = _COMPILED_INDENT(value, pad, _quote)
        if text is not None:
            return text
    parts: list[str] = []
    try:
        _encode(value, pad, parts)
    except _Unknown:
        # ASCII-only JSON holds no newline but those between lines.
        return json.dumps(value, indent=2).replace("\n", "\n" + pad)
    return "".join(parts)


class _Unknown(Exception):
    """A value `_encode` leaves to the json module."""


def _encode(value: object, pad: str, parts: list[str]) -> None:
    # The order of the tests is json's own: a bool is an int, a str subclass is a str.
    if isinstance(value, str):
        parts.append(_quote(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, float):
        parts.append(_float(value))
    elif isinstance(value, list | tuple):
        if not value:
            parts.append("[]")
            return
        inner = pad + "  "
        parts.append("[\n" + inner)
        for index, item in enumerate(value):
            if index:
                parts.append(",\n" + inner)
            _encode(item, inner, parts)
        parts.append("\n" + pad + "]")
    elif isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = pad + "  "
        parts.append("{\n" + inner)
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise _Unknown  # json's own rules for other keys (numbers, None) apply
            parts.append((",\n" + inner if index else "") + _quote(key) + ": ")
            _encode(item, inner, parts)
        parts.append("\n" + pad + "}")
    else:
        raise _Unknown


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == math.inf:
        return "Infinity"
    if value == -math.inf:
        return "-Infinity"
    return float.__repr__(value)


class JsonReporter(Reporter):
    """Streams the report: the header first, each contribution as it is assessed."""

    def start(self) -> None:
        header = {
            "schema": SCHEMA,
            "tool": {"name": "patchvet", "version": __version__},
            "policy": policy_to_dict(self.policy),
        }
        self.out.write(indented(header)[:-2])
        self.out.write(',\n  "contributions": [')
        self._first = True

    def add(self, assessment: Assessment) -> None:
        self.add_written(contribution_text(assessment))

    def add_written(self, text: str) -> None:
        self.out.write(("\n" if self._first else ",\n") + text)
        self._first = False

    def finish(self, skipped: Sequence[Skipped], counts: Mapping[Verdict, int]) -> None:
        skipped_json = indented([{"source": s.source, "reason": s.reason} for s in skipped], "  ")
        closing = "\n  ]" if not self._first else "]"
        series_json = indented([series_to_dict(o) for o in self.series.finished()], "  ")
        self.out.write(f'{closing},\n  "skipped": {skipped_json},\n'
                       f'  "series": {series_json}\n}}\n')  # fmt: skip
