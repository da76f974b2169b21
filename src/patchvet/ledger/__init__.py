"""The contributor ledger: identities, history, vouches, rate windows, the circuit breaker."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from patchvet.ledger.interface import (
        BreakerState,
        LedgerError,
        LedgerView,
        PersonSummary,
        ScoreBaseline,
        Vouch,
    )
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

_MODULE_OF = dict.fromkeys(__all__, "interface") | {
    "SqlLedger": "store",
    "open_ledger": "store",
}


def __getattr__(name: str) -> Any:
    """
    Each name from its module on first use: a `check` without a ledger should not pay for
    SQLite, migrations and the policy engine (the store), nor for the records of the view
    (the interface), which the analyzers name only in annotations.
    """
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"patchvet.ledger.{module}"), name)
