"""
What analyzers receive and return.

An analyzer is a pure function from a `Subject` (the contribution, the policy, and the AI
signals computed once for it) to findings. Analyzers never print, exit, or touch the network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from patchvet.marks import AgentMark
from patchvet.policy.schema import Policy
from patchvet.records import Contribution, Finding, Location

if TYPE_CHECKING:
    # Only named in annotations: a check without a ledger never imports the ledger's records.
    from patchvet.ledger.interface import LedgerView


@dataclass(frozen=True)
class Disclosure:
    """One place where AI use is disclosed, in a named form."""

    form: str
    """One of `policy.schema.DISCLOSURE_FORMS`."""
    evidence: str
    location: Location
    tool: str | None = None
    """The agent or model named, when the form names one."""


@dataclass(frozen=True)
class Signals:
    """AI-related facts about a contribution, computed once and shared by analyzers."""

    marks: tuple[AgentMark, ...]
    disclosures: tuple[Disclosure, ...]
    denials: tuple[Disclosure, ...]
    """Statements that no AI was used."""
    likelihood: float | None = None
    """The statistical model's calibrated probability, None when no model is installed."""

    @property
    def agent_detected(self) -> bool:
        """An explicit agent mark is present."""
        return bool(self.marks)

    @property
    def ai_involved(self) -> bool:
        """Agent marks or a disclosure of AI use: what a ban on AI content looks at."""
        return bool(self.marks or self.disclosures)


@dataclass(frozen=True)
class Subject:
    """Everything an analyzer may look at for one contribution."""

    contribution: Contribution
    policy: Policy
    signals: Signals
    history: LedgerView | None = None
    """The ledger's read-only view of this contributor, when a ledger is in use."""


Analyzer = Callable[[Subject], Iterable[Finding]]
"""The shape of every analyzer."""
