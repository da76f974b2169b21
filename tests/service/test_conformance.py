"""
Every real payload of ../shared/data/github-webhooks (octokit/webhooks, MIT), signed and posted
to the service, is accepted and stored once. Skipped where that folder does not exist.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from patchvet.ledger import open_ledger
from tests.conftest import SHARED
from tests.github.double import GitHubDouble
from tests.service.conftest import deliver, settings_for

WEBHOOKS = SHARED / "data" / "github-webhooks"


def _payloads() -> list[Path]:
    return sorted(WEBHOOKS.glob("*/*.json")) if WEBHOOKS.is_dir() else []


@pytest.mark.skipif(not _payloads(), reason="../shared/data/github-webhooks is not present")
def test_real_payloads_are_accepted_and_stored_once(
    github: GitHubDouble, ledger_db: str, service_factory: Any
) -> None:
    service = service_factory(settings_for(github.url), ledger_db, run_worker=False)
    payloads = _payloads()
    for path in payloads:
        event = path.parent.name
        answer = deliver(
            service.url, event, json.loads(path.read_text()), delivery=path.name + event
        )
        assert answer.status_code == 202, path
    again = deliver(
        service.url,
        payloads[0].parent.name,
        json.loads(payloads[0].read_text()),
        delivery=payloads[0].name + payloads[0].parent.name,
    )
    assert again.json()["status"] == "duplicate"
    ledger = open_ledger(ledger_db)
    assert ledger.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0] == len(payloads)
    ledger.close()
