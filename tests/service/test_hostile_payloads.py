"""A signed but hostile payload is refused with 400, never a 500 (issue 16)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.github.double import GitHubDouble
from tests.service.conftest import settings_for, sign


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b'{"number": ' + b"7" * 5000 + b"}"],
    ids=["nested-100000-deep", "5000-digit-number"],
)
def test_hostile_json_is_a_400(
    github: GitHubDouble, ledger_db: str, service_factory: Any, body: bytes
) -> None:
    service = service_factory(settings_for(github.url), ledger_db, run_worker=False)
    answer = httpx.post(
        f"{service.url}/webhook",
        content=body,
        headers={
            "X-GitHub-Event": "pull_request",
            "X-GitHub-Delivery": "hostile",
            "X-Hub-Signature-256": sign(body),
        },
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("body is not JSON")
