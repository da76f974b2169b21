from __future__ import annotations

from patchvet.analyzers.signoff import signoff
from tests.helpers import contribution, subject


def _ids(message: str, policy: str = "linux") -> list[str]:
    return [f.id for f in signoff(subject(contribution(message=message), policy))]


def test_human_signoff_matching_author_passes() -> None:
    assert _ids("Fix\n\nSigned-off-by: Jane Doe <jane@example.org>") == []


def test_missing_signoff() -> None:
    assert _ids("Fix") == ["signoff/missing"]


def test_ai_signoff_never_satisfies_and_is_a_violation() -> None:
    ids = _ids("Fix\n\nSigned-off-by: Claude <noreply@anthropic.com>")
    assert ids == ["signoff/ai-signoff", "signoff/missing"]


def test_author_mismatch() -> None:
    assert _ids("Fix\n\nSigned-off-by: Someone Else <else@example.org>") == [
        "signoff/author-mismatch"
    ]


def test_ai_co_developer() -> None:
    ids = _ids(
        "Fix\n\nCo-developed-by: Claude <noreply@anthropic.com>\n"
        "Signed-off-by: Jane Doe <jane@example.org>"
    )
    assert ids == ["signoff/ai-co-developer"]


def test_not_required_by_default_but_ai_signoff_still_reported() -> None:
    assert _ids("Fix", policy="default") == []
    assert _ids("Fix\n\nSigned-off-by: Claude <noreply@anthropic.com>", policy="default") == [
        "signoff/ai-signoff"
    ]
