"""Messages to WhatsApp: *bold*, _italic_, bare links, every foreign string neutralised
(bot/whatsapp/markup.py), split under 4,096 only between blocks, choices as buttons or a list.

A story block:

    *1. El CNE publica las actas*
    Efecto Cocuyo +2 sources · ES/EN · 14:05
    Nicolás Maduro, María Corina Machado · #elections
    https://example.org/actas

(the byline and tags are bot/digest/compose.py's words, the same on every transport).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.digest.compose import byline, tag_line, title_of, zone_of_message
from bot.model import Message, Paragraph, Span, StoryBlock
from bot.whatsapp.markup import MAX_TEXT, bare_link, neutralise, shorten, utf16_len
from bot.whatsapp.payloads import (
    MAX_BUTTONS,
    MAX_INTERACTIVE_BODY,
    Offer,
    buttons_message,
    list_message,
    text_message,
)

__all__ = ["render_payloads", "render_texts"]

_MARKERS = {"bold": "*", "italic": "_", "code": "```"}


def render_payloads(message: Message) -> list[str]:
    """What the WhatsApp transport sends for `message`, in order: outbox payloads (JSON).

    Texts split only between blocks; choices ride on the last text as up to three reply buttons,
    or as a list of up to ten rows (the rest left out), on a message of their own when the last
    text is longer than an interactive body may be. A message that lists numbered stories (a
    digest) carries, on its first part, what the template says when the reader's 24-hour window
    is closed at send time: the number of stories, the first title, and when it was composed.
    """
    texts = render_texts(message) or ["…"]
    offers = [Offer(c.data, c.label) for row in message.choices for c in row]
    bodies: list[dict[str, Any]] = [text_message("", text) for text in texts]
    if offers:
        last = texts[-1]
        lead = last if utf16_len(last) <= MAX_INTERACTIVE_BODY else "⬇️"
        interactive = (
            buttons_message("", lead, offers)
            if len(offers) <= MAX_BUTTONS
            else list_message("", lead, _CHOOSE, offers)
        )
        if lead is last:
            bodies[-1] = interactive
        else:
            bodies.append(interactive)
    for body in bodies:
        del body["to"]  # the transport addresses each send
    stories = [b for b in message.blocks if isinstance(b, StoryBlock) and b.index is not None]
    reopen = None
    if stories:
        at = message.now or datetime.now().astimezone()
        reopen = {"count": len(stories), "first": title_of(stories[0]),
                  "at": int(at.timestamp())}
    return [
        json.dumps({"body": body, "reopen": reopen if index == 0 else None}, ensure_ascii=False)
        for index, body in enumerate(bodies)
    ]


def render_texts(message: Message) -> list[str]:
    """The message's blocks as WhatsApp texts, each at most 4,096 characters, split only between
    blocks or a paragraph's lines (a line too long for one message is cut)."""
    tz = zone_of_message(message)
    now = message.now or datetime.now(tz)
    pieces: list[tuple[str, str]] = []  # (separator before, text)
    for block in message.blocks:
        if isinstance(block, StoryBlock):
            text = _story(block, tz=tz, now=now, budget=MAX_TEXT)
            pieces.append(("\n\n", text))
        else:
            text = _paragraph(block)
            # A listing (actors, follows…) is one paragraph of lines: too long, it splits
            # between its lines like blocks do.
            lines = [text] if utf16_len(text) <= MAX_TEXT else text.split("\n")
            pieces.extend(("\n", shorten(line, MAX_TEXT)) for line in lines)
    messages: list[str] = []
    current = ""
    previous_story = False
    for separator, text in pieces:
        is_story = separator == "\n\n"
        joint = "\n\n" if (is_story or previous_story) else "\n"
        previous_story = is_story
        candidate = f"{current}{joint}{text}" if current else text
        if current and utf16_len(candidate) > MAX_TEXT:
            messages.append(current)
            candidate = text
        current = candidate
    if current.strip():
        messages.append(current)
    return messages


def _paragraph(paragraph: Paragraph) -> str:
    return "".join(_span(span) for span in paragraph.spans)


def _span(span: Span) -> str:
    lines = [neutralise(line) for line in span.text.split("\n")]
    text = "\n".join(lines)
    marker = _MARKERS.get(span.style, "")
    core = text.strip()
    if marker and core and "\n" not in core:
        # A marker only works against the words: spaces stay outside it.
        lead, tail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        text = f"{lead}{marker}{core}{marker}{tail}"
    link = bare_link(span.link)
    if link is not None and link != span.text.strip():
        text = f"{text} {link}" if text.strip() else link
    return text


def _story(block: StoryBlock, *, tz: Any, now: datetime, budget: int) -> str:
    number = f"{block.index}. " if block.index is not None else ""
    lines = [neutralise(byline(block, tz=tz, now=now))]
    tags = tag_line(block)
    if tags:
        lines.append(shorten(neutralise(tags), 300))
    link = bare_link(block.url)
    if link is not None:
        lines.append(link)
    rest = "\n".join(lines)
    room = budget - utf16_len(rest) - utf16_len(number) - 3  # two stars and a newline
    if room < 20 and link is not None:
        lines.pop()  # a link too long to show beside its story is left out, never cut
        rest = "\n".join(lines)
        room = budget - utf16_len(rest) - utf16_len(number) - 3
    title = shorten(neutralise(title_of(block)), max(room, 1))
    return f"*{number}{title}*\n{rest}"


_CHOOSE = "Elegir · Choose"
