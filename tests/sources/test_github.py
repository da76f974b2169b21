from __future__ import annotations

import json
from pathlib import Path

import pytest

from patchvet.errors import SourceError
from patchvet.records import ChangeStatus, Contribution, SourceKind
from patchvet.sources import read_github_event

GITHUB = Path(__file__).parents[1] / "assets" / "github"


def _read() -> Contribution:
    [item] = read_github_event(
        GITHUB / "pull_request.opened.json",
        GITHUB / "pulls-files.pages.json",
        GITHUB / "pulls-commits.json",
    )
    assert isinstance(item, Contribution)
    return item


def test_pull_request_with_paged_files_and_commits() -> None:
    item = _read()
    assert item.source == "example/widgets#42"
    assert item.kind is SourceKind.PULL_REQUEST
    assert item.author.login == "jdoe" and item.author.id == 5551234
    assert item.head_ref == "claude/add-retry-logic-Xk3pQ"
    assert item.labels == ("enhancement",)
    assert item.linked_issues == (17,)
    assert [f.path for f in item.files] == ["src/fetch.py", "requirements.txt", "docs/diagram.png"]
    fetch = item.files[0]
    assert fetch.added_lines[0].text == "import random"
    assert fetch.added_lines[0].number == 2
    png = item.files[2]
    assert png.binary and png.status is ChangeStatus.ADDED
    assert item.commits[0].trailers[0].key == "Co-Authored-By"
    assert item.commits[1].committer is not None
    assert item.commits[1].committer.login == "web-flow"


def test_event_alone_uses_reported_counts() -> None:
    [item] = read_github_event(GITHUB / "pull_request.opened.json")
    assert isinstance(item, Contribution)
    assert item.files == () and item.reported_additions == 18


def test_not_a_pull_request_payload(tmp_path: Path) -> None:
    bad = tmp_path / "push.json"
    bad.write_text(json.dumps({"ref": "refs/heads/main", "commits": []}))
    with pytest.raises(SourceError, match="pull_request event"):
        read_github_event(bad)


def test_invalid_json(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    with pytest.raises(SourceError, match="not valid JSON"):
        read_github_event(bad)


def test_files_answer_must_be_a_list(tmp_path: Path) -> None:
    bad = tmp_path / "files.json"
    bad.write_text(json.dumps({"message": "Not Found"}))
    with pytest.raises(SourceError, match="must be a JSON list"):
        read_github_event(GITHUB / "pull_request.opened.json", files_path=bad)
