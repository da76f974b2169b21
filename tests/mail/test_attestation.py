"""A vouched author named in a mail's body counts only when the mail proves the author sent it."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import dkim  # type: ignore[import-untyped]
import nacl.signing
import patatt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.helpers import run_cli
from tests.mail.dns import TxtServer

AUTHOR = "Vouched Maintainer <maint@example.org>"
DIFF = (
    "diff --git a/lib/a.c b/lib/a.c\n--- a/lib/a.c\n+++ b/lib/a.c\n"
    "@@ -1 +1,2 @@\n int a(void);\n+int b(void);\n"
)


def _mail(sender: str, in_body: str | None) -> bytes:
    body = f"From: {in_body}\n\n" if in_body else ""
    return (
        (
            f"From: {sender}\r\nSubject: [PATCH] lib: add b\r\nTo: list@example.org\r\n"
            "Message-ID: <one@example.org>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\n"
            + body
            + "Add b.\n\nSigned-off-by: Vouched Maintainer <maint@example.org>\n---\n"
            + DIFF
        )
        .replace("\r\n", "\n")
        .replace("\n", "\r\n")
        .encode()
    )


@pytest.fixture
def dns_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[TxtServer]:
    from patchvet.sources import attest

    server = TxtServer()
    monkeypatch.setenv(attest.DNS_ENV, server.address)
    attest._resolver.cache_clear()  # the resolver is built once per process from the setting
    yield server
    attest._resolver.cache_clear()
    server.close()


def _judge(capsys: pytest.CaptureFixture[str], tmp_path: Path, raw: bytes) -> set[str]:
    tmp_path.mkdir(exist_ok=True)  # a --db directory is never made for it
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    run_cli(capsys, "ledger", "vouch", "maint@example.org", "--reason", "core maintainer",
            "--by", "lead", "--db", db)  # fmt: skip
    patch = tmp_path / "lib.patch"
    patch.write_bytes(raw)
    code, out, err = run_cli(capsys, "check", str(patch), "--db", db, "--format", "json")
    assert code == 0, err
    (item,) = json.loads(out)["contributions"]
    assert item["author"]["email"] == "maint@example.org"
    return {finding["id"] for finding in item["findings"]}


def test_someone_else_sending_in_a_vouched_name_does_not_get_the_vouch(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, dns_server: TxtServer
) -> None:
    ids = _judge(capsys, tmp_path, _mail("Sender Bot <sender@example.com>", AUTHOR))
    assert "identity/unattested-author" in ids
    assert "identity/vouched" not in ids


def test_the_author_sending_their_own_patch_keeps_the_vouch(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, dns_server: TxtServer
) -> None:
    ids = _judge(capsys, tmp_path, _mail(AUTHOR, None))
    assert "identity/vouched" in ids
    assert "identity/unattested-author" not in ids


def test_dkim_from_the_authors_domain_attests(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, dns_server: TxtServer
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())  # fmt: skip
    der = serialization.Encoding.DER
    public = key.public_key().public_bytes(der, serialization.PublicFormat.SubjectPublicKeyInfo)
    dns_server.records["sel._domainkey.example.org"] = (
        "v=DKIM1; k=rsa; p=" + base64.b64encode(public).decode()
    )
    raw = _mail("Sender Bot <sender@example.com>", AUTHOR)
    signature = dkim.sign(raw, b"sel", b"example.org", private,
                          include_headers=[b"from", b"subject", b"to", b"message-id"])  # fmt: skip
    ids = _judge(capsys, tmp_path, signature + raw)
    assert "identity/vouched" in ids
    assert "identity/unattested-author" not in ids
    # The same signature over a tampered body proves nothing.
    tampered = (signature + raw).replace(b"int b(void);", b"int evil(void);")
    assert "identity/unattested-author" in _judge(capsys, tmp_path / "t", tampered)


def test_patatt_signature_by_a_known_key_attests(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    dns_server: TxtServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    signing = nacl.signing.SigningKey.generate()
    keyring = tmp_path / "keys"
    public_path = keyring / patatt.make_pkey_path("ed25519", "maint@example.org", "default")
    public_path.parent.mkdir(parents=True)
    public_path.write_text(base64.b64encode(bytes(signing.verify_key)).decode())
    monkeypatch.setenv("PATCHVET_PATATT_KEYRING", str(keyring))
    raw = _mail("Sender Bot <sender@example.com>", AUTHOR)
    signed = patatt.sign_message(raw, "ed25519", base64.b64encode(bytes(signing)).decode(),
                                 "maint@example.org", "default")  # fmt: skip
    ids = _judge(capsys, tmp_path, signed)
    assert "identity/vouched" in ids
    assert "identity/unattested-author" not in ids


def test_the_sender_is_shown_beside_the_author(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, dns_server: TxtServer
) -> None:
    patch = tmp_path / "lib.patch"
    patch.write_bytes(_mail("Sender Bot <sender@example.com>", AUTHOR))
    out = run_cli(capsys, "check", str(patch))[1]
    assert "by Vouched Maintainer <maint@example.org>, sent by Sender Bot <sender@example" in out
    out = run_cli(capsys, "check", str(patch), "--format", "json")[1]
    (item,) = json.loads(out)["contributions"]
    assert item["mail"]["sender"]["email"] == "sender@example.com"
    assert item["mail"]["attestation"] is None and item["mail"]["message_id"] == "one@example.org"
