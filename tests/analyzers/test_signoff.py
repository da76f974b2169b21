from __future__ import annotations

from dataclasses import replace

from patchvet.analyzers.signoff import signoff
from patchvet.records import Trailer
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


# Real shapes from kernel-style histories (util-linux, buildroot, strace), written anew here.
# Each was `signoff/missing` or `signoff/author-mismatch` before trailers were read as git does.


def test_maintainer_note_inside_the_trailer_block() -> None:
    message = (
        "board: add a clock driver\n\nDescribe it.\n\n"
        "Signed-off-by: Jane Doe <jane@example.org>\n"
        "[Andre: rebase and smaller fixes]\n"
        "Signed-off-by: Andre Maint <andre@example.org>"
    )
    assert _ids(message) == []


def test_cherry_picked_line_after_the_signoff() -> None:
    message = (
        "lib: fix an overflow\n\nWhy.\n\nSigned-off-by: Jane Doe <jane@example.org>\n"
        "(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)"
    )
    assert _ids(message) == []


def test_coverity_id_line_among_the_trailers() -> None:
    message = (
        "misc: check a return value\n\nCoverity ID: 1234567\n"
        "Signed-off-by: Jane Doe <jane@example.org>"
    )
    assert _ids(message) == []


def test_reviewed_by_paragraph_below_the_signoff() -> None:
    message = (
        "net: fix\n\nWhy.\n\nSigned-off-by: Jane Doe <jane@example.org>\n\n"
        "Reviewed-by: Rev Iewer <rev@example.org>"
    )
    assert _ids(message) == []


def test_signoff_in_a_prose_paragraph_is_not_a_trailer() -> None:
    """git does not read it, and neither do we: the block is the last paragraph."""
    message = (
        "x: y\n\nSigned-off-by: Jane Doe <jane@example.org> wrote the first part,\n"
        "and the rest came later.\n\nThanks to everyone."
    )
    assert _ids(message) == ["signoff/missing"]


def test_author_mismatch_reads_the_same_block() -> None:
    message = (
        "board: x\n\nWhy.\n\nSigned-off-by: Someone Else <else@example.org>\n"
        "[Jane: rebased]\nSigned-off-by: Maint <maint@example.org>"
    )
    assert _ids(message) == ["signoff/author-mismatch"]


def test_signoff_below_the_divider_has_its_own_finding() -> None:
    dropped = (Trailer("Signed-off-by", "Jane Doe <jane@example.org>", "x"),)
    item = replace(
        contribution(message="lib: x\n\nWhy."),
        commits=(replace(contribution(message="lib: x\n\nWhy.").commits[0],
                         dropped_trailers=dropped),),
    )  # fmt: skip
    findings = list(signoff(subject(item, "linux")))
    assert [f.id for f in findings] == ["signoff/below-divider", "signoff/missing"]
    assert "above the `---` line" in findings[0].remedy
