"""
Per-project calibration: a threshold chosen from the project's own honest history.

The shipped threshold is the score at most 1% of the training humans reach; a project whose
people write differently (long explanations, mailing-list habits) can see many more of its
own honest commits above it. Its history from before coding agents existed is the best
picture of its honest contributors, so the calibrated threshold is the lowest one that at
most `target_rate` of those commits reach. It never goes below the shipped threshold:
calibration is there to spare honest contributors, not to accuse more of them.
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from patchvet.marks import detect_marks, load_registry
from patchvet.model.scorer import LikelihoodModel
from patchvet.records import Contribution

AGENT_ERA = "2023-01-01"
"""Before this date no autonomous coding agent wrote commits: history before it is human."""
MIN_CONTRIBUTIONS = 300
"""Fewer honest contributions than this say too little about a 1% tail to trust."""
DEFAULT_RATE = 0.01
RECENT = 1000
"""The most recent contributions, whose own 1% tail the threshold must also respect."""
_FINGERPRINTS: dict[int, tuple[LikelihoodModel, str]] = {}


def fingerprint(model: LikelihoodModel) -> str:
    """A short digest of the model's weights: a calibration is valid for this model only."""
    known = _FINGERPRINTS.get(id(model))
    if known is not None and known[0] is model:
        return known[1]
    digest = hashlib.sha256()
    # The bytes numpy gave when the model's arrays were numpy's: float64, and float32 weights.
    for part in (model.dense_mean, model.dense_scale, model.dense_weights):
        digest.update(struct.pack(f"<{len(part)}d", *part))
    digest.update(model.hashed_weights.single_bytes())
    digest.update(repr((model.bias, model.platt_a, model.platt_b, model.threshold)).encode())
    value = digest.hexdigest()[:16]
    _FINGERPRINTS[id(model)] = (model, value)
    return value


@dataclass(frozen=True)
class HistoryScores:
    """The scores of a stretch of history, and what was left out and why."""

    scores: tuple[float, ...]
    """One per honest contribution the model reads, in the order read (most recent first)."""
    read: int
    recent: int
    """Contributions dated on or after the cut-off: agents existed, so they are left out."""
    marked: int
    """Contributions with an explicit agent mark (bots, agent trailers): not human work."""
    unscored: int
    """Contributions the model does not read (only lock files or agent instruction files)."""
    first: str | None
    last: str | None
    """The dates of the oldest and newest contribution scored."""


def score_history(
    contributions: Iterable[Contribution], model: LikelihoodModel, before: str = AGENT_ERA
) -> HistoryScores:
    """Score every contribution dated before `before` that carries no agent mark."""
    registry = load_registry()
    scores: list[float] = []
    dates: list[str] = []
    read = recent = marked = unscored = 0
    for contribution in contributions:
        read += 1
        when = contribution.created_at or ""
        if not when or _utc_date(when) >= before:
            recent += 1
            continue
        if detect_marks(contribution, registry):
            marked += 1
            continue
        score = model.score(contribution)
        if score is None:
            unscored += 1
            continue
        scores.append(score)
        dates.append(_utc_date(when))
    return HistoryScores(tuple(scores), read, recent, marked, unscored,
                         min(dates, default=None), max(dates, default=None))  # fmt: skip


def _utc_date(when: str) -> str:
    """The UTC calendar date of an ISO 8601 time (`2022-12-31T23:00:00-05:00` is 2023-01-01)."""
    try:
        parsed = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return when[:10]
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).date().isoformat()


def flag_rate(scores: Iterable[float], threshold: float) -> float:
    """The share of scores at or above `threshold` (what the analyzer flags)."""
    values = list(scores)
    return sum(1 for s in values if s >= threshold) / len(values) if values else 0.0


@dataclass(frozen=True)
class Outcome:
    """What calibration decided, with the figures that justify it."""

    trusted: bool
    threshold: float
    """The threshold to use: calibrated when trusted, else the shipped one."""
    contributions: int
    rate: float
    """Share of the honest contributions at or above `threshold`."""
    default_threshold: float
    default_rate: float
    """Share of them at or above the shipped threshold, for comparison."""
    raised: bool
    """The project's history needed a higher threshold than the shipped one."""


def _cut(values: list[float], target_rate: float) -> float:
    """The lowest 0.0001-grid threshold that at most `target_rate` of `values` reach."""
    ordered = sorted(values, reverse=True)
    allowed = math.floor(target_rate * len(ordered))
    if allowed >= len(ordered):
        return 0.0
    # Strictly above the first score that must not be flagged, so ties stay unflagged.
    return math.floor(ordered[allowed] * 10_000 + 1) / 10_000


def choose_threshold(
    scores: Sequence[float],
    default: float,
    target_rate: float = DEFAULT_RATE,
    minimum: int = MIN_CONTRIBUTIONS,
    extra: Sequence[float] = (),
) -> Outcome:
    """
    The lowest threshold (on a 0.0001 grid, never below `default`) that at most `target_rate`
    of the honest contributions reach, both over all of them and over the `RECENT` most
    recent; untrusted, keeping `default`, with fewer than `minimum`.

    `scores` run most recent first; `extra` (maintainers' verdicts) have no place in time and
    count only with the whole. Styles drift, and the recent past is closest to what will be
    judged next: on the development repositories (docs/model.md) the recent window kept the
    held-out rate of the following year within target where the whole history alone did not.
    """
    values = [*scores, *extra]
    default_rate = flag_rate(values, default)
    if len(values) < minimum:
        return Outcome(False, default, len(values), default_rate, default, default_rate, False)
    candidate = max(_cut(values, target_rate), _cut(list(scores[:RECENT]), target_rate))
    floor = math.ceil(default * 10_000) / 10_000
    threshold = min(1.0, max(floor, candidate))
    return Outcome(True, threshold, len(values), flag_rate(values, threshold), default,
                   default_rate, threshold > floor)  # fmt: skip
