"""
Processing one stored delivery: the same pipeline as the CLI and the Action, then publish and
record in the ledger.
"""

from __future__ import annotations

import json
from typing import Any

from patchvet.github.vet import vet_issue, vet_pull
from patchvet.ledger.store import SqlLedger
from patchvet.service.deliveries import Delivery
from patchvet.service.settings import Credentials

PULL_REQUEST_ACTIONS = {
    "opened",
    "reopened",
    "synchronize",
    "edited",
    "labeled",
    "unlabeled",
    "ready_for_review",
}
REVIEW_ACTIONS = {"submitted", "edited", "dismissed"}
COMMENT_ACTIONS = {"created", "edited", "deleted"}
"""A comment may carry (or withdraw) a maintainer's override, or be the author's reply."""
ISSUE_ACTIONS = {"opened", "edited", "reopened"}
"""Issues are vetted only when the repository's policy says `[issues] vet = true`."""


def _target(delivery: Delivery, payload: dict[str, Any]) -> tuple[str, int, bool] | None:
    """(repository, number, whether it may be an issue) of a delivery patchvet acts on."""
    action = payload.get("action")
    if delivery.event == "pull_request" and action in PULL_REQUEST_ACTIONS:
        return payload["repository"]["full_name"], int(payload["pull_request"]["number"]), False
    if delivery.event == "pull_request_review" and action in REVIEW_ACTIONS:
        return payload["repository"]["full_name"], int(payload["pull_request"]["number"]), False
    issue = payload.get("issue") or {}
    if delivery.event == "issue_comment" and action in COMMENT_ACTIONS:
        return (
            payload["repository"]["full_name"],
            int(issue["number"]),
            not issue.get("pull_request"),
        )
    if delivery.event == "issues" and action in ISSUE_ACTIONS:
        return payload["repository"]["full_name"], int(issue["number"]), True
    return None


def process(delivery: Delivery, credentials: Credentials, ledger: SqlLedger) -> str:
    """Handle one delivery; return what was done, for the log."""
    payload = json.loads(delivery.payload)
    if delivery.event in ("installation", "installation_repositories", "ping"):
        return f"{delivery.event} {payload.get('action', '')}".strip()
    target = _target(delivery, payload)
    if target is None:
        return f"ignored {delivery.event}.{payload.get('action')}"
    repo, number, issue = target
    installation = (payload.get("installation") or {}).get("id")
    client = credentials.client(int(installation) if installation else None)
    try:
        me = credentials.login(client)
        sender = str((payload.get("sender") or {}).get("login", ""))
        if sender.lower() == me.lower() and delivery.event in (
            "issue_comment", "pull_request", "issues"
        ):  # fmt: skip
            # Our own comment edits and label changes come back as webhooks: vetting again
            # would edit the comment again, and so on forever.
            return f"ignored {delivery.event}.{payload.get('action')} by ourselves"
        if issue:
            found = vet_issue(client, repo, number, me, ledger=ledger)
            if found is None:
                return f"{repo}#{number}: issue not vetted ([issues] vet is off)"
            run = found
        else:
            run = vet_pull(client, repo, number, me, ledger=ledger)
    finally:
        client.close()
    outcome = (
        f"{repo}#{number}: {run.assessment.verdict.value}; labels {', '.join(run.published.labels)}"
    )
    if run.assessment.override is not None:
        outcome += f"; overridden by {run.assessment.override.by}"
    return "; ".join([outcome, *run.published.denied, *run.refused_overrides])
