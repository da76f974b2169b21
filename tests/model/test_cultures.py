"""What keeps honest contributors of every project culture from reading as agents."""

from __future__ import annotations

import numpy as np

from patchvet.model.dataset import Example
from patchvet.model.evaluate import HUMAN_ONLY_FOLDS, MIN_FOLD_AGENTS, folds
from patchvet.model.features import MESSAGE_BODY_READ, dense, hashed, view
from patchvet.model.train import repository_threshold, training_rows
from tests.helpers import added, contribution

FILES = (added("lib/netdev.c", "\tif (n >= max) {", "\t\treturn -EINVAL;", "\t}"),)
PARAGRAPH = (
    "The queue length was read before the lock was taken, so a concurrent\n"
    "resize could leave the reader with a stale bound and an out of range\n"
    "index. Take the lock first and read the length under it.\n\n"
)


def _features(message: str) -> tuple[list[float], dict[int, float]]:
    seen = view(contribution(message=message, files=FILES))
    return dense(seen), hashed(seen)


def test_a_subject_prefix_is_the_projects_convention_not_evidence() -> None:
    plain = _features("handle a stale queue length\n\n" + PARAGRAPH)
    for prefix in ("fix(netdev): ", "fix: ", "feat(core)!: ", "netdev-dpdk: ", "package/foo: "):
        assert _features(prefix + "handle a stale queue length\n\n" + PARAGRAPH) == plain
    assert _features("Handle a stale queue length\n\n" + PARAGRAPH) != plain


def test_a_longer_explanation_adds_no_evidence_beyond_the_caps() -> None:
    opening = PARAGRAPH * 8
    assert len(opening) > MESSAGE_BODY_READ
    long = _features("Take the lock first\n\n" + opening + PARAGRAPH * 4)
    longer = _features("Take the lock first\n\n" + opening + PARAGRAPH * 30)
    assert long == longer
    short = _features("Take the lock first\n\n" + PARAGRAPH)
    assert short != long


def _example(repo: str, label: str, index: int) -> Example:
    return Example(repo, f"{repo}{index}", label, "marks", "", "2021-01-01", "s", "",
                   [("a.c", "modified", 3, 1)], ["x"])  # fmt: skip


def test_repositories_with_agents_are_folds_of_their_own() -> None:
    examples = [_example("with/agents", "agent", n) for n in range(MIN_FOLD_AGENTS)]
    examples += [_example("with/agents", "human", MIN_FOLD_AGENTS)]
    own = len(examples)
    examples += [_example("a/few-agents", "agent", 0), _example("a/few-agents", "human", 1)]
    examples += [_example(f"only/humans{n}", "human", n) for n in range(HUMAN_ONLY_FOLDS + 1)]
    fold_of = folds(examples)
    assert fold_of[:own] == ["with/agents"] * own
    grouped = fold_of[own:]
    assert len(set(grouped)) == HUMAN_ONLY_FOLDS
    assert "with/agents" not in grouped and "a/few-agents" not in grouped
    assert grouped[0] == grouped[1]  # one repository stays whole
    # Dealt round-robin by name: a/few-agents, then only/humans0, 1, 2, 3.
    assert grouped[0] == grouped[2 + HUMAN_ONLY_FOLDS - 1]


def test_training_rows_cap_humans_per_repository_and_repeat() -> None:
    examples = [_example("big/humans", "human", n) for n in range(30)]
    examples += [_example("big/humans", "agent", 30), _example("big/humans", "recent", 31)]
    examples += [_example("small/humans", "human", n) for n in range(5)]
    rows = training_rows(examples, max_human=10)
    assert rows[:30].sum() == 10 and rows[30] and not rows[31] and rows[32:].all()
    assert (training_rows(examples, max_human=10) == rows).all()
    assert training_rows(examples).sum() == 36  # every agent and human commit


def test_the_threshold_keeps_every_repository_within_one_percent() -> None:
    rng = np.random.default_rng(3)
    terse = rng.uniform(0.0, 0.5, 1000)
    verbose = rng.uniform(0.0, 0.9, 1000)
    tiny = np.full(50, 0.99)  # too few commits to set a tail of its own
    scores = np.concatenate([terse, verbose, tiny])
    labels = np.zeros(len(scores), dtype=int)
    repos = np.array(["terse"] * 1000 + ["verbose"] * 1000 + ["tiny"] * 50)
    threshold, points = repository_threshold(scores, labels, repos)
    assert set(points) == {"terse", "verbose"}
    assert threshold == points["verbose"] > points["terse"]
    for repo in ("terse", "verbose"):
        assert (scores[repos == repo] >= threshold).mean() <= 0.01


def test_repositories_can_be_dealt_into_fewer_folds() -> None:
    examples = [_example(f"r/{n}", "agent" if n % 2 else "human", n) for n in range(7)]
    fold_of = folds(examples, groups=3)
    assert len(set(fold_of)) == 3
    assert fold_of[0] == fold_of[3] == fold_of[6]  # each repository whole, dealt by name
