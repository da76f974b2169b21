"""The agent-likelihood pipeline end to end on small repositories made here."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse  # type: ignore[import-untyped]

from patchvet.cli import main
from patchvet.model.dataset import Example, _label, _Listed, build, read_examples, repository_name
from patchvet.model.features import DENSE_NAMES, HASH_SIZE, dense, hashed, view
from patchvet.model.scorer import read_model
from patchvet.model.strip import is_unread_file, strip_subject, strip_text
from patchvet.model.train import (
    MIN_REPOSITORIES,
    NB_STRENGTH,
    fit_logit,
    naive_bayes_scale,
    repository_spread,
    size_matched_weights,
    training_weights,
)
from patchvet.records import Identity
from tests.helpers import added, contribution, make_repo

AGENT_BODY = (
    "## Summary\n\nThis PR implements **comprehensive** improvements.\n\n"
    "### Changes\n- Added robust handling\n- Enhanced the tests\n"
)


def test_strip_removes_every_explicit_mark() -> None:
    text = strip_text(
        "Explain the change.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\n"
        "Co-Authored-By: Claude <noreply@anthropic.com>\nSigned-off-by: Jane <j@x.org>\n"
        "Claude-Session: https://claude.ai/code/session_01\nCopilot suggested this."
    )
    assert text == "Explain the change.\n\n\n suggested this."
    assert strip_subject("Add retries (#123)") == "Add retries"
    assert strip_subject("Initial plan") == ""
    assert is_unread_file("CLAUDE.md") and is_unread_file(".cursor/rules/x.mdc")
    assert not is_unread_file("docs/claude.md")


def test_strip_drops_the_rules_left_above_stripped_trailers_and_footers() -> None:
    # GitHub's squash merge: the commits' subjects, a rule, then the co-authors.
    squash = "* handle tabs\n\n* tests\n\n---------\n\nCo-authored-by: A <a@b.org>"
    assert strip_text(squash) == "* handle tabs\n\n* tests"
    footer = "Explain it.\n\n---\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)"
    assert strip_text(footer) == "Explain it."
    # A rule inside the message (a table's, a section's) is the author's and stays.
    assert strip_text("Counts:\nname  n\n----  -\nGPL   4\n\nDone.") == (
        "Counts:\nname  n\n----  -\nGPL   4\n\nDone."
    )


def test_strip_drops_what_a_pull_request_template_puts_in_every_message() -> None:
    text = strip_text(
        "# PR Summary\n\nFix the parser.\n<!-- Say why you opened it.\nKeep it short. -->\n"
        "## PR Checklist\n- [x] [PR has a meaningful title](https://example.org/c)\n"
        "- [ ] Tests added\n1. [X] Docs\n* handles [x] in prose\n<!-- unterminated"
    )
    assert text == "# PR Summary\n\nFix the parser.\n\n## PR Checklist\n* handles [x] in prose"


def test_lock_files_are_not_read() -> None:
    item = contribution(
        message="Add retries",
        files=(added("web/pnpm-lock.yaml", "lockfileVersion: 9"), added("src/r.py", "x = 1")),
    )
    seen = view(item)
    assert [path for path, *_ in seen.paths] == ["src/r.py"]
    assert seen.added == ("x = 1",)
    assert is_unread_file("Cargo.lock") and not is_unread_file("src/Cargo.lock.rs")


def test_naive_bayes_scale_favours_tokens_that_lean_to_one_class() -> None:
    rows = sparse.csr_matrix(np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 1.0, 1.0]]))
    labels = np.array([1, 1, 0])
    scale = naive_bayes_scale(rows, labels, np.ones(3))
    even = scale[1]
    assert scale[0] > even and scale[2] > even  # leaning either way earns room
    assert even == pytest.approx(NB_STRENGTH * abs(np.log((3 / 7) / (2 / 5))) + 1 - NB_STRENGTH)


def test_tokens_of_one_repository_alone_get_no_weight() -> None:
    # Bucket 0 is in both repositories' commits, bucket 1 only in repository a's agent
    # commits (a perfect separator there), bucket 2 nowhere.
    rows = sparse.csr_matrix(
        np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0],
                  [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    )  # fmt: skip
    repos = np.array(["a", "a", "a", "b", "b", "b"])
    labels = np.array([1, 1, 0, 1, 0, 1])
    assert repository_spread(rows, repos).tolist() == [2, 1, 0]
    assert MIN_REPOSITORIES == 2
    _, _, _, hashed_weights, _ = fit_logit(
        np.zeros((6, len(DENSE_NAMES))), rows, labels, np.ones(6), repos
    )
    assert hashed_weights[1] == 0.0 and hashed_weights[2] == 0.0
    assert hashed_weights[0] > 0.0


def test_features_are_stable_and_shaped() -> None:
    item = contribution(
        message=f"feat: add retries\n\n{AGENT_BODY}",
        files=(added("src/retry.py", "# Retry the request with backoff.", "def f() -> int:"),),
    )
    seen = view(item)
    assert len(dense(seen)) == len(DENSE_NAMES)
    first = hashed(seen)
    assert first == hashed(view(item))  # no dependence on the hash seed
    assert all(0 <= bucket < HASH_SIZE for bucket in first)


def _populate(root: Path, name: str, seed: int) -> str:
    rng = random.Random(seed)
    repo = make_repo(root / name.replace("/", "+") / "repo")
    for index in range(40):
        lines = "".join(f"x{index}_{n} = {n}\n" for n in range(rng.randint(2, 12)))
        repo.commit(
            f"fix thing {index}",
            {f"src/m{index % 5}.py": lines},
            author="Pat Human <pat@example.org>",
            date=f"2021-0{1 + index % 9}-01T00:00:00Z",
        )
    for index in range(25):
        body = "\n".join(
            f"    # Ensure the value is valid for step {n}.\n    v{n} = check(v)"
            for n in range(rng.randint(3, 10))
        )
        repo.commit(
            f"Implement comprehensive validation {index}\n\n{AGENT_BODY}\n"
            "Co-Authored-By: Claude <noreply@anthropic.com>",
            {
                f"src/valid{index}.py": f"def validate(v) -> bool:\n{body}\n",
                "CLAUDE.md": f"{index}\n",
            },
            date="2025-06-01T00:00:00Z",
        )
    repo.commit(
        "Bump version (#7)",
        {"VERSION": "2\n"},
        author="Sam <sam@example.org>",
        date="2025-07-01T00:00:00Z",
    )
    repo.commit(
        "tidy up", {"README": "x\n"}, author="Sam <sam@example.org>", date="2025-08-01T00:00:00Z"
    )
    return str(repo.path)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    specs = [_populate(root, "acme/alpha", 1), _populate(root, "acme/beta", 2)]
    aidev = root / "aidev" / "Claude_Code"
    aidev.mkdir(parents=True)
    (aidev / "prs.csv").write_text(
        "id,number,title,user,user_id,state,created_at,closed_at,merged_at,repo_url,html_url,body\n"
        "1,7,Bump,x,1,closed,2025-07-01,2025-07-01,2025-07-01T00:00:00Z,"
        "https://api.github.com/repos/acme/alpha,https://github.com/acme/alpha/pull/7,body\n"
    )
    out = root / "data"
    counts = build(specs, root / "aidev", out, max_human=100, max_recent=10)
    assert counts[("acme/alpha", "agent")] == 26  # 25 marked + 1 AIDev squash commit
    assert counts[("acme/beta", "agent")] == 25
    assert counts[("acme/alpha", "human")] == 40  # the initial commit (2026) is neither
    return out


def test_dataset_labels_and_strips(corpus: Path) -> None:
    examples = list(read_examples(corpus / "examples.jsonl"))
    hows = {(e.repo, e.how) for e in examples if e.label == "agent"}
    assert ("acme/alpha", "aidev") in hows and ("acme/alpha", "marks") in hows
    raw = (corpus / "examples.jsonl").read_text()
    for mark in ("anthropic", "Co-Authored-By", "CLAUDE.md", "(#7)"):
        assert mark not in raw


def _listed(author: Identity, message: str) -> _Listed:
    return _Listed("a" * 40, "2025-06-01T00:00:00Z", author, author, message, False)


def test_a_bot_commit_carrying_an_agent_trailer_is_not_agent_work() -> None:
    trailer = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>"
    bump = _listed(Identity("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
                   "Bump axios from 1.0 to 1.1" + trailer)  # fmt: skip
    actions = Identity("github-actions[bot]", "41898282+github-actions@users.noreply.github.com")
    deploy = _listed(actions, "[comp] Production Deploy" + trailer)
    assert _label(bump, "acme/alpha", {}) is None
    assert _label(deploy, "acme/alpha", {}) is None
    # A bot that is itself the agent authors agent work; so does a project's own bot account
    # that runs an agent, and a person with the trailer.
    copilot = _listed(Identity("Copilot", "198982749+Copilot@users.noreply.github.com"), "Fix it")
    runner = _listed(Identity("acme-bot", "bot@acme.org"), "fix: wildcard expansion" + trailer)
    person = _listed(Identity("Pat", "pat@example.org"), "Fix the parser" + trailer)
    for commit in (copilot, runner, person):
        labeled = _label(commit, "acme/alpha", {})
        assert labeled is not None and labeled[:2] == ("agent", "marks")


def test_train_eval_and_score_through_the_cli(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model_path = tmp_path / "model.npz"
    code = main(
        [
            "model",
            "train",
            "--data",
            str(corpus),
            "--output",
            str(model_path),
            "--json",
            str(tmp_path / "m.json"),
            "--no-baseline",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "| **pooled** |" in out and "saved" in out
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert metrics["model"]["pooled"]["auroc"] > 0.9  # the two styles are easy to tell apart
    era = metrics["era_per_repository"]
    assert era
    assert set(era) == {
        e.repo for e in read_examples(corpus / "examples.jsonl") if e.label == "recent"
    }
    assert all(0.0 <= row["share_above_threshold"] <= 1.0 for row in era.values())
    assert "| repository | recent unmarked | above threshold |" in out
    model = read_model(model_path)
    assert model_path.stat().st_size < 3 * 1024 * 1024
    agentish = contribution(
        message=f"Implement comprehensive checks\n\n{AGENT_BODY}",
        files=(added("src/v.py", "    # Ensure the value is valid.", "    v = check(v)"),),
    )
    humanish = contribution(message="fix thing", files=(added("src/m1.py", "x1 = 1"),))
    high, low = model.score(agentish), model.score(humanish)
    assert high is not None and low is not None
    assert 0.0 <= low < high <= 1.0
    assert (
        model.score(contribution(message="Update lock", files=(added("yarn.lock", "a"),))) is None
    )
    assert 0.0 <= model.threshold <= 1.0


def test_repository_names() -> None:
    assert repository_name("acme/x=/tmp/clone") == ("acme/x", Path("/tmp/clone"))
    assert repository_name("/work/.mirror/acme+x/repo")[0] == "acme/x"


def test_model_commands_need_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "eval", "--data", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_training_weights_keep_one_repository_from_defining_agents() -> None:
    def example(repo: str, label: str, index: int) -> Example:
        return Example(repo, f"{repo}{index}", label, "marks", "", "2025-01-01", "s", "",
                       [("a.py", "modified", 3, 1)], ["x"])  # fmt: skip

    examples = [example("big", "agent", i) for i in range(100)]
    examples += [example("small", "agent", i) for i in range(4)]
    examples += [example("small", "human", i) for i in range(10)]
    weights = training_weights(examples)
    big, small = weights[:100].sum(), weights[100:104].sum()
    assert big / small == pytest.approx(5.0)  # sqrt(100) : sqrt(4), not 100 : 4
    assert weights[:104].sum() == pytest.approx(104)
    assert list(weights[104:]) == list(size_matched_weights(examples)[104:])
