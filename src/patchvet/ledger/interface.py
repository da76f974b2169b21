"""
What the ledger hands to analyzers and shows to people: read-only snapshots.

Analyzers never query the ledger themselves; the checker asks it for a `LedgerView` of each
contribution, computed as of the contribution's own time, and passes it in.
"""

from __future__ import annotations

from dataclasses import dataclass

from patchvet.errors import PatchvetError


class LedgerError(PatchvetError):
    """The ledger cannot be opened, migrated or written."""


@dataclass(frozen=True)
class Vouch:
    """A vouch or denouncement, with who, why, when and until when."""

    action: str
    """`vouch` or `denounce`."""
    by: str
    reason: str
    created_at: str
    expires_at: str | None = None


@dataclass(frozen=True)
class BreakerState:
    """The project-wide circuit breaker as of one moment."""

    agent_share: float
    merged: int
    paused: bool
    since: str | None = None
    """When the breaker last tripped, if it is holding."""


@dataclass(frozen=True)
class ScoreBaseline:
    """A contributor's own agent-likelihood history: what their usual style scores."""

    count: int
    """Earlier scored contributions without agent marks (the most recent ones, up to 50)."""
    median: float
    high: float
    """The 90th percentile: what this person's more unusual contributions reach."""
    keys: frozenset[str]
    """Signing keys already seen with this person."""


@dataclass(frozen=True)
class LedgerView:
    """Everything the ledger knows that bears on one contribution, before it is recorded."""

    person: int | None
    prior_contributions: int
    latest: str | None
    known_emails: frozenset[str]
    standing: Vouch | None
    """The active vouch or denouncement, if any."""
    tier: str
    """`new`, `known` or `vouched`."""
    in_window: int
    """This person's contributions within the policy's rate window before this one."""
    open_contributions: int
    open_agent_contributions: int
    breaker: BreakerState | None
    baseline: ScoreBaseline | None = None
    """The contributor's score history, when they have any."""
    withheld: Vouch | None = None
    """A vouch set aside for this contribution: the mail did not prove who sent it."""


@dataclass(frozen=True)
class PersonSummary:
    """`patchvet ledger show`: a person's identities, standing and record."""

    person: int
    identities: tuple[tuple[str, str], ...]
    logins: tuple[str, ...]
    vouches: tuple[Vouch, ...]
    contributions: int
    latest: tuple[str, str, str, str] | None
    """(created_at, project, title, verdict) of the latest recorded contribution."""
