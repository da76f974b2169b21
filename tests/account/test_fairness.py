"""
Fairness of the account classifier on accounts written for it (tests/account/personas.py): no
person is called `automation`, the prolific maintainer is `organic`, and no automation persona
that leaves any public trace of its operation is called `organic`.
"""

from __future__ import annotations

import pytest

from patchvet.account import judge_account
from tests.account.personas import AUTOMATION, KNOWN_MISSES, PEOPLE, Persona, prolific_maintainer


@pytest.mark.parametrize("make", PEOPLE.values(), ids=PEOPLE.keys())
def test_no_person_is_called_automation(make: Persona) -> None:
    assert judge_account(make()).classification != "automation"


def test_the_prolific_maintainer_is_organic() -> None:
    assert judge_account(prolific_maintainer()).classification == "organic"


@pytest.mark.parametrize("make", AUTOMATION.values(), ids=AUTOMATION.keys())
def test_automation_with_a_public_trace_is_not_called_organic(make: Persona) -> None:
    assert judge_account(make()).classification in ("mixed", "automation")


def test_a_mid_sized_burst_of_fork_chains_is_not_automation_without_agent_marks() -> None:
    # the web-editor newcomer: 12 forks and pull requests in a day, all `patch-1`
    judged = judge_account(PEOPLE["web-editor newcomer, 12 fixes a day"]())
    assert judged.score >= 60 and judged.classification == "mixed"


def test_known_misses_are_listed_for_what_they_are() -> None:
    # Documented, not hidden: these read organic on account data alone.
    assert all(judge_account(make()).classification == "organic" for make in KNOWN_MISSES.values())
