"""Text made safe for WhatsApp: no markup from foreign text, bare links, lengths as WhatsApp counts.

WhatsApp has no escape character: a `*`, `_`, `~` or backtick in a headline would bold, slant,
strike or set in monospace part of the message. So every string Vigía did not write itself is
neutralised — those characters become look-alikes WhatsApp does not read as markup — and links go
out bare, with those characters percent-encoded (WhatsApp still links them; the encoding changes
nothing for the site).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["MAX_TEXT", "bare_link", "neutralise", "shorten", "utf16_len"]

MAX_TEXT = 4096  # characters of a text message body
MAX_LINK = 2048
_LOOKALIKES = str.maketrans({"*": "∗", "_": "＿", "~": "∼", "`": "ˋ"})
_SPACES = re.compile(r"\s+")
_URL_ESCAPES = {"*": "%2A", "_": "%5F", "~": "%7E", "`": "%60"}


def utf16_len(text: str) -> int:
    """Length in UTF-16 units: never less than WhatsApp's count of characters."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def neutralise(text: str) -> str:
    """`text` on one line (each run of whitespace one space, the ends kept), with no character
    WhatsApp would read as markup."""
    line = _SPACES.sub(" ", text).translate(_LOOKALIKES)
    # A line that starts with ">" is a quote in WhatsApp.
    return "›" + line[1:] if line.startswith(">") else line


def bare_link(url: str | None) -> str | None:
    """An absolute http(s) URL ready to stand bare on its own line, or None (javascript:, data:,
    relative, oversized or spaced URLs are never shown)."""
    if not url:
        return None
    url = url.strip()
    if len(url) > MAX_LINK or any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return "".join(_URL_ESCAPES.get(ch, ch) for ch in url)


def shorten(text: str, units: int) -> str:
    """`text` cut to at most `units` UTF-16 units, ending in an ellipsis when cut."""
    if utf16_len(text) <= units:
        return text
    kept: list[str] = []
    used = 1
    for ch in text:
        size = 2 if ord(ch) > 0xFFFF else 1
        if used + size > units:
            break
        kept.append(ch)
        used += size
    return "".join(kept).rstrip() + "…"
