"""
Real `pull_request` payloads (octokit/webhooks, MIT) from ../shared, when that folder exists:
every one must become a contribution. A user's clone has no ../shared; the test then skips.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from patchvet.check import assess
from patchvet.policy import load_preset
from patchvet.records import Contribution, SourceKind
from patchvet.sources import read_github_event
from tests.conftest import SHARED

PAYLOADS = SHARED / "data" / "github-webhooks" / "pull_request"


def _payloads() -> list[Path]:
    return sorted(PAYLOADS.glob("*.json")) if PAYLOADS.is_dir() else []


@pytest.mark.skipif(not _payloads(), reason="../shared/data/github-webhooks is not present")
@pytest.mark.parametrize("payload", _payloads(), ids=lambda path: path.name)
def test_real_pull_request_payloads_are_read(payload: Path) -> None:
    [item] = read_github_event(payload)
    assert isinstance(item, Contribution)
    assert item.kind is SourceKind.PULL_REQUEST
    assert item.source.count("#") == 1
    assert item.author.id is not None
    assessment = assess(item, load_preset("default"))
    assert assessment.scores.size_lines >= 0
