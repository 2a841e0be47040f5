"""Stories and answers to WhatsApp markup: *bold*, _italic_, bare links, split under 4,096.

WhatsApp has no escape character: a `*`, `_`, `~` or backtick in a headline would bold, slant,
strike or set in monospace part of the message. So every string Vigía did not write itself is
neutralised — those characters become look-alikes that WhatsApp does not read as markup — and
links go out bare, on their own line, with those characters percent-encoded (WhatsApp links
them; the encoding changes nothing for the site). Messages are split only between stories.

A story block:

    *1. El CNE publica las actas*
    Efecto Cocuyo +2 fuentes · 14:05
    Nicolás Maduro, María Corina Machado · elecciones
    https://example.org/actas
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.digest.render import format_time, utf16_len
from bot.model import StoryView

__all__ = [
    "MAX_TEXT",
    "bare_link",
    "neutralise",
    "pack_blocks",
    "render_alert",
    "render_stories",
    "shorten",
]

MAX_TEXT = 4096  # characters of a text message body
MAX_LINK = 2048
_LOOKALIKES = str.maketrans({"*": "∗", "_": "＿", "~": "∼", "`": "ˋ"})
_URL_ESCAPES = {"*": "%2A", "_": "%5F", "~": "%7E", "`": "%60"}
_WORDS = {
    "es": ("fuente", "fuentes", "ahora en {n} fuentes", "un actor que sigues"),
    "en": ("source", "sources", "now reported by {n} sources", "an actor you follow"),
    "fr": ("source", "sources", "désormais dans {n} sources", "un acteur que vous suivez"),
}


def neutralise(text: str) -> str:
    """`text` on one line, with no character WhatsApp would read as markup."""
    line = " ".join(text.split()).translate(_LOOKALIKES)
    # A line that starts with "> " is a quote in WhatsApp; ours never start with foreign text,
    # but a neutralised string may be used alone.
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


def render_stories(
    stories: Sequence[StoryView],
    *,
    heading: str,
    tz: ZoneInfo,
    now: datetime,
    language: str = "en",
    start_index: int = 1,
    limit: int = MAX_TEXT,
) -> list[str]:
    """A digest (or any list of stories) as WhatsApp messages, split only between stories.

    `heading` is plain text (neutralised here) and opens the first message in bold.
    """
    head = f"*{shorten(neutralise(heading), 200)}*" if heading.strip() else ""
    budget = limit - (utf16_len(head) + 2 if head else 0)
    blocks = [
        _story_block(story, tz=tz, now=now, index=start_index + offset, language=language,
                     budget=budget)
        for offset, story in enumerate(stories)
    ]
    return pack_blocks(head, blocks, limit=limit)


def render_alert(
    story: StoryView, actor_names: Sequence[str], *, tz: ZoneInfo, now: datetime,
    language: str = "en",
) -> str:
    """An alert: a story naming actors the reader follows."""
    names = ", ".join(neutralise(name) for name in actor_names) or _WORDS[_lang(language)][3]
    head = f"🔔 *{shorten(names, 200)}*"
    budget = MAX_TEXT - utf16_len(head) - 1
    block = _story_block(story, tz=tz, now=now, index=None, language=language, budget=budget)
    return f"{head}\n{block}"


def pack_blocks(head: str, blocks: Sequence[str], *, limit: int = MAX_TEXT,
                separator: str = "\n\n") -> list[str]:
    """`head` then `blocks` in as few messages as fit under `limit`, split only between blocks."""
    messages: list[str] = []
    current = head
    for block in blocks:
        candidate = f"{current}{separator}{block}" if current else block
        if current and utf16_len(candidate) > limit:
            messages.append(current)
            candidate = block
        current = candidate
    if current:
        messages.append(current)
    return messages


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


def _story_block(story: StoryView, *, tz: ZoneInfo, now: datetime, index: int | None,
                 language: str, budget: int) -> str:
    number = f"{index}. " if index is not None else ""
    title = neutralise(story.title) or "(…)"
    lines = [_byline(story, tz=tz, now=now, language=language)]
    tags = _tags(story)
    if tags:
        lines.append(shorten(tags, 300))
    link = bare_link(story.url)
    if link is not None:
        lines.append(link)
    rest = "\n".join(lines)
    room = budget - utf16_len(rest) - utf16_len(number) - 3  # two stars and a newline
    if room < 20 and link is not None:
        lines.pop()  # a link too long to show beside its story is left out, never cut
        rest = "\n".join(lines)
        room = budget - utf16_len(rest) - utf16_len(number) - 3
    return f"*{number}{shorten(title, max(room, 1))}*\n{rest}"


def _byline(story: StoryView, *, tz: ZoneInfo, now: datetime, language: str) -> str:
    one, many, follow_up, _ = _WORDS[_lang(language)]
    source = neutralise(story.source_name) or "?"
    others = story.source_count - 1
    more = f" +{others} {one if others == 1 else many}" if others > 0 else ""
    if story.follow_up:
        more = " · " + follow_up.format(n=story.source_count)
    return f"{source}{more} · {format_time(story.first_seen, tz=tz, now=now)}"


def _tags(story: StoryView) -> str:
    actors = ", ".join(neutralise(name) for name in story.actors if name.strip())
    topics = ", ".join(neutralise(topic) for topic in story.topics if topic.strip())
    return " · ".join(part for part in (actors, topics) if part)


def _lang(language: str) -> str:
    return language if language in _WORDS else "en"
