"""
A time budget for analysing one contribution.

Every pattern on contribution text runs in linear time, but a contribution can still be large
enough, or shaped oddly enough, to cost more than anyone should wait for. The checker opens a
budget around each contribution; the loops that do the work call `checkpoint()`, which raises
`BudgetExceeded` once the budget is spent. The checker turns that into an `analysis/incomplete`
finding with the reason, so an overrun is reported and held, never a hang or a silent pass.

The budget counts the analysing thread's CPU time, not the wall clock: a machine busy with
other work does not make an ordinary contribution look slow, and a thread never waits on
anything inside the analysis, so its CPU time is all the time it takes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

DEFAULT_SECONDS = 5.0
"""The budget when a policy does not set `analysis.budget_seconds`."""

_EVERY = 64
"""Checkpoints between two readings of the clock: a checkpoint per line must stay cheap."""


class BudgetExceeded(Exception):
    """The contribution's time budget ran out at `stage`."""

    def __init__(self, seconds: float, stage: str) -> None:
        super().__init__(f"the time budget of {seconds:g} s ran out in {stage}")
        self.seconds = seconds
        self.stage = stage


@dataclass
class _Budget:
    seconds: float
    ends: float
    """When the thread's CPU clock passes this, the budget is spent."""
    spendable: float
    """The monotonic clock before which the budget cannot be spent yet: a thread never uses
    more CPU time than the time that passes, and this clock is far cheaper to read (no
    system call), so most checks never read the CPU clock."""
    stage: str = "analysis"
    calls: int = 0


_CURRENT: ContextVar[_Budget | None] = ContextVar("patchvet_budget", default=None)


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Run the block under a budget of `seconds` of this thread's CPU time."""
    spendable = time.monotonic() + seconds  # read first: no CPU is used before it counts
    token = _CURRENT.set(_Budget(seconds, time.thread_time() + seconds, spendable))
    try:
        yield
    finally:
        _CURRENT.reset(token)


def stage(name: str) -> None:
    """Name the work that follows (for the reason an overrun gives), and check the budget."""
    current = _CURRENT.get()
    if current is not None:
        current.stage = name
        _check(current)


def checkpoint() -> None:
    """Raise `BudgetExceeded` if the budget is spent; cheap enough to call once per line."""
    current = _CURRENT.get()
    if current is not None:
        current.calls += 1
        if current.calls % _EVERY == 0:
            _check(current)


def look() -> None:
    """Raise `BudgetExceeded` now if the budget is spent: between large pieces of one stage."""
    current = _CURRENT.get()
    if current is not None:
        _check(current)


def _check(current: _Budget) -> None:
    if time.monotonic() >= current.spendable and time.thread_time() > current.ends:
        raise BudgetExceeded(current.seconds, current.stage)
