"""
Identity keys: the immutable facts a person is recognised by.

A GitHub numeric id outlives every rename; emails and signing keys come from commits and
`.mailmap`; a bare login is used only until its numeric id is known.
"""

from __future__ import annotations

import re

from patchvet.records import MAX_ID, Contribution, SourceKind

Key = tuple[str, str]
"""(kind, value): kind is `github`, `email`, `login` or `key` (a signing key)."""

_VOUCH_LINE = re.compile(
    r"^(?P<denounce>-)?(?:(?P<platform>[a-z]+):)?(?P<handle>[^\s#]+)\s*(?P<note>.*)$"
)


def contribution_keys(contribution: Contribution) -> list[Key]:
    """The keys of the person who stands behind a contribution, strongest first."""
    author = contribution.author
    keys: list[Key] = []
    if author.id is not None:
        keys.append(("github", str(author.id)))
    if author.email:
        keys.append(("email", author.email.lower()))
    if author.login and author.id is None:
        keys.append(("login", author.login.lower()))
    keys += [("email", alias.email.lower()) for alias in contribution.author_aliases if alias.email]
    # A signature is the committer's; it speaks for the author only when they are the same.
    keys += [
        ("key", commit.signing_key)
        for commit in contribution.commits
        if commit.signing_key
        and commit.committer is not None
        and commit.committer.email == commit.author.email
        and (author.email is None or commit.author.email == author.email
             or commit.author.email in {a.email for a in contribution.author_aliases})
    ]  # fmt: skip
    if contribution.kind is SourceKind.PULL_REQUEST and author.id is not None:
        # GitHub tied these commits to the PR author's account: their emails are the author's.
        keys += [
            ("email", commit.author.email.lower())
            for commit in contribution.commits
            if commit.author.id == author.id and commit.author.email
        ]
    unique: dict[Key, None] = dict.fromkeys(keys)
    return list(unique)


def parse_spec(spec: str) -> Key:
    """
    What a user typed as a key: `12345` (GitHub id), `jane@example.org`, `@jane` or
    `github:jane` (login), `SHA256:…` or `key:KEYID` (signing key).
    """
    value = spec.strip()
    if not value:
        raise ValueError("an identity is a GitHub login or numeric id, or an email")
    if value.isascii() and value.isdigit():
        if len(value) > len(str(MAX_ID)) or int(value) > MAX_ID:
            shown = value if len(value) <= 24 else value[:24] + "…"
            raise ValueError(f"{shown} is not a GitHub id (at most {MAX_ID})")
        return ("github", value)
    if value.startswith("key:"):
        return ("key", value.removeprefix("key:"))
    if value.startswith("SHA256:"):
        return ("key", value)
    if "@" in value.lstrip("@"):
        return ("email", value.lower())
    if ":" in value:
        platform, _, value = value.partition(":")
        if platform != "github":
            raise ValueError(f"unsupported platform {platform!r}; use github:LOGIN")
    return ("login", value.lstrip("@").lower())


def parse_vouched_line(line: str) -> tuple[str, Key, str] | None:
    """
    One line of a Ghostty-style `VOUCHED.td`: (action, key, note), or None for comments.

    Raises `ValueError` for a platform other than GitHub.
    """
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    match = _VOUCH_LINE.match(stripped)
    if not match:
        return None
    key = parse_spec(f"{match['platform'] or 'github'}:{match['handle']}")
    action = "denounce" if match["denounce"] else "vouch"
    return action, key, match["note"].lstrip("# ").strip()
