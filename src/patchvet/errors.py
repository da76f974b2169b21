"""
The one error type patchvet raises for users, with a hint on how to fix the cause.

Only the CLI turns these into exit codes; library code raises them and never exits.
"""

from __future__ import annotations


class PatchvetError(Exception):
    """
    A problem a user can act on: the message says what went wrong, the hint what to do.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(PatchvetError):
    """A policy file or preset that cannot be loaded or does not validate."""


class SourceError(PatchvetError):
    """An input that cannot be read at all (as opposed to one that is skipped)."""
