"""
What GitHub says publicly about an account at one moment: the profile, up to 300 public events
of the last 90 days (GitHub keeps no more), and, where search answers, pull-request counts in
other people's repositories. Stored as JSON in the ledger so a busy App asks once a day.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


def moment(text: str) -> datetime:
    """A GitHub timestamp (`2026-12-01T12:00:00Z`) as an aware datetime; ValueError if not one."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Event:
    """One public event, reduced to what the signals read."""

    type: str
    repo: str
    created_at: str
    action: str | None = None
    ref: str | None = None
    """The branch or tag of a Create/Push event, or a pull request's head branch."""
    ref_type: str | None = None
    target: str | None = None
    """A fork's new repository, or a pull request's base repository."""
    merged: bool | None = None
    messages: tuple[str, ...] = ()
    """Commit messages of a push (when GitHub includes them)."""

    @property
    def when(self) -> datetime:
        """The event time."""
        return moment(self.created_at)


@dataclass(frozen=True)
class AccountSnapshot:
    """The public account as fetched; `missing` names what could not be read, and why."""

    login: str
    fetched_at: str
    id: int | None = None
    created_at: str | None = None
    public_repos: int | None = None
    followers: int | None = None
    events: tuple[Event, ...] = ()
    merged_elsewhere: int | None = None
    """Merged pull requests in repositories the account does not own (search)."""
    closed_unmerged_elsewhere: int | None = None
    missing: dict[str, str] = field(default_factory=dict)

    def age_days(self, now: datetime) -> int | None:
        """Days from the account's creation to `now`; None when GitHub did not say."""
        return (now - moment(self.created_at)).days if self.created_at else None

    def to_json(self) -> str:
        """For the ledger's cache."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> AccountSnapshot:
        """From the ledger's cache."""
        data: dict[str, Any] = json.loads(text)
        data["events"] = tuple(
            Event(**{**e, "messages": tuple(e.get("messages", ()))}) for e in data["events"]
        )
        return cls(**data)


def event_from_api(raw: dict[str, Any]) -> Event | None:
    """An event from `GET /users/{login}/events/public`; None for a shape it cannot read."""
    try:
        kind = str(raw["type"])
        repo = str(raw.get("repo", {}).get("name", ""))
        created = str(raw["created_at"])
        moment(created)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    payload = raw.get("payload") or {}
    if not isinstance(payload, dict):
        payload = {}
    action = payload.get("action")
    ref = payload.get("ref")
    target = None
    merged = None
    messages: tuple[str, ...] = ()
    if kind == "ForkEvent":
        target = (payload.get("forkee") or {}).get("full_name")
    elif kind == "PullRequestEvent":
        pull = payload.get("pull_request") or {}
        ref = (pull.get("head") or {}).get("ref")
        target = ((pull.get("base") or {}).get("repo") or {}).get("full_name") or repo
        merged = pull.get("merged")
    elif kind == "PushEvent":
        commits = payload.get("commits") or []
        messages = tuple(
            str(c.get("message", ""))[:2000] for c in commits[:20] if isinstance(c, dict)
        )
        if isinstance(ref, str):
            ref = ref.removeprefix("refs/heads/")
    return Event(
        type=kind,
        repo=repo,
        created_at=created,
        action=action if isinstance(action, str) else None,
        ref=ref if isinstance(ref, str) else None,
        ref_type=payload.get("ref_type") if isinstance(payload.get("ref_type"), str) else None,
        target=target if isinstance(target, str) else None,
        merged=merged if isinstance(merged, bool) else None,
        messages=messages,
    )
