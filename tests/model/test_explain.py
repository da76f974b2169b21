"""Explained scores: exact, in plain words, and covering every input the features produce."""

from __future__ import annotations

import math

from patchvet.model.explain import explain
from patchvet.model.features import (
    DENSE_DESCRIPTIONS,
    DENSE_NAMES,
    SIGNALS,
    TOKEN_KINDS,
    dense,
    describe_shape,
    tokens,
    view,
)
from patchvet.model.scorer import shipped_model
from tests.model.test_shipped_model import AGENT_STYLE, TERSE_HUMAN


def test_every_input_has_plain_words() -> None:
    assert set(DENSE_DESCRIPTIONS) == set(DENSE_NAMES)
    assert {d.signal for d in DENSE_DESCRIPTIONS.values()} <= set(SIGNALS)
    assert {k.signal for k in TOKEN_KINDS.values()} <= set(SIGNALS)
    for item in (AGENT_STYLE, TERSE_HUMAN):
        seen = view(item)
        kinds = {token.split(":", 1)[0] for token in tokens(seen, dense(seen))}
        assert kinds - {"b"} <= set(TOKEN_KINDS)


def test_explanation_adds_up_to_the_score_exactly() -> None:
    model = shipped_model()
    assert model is not None
    for item in (AGENT_STYLE, TERSE_HUMAN):
        explanation = explain(model, item)
        assert explanation is not None
        total = explanation.bias + sum(s.weight for s in explanation.signals)
        assert math.isclose(total, explanation.logit, abs_tol=1e-6)
        assert math.isclose(model.calibrate(explanation.logit), model.score(item) or 0.0)


def test_agent_style_is_explained_in_words_with_values() -> None:
    model = shipped_model()
    assert model is not None
    explanation = explain(model, AGENT_STYLE)
    assert explanation is not None
    pushes = explanation.pushes()
    assert 3 <= len(pushes) <= 5
    assert [p.weight for p in pushes] == sorted((p.weight for p in pushes), reverse=True)
    assert all(p.weight > 0 for p in pushes)
    text = " ".join(p.text for p in pushes)
    assert "comprehensive" in text  # a word the model ties to agents, named as such
    assert any(ch.isdigit() for ch in text)  # values, not just names


def test_line_shapes_read_as_words() -> None:
    assert describe_shape("0-w2") == "unindented, from '-' to a word, 40-59 chars"
    assert describe_shape("blank") == "blank lines"
