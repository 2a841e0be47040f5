"""The readers' commands: `/digest`, `/actor`, `/actors`, `/search`, `/sources`, page by page."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.digest import buttons
from bot.digest.compose import PAGE, compose_digest
from bot.digest.lookup import actor_by_id, find_actor
from bot.digest.select import DigestPage, search_stories, select_actor
from bot.durations import parse_window
from bot.model import Actor
from bot.telegram import texts
from bot.telegram.arguments import MAX_ARGUMENT, clean_name, echo, reader_zone, too_long
from bot.telegram.following import not_one_actor
from bot.telegram.render import (
    pack_messages,
    render_actor_answer,
    render_digest,
    render_empty_window,
    render_html,
)
from bot.telegram.reply import Reply, reply_text
from storage import stories as story_store
from storage import subscribers
from storage.db import Sessions
from storage.times import as_utc

DEFAULT_WINDOW = timedelta(hours=24)  # the longest "since your last digest"
ACTOR_WINDOW_DAYS = 7  # /actors counts stories over this many days
LIST_LIMIT = 4000  # visible characters of a message of list lines (/actors, /sources)


async def answer_digest(
    *, sessions: Sessions, timezone: str, chat_id: int, argument: str, now: datetime | None = None
) -> Reply:
    """`/digest [window]`: the top stories of the window (since the last digest), first page."""
    now = now or datetime.now(UTC)
    if argument:
        window = parse_window(argument) if len(argument) <= 20 else None
        if window is None:
            return reply_text(f"I can't read “{echo(argument)}” as a window. {texts.USAGE_DIGEST}")
        since = now - window
    else:
        async with sessions() as session:
            subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
        since = now - DEFAULT_WINDOW
        if subscriber is not None and subscriber.watermark is not None:
            since = max(since, as_utc(subscriber.watermark))
    return await answer_digest_page(
        sessions=sessions,
        timezone=timezone,
        chat_id=chat_id,
        since=since,
        until=now,
        offset=0,
        now=now,
    )


async def answer_digest_page(
    *,
    sessions: Sessions,
    timezone: str,
    chat_id: int,
    since: datetime,
    until: datetime,
    offset: int,
    now: datetime | None = None,
) -> Reply:
    """One page of the stories last seen in (since, until], with a "more" button if any are left."""
    now = now or datetime.now(UTC)
    label = describe_window(until - since)
    more = ", more" if offset else ""
    async with sessions() as session:
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
        tz = reader_zone(subscriber.timezone if subscriber else None, default=timezone)
        digest = await compose_digest(
            session=session,
            since=since,
            until=until,
            heading=f"Venezuela — the last {label}{more}",
            tz=tz,
            now=now,
            languages=subscribers.subscriber_languages(subscriber) if subscriber else frozenset(),
            offset=offset,
        )
    if digest.message is None:
        if offset:
            return reply_text("That was all for this window.")
        return reply_text(render_empty_window(label, digest.page.last_item_at, tz=tz, now=now))
    more_button = buttons.digest_more_button(digest)
    texts = tuple(render_html(digest.message))
    return Reply(texts=texts, buttons=((more_button,),) if more_button else ())


async def answer_actor(
    *,
    sessions: Sessions,
    timezone: str,
    actors: Sequence[Actor],
    chat_id: int,
    argument: str,
    now: datetime | None = None,
) -> Reply:
    """`/actor NAME`: the latest stories naming that actor, a choice, or the closest names."""
    name = clean_name(argument)
    if not name:
        return reply_text(texts.USAGE_ACTOR)
    if len(name) > MAX_ARGUMENT:
        return too_long(name)
    lookup = find_actor(actors, name)
    if lookup.actor is None:
        return not_one_actor(name, lookup, buttons.actor_page)
    return await answer_actor_page(
        sessions=sessions,
        timezone=timezone,
        actors=actors,
        chat_id=chat_id,
        actor_id=lookup.actor.id,
        offset=0,
        now=now,
    )


async def answer_actor_page(
    *,
    sessions: Sessions,
    timezone: str,
    actors: Sequence[Actor],
    chat_id: int,
    actor_id: str,
    offset: int,
    now: datetime | None = None,
) -> Reply:
    """One page of the latest stories naming an actor."""
    now = now or datetime.now(UTC)
    actor = actor_by_id(actors, actor_id)
    if actor is None:
        return reply_text(texts.EXPIRED_BUTTON)
    async with sessions() as session:
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
        page = await select_actor(session=session, actor_id=actor.id, limit=PAGE, offset=offset)
    tz = reader_zone(subscriber.timezone if subscriber else None, default=timezone)
    if not page.stories:
        if offset:
            return reply_text(f"That was all about {html.escape(actor.name)}.")
        return reply_text(
            f"No stories about <b>{html.escape(actor.name)}</b> yet. "
            f"/follow {html.escape(actor.id)} sends an alert when one comes in."
        )
    if offset == 0:
        messages = render_actor_answer(
            actor.name, page.stories, tz=tz, now=now, window_label=_span(page, now)
        )
    else:
        messages = render_digest(
            page.stories, heading=f"{actor.name}, more", tz=tz, now=now, start_index=offset + 1
        )
    left = page.total - offset - len(page.stories)
    if left <= 0:
        return Reply(texts=tuple(messages))
    more = buttons.more_button(left, buttons.actor_page(actor.id, offset + len(page.stories)))
    return Reply(texts=tuple(messages), buttons=((more,),))


async def answer_actors(
    *, sessions: Sessions, actors: Sequence[Actor], now: datetime | None = None
) -> Reply:
    """`/actors`: every known actor with its story count over the last 7 days."""
    now = now or datetime.now(UTC)
    async with sessions() as session:
        counts = await story_store.actor_story_counts(
            session=session, since=now - timedelta(days=ACTOR_WINDOW_DAYS)
        )
    ordered = sorted(actors, key=lambda a: (-counts.get(a.id, 0), a.name))
    lines = [
        f"{html.escape(actor.name)} — {counts.get(actor.id, 0)} · "
        f"<code>/actor {html.escape(actor.id)}</code>"
        for actor in ordered
    ]
    if not lines:
        return reply_text("No actors are configured yet.")
    heading = f"<b>Actors</b> · stories over the last {ACTOR_WINDOW_DAYS} days"
    return Reply(texts=tuple(pack_messages(heading, lines, separator="\n", limit=LIST_LIMIT)))


async def answer_search(
    *, sessions: Sessions, timezone: str, chat_id: int, argument: str, now: datetime | None = None
) -> Reply:
    """`/search WORDS`: the newest stories with every word."""
    now = now or datetime.now(UTC)
    words = " ".join(argument.split())
    if not words:
        return reply_text(texts.USAGE_SEARCH)
    if len(words) > MAX_ARGUMENT:
        return too_long(words)
    async with sessions() as session:
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
        page = await search_stories(session=session, words=words, limit=PAGE)
    if not page.stories:
        return reply_text(f"No stories with “{echo(words)}”.")
    tz = reader_zone(subscriber.timezone if subscriber else None, default=timezone)
    shown = f" (the newest {len(page.stories)})" if page.total > len(page.stories) else ""
    heading = f"Search: {words} — {page.total} {_stories(page.total)}{shown}"
    return Reply(texts=tuple(render_digest(page.stories, heading=heading, tz=tz, now=now)))


async def answer_sources(*, sessions: Sessions) -> Reply:
    """`/sources`: the configured feeds and channels, and whether they read well."""
    async with sessions() as session:
        rows = await story_store.list_sources(session=session)
    lines = []
    for row in rows:
        state = "ok" if not row.error_count else "failing"
        if not row.enabled or row.disabled_reason:
            state = "off"
        lang = f", {html.escape(row.lang)}" if row.lang else ""
        lines.append(f"• {html.escape(row.name)} ({html.escape(row.kind)}{lang}) — {state}")
    if not lines:
        return reply_text("No sources are configured yet.")
    heading = f"<b>Sources</b> · {len(lines)}"
    return Reply(texts=tuple(pack_messages(heading, lines, separator="\n", limit=LIST_LIMIT)))


def describe_window(window: timedelta) -> str:
    """ "6 h", "24 h", "7 days", "45 min": how long a window is, for a heading."""
    minutes = max(1, round(window.total_seconds() / 60))
    if minutes < 90:
        return f"{minutes} min"
    hours = round(minutes / 60)
    if hours <= 48:
        return f"{hours} h"
    return f"{round(hours / 24)} days"


def _span(page: DigestPage, now: datetime) -> str:
    oldest = min(story.last_seen for story in page.stories)
    return describe_window(max(now - oldest, timedelta(hours=1)))


def _stories(count: int) -> str:
    return "story" if count == 1 else "stories"
