"""`/trend`: a picture of stories a day naming up to three actors, or the week's most named.

`/trend maduro machado cabello 90d` charts each named actor (names of several words work:
`/trend delcy rodríguez`); `/trend` alone draws the week's most-named actors as bars. Unknown or
ambiguous names are answered as `/actor` answers them, with buttons that chart the one chosen.
The drawing runs in a thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.digest import buttons
from bot.digest.arguments import MAX_ARGUMENT, clean_name, echo, reader_zone
from bot.digest.chart import Trend, draw_top, draw_trend, midnights, reader_days
from bot.digest.lookup import find_actor
from bot.model import Actor, Message, Picture
from bot.telegram import texts
from bot.telegram.arguments import too_long
from bot.telegram.following import not_one_actor
from bot.telegram.reply import Reply, reply_with
from storage import stories as story_store
from storage import subscribers
from storage.db import Sessions
from storage.trend import actor_day_counts

__all__ = ["MAX_ACTORS", "answer_trend", "chart_actors"]

MAX_ACTORS = 3
WINDOWS = {"7d": 7, "30d": 30, "90d": 90}
DEFAULT_DAYS = 30
TOP = 10  # bars in the week's chart
TOP_DAYS = 7
_LONGEST_NAME = 4  # words an actor's name may take in a /trend line


async def answer_trend(
    *,
    sessions: Sessions,
    timezone: str,
    actors: Sequence[Actor],
    chat_id: int,
    argument: str,
    now: datetime | None = None,
) -> Reply:
    """`/trend [NAMES…] [7d|30d|90d]`: the chart, or what stands in the way of drawing it."""
    now = now or datetime.now(UTC)
    # Quotes may wrap a name of several words ("Delcy Rodríguez"); the words are what count.
    words = [w for w in (clean_name(word) for word in argument.split()) if w]
    days = DEFAULT_DAYS
    if words and _WINDOW.fullmatch(words[-1].lower()):
        window = words.pop().lower()
        if window not in WINDOWS:
            return reply_with(
                "I chart 7, 30 or 90 days, not “{said}”. For example `/trend maduro 90d`.",
                said=echo(window),
            )
        days = WINDOWS[window]
    if not words:
        return await _top_actors(sessions=sessions, actors=actors, now=now)
    if len(" ".join(words)) > MAX_ARGUMENT:
        return too_long(" ".join(words))
    chosen: list[Actor] = []
    start = 0
    while start < len(words):
        found, taken = _longest_actor(actors, words[start:])
        if found is None:
            name = words[start]
            return not_one_actor(
                name,
                find_actor(actors, name),
                lambda actor_id, _offset: buttons.trend_choice(actor_id, days),
            )
        if found not in chosen:
            chosen.append(found)
        start += taken
    if len(chosen) > MAX_ACTORS:
        return reply_with(
            f"I chart up to {MAX_ACTORS} actors at once; you named {len(chosen)}. "
            "For example `/trend maduro machado cabello`."
        )
    return await chart_actors(
        sessions=sessions,
        timezone=timezone,
        actors=actors,
        chat_id=chat_id,
        actor_ids=[actor.id for actor in chosen],
        days=days,
        now=now,
    )


async def chart_actors(
    *,
    sessions: Sessions,
    timezone: str,
    actors: Sequence[Actor],
    chat_id: int,
    actor_ids: Sequence[str],
    days: int,
    now: datetime | None = None,
) -> Reply:
    """The chart of stories a day naming these actors over the reader's last `days` days."""
    now = now or datetime.now(UTC)
    known = {actor.id: actor for actor in actors}
    named = [known[actor_id] for actor_id in actor_ids if actor_id in known]  # as the user named
    if not named:
        return reply_with(texts.EXPIRED_BUTTON)
    async with sessions() as session:
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
        tz = reader_zone(subscriber.timezone if subscriber else None, default=timezone)
        span = reader_days(days=days, tz=tz, now=now)
        counts = await actor_day_counts(
            session=session, actor_ids=[a.id for a in named], bounds=midnights(span, tz)
        )
    trend = Trend(days=span, series=tuple((a.name, counts[a.id]) for a in named))
    names = " · ".join(a.name for a in named)
    if trend.total == 0:
        return reply_with(
            f"No stories named {{names}} in the last {days} days, so there is nothing to chart.",
            names=echo(names, 120),
        )
    png = await asyncio.to_thread(draw_trend, trend, title=f"Stories a day · last {days} days")
    caption = f"{names} — stories a day over the last {days} days ({tz.key}); today so far dotted."
    return Reply(Message(picture=Picture(png=png, caption=caption)))


async def _top_actors(*, sessions: Sessions, actors: Sequence[Actor], now: datetime) -> Reply:
    async with sessions() as session:
        counts = await story_store.actor_story_counts(
            session=session, since=now - timedelta(days=TOP_DAYS)
        )
    names = {a.id: a.name for a in actors}
    top = sorted(
        ((names[actor_id], count) for actor_id, count in counts.items() if actor_id in names),
        key=lambda pair: (-pair[1], pair[0]),
    )[:TOP]
    if not top:
        return reply_with("No actor was named in the last 7 days, so there is nothing to chart.")
    png = await asyncio.to_thread(draw_top, top, title="Most named · last 7 days")
    caption = (
        f"The {len(top)} most-named actors of the last 7 days, by stories. "
        "/trend maduro charts one day by day."
    )
    return Reply(Message(picture=Picture(png=png, caption=caption)))


def _longest_actor(actors: Sequence[Actor], words: list[str]) -> tuple[Actor | None, int]:
    """The actor named by the most leading words (up to four), and how many words it took."""
    for taken in range(min(_LONGEST_NAME, len(words)), 0, -1):
        lookup = find_actor(actors, " ".join(words[:taken]))
        if lookup.actor is not None:
            return lookup.actor, taken
    return None, 1


_WINDOW = re.compile(r"\d{1,4}d")
