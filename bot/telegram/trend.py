"""`/trend`: a picture of stories a day naming up to three actors, or the week's most named.

`/trend maduro machado cabello 90d` charts each named actor (names of several words work:
`/trend delcy rodríguez`); `/trend` alone draws the week's most-named actors as bars. Unknown or
ambiguous names are answered as `/actor` answers them, with buttons that chart the one chosen.
The drawing runs in a thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.digest.chart import daily_trend, draw_top, draw_trend
from bot.digest.lookup import find_actor
from bot.model import Actor, Picture
from bot.runtime import Runtime
from bot.telegram import answers, buttons, texts
from bot.telegram.reply import Reply, reply_text
from storage import stories as story_store
from storage import subscribers
from storage.schedule import zone_of
from storage.trend import actor_hourly_counts

__all__ = ["MAX_ACTORS", "answer_trend", "chart_actors"]

MAX_ACTORS = 3
WINDOWS = {"7d": 7, "30d": 30, "90d": 90}
DEFAULT_DAYS = 30
TOP = 10  # bars in the week's chart
TOP_DAYS = 7
_LONGEST_NAME = 4  # words an actor's name may take in a /trend line


async def answer_trend(
    runtime: Runtime, *, chat_id: int, argument: str, now: datetime | None = None
) -> Reply:
    """`/trend [NAMES…] [7d|30d|90d]`: the chart, or what stands in the way of drawing it."""
    now = now or datetime.now(UTC)
    words = answers.clean_name(argument).split()
    days = DEFAULT_DAYS
    if words and _WINDOW.fullmatch(words[-1].lower()):
        window = words.pop().lower()
        if window not in WINDOWS:
            return reply_text(
                f"I chart 7, 30 or 90 days, not “{answers._echo(window)}”. "
                "For example <code>/trend maduro 90d</code>."
            )
        days = WINDOWS[window]
    if not words:
        return await _top_actors(runtime, chat_id=chat_id, now=now)
    if len(" ".join(words)) > answers.MAX_ARGUMENT:
        return answers._too_long(" ".join(words))
    chosen: list[Actor] = []
    start = 0
    while start < len(words):
        found, taken = _longest_actor(runtime.catalog.actors, words[start:])
        if found is None:
            name = words[start]
            return answers._not_one(
                name,
                find_actor(runtime.catalog.actors, name),
                lambda actor_id, _offset: buttons.trend_choice(actor_id, days),
            )
        if found not in chosen:
            chosen.append(found)
        start += taken
    if len(chosen) > MAX_ACTORS:
        return reply_text(
            f"I chart up to {MAX_ACTORS} actors at once; you named {len(chosen)}. "
            "For example <code>/trend maduro machado cabello</code>."
        )
    return await chart_actors(runtime, chat_id=chat_id, actor_ids=[a.id for a in chosen],
                              days=days, now=now)


async def chart_actors(
    runtime: Runtime, *, chat_id: int, actor_ids: list[str], days: int, now: datetime | None = None
) -> Reply:
    """The chart of stories a day naming these actors over the reader's last `days` days."""
    now = now or datetime.now(UTC)
    known = {actor.id: actor for actor in runtime.catalog.actors}
    actors = [known[actor_id] for actor_id in actor_ids if actor_id in known]  # as the user named them
    if not actors:
        return reply_text(texts.EXPIRED_BUTTON)
    tz = await _reader_zone(runtime, chat_id)
    async with runtime.sessions() as session:
        hourly = await actor_hourly_counts(
            session=session, actor_ids=[a.id for a in actors], since=now - timedelta(days=days + 1)
        )
    trend = daily_trend(hourly, {a.id: a.name for a in actors}, days=days, tz=tz, now=now)
    names = " · ".join(a.name for a in actors)
    if trend.total == 0:
        return reply_text(
            f"No stories named {answers._echo(names, 120)} in the last {days} days, so there is "
            "nothing to chart."
        )
    png = await asyncio.to_thread(draw_trend, trend, title=f"Stories a day · last {days} days")
    caption = f"{names} — stories a day over the last {days} days ({tz.key}); today so far dotted."
    return Reply(texts=(), picture=Picture(png=png, caption=caption))


async def _top_actors(runtime: Runtime, *, chat_id: int, now: datetime) -> Reply:
    async with runtime.sessions() as session:
        counts = await story_store.actor_story_counts(
            session=session, since=now - timedelta(days=TOP_DAYS)
        )
    names = {a.id: a.name for a in runtime.catalog.actors}
    top = sorted(
        ((names[actor_id], count) for actor_id, count in counts.items() if actor_id in names),
        key=lambda pair: (-pair[1], pair[0]),
    )[:TOP]
    if not top:
        return reply_text("No actor was named in the last 7 days, so there is nothing to chart.")
    png = await asyncio.to_thread(draw_top, top, title="Most named · last 7 days")
    caption = (
        f"The {len(top)} most-named actors of the last 7 days, by stories. "
        "/trend maduro charts one day by day."
    )
    return Reply(texts=(), picture=Picture(png=png, caption=caption))


def _longest_actor(actors: tuple[Actor, ...], words: list[str]) -> tuple[Actor | None, int]:
    """The actor named by the most leading words (up to four), and how many words it took."""
    for taken in range(min(_LONGEST_NAME, len(words)), 0, -1):
        lookup = find_actor(actors, " ".join(words[:taken]))
        if lookup.actor is not None:
            return lookup.actor, taken
    return None, 1


async def _reader_zone(runtime: Runtime, chat_id: int) -> ZoneInfo:
    async with runtime.sessions() as session:
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
    return zone_of(subscriber.timezone if subscriber is not None else runtime.settings.timezone)


_WINDOW = re.compile(r"\d{1,4}d")
