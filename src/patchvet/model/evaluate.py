"""
Leave-one-repository-out evaluation of the agent-likelihood model, against size-matched human
commits, with a TF-IDF + logistic-regression baseline for comparison and an era check on
recent unmarked commits.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from patchvet.model.dataset import Example
from patchvet.model.train import (
    fit_logit,
    fit_platt,
    linear_scores,
    matrices,
    repository_threshold,
    size_matched_weights,
    threshold_at_fpr,
    training_rows,
    training_weights,
)

HUMAN_ONLY_FOLDS = 3
"""Repositories with few or no agent commits are held out in this many groups (fewer fits)."""
MIN_FOLD_AGENTS = 10
"""A repository needs this many agent commits to be a fold of its own (its row to mean much)."""


@dataclass(frozen=True)
class Curve:
    """Ranking quality of scores against labels, humans weighted to match agent sizes."""

    auroc: float
    tpr_at_1: float
    tpr_at_01: float
    agents: int
    humans: int


def weighted_curve(scores: NDArray[np.float64], labels: NDArray[np.int_],
                   weights: NDArray[np.float64]) -> Curve:  # fmt: skip
    """AUROC and TPR at 1% and 0.1% FPR, with human weights as sample weights."""
    from sklearn.metrics import roc_auc_score, roc_curve  # type: ignore[import-untyped]

    auroc = float(roc_auc_score(labels, scores, sample_weight=weights))
    fpr, tpr, _ = roc_curve(labels, scores, sample_weight=weights)

    def tpr_at(limit: float) -> float:
        return float(tpr[np.searchsorted(fpr, limit, side="right") - 1])

    return Curve(auroc, tpr_at(0.01), tpr_at(0.001), int(labels.sum()),
                 int(len(labels) - labels.sum()))  # fmt: skip


def folds(examples: Sequence[Example], groups: int = 0) -> list[str]:
    """
    The fold of each example. By default a repository with `MIN_FOLD_AGENTS` or more agent
    commits is a fold of its own (leave-one-repository-out) and the others, whose history is
    human but for a handful of agent commits at most, are dealt, in name order, into
    `HUMAN_ONLY_FOLDS` groups; with `groups`, every repository is dealt into that many (fewer
    fits on a slow machine). Either way no example is scored by a model that saw its
    repository.
    """
    if groups:
        names = sorted({e.repo for e in examples}, key=str.lower)
        dealt = {repo: f"group {n % groups + 1}" for n, repo in enumerate(names)}
        return [dealt[e.repo] for e in examples]
    agents = Counter(e.repo for e in examples if e.label == "agent")
    with_agents = {repo for repo, count in agents.items() if count >= MIN_FOLD_AGENTS}
    others = sorted({e.repo for e in examples} - with_agents)
    group = {repo: f"human-only {n % HUMAN_ONLY_FOLDS + 1}" for n, repo in enumerate(others)}
    return [e.repo if e.repo in with_agents else group[e.repo] for e in examples]


def held_out_logits(
    examples: Sequence[Example], groups: int = 0, train_human: int = 0
) -> NDArray[np.float64]:
    """
    Each example scored by a model trained on other repositories only (see `folds`), with at
    most `train_human` human commits of each repository among the training rows (all, when 0;
    see `training_rows`). Every example of the held-out repositories is scored.
    """
    dense_rows, hashed_rows = matrices(examples)
    labels = np.array([1 if e.label == "agent" else 0 for e in examples])
    trainable = training_rows(examples, train_human)
    weights = training_weights(examples)
    repos = np.array([e.repo for e in examples])
    logits = np.zeros(len(examples))
    fold_of = np.array(folds(examples, groups))
    for fold in sorted(set(fold_of)):
        held = fold_of == fold
        train_rows = trainable & ~held
        fitted = fit_logit(dense_rows[train_rows], hashed_rows[train_rows], labels[train_rows],
                           weights[train_rows], repos[train_rows])  # fmt: skip
        logits[held] = linear_scores(fitted, dense_rows[held], hashed_rows[held])
    return logits


def baseline_logits(examples: Sequence[Example]) -> NDArray[np.float64]:
    """The reference baseline: TF-IDF over message and added lines, plain logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    texts = [f"{e.subject}\n{e.body}\n" + "\n".join(e.added) for e in examples]
    labels = np.array([1 if e.label == "agent" else 0 for e in examples])
    trainable = np.array([e.label in ("agent", "human") for e in examples])
    logits = np.zeros(len(examples))
    fold_of = np.array(folds(examples))
    for fold in sorted(set(fold_of)):
        held = fold_of == fold
        train_rows = np.flatnonzero(trainable & ~held)
        vectorizer = TfidfVectorizer(max_features=200_000, ngram_range=(1, 2), min_df=2,
                                     sublinear_tf=True)  # fmt: skip
        design = vectorizer.fit_transform([texts[i] for i in train_rows])
        model = LogisticRegression(C=4.0, max_iter=1000, class_weight="balanced")
        model.fit(design, labels[train_rows])
        held_rows = np.flatnonzero(held)
        logits[held] = model.decision_function(vectorizer.transform([texts[i] for i in held_rows]))
    return logits


def calibration_table(
    probabilities: NDArray[np.float64],
    labels: NDArray[np.int_],
    weights: NDArray[np.float64],
    bins: int = 10,
) -> list[dict[str, Any]]:
    """Predicted against observed agent share per probability decile."""
    edges = np.linspace(0, 1, bins + 1)
    table = []
    for low, high in itertools.pairwise(edges):
        inside = (probabilities >= low) & (probabilities < high if high < 1 else True)
        w = weights[inside]
        if w.sum() <= 0:
            continue
        table.append({
            "bin": f"{low:.1f}-{high:.1f}",
            "predicted": float(np.average(probabilities[inside], weights=w)),
            "observed": float(np.average(labels[inside], weights=w)),
            "count": int(inside.sum()),
        })  # fmt: skip
    return table


def evaluate(
    examples: Sequence[Example],
    with_baseline: bool = True,
    fold_groups: int = 0,
    train_human: int = 0,
) -> tuple[NDArray[np.float64], dict[str, Any]]:
    """(held-out logits for every example, metrics) over folds by repository (see `folds`)."""
    logits = held_out_logits(examples, fold_groups, train_human)
    labels = np.array([1 if e.label == "agent" else 0 for e in examples])
    labeled = np.array([e.label in ("agent", "human") for e in examples])
    weights = size_matched_weights(examples)
    metrics: dict[str, Any] = {
        "folds": fold_groups
        or f"one per repository with {MIN_FOLD_AGENTS} or more agent commits, the others in "
        f"{HUMAN_ONLY_FOLDS} groups"
    }

    def summarize(scores: NDArray[np.float64]) -> dict[str, Any]:
        pooled = weighted_curve(scores[labeled], labels[labeled], weights[labeled])
        per_repo = {}
        for repo in sorted({e.repo for e in examples}):
            rows = labeled & np.array([e.repo == repo for e in examples])
            if labels[rows].any() and (labels[rows] == 0).any():
                per_repo[repo] = weighted_curve(scores[rows], labels[rows], weights[rows]).__dict__
        return {"pooled": pooled.__dict__, "per_repository": per_repo}

    metrics["model"] = summarize(logits)
    if with_baseline:
        metrics["baseline_tfidf_lr"] = summarize(baseline_logits(examples))
    a, b = fit_platt(logits[labeled], labels[labeled], weights[labeled])
    probabilities = 1 / (1 + np.exp(-(a * logits + b)))
    repos = np.array([e.repo for e in examples])
    pooled_threshold = threshold_at_fpr(
        probabilities[labeled], labels[labeled], weights[labeled], 0.01
    )
    threshold, own_points = repository_threshold(probabilities[labeled], labels[labeled],
                                                 repos[labeled])  # fmt: skip
    metrics["threshold_pooled_1pct_fpr"] = pooled_threshold
    metrics["calibration"] = calibration_table(probabilities[labeled], labels[labeled],
                                               weights[labeled])  # fmt: skip
    brier = np.average((probabilities[labeled] - labels[labeled]) ** 2, weights=weights[labeled])
    metrics["brier"] = float(brier)
    metrics["threshold_1pct_fpr"] = threshold
    metrics["tpr_at_threshold"] = float((probabilities[labels == 1] >= threshold).mean())
    humans = np.array([e.label == "human" for e in examples])
    metrics["false_flags_per_repository"] = {
        repo: {
            "humans": int((humans & (repos == repo)).sum()),
            "flagged": float((probabilities[humans & (repos == repo)] >= threshold).mean()),
            "own_1pct_point": own_points.get(repo),
        }
        for repo in sorted(set(repos[humans]))
    }
    groups: dict[str, NDArray[np.bool_]] = {
        "agent": labels == 1,
        "human (before 2023)": np.array([e.label == "human" for e in examples]),
        "recent unmarked (2025+)": np.array([e.label == "recent" for e in examples]),
    }
    metrics["era"] = {
        name: {
            "count": int(mask.sum()),
            "mean_probability": float(probabilities[mask].mean()) if mask.any() else None,
            "share_above_threshold": float((probabilities[mask] >= threshold).mean())
            if mask.any()
            else None,
        }
        for name, mask in groups.items()
    }
    recent = groups["recent unmarked (2025+)"]
    repos = np.array([e.repo for e in examples])
    metrics["era_per_repository"] = {}
    for repo in sorted(set(repos[recent])):
        rows = recent & (repos == repo)
        metrics["era_per_repository"][repo] = {
            "recent": int(rows.sum()),
            "share_above_threshold": float((probabilities[rows] >= threshold).mean()),
        }
    return logits, metrics
