"""Choosing a project's threshold from its own history."""

from __future__ import annotations

from patchvet.model.calibrate import choose_threshold, fingerprint, flag_rate, score_history
from patchvet.model.scorer import shipped_model
from patchvet.records import Identity
from tests.helpers import added, contribution
from tests.model.test_shipped_model import AGENT_STYLE, TERSE_HUMAN


def test_threshold_keeps_the_target_share_and_never_goes_below_the_default() -> None:
    scores = [i / 1000 for i in range(1000)]  # 0.000 … 0.999
    outcome = choose_threshold(scores, default=0.5, target_rate=0.01, minimum=300)
    assert outcome.trusted and outcome.raised
    assert outcome.threshold == 0.9891  # the ten scores 0.990 … 0.999 reach it: 1%
    assert flag_rate(scores, outcome.threshold) == outcome.rate == 0.01
    assert outcome.default_rate == 0.5
    low = choose_threshold([0.1] * 400, default=0.76, target_rate=0.01, minimum=300)
    assert low.trusted and not low.raised and low.threshold == 0.7600 and low.rate == 0.0


def test_ties_at_the_cut_stay_unflagged() -> None:
    outcome = choose_threshold([0.9] * 20 + [0.1] * 380, default=0.5, target_rate=0.01,
                               minimum=300)  # fmt: skip
    assert outcome.threshold == 0.9001 and outcome.rate == 0.0


def test_the_recent_past_must_stay_within_the_rate_too() -> None:
    recent = [0.95] * 30 + [0.1] * 970  # 3% of the latest 1,000 score high …
    older = [0.1] * 3000  # … but only 0.75% of all 4,000
    outcome = choose_threshold(recent + older, default=0.5, target_rate=0.01, minimum=300)
    assert outcome.threshold == 0.9501 and outcome.rate == 0.0
    assert choose_threshold(older + recent, default=0.5).threshold == 0.5  # order matters
    verdicts = choose_threshold([0.1] * 300, default=0.5, extra=[0.99] * 10)
    assert verdicts.contributions == 310 and verdicts.threshold == 0.9901


def test_too_little_history_is_not_trusted() -> None:
    outcome = choose_threshold([0.99] * 50, default=0.76, minimum=300)
    assert not outcome.trusted and outcome.threshold == 0.76 and outcome.default_rate == 1.0


def test_history_leaves_out_recent_marked_and_unread_work() -> None:
    model = shipped_model()
    assert model is not None
    old = TERSE_HUMAN.__class__(**{**TERSE_HUMAN.__dict__, "created_at": "2021-05-01T10:00:00Z"})
    new = TERSE_HUMAN.__class__(**{**TERSE_HUMAN.__dict__, "created_at": "2024-05-01T10:00:00Z"})
    late_tz = TERSE_HUMAN.__class__(
        **{**TERSE_HUMAN.__dict__, "created_at": "2022-12-31T22:00:00-05:00"}
    )
    marked = contribution(
        message="Fix pager\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
        files=(added("pager.c", "x"),),
        author=Identity(name="A", email="a@example.org"),
    )
    marked = marked.__class__(**{**marked.__dict__, "created_at": "2021-01-01T00:00:00Z"})
    lock_only = contribution(files=(added("Cargo.lock", "x"),))
    lock_only = lock_only.__class__(**{**lock_only.__dict__, "created_at": "2021-01-01T00:00:00Z"})
    history = score_history([old, new, late_tz, marked, lock_only], model, "2023-01-01")
    assert (len(history.scores), history.recent, history.marked, history.unscored) == (1, 2, 1, 1)
    assert history.first == history.last == "2021-05-01"


def test_fingerprint_names_the_model() -> None:
    model = shipped_model()
    assert model is not None
    assert fingerprint(model) == fingerprint(model) and len(fingerprint(model)) == 16
    assert AGENT_STYLE.created_at is None
