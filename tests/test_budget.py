"""The time budget of one contribution: checkpoints raise once it is spent, and only then."""

from __future__ import annotations

import time

import pytest

from patchvet.budget import BudgetExceeded, budget, checkpoint, stage


def _spin(seconds: float) -> None:
    ends = time.thread_time() + seconds
    while time.thread_time() < ends:
        pass


def test_checkpoints_outside_a_budget_never_raise() -> None:
    _spin(0.01)
    for _ in range(1000):
        checkpoint()
    stage("anything")


def test_a_spent_budget_raises_at_the_next_checkpoints_with_the_stage() -> None:
    with budget(0.01):
        stage("the dependency analyzer")
        _spin(0.02)
        with pytest.raises(BudgetExceeded) as raised:
            for _ in range(1000):
                checkpoint()
    assert raised.value.stage == "the dependency analyzer"
    assert str(raised.value) == "the time budget of 0.01 s ran out in the dependency analyzer"


def test_stage_checks_at_once() -> None:
    with budget(0.005):
        _spin(0.01)
        with pytest.raises(BudgetExceeded):
            stage("the unicode analyzer")


def test_a_budget_with_time_left_lets_work_go_on() -> None:
    with budget(60):
        for _ in range(10_000):
            checkpoint()
        stage("the size analyzer")


def test_the_budget_ends_with_its_block() -> None:
    with budget(0.001):
        pass
    _spin(0.01)
    for _ in range(1000):
        checkpoint()
