"""Report formats: text, JSON (`patchvet/report/v1`), Markdown and SARIF 2.1.0."""

from patchvet.formats.interface import OutputFormat, Reporter

__all__ = ["OutputFormat", "Reporter"]
