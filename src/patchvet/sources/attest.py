"""
Whether a mail proves its author sent it, when someone else's address is in `From:`.

A patch mailed by `Sender Bot <sender@example.com>` with an in-body `From:` naming a vouched
maintainer claims that maintainer's standing. The claim holds only with what b4 checks: a valid
DKIM signature from the author's own domain (dkimpy), or a patatt signature by a key of the
author's that the project keeps (patatt). Both libraries are the ones b4 uses.

DKIM needs the signing domain's public key from DNS; `PATCHVET_DNS` (`host[:port]`) names the
resolver to ask, otherwise the system's. A lookup that fails is "not attested", never an error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from patchvet.records import Identity

if TYPE_CHECKING:
    import dns.resolver

DNS_ENV = "PATCHVET_DNS"
PATATT_ENV = "PATCHVET_PATATT_KEYRING"
DNS_TIMEOUT = 3.0

_DKIM_DOMAIN = re.compile(rb"(?im)^DKIM-Signature:(?:.*\n[ \t])*.*?\bd=([A-Za-z0-9.-]+)")


def _dns_txt(name: bytes, timeout: float = DNS_TIMEOUT) -> bytes | None:
    """The TXT record dkimpy asks for, through the configured resolver."""
    import dns.exception
    import dns.resolver

    resolver = _resolver()
    try:
        answer = resolver.resolve(name.decode("ascii"), "TXT", lifetime=min(timeout, DNS_TIMEOUT))
    except (dns.exception.DNSException, UnicodeDecodeError, ValueError):
        return None
    for record in answer:
        return b"".join(record.strings)
    return None


@cache
def _resolver() -> dns.resolver.Resolver:
    import dns.resolver

    configured = os.environ.get(DNS_ENV)
    if not configured:
        return dns.resolver.Resolver()
    host, _, port = configured.partition(":")
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [host]
    resolver.port = int(port or 53)
    return resolver


def _domain(email: str | None) -> str | None:
    return email.rsplit("@", 1)[1].lower() if email and "@" in email else None


def dkim_attests(raw: bytes, author: Identity) -> bool:
    """A valid DKIM signature whose domain is the author's own (or a parent of it)."""
    domain = _domain(author.email)
    if domain is None:
        return False
    signed = [d.decode().lower() for d in _DKIM_DOMAIN.findall(raw)]
    if not any(domain == d or domain.endswith("." + d) for d in signed):
        return False  # no signature that could speak for the author: no lookup needed
    import dkim  # type: ignore[import-untyped]

    try:
        return bool(dkim.verify(raw, dnsfunc=_dns_txt, timeout=DNS_TIMEOUT))
    except Exception:  # noqa: BLE001 - a malformed signature is simply not an attestation
        return False


def patatt_attests(raw: bytes, author: Identity, keyrings: Sequence[str]) -> bool:
    """A valid patatt signature by the author's identity, with a key from `keyrings`."""
    if not keyrings or not author.email or b"X-Developer-Signature" not in raw:
        return False
    import patatt

    try:
        results = patatt.validate_message(raw, list(keyrings))
    except Exception:  # noqa: BLE001 - as above
        return False
    wanted = author.email.lower()
    return any(
        result == patatt.RES_VALID and (identity or "").lower() == wanted
        for result, identity, *_ in results
    )


def attestation(raw: bytes, author: Identity, sender: Identity) -> str | None:
    """How the mail proves the author sent it, when the sender is someone else; else None."""
    if not author.email or (sender.email or "").lower() == author.email.lower():
        return None
    keyrings = [k for k in os.environ.get(PATATT_ENV, "").split(os.pathsep) if k]
    if patatt_attests(raw, author, keyrings):
        return f"patatt:{author.email.lower()}"
    if dkim_attests(raw, author):
        return f"dkim:{_domain(author.email)}"
    return None
