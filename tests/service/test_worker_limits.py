"""Celery tasks are time-limited, with room for a full batch analysed at the policy's budget."""

from __future__ import annotations

from patchvet.budget import DEFAULT_SECONDS
from patchvet.service.worker import CLAIM_BATCH, HAND_BACK_AFTER, celery_app


def test_tasks_have_soft_and_hard_time_limits_above_a_batchs_analysis_budget() -> None:
    conf = celery_app("redis://127.0.0.1:6379/9").conf
    soft, hard = conf.task_soft_time_limit, conf.task_time_limit
    assert soft is not None and hard is not None
    # A task claims no more after HAND_BACK_AFTER; then at most one claim is worked through.
    assert HAND_BACK_AFTER + CLAIM_BATCH * DEFAULT_SECONDS < soft < hard
    # A lost worker's message goes back to the queue rather than being dropped.
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
