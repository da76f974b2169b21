"""Report formats: text, JSON (`patchvet/report/v1`), Markdown, SARIF 2.1.0, checkpatch."""

from patchvet.formats.interface import OutputFormat, Reporter

__all__ = ["OutputFormat", "Reporter"]
