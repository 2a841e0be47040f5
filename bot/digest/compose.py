"""Stories to transport-neutral Messages: digests, alerts, answers and channel posts, composed once.

`compose_digest` is the one digest page (the scheduled digest, `/digest` and a channel's digest):
the window's best stories as a Message, and what is left after it.

Every transport renders these (bot/telegram/render.py: Telegram HTML; the plain text of the
terminal is `plain_text` here). The words a story block shows are made here too, as plain text
(`byline`, `tag_line`, `format_time`), so every renderer says the same thing and only escapes it
its own way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.digest.bylines import month, word
from bot.digest.select import DigestPage, select_window
from bot.model import Block, Choice, Message, Paragraph, StoryBlock, StoryView
from storage.db import Session

__all__ = [
    "MAX_LINK_LENGTH",
    "PAGE",
    "Digest",
    "byline",
    "compose_actor_answer",
    "compose_alert",
    "compose_digest",
    "compose_empty_window",
    "compose_story_post",
    "digest_message",
    "format_day",
    "format_time",
    "is_safe_link",
    "one_line",
    "plain_text",
    "story_block",
    "tag_line",
    "utf16_len",
]

MAX_LINK_LENGTH = 2048
PAGE = 10  # stories a digest page shows; the "more" button pages on
_NOT_HASHTAG = re.compile(r"[^\w]+")


@dataclass(frozen=True, slots=True)
class Digest:
    """One page of a digest window: its message (None when the window is empty), its stories,
    and where the next page starts."""

    since: datetime
    until: datetime
    offset: int
    page: DigestPage
    message: Message | None

    @property
    def left(self) -> int:
        """Stories of the window after this page."""
        return max(0, self.page.total - self.offset - len(self.page.stories))

    @property
    def next_offset(self) -> int:
        """Where the next page of the window starts."""
        return self.offset + len(self.page.stories)


async def compose_digest(
    *,
    session: Session,
    since: datetime,
    until: datetime,
    heading: str,
    tz: ZoneInfo,
    now: datetime,
    languages: frozenset[str] = frozenset(),
    actor_ids: frozenset[str] = frozenset(),
    offset: int = 0,
    limit: int = PAGE,
    exclude_sent_to: int | None = None,
    language: str | None = None,
) -> Digest:
    """The best stories last seen in (since, until], from `offset`, as one Message.

    The scheduled digest, `/digest` and a channel's digest are this page; `exclude_sent_to` leaves out what a
    chat was already sent (unless more sources reported it since). Its choices (a "more" button)
    are the caller's: each transport pages in its own way. `language` is the reader's, for the
    words around each story.
    """
    page = await select_window(
        session=session,
        since=since,
        until=until,
        languages=languages,
        actor_ids=actor_ids,
        limit=limit,
        offset=offset,
        exclude_sent_to=exclude_sent_to,
    )
    message = (
        digest_message(page.stories, heading=heading, tz=tz, now=now, start_index=offset + 1,
                       language=language)
        if page.stories
        else None
    )
    return Digest(since=since, until=until, offset=offset, page=page, message=message)


def story_block(
    story: StoryView, *, index: int | None = None, language: str | None = None
) -> StoryBlock:
    """The block every transport shows for a story, its own words in the reader's `language`."""
    return StoryBlock(
        title=story.title,
        url=story.url,
        source_name=story.source_name,
        source_count=story.source_count,
        time=story.first_seen,
        languages=story.languages,
        actors=story.actors,
        topics=story.topics,
        index=index,
        follow_up=story.follow_up,
        reader_language=language,
    )


def digest_message(
    stories: Sequence[StoryView],
    *,
    heading: str,
    tz: ZoneInfo,
    now: datetime,
    start_index: int = 1,
    choices: tuple[tuple[Choice, ...], ...] = (),
    language: str | None = None,
) -> Message:
    """A digest (or a page of one): a bold heading, then numbered story blocks."""
    head: tuple[Block, ...] = (
        (Paragraph.of(one_line(heading), style="bold"),) if heading.strip() else ()
    )
    blocks = tuple(
        story_block(story, index=start_index + offset, language=language)
        for offset, story in enumerate(stories)
    )
    return Message(blocks=head + blocks, choices=choices, timezone=_zone_name(tz), now=now)


def compose_actor_answer(
    actor_name: str,
    stories: Sequence[StoryView],
    *,
    tz: ZoneInfo,
    now: datetime,
    window_label: str = "24 h",
    choices: tuple[tuple[Choice, ...], ...] = (),
    language: str | None = None,
) -> Message:
    """The answer to `/actor NAME`: its stories in the window, or a sentence saying there are none."""
    name = one_line(actor_name)
    if not stories:
        return Message(
            blocks=(Paragraph.of(f"No stories about {name} in the last {window_label}."),),
            timezone=_zone_name(tz),
            now=now,
        )
    count = len(stories)
    noun = "story" if count == 1 else "stories"
    heading = f"{name} — {count} {noun} in the last {window_label}"
    return digest_message(stories, heading=heading, tz=tz, now=now, choices=choices,
                          language=language)


def compose_alert(
    story: StoryView, actor_names: Sequence[str], *, tz: ZoneInfo, now: datetime,
    language: str | None = None,
) -> Message:
    """An alert: a story naming actors the subscriber follows."""
    names = ", ".join(one_line(name) for name in actor_names) or word("followed", language)
    return Message(
        blocks=(Paragraph.of(f"🔔 {names}", style="bold"), story_block(story, language=language)),
        timezone=_zone_name(tz),
        now=now,
    )


def compose_story_post(
    story: StoryView, *, tz: ZoneInfo, now: datetime, replaces: str | None = None
) -> Message:
    """A channel post of one story; `replaces` the receipt of the post it rewrites."""
    return Message(
        blocks=(story_block(story),), timezone=_zone_name(tz), now=now, replaces=replaces
    )


def compose_empty_window(
    window_label: str, last_item_at: datetime | None, *, tz: ZoneInfo, now: datetime
) -> Message:
    """Nothing new in a window: say so, and when the last item came in."""
    if last_item_at is None:
        text = f"No new stories in the last {window_label}; nothing has come in yet."
    else:
        when = format_time(last_item_at, tz=tz, now=now)
        text = f"No new stories in the last {window_label}; the last item came in at {when}."
    return Message(blocks=(Paragraph.of(text),), timezone=_zone_name(tz), now=now)


def byline(block: StoryBlock, *, tz: ZoneInfo, now: datetime) -> str:
    """ "Efecto Cocuyo +2 sources · ES/EN · 14:05": who tells it, in which languages, when, in
    the block's reader's language ("+2 fuentes", "3 nov 14:05")."""
    language = block.reader_language
    source = one_line(block.source_name) or word("unknown", language)
    others = block.source_count - 1
    more = f" {word('sources' if others > 1 else 'source', language, n=others)}" if others > 0 else ""
    if block.follow_up:
        # Sent before; it is back only because more outlets carry it now.
        more = f" · {word('follow_up', language, n=block.source_count)}"
    languages = ""
    if len(block.languages) > 1:
        languages = " · " + "/".join(code.upper() for code in block.languages)
    return f"{source}{more}{languages} · {format_time(block.time, tz=tz, now=now, language=language)}"


def tag_line(block: StoryBlock) -> str:
    """ "Nicolás Maduro, María Corina Machado · #elections", or "" when nothing is tagged."""
    actors = ", ".join(one_line(name) for name in block.actors if name.strip())
    topics = " ".join(_hashtag(topic) for topic in block.topics if _hashtag(topic) != "#")
    return " · ".join(part for part in (actors, topics) if part)


def title_of(block: StoryBlock) -> str:
    """The title on one line, or "(untitled)" in the reader's language."""
    return one_line(block.title) or word("untitled", block.reader_language)


def format_time(
    moment: datetime, *, tz: ZoneInfo, now: datetime, language: str | None = None
) -> str:
    """`moment` in the reader's zone: "14:05" when it is today there, else "3 Nov 14:05"
    ("3 nov 14:05" in Spanish; with the year when it is not this year)."""
    local = moment.astimezone(tz)
    today = now.astimezone(tz).date()
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if local.date() == today:
        return clock
    day = format_day(local, tz=tz, language=language)
    if local.year != today.year:
        day += f" {local.year}"
    return f"{day} {clock}"


def format_day(moment: datetime, *, tz: ZoneInfo, language: str | None = None) -> str:
    """The day of `moment` in the reader's zone and language: "3 Nov", "3 nov", "3 nov."."""
    local = moment.astimezone(tz)
    return f"{local.day} {month(local.month, language)}"


def is_safe_link(url: str | None) -> bool:
    """Whether `url` may be linked: an absolute http(s) URL of sane length, no spaces or controls
    (javascript:, data:, relative and oversized URLs never are)."""
    if not url:
        return False
    url = url.strip()
    if len(url) > MAX_LINK_LENGTH or any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def plain_text(message: Message) -> str:
    """The message as plain text for the terminal: no markup, links on their own line."""
    tz = zone_of_message(message)
    now = message.now or datetime.now(tz)
    chunks: list[str] = []
    for block in message.blocks:
        if isinstance(block, Paragraph):
            chunks.append("".join(span.text for span in block.spans))
            continue
        number = f"{block.index}. " if block.index is not None else ""
        lines = [f"{number}{title_of(block)}", f"   {byline(block, tz=tz, now=now)}"]
        tags = tag_line(block)
        if tags:
            lines.append(f"   {tags}")
        if block.url and is_safe_link(block.url):
            lines.append(f"   {block.url.strip()}")
        chunks.append("\n".join(lines))
    return "\n\n".join(chunks)


def zone_of_message(message: Message) -> ZoneInfo:
    """The reader's zone the message was composed for (UTC when it names none we know)."""
    try:
        return ZoneInfo(message.timezone)
    except (ValueError, KeyError, OSError):
        return ZoneInfo("UTC")


def one_line(text: str) -> str:
    """Whitespace folded: one line."""
    return " ".join(text.split())


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram and WhatsApp count: astral characters twice."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _hashtag(topic: str) -> str:
    return "#" + _NOT_HASHTAG.sub("_", topic.strip().lower()).strip("_")


def _zone_name(tz: ZoneInfo) -> str:
    return getattr(tz, "key", None) or "UTC"
