"""The `patchvet` command: one module per command group, assembled in `cli.main`."""

from patchvet.cli.main import main

__all__ = ["main"]
