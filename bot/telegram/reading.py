"""The readers' commands: `/digest`, `/actor`, `/actors`, `/search`, `/sources`, page by page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.digest import buttons
from bot.digest.answers import (
    compose_actor_list,
    compose_actor_page,
    describe_window,
    digest_since,
)
from bot.digest.arguments import MAX_ARGUMENT, clean_name, echo, reader_zone
from bot.digest.compose import PAGE, compose_digest, compose_empty_window, digest_message
from bot.digest.lookup import actor_by_id, find_actor
from bot.digest.select import search_stories, select_actor
from bot.digest.words import line, listing
from bot.model import Actor
from bot.telegram import texts
from bot.telegram.arguments import too_long
from bot.telegram.following import not_one_actor
from bot.telegram.reply import Reply, reply_with
from storage import stories as story_store
from storage import subscribers
from storage.db import Sessions

__all__ = [
    "answer_actor",
    "answer_actor_page",
    "answer_actors",
    "answer_digest",
    "answer_digest_page",
    "answer_search",
    "answer_sources",
]

ACTOR_WINDOW_DAYS = 7  # /actors counts stories over this many days


async def answer_digest(
    *, sessions: Sessions, timezone: str, chat_id: int, argument: str, now: datetime | None = None
) -> Reply:
    """`/digest [window]`: the top stories of the window (since the last digest), first page."""
    now = now or datetime.now(UTC)
    since = await digest_since(sessions, chat_id=chat_id, argument=argument, now=now)
    if since is None:
        return reply_with(
            f"I can't read “{{said}}” as a window. {texts.USAGE_DIGEST}", said=echo(argument)
        )
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
            language=subscriber.language if subscriber else None,
        )
    if digest.message is None:
        if offset:
            return reply_with("That was all for this window.")
        return Reply(compose_empty_window(label, digest.page.last_item_at, tz=tz, now=now))
    more_button = buttons.digest_more_button(digest)
    choices = ((more_button,),) if more_button else ()
    return Reply(replace(digest.message, choices=choices))


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
        return reply_with(texts.USAGE_ACTOR)
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
        return reply_with(texts.EXPIRED_BUTTON)
    async with sessions() as session:
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
        page = await select_actor(session=session, actor_id=actor.id, limit=PAGE, offset=offset)
    tz = reader_zone(subscriber.timezone if subscriber else None, default=timezone)
    if not page.stories:
        if offset:
            return reply_with("That was all about {name}.", name=actor.name)
        return reply_with(
            "No stories about *{name}* yet. /follow {id} sends an alert when one comes in.",
            name=actor.name,
            id=actor.id,
        )
    return Reply(compose_actor_page(
        actor, page, offset=offset, tz=tz, now=now, later_heading=f"{actor.name}, more",
        language=subscriber.language if subscriber else None,
        more=lambda left, next_offset: buttons.more_button(
            left, buttons.actor_page(actor.id, next_offset)
        ),
    ))


async def answer_actors(
    *, sessions: Sessions, actors: Sequence[Actor], now: datetime | None = None
) -> Reply:
    """`/actors`: every known actor with its story count over the last 7 days."""
    now = now or datetime.now(UTC)
    async with sessions() as session:
        counts = await story_store.actor_story_counts(
            session=session, since=now - timedelta(days=ACTOR_WINDOW_DAYS)
        )
    listed = compose_actor_list(
        actors, counts, heading=f"*Actors* · stories over the last {ACTOR_WINDOW_DAYS} days",
        command="`/actor {id}`",
    )
    return Reply(listed) if listed else reply_with("No actors are configured yet.")


async def answer_search(
    *, sessions: Sessions, timezone: str, chat_id: int, argument: str, now: datetime | None = None
) -> Reply:
    """`/search WORDS`: the newest stories with every word."""
    now = now or datetime.now(UTC)
    words = " ".join(argument.split())
    if not words:
        return reply_with(texts.USAGE_SEARCH)
    if len(words) > MAX_ARGUMENT:
        return too_long(words)
    async with sessions() as session:
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
        page = await search_stories(session=session, words=words, limit=PAGE)
    if not page.stories:
        return reply_with("No stories with “{said}”.", said=echo(words))
    tz = reader_zone(subscriber.timezone if subscriber else None, default=timezone)
    shown = f" (the newest {len(page.stories)})" if page.total > len(page.stories) else ""
    heading = f"Search: {words} — {page.total} {_stories(page.total)}{shown}"
    language = subscriber.language if subscriber else None
    return Reply(digest_message(page.stories, heading=heading, tz=tz, now=now, language=language))


async def answer_sources(*, sessions: Sessions) -> Reply:
    """`/sources`: the configured feeds and channels, and whether they read well."""
    async with sessions() as session:
        rows = await story_store.list_sources(session=session)
    lines = []
    for row in rows:
        state = "ok" if not row.error_count else "failing"
        if not row.enabled or row.disabled_reason:
            state = "off"
        lang = f", {row.lang}" if row.lang else ""
        lines.append(line("• {name} ({kind}) — {state}", name=row.name, kind=row.kind + lang,
                          state=state))
    if not lines:
        return reply_with("No sources are configured yet.")
    return Reply(listing(f"*Sources* · {len(lines)}", lines))


def _stories(count: int) -> str:
    return "story" if count == 1 else "stories"
