"""
Why the model scored a contribution as it did, exactly and in plain words.

The model is linear before calibration, so its logit is the bias plus one term per input: a
standardized dense measurement times its weight, or a hashed bucket's log count times its
weight (a bucket shared by several tokens is split between them by their counts). Terms are
summed per signal of `features.SIGNALS`; the signals with the largest sums are what pushed
the score up, and their sum with the bias is the logit itself, so nothing is approximated.

Only the registry in `features.py` gives inputs their names, so a new feature with an entry
there is explained without changes here; an input without one is counted under `other`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from patchvet.budget import checkpoint
from patchvet.model.features import (
    DENSE_DESCRIPTIONS,
    DENSE_NAMES,
    SIGNALS,
    TOKEN_KINDS,
    dense,
    describe_shape,
    token_bucket,
    tokens,
    view,
)
from patchvet.model.scorer import LikelihoodModel
from patchvet.records import Contribution

OTHER = "other"
_LISTED = 3
"""Tokens named per kind: enough to recognise the pattern, few enough to read."""


@dataclass(frozen=True)
class SignalWeight:
    """One signal's share of a score: its words, with the values, and its exact weight."""

    signal: str
    """A key of `features.SIGNALS`, or `other`."""
    name: str
    text: str
    """Plain words with values, e.g. `6 Markdown bullets in the message`."""
    weight: float
    """The signal's exact contribution to the model's logit (positive pushes towards agent)."""


@dataclass(frozen=True)
class Explanation:
    """A score taken apart: bias plus the weight of every signal is the logit."""

    logit: float
    bias: float
    signals: tuple[SignalWeight, ...]
    """Every signal with a non-zero weight, the strongest push towards agent first."""

    def pushes(self, most: int = 5, least: int = 3, share: float = 0.1) -> tuple[SignalWeight, ...]:
        """
        The signals that pushed the score up the most: at least `least` (when that many push
        up at all), then more up to `most` while each adds `share` of the strongest one.
        """
        up = [s for s in self.signals if s.weight > 0]
        if not up:
            return ()
        chosen = up[:least]
        chosen += [s for s in up[least:most] if s.weight >= share * up[0].weight]
        return tuple(chosen)


@dataclass
class _Member:
    """One input's share within a signal: a dense measurement, or one token."""

    weight: float
    phrase: str
    kind: str
    """`dense`, or the token kind (prefix)."""


def explain(model: LikelihoodModel, contribution: Contribution) -> Explanation | None:
    """The model's score of `contribution` taken apart; None when the model reads nothing."""
    seen = view(contribution)
    if not seen.paths:
        return None
    measured = dense(seen)
    members: dict[str, list[_Member]] = {}
    dense_members: dict[str, _Member] = {}
    for name, value, term in zip(DENSE_NAMES, measured, model.dense_terms(measured), strict=True):
        described = DENSE_DESCRIPTIONS.get(name)
        signal = described.signal if described else OTHER
        phrase = described.phrase(value) if described else f"{name} = {value:.2f}"
        member = _Member(term, phrase, "dense")
        dense_members[name] = member
        members.setdefault(signal, []).append(member)
    message = f"{seen.subject}\n{seen.body}"
    counts = Counter(tokens(seen, measured))
    per_bucket: Counter[int] = Counter()
    for token, count in counts.items():
        checkpoint()
        per_bucket[token_bucket(token)] += count
    # A message of a megabyte has millions of distinct letter sequences, each looked up in the
    # message: the time budget, looked at here, stops that rather than let it run for minutes.
    for token, count in counts.items():
        checkpoint()
        bucket = token_bucket(token)
        term = model.hashed_weights[bucket] * math.log1p(per_bucket[bucket])
        share = term * count / per_bucket[bucket]
        kind, _, text = token.partition(":")
        if kind == "b":
            name = text.rsplit(":", 1)[0]
            if name in dense_members:
                dense_members[name].weight += share
                continue
        token_kind = TOKEN_KINDS.get(kind)
        signal = token_kind.signal if token_kind else OTHER
        words = _token_words(kind, text, message)
        members.setdefault(signal, []).append(_Member(share, words, kind))
    weights = [
        SignalWeight(signal, SIGNALS.get(signal, "other inputs"), _words(group),
                     sum(m.weight for m in group))
        for signal, group in members.items()
    ]  # fmt: skip
    weights = [w for w in weights if w.weight != 0.0]
    order = list(SIGNALS)
    weights.sort(key=lambda w: (-w.weight, order.index(w.signal) if w.signal in order else 99))
    logit = model.logit(measured, _hashed_values(counts))
    return Explanation(logit, model.bias, tuple(weights))


def _hashed_values(counts: Counter[str]) -> dict[int, float]:
    per_bucket: Counter[int] = Counter()
    for token, count in counts.items():
        checkpoint()
        per_bucket[token_bucket(token)] += count
    return {bucket: math.log1p(n) for bucket, n in per_bucket.items()}


def _token_words(kind: str, text: str, message: str) -> str:
    if kind in ("ms", "sh"):
        return describe_shape(text)
    if kind in ("m3", "m5"):
        return _around(text, message)
    if kind in ("mb", "cb"):
        return text.replace("_", " ")
    if kind == "x":
        return f".{text}" if text else "files without an extension"
    if kind == "d":
        return f"{text}/"
    return text


def _around(fragment: str, message: str) -> str:
    """The word of the message a letter sequence comes from, or the sequence itself."""
    at = message.find(fragment)
    if at < 0 or not any(ch.isalpha() for ch in fragment):
        return "«" + fragment.replace("\n", "⏎") + "»"
    start, end = at, at + len(fragment)
    # Only 40 characters are shown: a word of a megabyte is not walked to its ends.
    floor, ceiling = max(0, at - 64), min(len(message), end + 64)
    while start > floor and message[start - 1].isalnum():
        start -= 1
    while end < ceiling and message[end].isalnum():
        end += 1
    return message[start:end].strip()[:40] or "«" + fragment + "»"


def _words(group: Iterable[_Member]) -> str:
    """The two strongest upward inputs of a signal, tokens of a kind listed together."""
    dense_phrases: list[tuple[float, str]] = []
    by_listing: dict[str, list[_Member]] = {}
    for member in group:
        if member.weight <= 0:
            continue
        if member.kind == "dense":
            dense_phrases.append((member.weight, member.phrase))
        else:
            token_kind = TOKEN_KINDS.get(member.kind)
            intro = token_kind.listing if token_kind else f"{member.kind} tokens"
            by_listing.setdefault(intro, []).append(member)
    phrases = list(dense_phrases)
    for intro, listed in by_listing.items():
        strength: dict[str, float] = {}
        for member in listed:
            strength[member.phrase] = strength.get(member.phrase, 0.0) + member.weight
        names = sorted(strength, key=lambda name: -strength[name])[:_LISTED]
        phrases.append((sum(m.weight for m in listed), f"{intro}: {', '.join(names)}"))
    phrases.sort(key=lambda p: -p[0])
    return "; ".join(phrase for _, phrase in phrases[:2]) or "several small signals"
