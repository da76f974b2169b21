from __future__ import annotations

import pytest

from patchvet.analyzers.disclosure import disclosure
from patchvet.records import SourceKind
from tests.helpers import contribution, subject

CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"


def _ids(policy: str, **kwargs: object) -> list[str]:
    item = contribution(**kwargs)  # type: ignore[arg-type]
    return [f.id for f in disclosure(subject(item, policy))]


def test_kernel_requires_assisted_by_when_agent_marks_present() -> None:
    assert "disclosure/missing" in _ids("linux", message=f"Fix\n\n{CLAUDE}")


@pytest.mark.parametrize(
    "trailer",
    ["Assisted-by: Claude:claude-opus-4-6 coccinelle", "Assisted-by: LLM sparse"],
)
def test_kernel_accepts_both_assisted_by_forms(trailer: str) -> None:
    ids = _ids("linux", message=f"Fix\n\n{trailer}\n{CLAUDE}")
    assert "disclosure/missing" not in ids
    assert "disclosure/malformed" not in ids
    assert "disclosure/present" in ids


def test_kernel_flags_malformed_and_basic_tools() -> None:
    assert "disclosure/malformed" in _ids("linux", message="Fix\n\nAssisted-by: my friend the AI")
    assert "disclosure/basic-tool-listed" in _ids(
        "linux", message="Fix\n\nAssisted-by: Claude:opus-4 gcc coccinelle"
    )


def test_kubernetes_forbids_trailers_and_wants_pr_statement() -> None:
    ids = _ids("kubernetes", message=f"Fix\n\n{CLAUDE}", kind=SourceKind.PULL_REQUEST)
    assert ids.count("disclosure/forbidden-form") == 1
    assert "disclosure/missing" in ids
    ok = _ids(
        "kubernetes",
        message="Fix",
        kind=SourceKind.PULL_REQUEST,
        description="This PR was written in part with the assistance of generative AI.",
        head_ref="copilot/fix-12",
    )
    assert ok == ["disclosure/present"]


def test_rust_label_requirement_only_on_pull_requests() -> None:
    marks = {"message": f"Fix\n\n{CLAUDE}"}
    assert "disclosure/missing" in _ids("rust", kind=SourceKind.PULL_REQUEST, **marks)
    assert "disclosure/missing" not in _ids(
        "rust", kind=SourceKind.PULL_REQUEST, labels=("llm-assisted",), **marks
    )
    # An emailed patch cannot carry a label: nothing to demand.
    assert "disclosure/missing" not in _ids("rust", **marks)


def test_denial_contradicted_by_marks() -> None:
    ids = _ids(
        "default",
        message=f"Fix\n\n{CLAUDE}",
        kind=SourceKind.PULL_REQUEST,
        description="AI disclosure: none",
    )
    assert "disclosure/contradicted" in ids


def test_no_marks_no_requirement() -> None:
    assert _ids("linux", message="Fix\n\nSigned-off-by: Jane Doe <jane@example.org>") == []
