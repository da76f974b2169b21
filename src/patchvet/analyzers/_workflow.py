"""
Where an added line of a GitHub Actions workflow stands, as far as the diff shows: inside a
`run: |` script or outside it, a YAML comment, a data-only setting; and whether a workflow
edit only changes inert settings (versions of GitHub's own actions, runner images, matrix
versions, triggers' branches, schedules, timeouts).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from patchvet.records import AddedLine, ChangeStatus, FileChange

_BLOCK_OPENER = re.compile(
    r"^(?P<lead>[ \t]*(?:-[ \t]+)?)(?P<key>[\w.-]+):[ \t]*[|>][-+0-9]*[ \t]*(?:#.*)?$"
)
_MAPPING = re.compile(r"^[ \t]*(?:-[ \t]+)?(?P<key>[\w.-]+):(?:[ \t]|$)")
_EXECUTED_KEYS = {"run", "script"}


@dataclass(frozen=True)
class YamlLine:
    """An added workflow line and what the added lines show about where it stands."""

    line: AddedLine
    block: str | None
    """The key of the block scalar (`run: |`) the line is inside, when known."""
    known: bool
    """Whether the added lines show where the line stands (False at a hunk's first lines)."""

    @property
    def comment(self) -> bool:
        """A YAML comment: never read by the runner (unlike `#` lines inside `run: |`)."""
        return self.known and self.block is None and self.line.text.lstrip().startswith("#")

    @property
    def data_only(self) -> bool:
        """
        A mapping entry outside any script, like `group: ${{ github.head_ref }}` under
        `concurrency:` or `TITLE: ${{ … }}` under `env:`: expressions there are not scripts.
        """
        mapping = _MAPPING.match(self.line.text)
        return (
            self.known
            and self.block is None
            and mapping is not None
            and mapping["key"] not in _EXECUTED_KEYS
        )


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def yaml_lines(change: FileChange) -> Iterator[YamlLine]:
    """
    Follow block scalars across contiguous added lines. At the start of a hunk the lines
    above are unseen, so nothing is known until a line at column 0 (which no block scalar
    can hold) or a new file shows it.
    """
    known = change.status.value == "added"
    block: str | None = None
    block_column = -1
    previous = 0
    for line in change.added_lines:
        if line.number != previous + 1:
            known, block = False, None
        previous = line.number
        text = line.text
        if text.strip() and _indent(text) == 0:
            known = True
        if block is not None and text.strip() and _indent(text) <= block_column:
            block = None
        yield YamlLine(line, block, known)
        opener = _BLOCK_OPENER.match(text)
        if opener and (known or _indent(text) == 0):
            block, block_column = opener["key"], len(opener["lead"])


# Settings that only select versions, runners, branches and schedules. Their values are data
# (checked below for shell syntax), never code: a matrix value could reach a `run:` line, so
# a value with `;`, `&`, a backtick, a backslash or `$(` is not inert.
_INERT_KEYS = {
    "name", "os", "timeout-minutes", "cron", "branches", "branches-ignore", "tags", "paths",
    "paths-ignore", "types", "fail-fast", "max-parallel", "cancel-in-progress", "group",
    "python-version", "node-version", "go-version", "java-version", "dotnet-version",
    "ruby-version", "rust-version", "toolchain", "distribution", "cache",
}  # fmt: skip
# Token scopes: narrowing them to `read` or `none` is inert; `write` is flagged on its own.
_PERMISSION_SCOPES = {
    "actions", "checks", "contents", "deployments", "discussions", "id-token", "issues",
    "packages", "pages", "pull-requests", "repository-projects", "security-events", "statuses",
    "attestations", "models",
}  # fmt: skip
_STRUCTURE_KEYS = {
    "permissions", "on", "push", "pull_request", "schedule", "workflow_dispatch", "jobs",
    "steps", "strategy", "matrix", "with", "concurrency",
}  # fmt: skip
_FIRST_PARTY_USES = re.compile(
    r"^[ \t]*(?:-[ \t]+)?uses:[ \t]*[\"']?(?:actions|github)/[\w./-]+@[\w.-]+[\"']?[ \t]*(?:#.*)?$"
)
_HOSTED_RUNNER = re.compile(
    r"^[\"']?(?:ubuntu|windows|macos)-[\w.-]+[\"']?$|^\$\{\{\s*matrix\.[\w.-]+\s*\}\}$"
)
_SHELL_SYNTAX = re.compile(r"[;&`\\]|\$\(")
# Values are captured whole and stripped in Python: a lazy group before `[ \t]*$` would be
# quadratic on long runs of blanks.
_KEY_VALUE = re.compile(r"^[ \t]*(?:-[ \t]+)?(?P<key>[\w.-]+):(?P<value>.*)$")
_LIST_ITEM = re.compile(r"^[ \t]*-[ \t](?P<value>[^:#]*)$")


def _inert_line(placed: YamlLine) -> bool:
    """
    Whether the line can run nothing. Where the diff does not show if the line sits in a
    `run: |` script, the shapes accepted here are harmless as shell too (`key: value` and
    `- value` run no command that exists); expressions in them are judged by the
    script-injection and secret-use patterns on their own.
    """
    text = placed.line.text
    if not text.strip() or text.lstrip().startswith("#"):
        return True
    if placed.block is not None:
        return False
    if _FIRST_PARTY_USES.match(text):
        return True
    pair = _KEY_VALUE.match(text)
    if pair:
        key, value = pair["key"], pair["value"].split(" #", 1)[0].strip(" \t")
        if not value:
            return key in _STRUCTURE_KEYS or key in _INERT_KEYS
        if key == "runs-on":
            return _HOSTED_RUNNER.match(value) is not None
        if key in _PERMISSION_SCOPES or key == "permissions":
            return value in ("read", "none", "read-all", "{}")
        if key == "on":  # privileged triggers are findings of their own
            return not _SHELL_SYNTAX.search(value)
        return key in _INERT_KEYS and not _SHELL_SYNTAX.search(value)
    item = _LIST_ITEM.match(text)
    return item is not None and not _SHELL_SYNTAX.search(item["value"])


def inert_workflow_change(change: FileChange) -> bool:
    """
    A workflow edit that can run nothing new: the file deleted whole, or every added line a
    comment, a first-party action version (`actions/…`, `github/…`), a GitHub-hosted runner,
    or a version, branch, schedule or timeout setting. Other deletions are not inert: removing
    a `permissions:` line widens the token.
    """
    if change.status is ChangeStatus.DELETED:
        return True
    if change.deletions and not change.added_lines:
        return False
    return bool(change.added_lines) and all(_inert_line(p) for p in yaml_lines(change))
