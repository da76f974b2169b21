"""The contributor ledger: identities, history, vouches, rate windows, the circuit breaker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from patchvet.ledger.interface import (
    BreakerState,
    LedgerError,
    LedgerView,
    PersonSummary,
    ScoreBaseline,
    Vouch,
)

if TYPE_CHECKING:
    from patchvet.ledger.store import SqlLedger, open_ledger

__all__ = [
    "BreakerState",
    "LedgerError",
    "LedgerView",
    "PersonSummary",
    "ScoreBaseline",
    "SqlLedger",
    "Vouch",
    "open_ledger",
]

_STORE_NAMES = frozenset({"SqlLedger", "open_ledger"})


def __getattr__(name: str) -> Any:
    """
    The store on first use: analyzers import `ledger.interface` for the read-only view, and a
    `check` without a ledger should not pay for SQLite, migrations and the policy engine.
    """
    if name in _STORE_NAMES:
        from patchvet.ledger import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
