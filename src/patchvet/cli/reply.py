"""
`patchvet reply FILE`: send the replies `check --format reply` wrote, through an SMTP server.

A dry run unless `--send` is given: it prints who would get what. The server and identity come
from the options, else from git's own `sendemail.*` settings (the ones `git send-email` uses),
so a maintainer who already mails patches needs no new configuration. The password comes from
`$PATCHVET_SMTP_PASSWORD` or `sendemail.smtpPass`, never from the command line.
"""

from __future__ import annotations

import argparse
import io
import os
import smtplib
import ssl
import subprocess
import sys
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid
from pathlib import Path
from typing import Any, TextIO

from patchvet.cli.exits import EXIT_OK
from patchvet.errors import PatchvetError
from patchvet.formats._escape import plain
from patchvet.formats.reply import MAIL_POLICY
from patchvet.sources.mbox import split_messages

PASSWORD_ENV = "PATCHVET_SMTP_PASSWORD"
MAX_REPLY_BYTES = 1024 * 1024


def register(commands: Any) -> None:
    """Register `reply`."""
    reply = commands.add_parser(
        "reply", help="send replies written by `check --format reply` (dry run unless --send)"
    )
    reply.set_defaults(handler=run_reply)
    reply.add_argument("file", metavar="REPLIES.mbox", help="the replies, or - for stdin")
    add_smtp_arguments(reply)


def add_smtp_arguments(parser: argparse.ArgumentParser) -> None:
    """`--send`, `--from` and the SMTP server options, shared by `reply` and `watch`."""
    parser.add_argument("--send", action="store_true", help="send replies (default: only show)")
    parser.add_argument("--from", dest="sender", metavar="ADDRESS",
                        help="the From: of the replies (default: git's sendemail.from, "
                        "then user.name <user.email>)")  # fmt: skip
    parser.add_argument("--smtp-server", metavar="HOST", help="default: git's sendemail.smtpServer")
    parser.add_argument("--smtp-port", type=int, metavar="PORT")
    parser.add_argument("--smtp-user", metavar="USER", help="default: sendemail.smtpUser")
    parser.add_argument("--smtp-encryption", choices=["none", "ssl", "tls"],
                        help="default: sendemail.smtpEncryption, else none")  # fmt: skip


def _git_config(key: str) -> str | None:
    found = subprocess.run(["git", "config", "--get", key], capture_output=True, text=True,
                           check=False)  # fmt: skip
    return found.stdout.strip() or None if found.returncode == 0 else None


def _default_sender() -> str | None:
    configured = _git_config("sendemail.from")
    if configured:
        return configured
    name, email = _git_config("user.name"), _git_config("user.email")
    return f"{name} <{email}>" if name and email else email


def _replies(path: str) -> Iterator[EmailMessage]:
    stream = sys.stdin.buffer if path == "-" else None
    if stream is None:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise PatchvetError(f"{path}: {error.strerror or error}") from None
        stream = io.BytesIO(data)
    for raw in split_messages(stream, MAX_REPLY_BYTES):
        if raw.data is None:
            raise PatchvetError(f"{path}: a message exceeds {MAX_REPLY_BYTES} bytes")
        if not raw.data.strip():
            continue
        message = message_from_bytes(raw.data, policy=MAIL_POLICY)
        assert isinstance(message, EmailMessage)
        yield message


def _recipients(message: EmailMessage) -> list[str]:
    fields = [str(message.get(name, "")) for name in ("To", "Cc")]
    return [address for _, address in getaddresses(fields) if address]


def connect(args: argparse.Namespace) -> smtplib.SMTP:
    """An SMTP connection from the options, else git's sendemail settings."""
    host = args.smtp_server or _git_config("sendemail.smtpServer")
    if not host:
        raise PatchvetError("no SMTP server", hint="pass --smtp-server or set git's "
                            "sendemail.smtpServer")  # fmt: skip
    encryption = args.smtp_encryption or _git_config("sendemail.smtpEncryption") or "none"
    port_text = args.smtp_port or _git_config("sendemail.smtpServerPort")
    port = int(port_text) if port_text else (465 if encryption == "ssl" else 25)
    try:
        if encryption == "ssl":
            context = ssl.create_default_context()
            server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=30, context=context)
        else:
            server = smtplib.SMTP(host, port, timeout=30)
            if encryption == "tls":
                server.starttls(context=ssl.create_default_context())
        user = args.smtp_user or _git_config("sendemail.smtpUser")
        if user:
            password = os.environ.get(PASSWORD_ENV) or _git_config("sendemail.smtpPass")
            if not password:
                raise PatchvetError(f"no password for {user}", hint=f"set ${PASSWORD_ENV}")
            server.login(user, password)
    except (OSError, smtplib.SMTPException) as error:
        raise PatchvetError(
            f"SMTP {host}:{port}: {error}", hint="check the server settings"
        ) from None
    return server


def prepare(message: EmailMessage, sender: str | None) -> list[str]:
    """Set From, Date and Message-ID where needed; return the recipients."""
    if sender:
        del message["From"]
        message["From"] = sender
    if "Date" not in message:
        message["Date"] = formatdate(localtime=False)
    if "Message-ID" not in message:
        message["Message-ID"] = make_msgid(domain="patchvet.invalid")
    return _recipients(message)


def deliver(messages: list[EmailMessage], args: argparse.Namespace, out: TextIO) -> None:
    """Send `messages` (with `--send`) or say what would be sent."""
    sender = args.sender or _default_sender()
    server = connect(args) if args.send else None
    try:
        for message in messages:
            recipients = prepare(message, sender)
            line = f"{plain(str(message['Subject']), 100)} -> {plain(', '.join(recipients), 200)}"
            if server is None:
                out.write(f"would send: {line}\n")
                continue
            try:
                server.send_message(message, to_addrs=recipients)
            except smtplib.SMTPException as error:
                raise PatchvetError(f"sending failed for {line}: {error}") from None
            out.write(f"sent: {line}\n")
    finally:
        if server is not None:
            server.quit()


def run_reply(args: argparse.Namespace) -> int:
    """Show or send the replies; return the exit code."""
    out = sys.stdout
    replies = list(_replies(args.file))
    if not replies:
        out.write("no replies to send\n")
        return EXIT_OK
    deliver(replies, args, out)
    if not args.send:
        out.write("dry run: nothing was sent (pass --send to send)\n")
    return EXIT_OK
