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

from collections.abc import Iterable, Mapping, Sequence
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


@dataclass(frozen=True)
class OverrideSearch:
    """The override in force, if any, and the attempts that did not count (for the log)."""

    override: Override | None
    refused: tuple[str, ...]


def find_override(
    client: GitHubClient,
    repo: str,
    policy: Policy,
    me: str,
    labels: Sequence[str],
    events: Sequence[Mapping[str, Any]],
    comments: Sequence[Mapping[str, Any]],
    verdict: Verdict,
) -> OverrideSearch:
    """The latest override by someone the policy trusts with it; comments before labels."""
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

    for comment in reversed(comments):
        login = str((comment.get("user") or {}).get("login", ""))
        for line in str(comment.get("body") or "").splitlines():
            command = line.strip()
            if not command.startswith(rules.override_command):
                continue
            reason = command.removeprefix(rules.override_command).strip()
            if not reason:
                refused.append(f"override comment by {login} ignored: it gives no reason")
                continue
            if allowed(login, "override comment"):
                via = f"comment {comment.get('html_url') or comment.get('id')}"
                return OverrideSearch(Override(login, reason, via, verdict), tuple(refused))
    present = [label for label in rules.override_labels if label in labels]
    for event in reversed(events):
        name = (event.get("label") or {}).get("name")
        if event.get("event") != "labeled" or name not in present:
            continue
        login = str((event.get("actor") or {}).get("login", ""))
        if allowed(login, f"label {name}"):
            reason = f"label {name} added by a maintainer"
            return OverrideSearch(Override(login, reason, f"label {name}", verdict),
                                  tuple(refused))  # fmt: skip
        present.remove(name)  # only its latest `labeled` event counts
    return OverrideSearch(None, tuple(refused))
