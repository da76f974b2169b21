"""
JSON from contributions and webhooks, parsed with bounds: a hostile payload gets a one-line
error, never a `RecursionError` or a crash on a 5,000-digit number.
"""

from __future__ import annotations

import json
from typing import Any


class JsonInputError(ValueError):
    """The text is not JSON patchvet will read; the message says why."""


def load_json(data: str | bytes) -> Any:
    """Parse JSON, refusing nesting deeper than Python's stack and numbers of over 4300 digits."""
    try:
        return json.loads(data)
    except RecursionError:
        raise JsonInputError("JSON nested too deeply to read") from None
    except UnicodeDecodeError as error:
        raise JsonInputError(f"not UTF-8 text: {error.reason}") from None
    except ValueError as error:  # JSONDecodeError, and int() refusing a huge number
        raise JsonInputError(f"not valid JSON: {str(error)[:200]}") from None
