"""
A local public-inbox: threads built with `git format-patch` in a real repository, served over
real HTTP the way public-inbox serves them (`/<inbox>/<Message-ID>/t.mbox.gz`, 404 otherwise).
"""

from __future__ import annotations

import email
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape

from patchvet.sources.inbox import gzip_mbox
from tests.helpers import GitRepo

INBOX = "test-list"


class Inbox:
    """Threads by every Message-ID they contain; `url` is the inbox base."""

    def __init__(self) -> None:
        self.threads: dict[str, bytes] = {}
        self.feed: list[tuple[str, str]] = []
        """(Message-ID, subject) of every message, oldest first, for `new.atom`."""
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}/{INBOX}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def add_thread(self, messages: list[bytes]) -> list[str]:
        """Serve `messages` as one thread; return their Message-IDs in order."""
        ids = [message_id(m) for m in messages]
        mbox = b"".join(
            b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + m.rstrip(b"\n") + b"\n\n"
            for m in messages
        )
        for known, message in zip(ids, messages, strict=True):
            self.threads[known] = mbox
            if known not in {m for m, _ in self.feed}:
                subject = " ".join(str(email.message_from_bytes(message)["Subject"]).split())
                self.feed.append((known, subject))
        return ids

    def atom(self) -> bytes:
        """The feed public-inbox serves at `/<inbox>/new.atom`: newest first."""
        entries = "".join(
            f"<entry><author><name>someone</name></author><title>{escape(subject)}</title>"
            f"<updated>2026-12-01T00:00:00Z</updated>"
            f'<link href="{escape(self.url)}/{quote(message_id, safe="@")}/"/>'
            f"<id>urn:uuid:{index}</id></entry>"
            for index, (message_id, subject) in reversed(list(enumerate(self.feed)))
        )
        return (
            '<?xml version="1.0" encoding="us-ascii"?>'
            f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{INBOX}</title>{entries}</feed>'
        ).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                inbox.requests.append(self.path)
                parts = self.path.split("/")
                found = None
                kind = "application/gzip"
                if len(parts) == 4 and parts[1] == INBOX and parts[3] == "t.mbox.gz":
                    thread = inbox.threads.get(unquote(parts[2]))
                    found = gzip_mbox(thread) if thread is not None else None
                elif self.path == f"/{INBOX}/new.atom":
                    found, kind = inbox.atom(), "application/atom+xml"
                if found is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                body = found
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def format_series(
    repo: GitRepo, out: Path, count: int, version: int, cover: str, in_reply_to: str | None = None
) -> list[bytes]:
    """`git format-patch --cover-letter -vN` of the last `count` commits, cover filled in."""
    args = ["format-patch", "-q", "--cover-letter", "--thread=shallow", f"-v{version}",
            "-o", str(out)]  # fmt: skip
    if in_reply_to:
        args.append(f"--in-reply-to={in_reply_to}")
    repo.git(*args, f"HEAD~{count}")
    messages = []
    for path in sorted(out.glob(f"v{version}-*.patch")):
        text = path.read_text(encoding="utf-8")
        title, _, blurb = cover.partition("\n\n")
        text = text.replace("*** SUBJECT HERE ***", title).replace("*** BLURB HERE ***", blurb)
        lines = text.split("\n", 1)[1]  # drop format-patch's own "From <sha> …" line
        messages.append(lines.encode())
    return messages


def message_id(message: bytes) -> str:
    """The Message-ID of a raw message, without angle brackets."""
    return str(email.message_from_bytes(message)["Message-ID"]).strip("<> ")


def reply(to: bytes, body: str, message_id: str) -> bytes:
    """A reviewer's reply to a message (no diff)."""
    parent = email.message_from_bytes(to)
    return (
        f"From: Reviewer <reviewer@example.org>\nSubject: Re: {parent['Subject']}\n"
        f"Message-ID: <{message_id}>\nIn-Reply-To: {parent['Message-ID']}\n"
        f"Date: Tue, 1 Dec 2026 12:00:00 +0000\n\n{body}\n"
    ).encode()


def serve() -> Iterator[Inbox]:
    inbox = Inbox()
    try:
        yield inbox
    finally:
        inbox.close()
