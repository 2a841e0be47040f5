"""Messages to Telegram: HTML with every untrusted string escaped, split under 4096 (one packer).

Public surface (pure):

- `render_parts(message) -> list[TelegramPart]` what the Telegram sender sends for a Message, in
  order: a photo first when there is a picture, then the texts, each at most 4096 UTF-16 units
  of visible text, split only between blocks (and between a long paragraph's lines); choices
  under the last part. A message that `replaces` an earlier post is one edit.
- `render_html(message) -> list[str]` just the HTML texts.
- `pack(pieces, limit=4096) -> list[str]` the one packer: HTML pieces into as few messages as fit
  (a paragraph's lines are pieces too, so a long list splits between its lines).
- `render_digest`, `render_actor_answer`, `render_alert`, `render_empty_window`,
  `render_story_line`: compose (bot/digest/compose.py) then render, for callers that want HTML.
- `safe_link(url)` a URL ready for href="…", or None.

A story block looks like this (every feed-, channel- or user-derived string escaped):

    <b>1. <a href="https://…">Title</a></b>
    Efecto Cocuyo +2 sources · ES/EN · 14:05
    Nicolás Maduro, María Corina Machado · #elections

Link previews are the sender's job (Vigía sends with previews off).
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.digest.compose import (
    byline,
    compose_actor_answer,
    compose_alert,
    compose_empty_window,
    digest_message,
    format_time,
    is_safe_link,
    one_line,
    story_block,
    tag_line,
    title_of,
    utf16_len,
    zone_of_message,
)
from bot.model import Choice, Message, Paragraph, Span, StoryBlock, StoryView
from bot.text import neutralise_controls

__all__ = [
    "MAX_CAPTION_UTF16",
    "MAX_MESSAGE_UTF16",
    "TelegramPart",
    "format_time",
    "pack",
    "render_actor_answer",
    "render_alert",
    "render_digest",
    "render_empty_window",
    "render_html",
    "render_parts",
    "render_story_line",
    "safe_link",
    "utf16_len",
]

MAX_MESSAGE_UTF16 = 4096
MAX_CAPTION_UTF16 = 1024
_ELLIPSIS = "…"
_STYLE_TAGS = {"bold": "b", "italic": "i", "code": "code"}


@dataclass(frozen=True, slots=True)
class TelegramPart:
    """One Bot API call: a text (or a photo with its caption), or an edit of an earlier post."""

    method: str  # "sendMessage" | "sendPhoto" | "editMessageText"
    text: str  # HTML; the caption of a photo
    buttons: tuple[tuple[Choice, ...], ...] = ()
    message_id: int | None = None  # the post an edit rewrites
    photo: bytes | None = None  # PNG

    def to_payload(self) -> str:
        """What the outbox stores for this part (JSON)."""
        data: dict[str, Any] = {"method": self.method, "text": self.text}
        if self.buttons:
            data["buttons"] = [[[c.label, c.data] for c in row] for row in self.buttons]
        if self.message_id is not None:
            data["message_id"] = self.message_id
        if self.photo is not None:
            data["photo"] = base64.b64encode(self.photo).decode("ascii")
        return json.dumps(data, ensure_ascii=False)

    @staticmethod
    def from_payload(payload: str) -> TelegramPart:
        """The part an outbox payload holds; ValueError when it is not one of ours."""
        data = json.loads(payload)
        if not isinstance(data, dict) or data.get("method") not in _METHODS:
            raise ValueError("not a Telegram payload")
        buttons = tuple(
            tuple(Choice(str(label), str(value)) for label, value in row)
            for row in data.get("buttons") or ()
        )
        photo = data.get("photo")
        message_id = data.get("message_id")
        return TelegramPart(
            method=str(data["method"]),
            text=str(data.get("text") or ""),
            buttons=buttons,
            message_id=int(message_id) if message_id is not None else None,
            photo=base64.b64decode(photo) if isinstance(photo, str) else None,
        )


_METHODS = ("sendMessage", "sendPhoto", "editMessageText")


def render_parts(message: Message, *, limit: int = MAX_MESSAGE_UTF16) -> list[TelegramPart]:
    """The Bot API calls that say `message`, in order (see the module's docstring)."""
    texts = render_html(message, limit=limit)
    if message.replaces is not None and message.replaces.isdigit():
        # An edit rewrites one post: only the first text can take its place.
        return [
            TelegramPart(
                method="editMessageText",
                text=texts[0] if texts else "…",
                buttons=message.choices,
                message_id=int(message.replaces),
            )
        ]
    parts = [TelegramPart(method="sendMessage", text=text) for text in texts]
    if message.picture is not None:
        caption = _escape(_shorten(one_line(message.picture.caption), MAX_CAPTION_UTF16))
        parts.insert(0, TelegramPart(method="sendPhoto", text=caption, photo=message.picture.png))
    if parts and message.choices:
        last = parts[-1]
        parts[-1] = TelegramPart(
            method=last.method, text=last.text, buttons=message.choices, photo=last.photo
        )
    return parts


def render_html(message: Message, *, limit: int = MAX_MESSAGE_UTF16) -> list[str]:
    """The message's blocks as Telegram HTML messages, each under `limit`."""
    tz = zone_of_message(message)
    now = message.now or datetime.now(tz)
    pieces: list[tuple[str, bool]] = []  # (html, starts a new block)
    budget = limit
    for position, block in enumerate(message.blocks):
        if isinstance(block, Paragraph):
            lines = _paragraph_lines(block, limit=limit)
            pieces += [(line, index == 0) for index, line in enumerate(lines)]
            if position == 0 and len(lines) == 1:
                # Any one story fits beside the heading, so the heading never stands alone.
                budget = limit - utf16_len(_visible(lines[0])) - 2
        else:
            pieces.append((_story_html(block, tz=tz, now=now, budget=max(budget, 64)), True))
    return pack(pieces, limit=limit)


def pack(pieces: Sequence[tuple[str, bool]], *, limit: int = MAX_MESSAGE_UTF16) -> list[str]:
    """HTML pieces in as few messages as fit under `limit` visible UTF-16 units.

    A piece that starts a block is set off by a blank line, one that goes on a paragraph by a
    line break; messages are split only between pieces, which each fit on their own.
    """
    messages: list[str] = []
    current, units = "", 0
    for piece, new_block in pieces:
        size = utf16_len(_visible(piece))
        separator = ("\n\n" if new_block else "\n") if current else ""
        if current and units + len(separator) + size > limit:
            messages.append(current)
            current, units, separator = "", 0, ""
        current += separator + piece
        units += len(separator) + size
    if current:
        messages.append(current)
    return messages


def safe_link(url: str | None) -> str | None:
    """`url` escaped for an href attribute when it may be linked (see `is_safe_link`), else None."""
    if url is None or not is_safe_link(url):
        return None
    return html.escape(url.strip(), quote=True)


def render_digest(
    stories: Sequence[StoryView],
    *,
    heading: str,
    tz: ZoneInfo,
    now: datetime,
    start_index: int = 1,
    limit: int = MAX_MESSAGE_UTF16,
) -> list[str]:
    """The digest as Telegram HTML messages, in story order, numbered from `start_index`."""
    message = digest_message(stories, heading=heading, tz=tz, now=now, start_index=start_index)
    return render_html(message, limit=limit)


def render_story_line(
    story: StoryView, *, tz: ZoneInfo, now: datetime, index: int | None = None
) -> str:
    """One story block in Telegram HTML (at most one message long)."""
    return _story_html(story_block(story, index=index), tz=tz, now=now, budget=MAX_MESSAGE_UTF16)


def render_actor_answer(
    actor_name: str,
    stories: Sequence[StoryView],
    *,
    tz: ZoneInfo,
    now: datetime,
    window_label: str = "24 h",
) -> list[str]:
    """The answer to `/actor NAME` as HTML messages."""
    return render_html(
        compose_actor_answer(actor_name, stories, tz=tz, now=now, window_label=window_label)
    )


def render_alert(
    story: StoryView, actor_names: Sequence[str], *, tz: ZoneInfo, now: datetime
) -> str:
    """An alert as one HTML message."""
    return render_html(compose_alert(story, actor_names, tz=tz, now=now))[0]


def render_empty_window(
    window_label: str, last_item_at: datetime | None, *, tz: ZoneInfo, now: datetime
) -> str:
    """Nothing new in a window, as one HTML message."""
    return render_html(compose_empty_window(window_label, last_item_at, tz=tz, now=now))[0]


def _paragraph_lines(paragraph: Paragraph, *, limit: int) -> list[str]:
    """A paragraph as HTML lines (a styled run never spans two), each line under `limit`."""
    lines: list[list[Span]] = [[]]
    for span in paragraph.spans:
        for index, text in enumerate(span.text.split("\n")):
            if index:
                lines.append([])
            if text:
                lines[-1].append(Span(text, span.style, span.link))
    rendered = []
    for spans in lines:
        visible = sum(utf16_len(span.text) for span in spans)
        if visible > limit:  # one line longer than a message: cut its longest run
            spans = _cut_line(spans, visible - limit)
        rendered.append("".join(_span_html(span) for span in spans))
    while len(rendered) > 1 and not rendered[-1]:
        rendered.pop()
    return [line for line in rendered] or [""]


def _cut_line(spans: list[Span], excess: int) -> list[Span]:
    longest = max(range(len(spans)), key=lambda i: utf16_len(spans[i].text))
    span = spans[longest]
    keep = max(1, utf16_len(span.text) - excess)
    spans[longest] = Span(_shorten(span.text, keep), span.style, span.link)
    return spans


def _span_html(span: Span) -> str:
    text = _escape(span.text)
    tag = _STYLE_TAGS.get(span.style)
    if tag:
        text = f"<{tag}>{text}</{tag}>"
    link = safe_link(span.link)
    if link is not None:
        text = f'<a href="{link}">{text}</a>'
    return text


def _story_html(block: StoryBlock, *, tz: ZoneInfo, now: datetime, budget: int) -> str:
    title = title_of(block)
    tags = tag_line(block)
    rendered = _compose(block, title, tags, tz=tz, now=now)
    if utf16_len(_visible(rendered)) <= budget:
        return rendered
    # Too long for one message: shorten the plain strings, then escape; markup stays whole.
    tags = _shorten(tags, 300)
    fixed = utf16_len(_visible(_compose(block, "", tags, tz=tz, now=now)))
    title = _shorten(title, max(budget - fixed, 1))
    rendered = _compose(block, title, tags, tz=tz, now=now)
    while utf16_len(_visible(rendered)) > budget and len(title) > 1:
        title = _shorten(title, max(utf16_len(title) - 16, 1))
        rendered = _compose(block, title, tags, tz=tz, now=now)
    return rendered


def _compose(block: StoryBlock, title: str, tags: str, *, tz: ZoneInfo, now: datetime) -> str:
    number = f"{block.index}. " if block.index is not None else ""
    link = safe_link(block.url)
    shown = _escape(title)
    linked = f'<a href="{link}">{shown}</a>' if link is not None else shown
    lines = [f"<b>{number}{linked}</b>", _escape(byline(block, tz=tz, now=now))]
    if tags:
        lines.append(_escape(tags))
    return "\n".join(lines)


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
    # Controls are taken out here too: items stored before intake neutralised them, and
    # names from the steering files, must not reorder a digest line either.
    return html.escape(neutralise_controls(text), quote=True)
