"""How an `agent-likelihood/high-score` finding shows its score against the threshold."""

from __future__ import annotations

import pytest

from patchvet.analyzers.likelihood import distinguishing_digits, shown


@pytest.mark.parametrize(
    ("score", "threshold", "expected"),
    [
        (0.99502, 0.9945828, ("0.9950", "0.9946")),  # not `1.00` against `0.99`
        (0.99996, 0.9945828, ("0.999", "0.995")),  # a score below 1 never reads 1
        (0.9, 0.5, ("0.90", "0.50")),
        (0.5, 0.5, ("0.5000", "0.5000")),  # equal at every width: the widest
    ],
)
def test_a_score_reads_above_the_threshold_it_reached(
    score: float, threshold: float, expected: tuple[str, str]
) -> None:
    digits = distinguishing_digits(score, threshold)
    assert (shown(score, digits), f"{threshold:.{digits}f}") == expected
