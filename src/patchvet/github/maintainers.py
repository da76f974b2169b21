"""
What maintainers say on GitHub, read so that nobody else can say it for them.

- Which labels patchvet itself set: the latest `labeled` event of each label names its actor,
  and a label whose actor is patchvet's own identity is patchvet's. Those labels never count as
  the contributor's disclosure, and patchvet may remove them when they no longer apply.
- The author's entry in the vouch list (`.github/VOUCHED.td`), read from the base commit.
- A maintainer's override: the override label added by someone with write access, or a comment
  line `/patchvet override <reason>` from such a person, checked with
  `GET /repos/{o}/{r}/collaborators/{user}/permission`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from patchvet.github.client import GitHubClient, GitHubError
from patchvet.ledger.identity import parse_vouched_line
from patchvet.policy import Policy
from patchvet.records import Identity, Listing, Override, Verdict


def own_labels(events: Iterable[Mapping[str, Any]], me: str) -> frozenset[str]:
    """Labels whose most recent `labeled` event was by `me`."""
    actor: dict[str, str] = {}
    for event in events:
        if event.get("event") == "labeled" and isinstance(event.get("label"), dict):
            actor[str(event["label"].get("name"))] = str((event.get("actor") or {}).get("login"))
    return frozenset(name for name, who in actor.items() if who.lower() == me.lower())


def vouch_listing(
    client: GitHubClient, repo: str, base_sha: str, author: Identity, policy: Policy
) -> Listing | None:
    """The author's entry in the base commit's vouch list; None when there is no list."""
    path = policy.maintainers.vouch_file
    text = client.file_at(repo, path, base_sha)
    if text is None:
        return None
    source = f"{repo}@{base_sha[:12]}:{path}"
    wanted = {("login", (author.login or "").lower())}
    if author.id is not None:
        wanted.add(("github", str(author.id)))
    found: Listing = Listing("unlisted", source)
    for line in text.splitlines():
        try:
            parsed = parse_vouched_line(line)
        except ValueError:
            continue  # a handle on another platform
        if parsed is not None and parsed[1] in wanted:
            found = Listing(parsed[0], source, parsed[2])  # the last line about them wins
    return found


_RECORD = re.compile(r"^<!-- patchvet-override-at: (\S+) ([0-9a-f]{40}) -->$", re.M)


def override_records(comments: Sequence[Mapping[str, Any]], me: str, marker: str) -> dict[str, str]:
    """
    Which override (`comment:<id>` or `label:<event id>`) was honoured at which head commit, as
    recorded in patchvet's own comment (found by author and marker; nobody else can edit it).
    """
    for comment in reversed(comments):
        body = str(comment.get("body") or "")
        if (
            str((comment.get("user") or {}).get("login", "")).lower() == me.lower()
            and marker in body
        ):
            return dict(_RECORD.findall(body))
    return {}


def record_lines(records: Mapping[str, str]) -> str:
    """Hidden lines for patchvet's comment that keep `override_records` across runs."""
    return "".join(f"<!-- patchvet-override-at: {key} {sha} -->\n" for key, sha in records.items())


@dataclass(frozen=True)
class OverrideSearch:
    """The override in force, if any, and the attempts that did not count (for the log)."""

    override: Override | None
    refused: tuple[str, ...]
    key: str | None = None
    """`comment:<id>` or `label:<event id>` of the override in force."""


def find_override(
    client: GitHubClient,
    repo: str,
    policy: Policy,
    me: str,
    labels: Sequence[str],
    events: Sequence[Mapping[str, Any]],
    comments: Sequence[Mapping[str, Any]],
    verdict: Verdict,
    head_sha: str,
    honoured: Mapping[str, str],
) -> OverrideSearch:
    """
    The latest override by someone the policy trusts with it (a comment before a label).

    An override holds for the head commit it was first honoured at: after new commits, the
    maintainer must look again and give a new one, so nobody can push after an override.
    """
    rules = policy.maintainers
    refused: list[str] = []

    def allowed(login: str, what: str) -> bool:
        if login.lower() == me.lower():
            return False  # patchvet's own comments and labels are not a maintainer's word
        try:
            role = client.permission(repo, login)
        except GitHubError as error:
            refused.append(f"{what} by {login}: cannot check their permission ({error.message})")
            return False
        if role not in rules.override_permissions:
            refused.append(f"{what} by {login} ignored: their role is {role}, and the policy "
                           f"needs {' or '.join(rules.override_permissions)}")  # fmt: skip
            return False
        return True

    def current(key: str, override: Override) -> OverrideSearch | None:
        given_for = honoured.get(key)
        if given_for is not None and given_for != head_sha:
            refused.append(f"override by {override.by} ({override.via}) was given for commit "
                           f"{given_for[:12]}; after new commits it needs a new one")  # fmt: skip
            return None
        return OverrideSearch(override, tuple(refused), key)

    for comment in _latest_command(comments, rules.override_command, refused, allowed):
        login = str((comment.get("user") or {}).get("login", ""))
        reason = _reason(comment, rules.override_command)
        via = f"comment {comment.get('html_url') or comment.get('id')}"
        found = current(f"comment:{comment.get('id')}", Override(login, reason, via, verdict))
        if found is not None:
            return found
    present = [label for label in rules.override_labels if label in labels]
    for event in reversed(events):
        name = (event.get("label") or {}).get("name")
        if event.get("event") != "labeled" or name not in present:
            continue
        login = str((event.get("actor") or {}).get("login", ""))
        if allowed(login, f"label {name}"):
            override = Override(login, f"label {name} added by a maintainer", f"label {name}",
                                verdict)  # fmt: skip
            return current(f"label:{event.get('id')}", override) or OverrideSearch(
                None, tuple(refused)
            )
        present.remove(name)  # only its latest `labeled` event counts
    return OverrideSearch(None, tuple(refused))


def _reason(comment: Mapping[str, Any], command: str) -> str:
    for line in str(comment.get("body") or "").splitlines():
        if line.strip().startswith(command):
            return line.strip().removeprefix(command).strip()
    return ""


def _latest_command(
    comments: Sequence[Mapping[str, Any]],
    command: str,
    refused: list[str],
    allowed: Callable[[str, str], bool],
) -> list[Mapping[str, Any]]:
    """The newest override comment from someone allowed (as a list of at most one)."""
    for comment in reversed(comments):
        login = str((comment.get("user") or {}).get("login", ""))
        lines = [line.strip() for line in str(comment.get("body") or "").splitlines()]
        if not any(line.startswith(command) for line in lines):
            continue
        if not _reason(comment, command):
            refused.append(f"override comment by {login} ignored: it gives no reason")
            continue
        if allowed(login, "override comment"):
            return [comment]
    return []
