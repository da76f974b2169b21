"""Message-ID in, series judged, replies written, sent through a real SMTP server on localhost."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import Message
from email.policy import default
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.helpers import GitRepo, run_cli
from tests.mail.inbox import Inbox, format_series

SIGNED = "\n\nSigned-off-by: Jane Doe <jane@example.org>"


class Mailbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        content = envelope.content  # type: ignore[attr-defined]
        recipients = list(envelope.rcpt_tos)  # type: ignore[attr-defined]
        self.received.append((recipients, email.message_from_bytes(content, policy=default)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def _thread(repo: GitRepo, tmp_path: Path, inbox: Inbox) -> list[str]:
    repo.commit("hw: add a device\n\nIt is needed." + SIGNED, {"hw/dev.c": "int dev(void);\n"})
    repo.commit("hw: wire the device\n\nGenerated-by: Claude Code",
                {"hw/board.c": "int board(void);\n"})  # fmt: skip
    patches = format_series(repo, tmp_path / "v1", 2, 1, "A device\n\nTwo patches.")
    return inbox.add_thread(patches)


def test_msgid_to_reply_to_smtp(
    repo: GitRepo,
    tmp_path: Path,
    inbox: Inbox,
    smtp: tuple[Mailbox, int],
    capsys: pytest.CaptureFixture[str],
) -> None:
    ids = _thread(repo, tmp_path, inbox)
    replies = tmp_path / "replies.mbox"
    judge = ["check", "--msgid", ids[0], "--inbox", inbox.url, "--policy", "linux"]
    code, _, err = run_cli(capsys, *judge, "--format", "reply", "-o", str(replies))
    assert code == 0, err
    text = replies.read_text(encoding="utf-8")
    # Only patch 2/2 has something to say: no sign-off, and Generated-by where Assisted-by is asked.
    assert text.count("\nSubject: Re: [PATCH v1 2/2] hw: wire the device") == 1
    assert text.count("> Generated-by: Claude Code") == 1  # quoted once, above both findings
    assert "\n-- \n" in text
    assert "[PATCH 1/2]" not in text
    body = text.split("\n\n", 1)[1].splitlines()
    assert all(len(line) <= 72 for line in body if not line.startswith(("> ", "Policy: ")))
    assert "> Generated-by: Claude Code" in text
    assert "signoff/missing" in text and "disclosure/wrong-form" in text
    assert "AI agents MUST NOT add Signed-off-by" in text  # the policy's own wording
    assert "Policy: https://docs.kernel.org/process/coding-assistants.html" in text

    out = run_cli(capsys, "reply", str(replies), "--smtp-server", "127.0.0.1",
                  "--smtp-port", str(smtp[1]))[1]  # fmt: skip
    assert "would send: Re: [PATCH v1 2/2] hw: wire the device" in out and "dry run" in out
    mailbox, port = smtp
    assert mailbox.received == []

    server = ["--smtp-server", "127.0.0.1", "--smtp-port", str(port)]
    code, out, err = run_cli(capsys, "reply", str(replies), "--send", *server,
                             "--from", "Maint <maint@example.org>")  # fmt: skip
    assert code == 0, err
    assert out.startswith("sent: Re: [PATCH v1 2/2]")
    ((recipients, sent),) = mailbox.received
    assert recipients == ["jane@example.org"]
    assert sent["From"] == "Maint <maint@example.org>"
    assert sent["In-Reply-To"] == f"<{ids[2]}>"
    assert f"<{ids[0]}>" in sent["References"] and f"<{ids[2]}>" in sent["References"]
    assert sent["Message-ID"] and sent["Date"]


def test_reply_keeps_hostile_text_out_of_headers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patch = tmp_path / "evil.patch"
    patch.write_text(
        "From: Mallory <m@example.org>\n"
        "Subject: [PATCH] fix\u202e\x1b[31m =?utf-8?q?Bcc=3A_x=40y?=\n"
        "Message-ID: <evil@example.org>\n\nFix.\n\nGenerated-by: Claude Code\n---\n"
        "diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1 +1,2 @@\n a\n+b\x1b[2J\n",
        encoding="utf-8",
    )  # fmt: skip
    out = run_cli(capsys, "check", str(patch), "--policy", "linux", "--format", "reply")[1]
    message = email.message_from_string(out.split("\n", 1)[1])
    assert message["Bcc"] is None
    assert "\x1b" not in out and "\u202e" not in out
    assert message["In-Reply-To"] == "<evil@example.org>"


def test_reply_needs_a_server_to_send(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replies = tmp_path / "r.mbox"
    replies.write_text(
        "From patchvet Thu Jan  1 00:00:00 1970\nFrom: a@b\nTo: c@d\nSubject: Re: x\n\nhi\n"
    )
    code, _, err = run_cli(capsys, "reply", str(replies), "--send")
    assert code == 2 and "no SMTP server" in err
