"""
Escaping for every place contribution text is shown. Contribution content is hostile: a title
can carry terminal escape sequences, Markdown that pings people or fakes a verdict, or HTML.
"""

from __future__ import annotations

import html
import re

# C0/C1 controls, DEL, and the bidi/invisible characters that reorder or hide text.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u061c]"
)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:<>])")


def _visible(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def plain(text: str, limit: int | None = None) -> str:
    """One safe line for a terminal: controls shown as `\\uXXXX`, newlines as spaces."""
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    text = _UNSAFE.sub(_visible, text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def markdown(text: str, limit: int | None = None) -> str:
    """Inert Markdown: no formatting, links, mentions, HTML or table breaks survive."""
    text = plain(text, limit)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = text.replace("&", "&amp;").replace("\\<", "&lt;").replace("\\>", "&gt;")
    return text.replace("@", "&#64;").replace('"', "&quot;")


def html_text(text: str, limit: int | None = None) -> str:
    """Text for an HTML page."""
    return html.escape(plain(text, limit), quote=True)
