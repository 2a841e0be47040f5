"""What the reader's commands answer: read the store, render through telegram/render, return Replies."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.digest.lookup import ActorLookup, find_actor
from bot.digest.select import DigestPage, search_stories, select_actor, select_window
from bot.durations import parse_window
from bot.model import Actor
from bot.runtime import Runtime
from bot.telegram import buttons, texts
from bot.telegram.render import (
    render_actor_answer,
    render_digest,
    render_empty_window,
    utf16_len,
)
from bot.telegram.reply import Button, Reply, reply_text
from storage import stories as story_store
from storage import subscribers
from storage.db import transaction
from storage.schedule import zone_of
from storage.times import as_utc

PAGE = 10  # stories a page
DEFAULT_WINDOW = timedelta(hours=24)  # the longest "since your last digest"
ACTOR_WINDOW_DAYS = 7  # /actors counts stories over this many days
MAX_ARGUMENT = 100  # characters of a name or of search words


async def answer_start(runtime: Runtime, *, chat_id: int, now: datetime | None = None) -> Reply:
    """Subscribe the chat (again) and welcome it with its next digest time."""
    now = now or datetime.now(UTC)
    async with transaction(runtime.sessions) as session:
        subscriber = await subscribers.subscribe(
            session=session, chat_id=chat_id, timezone=runtime.settings.timezone, now=now
        )
    tz = zone_of(subscriber.timezone)
    if subscriber.next_digest_at is None:
        when = "Your scheduled digest is off; /settings turns it on."
    else:
        local = as_utc(subscriber.next_digest_at).astimezone(tz)
        when = (
            f"Your next digest comes {_day_and_time(local, now.astimezone(tz))} "
            f"({html.escape(subscriber.timezone)}), {_schedule_phrase(subscriber.schedule)}."
        )
    return reply_text(
        "<b>Welcome to Vigía.</b> I watch the news about Venezuela, fold copies of the same "
        "story together and tag who is in it.\n\n"
        f"{when}\n\n"
        "/digest — the top stories now\n"
        "/actor maduro — the latest about an actor\n"
        "/follow machado — an alert when they are in a new story\n"
        "/settings — schedule, time, timezone, languages\n"
        "/help — every command"
    )


async def answer_stop(runtime: Runtime, *, chat_id: int) -> Reply:
    """Unsubscribe the chat."""
    async with transaction(runtime.sessions) as session:
        was_active = await subscribers.unsubscribe(session=session, chat_id=chat_id)
    if not was_active:
        return reply_text("You were not subscribed. /start subscribes you to the digest.")
    return reply_text("Unsubscribed: no more digests or alerts. /start brings them back.")


def answer_help(runtime: Runtime, *, user_id: int | None) -> Reply:
    """Every command with an example; operators also see theirs."""
    if user_id is not None and user_id in runtime.settings.admins:
        return reply_text(texts.HELP + texts.ADMIN_HELP)
    return reply_text(texts.HELP)


async def answer_digest(
    runtime: Runtime, *, chat_id: int, argument: str, now: datetime | None = None
) -> Reply:
    """`/digest [window]`: the top stories of the window, first page."""
    now = now or datetime.now(UTC)
    if argument:
        window = parse_window(argument) if len(argument) <= 20 else None
        if window is None:
            return reply_text(f"I can't read “{_echo(argument)}” as a window. {texts.USAGE_DIGEST}")
        return await answer_digest_page(
            runtime, chat_id=chat_id, since=now - window, until=now, offset=0, now=now
        )
    async with runtime.sessions() as session:
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
    since = now - DEFAULT_WINDOW
    if subscriber is not None and subscriber.watermark is not None:
        since = max(since, as_utc(subscriber.watermark))
    return await answer_digest_page(
        runtime, chat_id=chat_id, since=since, until=now, offset=0, now=now
    )


async def answer_digest_page(
    runtime: Runtime,
    *,
    chat_id: int,
    since: datetime,
    until: datetime,
    offset: int,
    now: datetime | None = None,
) -> Reply:
    """One page of the stories last seen in (since, until], with a "more" button if any are left."""
    now = now or datetime.now(UTC)
    async with runtime.sessions() as session:
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
        languages = _languages(subscriber.languages if subscriber is not None else "")
        page = await select_window(
            session=session,
            since=since,
            until=until,
            languages=languages,
            limit=PAGE,
            offset=offset,
        )
    tz = _zone(runtime, subscriber.timezone if subscriber is not None else None)
    label = describe_window(until - since)
    if not page.stories:
        if offset:
            return reply_text("That was all for this window.")
        return reply_text(render_empty_window(label, page.last_item_at, tz=tz, now=now))
    heading = (
        f"Venezuela — the last {label}" if offset == 0 else f"Venezuela — the last {label}, more"
    )
    messages = render_digest(page.stories, heading=heading, tz=tz, now=now, start_index=offset + 1)
    more = buttons.digest_more(since=since, until=until, offset=offset + len(page.stories))
    return _paged(messages, page, offset, more)


async def answer_actor(
    runtime: Runtime, *, chat_id: int, argument: str, now: datetime | None = None
) -> Reply:
    """`/actor NAME`: the latest stories naming that actor, a choice, or the closest names."""
    name = clean_name(argument)
    if not name:
        return reply_text(texts.USAGE_ACTOR)
    if len(name) > MAX_ARGUMENT:
        return _too_long(name)
    lookup = find_actor(runtime.catalog.actors, name)
    if lookup.actor is None:
        return _not_one(name, lookup, buttons.actor_page)
    return await answer_actor_page(
        runtime, chat_id=chat_id, actor_id=lookup.actor.id, offset=0, now=now
    )


async def answer_actor_page(
    runtime: Runtime, *, chat_id: int, actor_id: str, offset: int, now: datetime | None = None
) -> Reply:
    """One page of the latest stories naming an actor."""
    now = now or datetime.now(UTC)
    actor = actor_by_id(runtime, actor_id)
    if actor is None:
        return reply_text(texts.EXPIRED_BUTTON)
    async with runtime.sessions() as session:
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
        page = await select_actor(session=session, actor_id=actor.id, limit=PAGE, offset=offset)
    tz = _zone(runtime, subscriber.timezone if subscriber is not None else None)
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
    more = buttons.actor_page(actor.id, offset + len(page.stories))
    return _paged(messages, page, offset, more)


async def answer_actors(runtime: Runtime, *, now: datetime | None = None) -> Reply:
    """`/actors`: every known actor with its story count over the last 7 days."""
    now = now or datetime.now(UTC)
    async with runtime.sessions() as session:
        counts = await story_store.actor_story_counts(
            session=session, since=now - timedelta(days=ACTOR_WINDOW_DAYS)
        )
    actors = sorted(runtime.catalog.actors, key=lambda a: (-counts.get(a.id, 0), a.name))
    lines = [
        f"{html.escape(actor.name)} — {counts.get(actor.id, 0)} · "
        f"<code>/actor {html.escape(actor.id)}</code>"
        for actor in actors
    ]
    if not lines:
        return reply_text("No actors are configured yet.")
    heading = f"<b>Actors</b> · stories over the last {ACTOR_WINDOW_DAYS} days"
    return Reply(texts=tuple(pack_lines(heading, lines)))


async def answer_follow(runtime: Runtime, *, chat_id: int, argument: str) -> Reply:
    """`/follow NAME`: follow that actor; no name lists the follows."""
    return await _act_on_named(
        runtime, chat_id=chat_id, argument=argument, button=buttons.follow_choice, act=follow_actor
    )


async def follow_actor(runtime: Runtime, *, chat_id: int, actor_id: str) -> Reply:
    """Follow one actor, by id."""
    actor = actor_by_id(runtime, actor_id)
    if actor is None:
        return reply_text(texts.EXPIRED_BUTTON)
    async with transaction(runtime.sessions) as session:
        added = await subscribers.follow(session=session, chat_id=chat_id, actor_id=actor.id)
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
    already = "You already follow" if not added else "Following"
    text = (
        f"{already} <b>{html.escape(actor.name)}</b>: a new story naming them brings an alert "
        f"(at most {runtime.settings.alerts_per_hour} an hour; the rest wait for your digest)."
    )
    if subscriber is None or not subscriber.active:
        text += "\nAlerts come once you are subscribed: send /start."
    return reply_text(text)


async def answer_unfollow(runtime: Runtime, *, chat_id: int, argument: str) -> Reply:
    """`/unfollow NAME`: stop following that actor; no name lists the follows."""
    return await _act_on_named(
        runtime,
        chat_id=chat_id,
        argument=argument,
        button=buttons.unfollow_choice,
        act=unfollow_actor,
    )


async def unfollow_actor(runtime: Runtime, *, chat_id: int, actor_id: str) -> Reply:
    """Stop following one actor, by id."""
    actor = actor_by_id(runtime, actor_id)
    if actor is None:
        return reply_text(texts.EXPIRED_BUTTON)
    async with transaction(runtime.sessions) as session:
        removed = await subscribers.unfollow(session=session, chat_id=chat_id, actor_id=actor.id)
    if not removed:
        return reply_text(f"You were not following <b>{html.escape(actor.name)}</b>.")
    return reply_text(f"No more alerts about <b>{html.escape(actor.name)}</b>.")


async def answer_follows(runtime: Runtime, *, chat_id: int) -> Reply:
    """The actors the chat follows."""
    async with runtime.sessions() as session:
        actor_ids = await subscribers.list_follows(session=session, chat_id=chat_id)
    if not actor_ids:
        return reply_text("You follow nobody yet. For example: <code>/follow machado</code>.")
    names = [actor.name if (actor := actor_by_id(runtime, a)) else a for a in actor_ids]
    lines = [f"• {html.escape(name)}" for name in names]
    return Reply(
        texts=tuple(pack_lines("<b>You follow</b> (<code>/unfollow NAME</code> to stop):", lines))
    )


async def answer_search(
    runtime: Runtime, *, chat_id: int, argument: str, now: datetime | None = None
) -> Reply:
    """`/search WORDS`: the newest stories with every word."""
    now = now or datetime.now(UTC)
    words = " ".join(argument.split())
    if not words:
        return reply_text(texts.USAGE_SEARCH)
    if len(words) > MAX_ARGUMENT:
        return _too_long(words)
    async with runtime.sessions() as session:
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
        page = await search_stories(session=session, words=words, limit=PAGE)
    if not page.stories:
        return reply_text(f"No stories with “{_echo(words)}”.")
    tz = _zone(runtime, subscriber.timezone if subscriber is not None else None)
    shown = f" (the newest {len(page.stories)})" if page.total > len(page.stories) else ""
    heading = f"Search: {words} — {page.total} {_stories(page.total)}{shown}"
    return Reply(texts=tuple(render_digest(page.stories, heading=heading, tz=tz, now=now)))


async def answer_sources(runtime: Runtime, *, now: datetime | None = None) -> Reply:
    """`/sources`: the configured feeds and channels, and whether they read well."""
    now = now or datetime.now(UTC)
    async with runtime.sessions() as session:
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
    return Reply(texts=tuple(pack_lines(f"<b>Sources</b> · {len(lines)}", lines)))


async def deactivate_chat(runtime: Runtime, *, chat_id: int, reason: str) -> None:
    """A chat that blocked Vigía gets nothing more until it sends /start again."""
    async with transaction(runtime.sessions) as session:
        await subscribers.unsubscribe(session=session, chat_id=chat_id, reason=reason)


def clean_name(argument: str) -> str:
    """A name as typed: whitespace folded, surrounding quotes of any kind dropped."""
    return " ".join(argument.split()).strip(_QUOTES).strip()


def actor_by_id(runtime: Runtime, actor_id: str) -> Actor | None:
    """The configured actor with this id, if any."""
    return next((actor for actor in runtime.catalog.actors if actor.id == actor_id), None)


def describe_window(window: timedelta) -> str:
    """ "6 h", "24 h", "7 days", "45 min": how long a window is, for a heading."""
    minutes = max(1, round(window.total_seconds() / 60))
    if minutes < 90:
        return f"{minutes} min"
    hours = round(minutes / 60)
    if hours <= 48:
        return f"{hours} h"
    return f"{round(hours / 24)} days"


def pack_lines(heading: str, lines: Sequence[str], *, limit: int = 4000) -> list[str]:
    """HTML lines in as few messages as fit under `limit`, split only between lines."""
    messages: list[str] = []
    current = heading
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if current and _visible_len(candidate) > limit:
            messages.append(current)
            candidate = line
        current = candidate
    if current:
        messages.append(current)
    return messages


async def _act_on_named(
    runtime: Runtime,
    *,
    chat_id: int,
    argument: str,
    button: _ButtonMaker,
    act: Callable[..., Awaitable[Reply]],
) -> Reply:
    """Resolve the actor a user named, then act on it; no name lists the chat's follows."""
    name = clean_name(argument)
    if not name:
        return await answer_follows(runtime, chat_id=chat_id)
    if len(name) > MAX_ARGUMENT:
        return _too_long(name)
    lookup = find_actor(runtime.catalog.actors, name)
    if lookup.actor is None:
        return _not_one(name, lookup, button)
    return await act(runtime, chat_id=chat_id, actor_id=lookup.actor.id)


def _not_one(name: str, lookup: ActorLookup, button: _ButtonMaker) -> Reply:
    if lookup.choices:
        rows = _choice_rows(lookup.choices[:8], button)
        return reply_text(f"“{_echo(name)}” fits several actors. Which one?", rows)
    if lookup.suggestions:
        rows = _choice_rows(lookup.suggestions, button)
        return reply_text(
            f"I don't know “{_echo(name)}”. Did you mean one of these? /actors lists them all.",
            rows,
        )
    return reply_text(f"I don't know “{_echo(name)}”. /actors lists the actors I know.")


def _choice_rows(actors: Sequence[Actor], button: _ButtonMaker) -> tuple[tuple[Button, ...], ...]:
    """One button a row; an id too long for Telegram's 64-byte payload gets none."""
    payloads = ((actor, button(actor.id, 0)) for actor in actors)
    return tuple(
        (Button(actor.name, data),) for actor, data in payloads if len(data.encode()) <= 64
    )


def _paged(messages: list[str], page: DigestPage, offset: int, more: str) -> Reply:
    left = page.total - offset - len(page.stories)
    if left <= 0:
        return Reply(texts=tuple(messages))
    return Reply(texts=tuple(messages), buttons=((Button(f"More ({left} left)", more),),))


def _too_long(argument: str) -> Reply:
    return reply_text(
        f"That is too long ({len(argument)} characters; I read up to "
        f"{MAX_ARGUMENT}): “{_echo(argument)}”"
    )


def _echo(argument: str, limit: int = 40) -> str:
    """A user's argument shown back: one line, cut, escaped."""
    text = " ".join(argument.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text, quote=False)


def _languages(stored: str) -> frozenset[str]:
    return frozenset(code for code in stored.split(",") if code)


def _zone(runtime: Runtime, name: str | None) -> ZoneInfo:
    zone = zone_of(name or runtime.settings.timezone)
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo("UTC")



def _span(page: DigestPage, now: datetime) -> str:
    oldest = min(story.last_seen for story in page.stories)
    return describe_window(max(now - oldest, timedelta(hours=1)))


def _stories(count: int) -> str:
    return "story" if count == 1 else "stories"


def _day_and_time(local: datetime, local_now: datetime) -> str:
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if local.date() == local_now.date():
        return f"today at {clock}"
    if local.date() == local_now.date() + timedelta(days=1):
        return f"tomorrow at {clock}"
    return f"on {local.day} {local.strftime('%b')} at {clock}"


def _schedule_phrase(schedule: str) -> str:
    return {
        "daily": "then every day",
        "twice": "then twice a day",
        "hourly": "then every hour",
    }.get(schedule, "")


def _visible_len(markup: str) -> int:
    return utf16_len(html.unescape(_TAG.sub("", markup)))


_ButtonMaker = Callable[[str, int], str]
_QUOTES = "\"'“”«»‘’„"
_TAG = re.compile(r"<[^>]*>")
