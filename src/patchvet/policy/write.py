"""
Write a calibrated threshold into a policy file, keeping everything else as the maintainer wrote
it: other keys, comments and order. Only `[likelihood] threshold`, the lines `patchvet
calibrate` wrote before and the `[likelihood.calibration]` table are replaced; a new file
extends the `default` preset. The result is validated before it replaces the file.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from patchvet.errors import ConfigError
from patchvet.linear import compile_linear
from patchvet.policy.loader import load_text
from patchvet.policy.schema import Calibration

_MARK = "# patchvet calibrate:"
# Linear-time: with `re`, the lazy name and the spaces around it made `[` and a long run of
# spaces quadratic.
_HEADER = compile_linear(r"^\s*\[\s*([A-Za-z0-9_.\"' -]+?)\s*\]\s*(?:#.*)?$")


def _table_prefix(path: Path) -> str:
    return "tool.patchvet." if path.name == "pyproject.toml" else ""


def _header_name(line: str) -> str | None:
    match = _HEADER.match(line)
    if not match or line.lstrip().startswith("[["):
        return None
    return re.sub(r"\s*\.\s*", ".", match.group(1).replace('"', "").replace("'", ""))


def _calibration_lines(calibration: Calibration) -> list[str]:
    lines = [
        f'model = "{calibration.model}"',
        f"commits = {calibration.commits}",
        f"human_verdicts = {calibration.human_verdicts}",
        f"range = {_quote(calibration.range)}",
        f"false_flag_rate = {calibration.false_flag_rate:.4f}",
        f"target_rate = {calibration.target_rate}",
    ]
    if calibration.date:
        lines.append(f'date = "{calibration.date}"')
    return lines


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped) + '"'


def _without_old(lines: list[str], likelihood: str, calibration: str) -> list[str]:
    """The file without the previous calibration: its table, threshold and marked comments."""
    kept: list[str] = []
    section: str | None = None
    for line in lines:
        name = _header_name(line)
        if name is not None:
            section = name
        if section == calibration:
            continue
        if section == likelihood and (
            line.strip().startswith(_MARK) or re.match(r"^\s*threshold\s*=", line)
        ):
            continue
        kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    return kept


def calibrated_text(
    text: str | None, path: Path, threshold: float, calibration: Calibration, notes: list[str]
) -> str:
    """The policy text with this calibration in place of any earlier one."""
    prefix = _table_prefix(path)
    likelihood, table = f"{prefix}likelihood", f"{prefix}likelihood.calibration"
    if text is None:
        text = 'extends = "default"\n'
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from None
    lines = _without_old(text.splitlines(), likelihood, table)
    header_at = next((i for i, line in enumerate(lines) if _header_name(line) == likelihood), None)
    section = raw.get("tool", {}).get("patchvet", {}) if prefix else raw
    if header_at is None and isinstance(section, dict) and "likelihood" in section:
        raise ConfigError(
            f"{path} sets likelihood in a form patchvet calibrate cannot edit",
            hint="write it as a [likelihood] table, then run patchvet calibrate again",
        )
    ours = [*(f"{_MARK} {note}" for note in notes), f"threshold = {threshold:.4f}"]
    if header_at is None:
        lines += ["", f"[{likelihood}]", *ours]
        header_at = len(lines) - len(ours) - 1
    else:
        lines[header_at + 1 : header_at + 1] = ours
    end = next(
        (i for i in range(header_at + 1, len(lines)) if _header_name(lines[i]) is not None),
        len(lines),
    )
    while end > header_at + 1 and not lines[end - 1].strip():
        end -= 1
    # One blank line before the next table, not two when the maintainer's file has one already.
    gap = [""] if end < len(lines) and lines[end].strip() else []
    lines[end:end] = ["", f"[{table}]", *_calibration_lines(calibration), *gap]
    result = "\n".join(lines).rstrip("\n") + "\n"
    policy = load_text(result, str(path))
    if policy.likelihood.threshold != round(threshold, 4) or policy.likelihood.calibration is None:
        raise ConfigError(f"could not place the threshold in {path}; edit it by hand")
    return result


def write_calibration(
    path: Path, threshold: float, calibration: Calibration, notes: list[str]
) -> bool:
    """Write the calibration into `path` (created when absent); True when it was created."""
    try:
        text = path.read_text("utf-8") if path.exists() else None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read policy {path}: {error}") from None
    result = calibrated_text(text, path, threshold, calibration, notes)
    temporary = path.with_name(f".{path.name}.patchvet-tmp")
    try:
        temporary.write_text(result, "utf-8")
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ConfigError(f"cannot write policy {path}: {error.strerror or error}") from None
    return text is None
