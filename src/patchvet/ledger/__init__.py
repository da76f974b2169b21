"""The contributor ledger: identities, history, vouches, rate windows, the circuit breaker."""

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
