"""Stories to Telegram HTML (and plain text for the terminal), escaped and split under 4096.

Public surface (pure; every function takes the subscriber's `tz` and the current `now`):

- `render_digest(stories, *, heading, tz, now, start_index=1, limit=4096) -> list[str]`
  the digest as Telegram messages: the heading on the first, then numbered story blocks, split
  only between stories; each message at most `limit` UTF-16 units of visible text.
- `render_story_line(story, *, tz, now, index=None) -> str` one story block.
- `render_actor_answer(actor_name, stories, *, tz, now, window_label) -> list[str]` `/actor`.
- `render_alert(story, actor_names, *, tz, now) -> str` an alert for followed actors.
- `render_empty_window(window_label, last_item_at, *, tz, now) -> str` nothing new in a window.
- `render_digest_text(stories, *, heading, tz, now, start_index=1) -> str` plain text.
- `format_time(moment, *, tz, now) -> str` "14:05" today, "3 Nov 14:05" otherwise.
- `safe_link(url) -> str | None` an http(s) URL ready for href="…", or None.
- `utf16_len(text) -> int` length as Telegram counts it.

A story block looks like this (every feed-, channel- or user-derived string escaped):

    <b>1. <a href="https://…">Title</a></b>
    Efecto Cocuyo +2 sources · 14:05
    Nicolás Maduro, María Corina Machado · #elections

Link previews are the sender's job (Vigía sends with previews off).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.model import StoryView

__all__ = [
    "MAX_MESSAGE_UTF16",
    "format_time",
    "pack_messages",
    "render_actor_answer",
    "render_alert",
    "render_digest",
    "render_digest_text",
    "render_empty_window",
    "render_story_line",
    "safe_link",
    "utf16_len",
]

MAX_MESSAGE_UTF16 = 4096
MAX_LINK_LENGTH = 2048
_ELLIPSIS = "…"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_NOT_HASHTAG = re.compile(r"[^\w]+")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts: astral characters (emoji) count twice."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def render_digest(
    stories: Sequence[StoryView],
    *,
    heading: str,
    tz: ZoneInfo,
    now: datetime,
    start_index: int = 1,
    limit: int = MAX_MESSAGE_UTF16,
) -> list[str]:
    """The digest as Telegram HTML messages, in story order, numbered from `start_index`.

    `heading` is plain text (escaped here) and opens the first message in bold. Messages are split
    only between stories; a story too long for a message of its own is shortened (title first,
    then tags) without cutting an entity or a tag. No stories: the heading alone.
    """
    head = f"<b>{_escape(_one_line(heading))}</b>" if heading.strip() else ""
    # Any one story fits beside the heading, so the heading never stands alone.
    budget = limit - (utf16_len(_visible(head)) + 2 if head else 0)
    blocks = [
        _story_block(story, tz=tz, now=now, index=start_index + offset, budget=budget)
        for offset, story in enumerate(stories)
    ]
    return pack_messages(head, blocks, limit=limit)


def render_story_line(
    story: StoryView, *, tz: ZoneInfo, now: datetime, index: int | None = None
) -> str:
    """One story block in Telegram HTML (at most one message long)."""
    return _story_block(story, tz=tz, now=now, index=index, budget=MAX_MESSAGE_UTF16)


def render_actor_answer(
    actor_name: str,
    stories: Sequence[StoryView],
    *,
    tz: ZoneInfo,
    now: datetime,
    window_label: str = "24 h",
) -> list[str]:
    """The answer to `/actor NAME`: its stories in the window, or a sentence saying there are none."""
    name = _one_line(actor_name)
    if not stories:
        return [f"No stories about <b>{_escape(name)}</b> in the last {_escape(window_label)}."]
    count = len(stories)
    noun = "story" if count == 1 else "stories"
    heading = f"{name} — {count} {noun} in the last {window_label}"
    return render_digest(stories, heading=heading, tz=tz, now=now)


def render_alert(
    story: StoryView, actor_names: Sequence[str], *, tz: ZoneInfo, now: datetime
) -> str:
    """An alert: a story naming actors the subscriber follows."""
    names = ", ".join(_one_line(name) for name in actor_names) or "an actor you follow"
    head = f"🔔 <b>{_escape(_shorten(names, 200))}</b>"
    budget = MAX_MESSAGE_UTF16 - utf16_len(_visible(head)) - 1
    return head + "\n" + _story_block(story, tz=tz, now=now, index=None, budget=budget)


def render_empty_window(
    window_label: str, last_item_at: datetime | None, *, tz: ZoneInfo, now: datetime
) -> str:
    """Nothing new in a window: say so, and when the last item came in."""
    if last_item_at is None:
        return f"No new stories in the last {_escape(window_label)}; nothing has come in yet."
    when = format_time(last_item_at, tz=tz, now=now)
    return f"No new stories in the last {_escape(window_label)}; the last item came in at {when}."


def render_digest_text(
    stories: Sequence[StoryView],
    *,
    heading: str,
    tz: ZoneInfo,
    now: datetime,
    start_index: int = 1,
) -> str:
    """The digest as plain text for the terminal: no markup, no escaping, links on their own line."""
    lines = [_one_line(heading)] if heading.strip() else []
    for offset, story in enumerate(stories):
        if lines:
            lines.append("")
        lines.append(f"{start_index + offset}. {_title(story)}")
        lines.append(f"   {_byline(story, tz=tz, now=now)}")
        tags = _tags(story)
        if tags:
            lines.append(f"   {tags}")
        if story.url and safe_link(story.url) is not None:
            lines.append(f"   {story.url.strip()}")
    return "\n".join(lines)


def format_time(moment: datetime, *, tz: ZoneInfo, now: datetime) -> str:
    """`moment` in the subscriber's zone: "14:05" when it is today there, else "3 Nov 14:05"
    (with the year when it is not this year)."""
    local = moment.astimezone(tz)
    today = now.astimezone(tz).date()
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if local.date() == today:
        return clock
    day = f"{local.day} {_MONTHS[local.month - 1]}"
    if local.year != today.year:
        day += f" {local.year}"
    return f"{day} {clock}"


def safe_link(url: str | None) -> str | None:
    """`url` escaped for an href attribute when it is an absolute http(s) URL, else None
    (javascript:, data:, relative and oversized URLs are never linked)."""
    if not url:
        return None
    url = url.strip()
    if len(url) > MAX_LINK_LENGTH or any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return html.escape(url, quote=True)


def _story_block(
    story: StoryView, *, tz: ZoneInfo, now: datetime, index: int | None, budget: int
) -> str:
    title = _title(story)
    tags = _tags(story)
    block = _compose(story, title, tags, tz=tz, now=now, index=index)
    if utf16_len(_visible(block)) <= budget:
        return block
    # Too long for one message: shorten the plain strings, then escape; markup stays whole.
    tags = _shorten(tags, 300)
    fixed = utf16_len(_visible(_compose(story, "", tags, tz=tz, now=now, index=index)))
    title = _shorten(title, max(budget - fixed, 1))
    block = _compose(story, title, tags, tz=tz, now=now, index=index)
    while utf16_len(_visible(block)) > budget and len(title) > 1:
        title = _shorten(title, max(utf16_len(title) - 16, 1))
        block = _compose(story, title, tags, tz=tz, now=now, index=index)
    return block


def _compose(
    story: StoryView, title: str, tags: str, *, tz: ZoneInfo, now: datetime, index: int | None
) -> str:
    number = f"{index}. " if index is not None else ""
    link = safe_link(story.url)
    shown = _escape(title)
    linked = f'<a href="{link}">{shown}</a>' if link is not None else shown
    lines = [f"<b>{number}{linked}</b>", _escape(_byline(story, tz=tz, now=now))]
    if tags:
        lines.append(_escape(tags))
    return "\n".join(lines)


def pack_messages(
    head: str, blocks: Sequence[str], *, limit: int = MAX_MESSAGE_UTF16, separator: str = "\n\n"
) -> list[str]:
    """HTML blocks after `head`, in as few messages as fit under `limit` UTF-16 units as shown.

    Split only between blocks; a block longer than `limit` is its caller's to shorten.
    """
    messages: list[str] = []
    gap = utf16_len(separator)
    current = head
    current_units = utf16_len(_visible(head)) if head else 0
    for block in blocks:
        units = utf16_len(_visible(block))
        joint = gap if current else 0
        if current and current_units + joint + units > limit:
            messages.append(current)
            current, current_units, joint = "", 0, 0
        current = f"{current}{separator}{block}" if current else block
        current_units += joint + units
    if current:
        messages.append(current)
    return messages


def _byline(story: StoryView, *, tz: ZoneInfo, now: datetime) -> str:
    source = _one_line(story.source_name) or "unknown source"
    others = story.source_count - 1
    more = f" +{others} source{'s' if others > 1 else ''}" if others > 0 else ""
    if story.follow_up:
        # Sent before; it is back only because more outlets carry it now.
        more = f" · now reported by {story.source_count} sources"
    # Reported in several languages: say which (one language needs no saying).
    told = f" · in {', '.join(story.languages)}" if len(story.languages) > 1 else ""
    return f"{source}{more}{told} · {format_time(story.first_seen, tz=tz, now=now)}"


def _tags(story: StoryView) -> str:
    actors = ", ".join(_one_line(name) for name in story.actors if name.strip())
    topics = " ".join(_hashtag(topic) for topic in story.topics if _hashtag(topic) != "#")
    return " · ".join(part for part in (actors, topics) if part)


def _hashtag(topic: str) -> str:
    return "#" + _NOT_HASHTAG.sub("_", topic.strip().lower()).strip("_")


def _title(story: StoryView) -> str:
    return _one_line(story.title) or "(untitled)"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _shorten(text: str, units: int) -> str:
    """`text` cut to at most `units` UTF-16 units, ending in an ellipsis when cut."""
    if utf16_len(text) <= units:
        return text
    kept: list[str] = []
    used = 1  # the ellipsis
    for ch in text:
        size = 2 if ord(ch) > 0xFFFF else 1
        if used + size > units:
            break
        kept.append(ch)
        used += size
    return "".join(kept).rstrip() + _ELLIPSIS


_MARKUP = re.compile(r"<[^>]*>")


def _visible(markup: str) -> str:
    """What Telegram counts: the text without tags, entities decoded (our own markup only)."""
    return html.unescape(_MARKUP.sub("", markup))


def _escape(text: str) -> str:
    return html.escape(text, quote=True)
