"""
Processing one stored delivery: the same pipeline as the CLI and the Action, then publish and
record in the ledger.
"""

from __future__ import annotations

import json
from typing import Any

from patchvet.check import assess
from patchvet.github.publish import publish
from patchvet.github.pull import fetch_contribution, policy_from_base
from patchvet.ledger.store import SqlLedger
from patchvet.service.deliveries import Delivery
from patchvet.service.settings import Credentials

PULL_REQUEST_ACTIONS = {
    "opened",
    "reopened",
    "synchronize",
    "edited",
    "labeled",
    "ready_for_review",
}
REVIEW_ACTIONS = {"submitted", "edited", "dismissed"}


def _target(delivery: Delivery, payload: dict[str, Any]) -> tuple[str, int] | None:
    action = payload.get("action")
    if delivery.event == "pull_request" and action in PULL_REQUEST_ACTIONS:
        return payload["repository"]["full_name"], int(payload["pull_request"]["number"])
    if delivery.event == "pull_request_review" and action in REVIEW_ACTIONS:
        return payload["repository"]["full_name"], int(payload["pull_request"]["number"])
    return None


def process(delivery: Delivery, credentials: Credentials, ledger: SqlLedger) -> str:
    """Handle one delivery; return what was done, for the log."""
    payload = json.loads(delivery.payload)
    if delivery.event in ("installation", "installation_repositories", "ping"):
        return f"{delivery.event} {payload.get('action', '')}".strip()
    target = _target(delivery, payload)
    if target is None:
        return f"ignored {delivery.event}.{payload.get('action')}"
    repo, number = target
    installation = (payload.get("installation") or {}).get("id")
    client = credentials.client(int(installation) if installation else None)
    try:
        pull = client.pull(repo, number)
        policy = policy_from_base(client, repo, pull["base"]["sha"])
        contribution = fetch_contribution(client, repo, number)
        history = ledger.view(contribution, policy, repo)
        assessment = assess(contribution, policy, history)
        published = publish(client, repo, number, pull["head"]["sha"], assessment, policy)
        ledger.record(assessment, repo, policy)
    finally:
        client.close()
    return f"{repo}#{number}: {assessment.verdict.value}; labels {', '.join(published.labels)}"
