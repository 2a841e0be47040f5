"""What `/trend` charts: how many stories named each actor on each of the reader's days (the days
come as their bounds in UTC, so any time zone counts exactly, summer time included)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise

from sqlalchemy import Integer, String, Table, column, func, select, true, values
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import StoryActor, UTCDateTime
from storage.times import as_utc

__all__ = ["actor_day_counts"]

_STORY_ACTOR: Table = StoryActor.__table__  # type: ignore[attr-defined]


async def actor_day_counts(
    *, session: AsyncSession, actor_ids: Sequence[str], bounds: Sequence[datetime]
) -> dict[str, tuple[int, ...]]:
    """Per actor, the stories naming it last seen between each two consecutive `bounds` (the
    reader's midnights, oldest first): `len(bounds) - 1` counts an actor.

    A story counts once, in the day it was last reported (what `/actors` counts too). One
    statement for every actor and day, each count a range of the (actor_id, last_seen) index: the
    database reads only the entries it counts, sorts nothing, and hands back a row a day an actor.
    """
    spans = list(pairwise(as_utc(bound) for bound in bounds))
    counts = {actor_id: [0] * len(spans) for actor_id in actor_ids}
    if not counts or not spans:
        return {actor_id: tuple(per_day) for actor_id, per_day in counts.items()}
    named = values(column("actor_id", String), name="named").data([(a,) for a in counts]).cte()
    days = (
        values(
            column("day", Integer),
            column("start", UTCDateTime()),
            column("stop", UTCDateTime()),
            name="days",
        )
        .data([(day, start, stop) for day, (start, stop) in enumerate(spans)])
        .cte()
    )
    row = _STORY_ACTOR.c
    stories = (
        select(func.count())
        .where(
            row.actor_id == named.c.actor_id,
            row.last_seen >= days.c.start,
            row.last_seen < days.c.stop,
        )
        .scalar_subquery()
    )
    rows = await session.execute(
        select(named.c.actor_id, days.c.day, stories).select_from(named.join(days, true()))
    )
    for actor_id, day, count in rows:
        counts[actor_id][day] = count
    return {actor_id: tuple(per_day) for actor_id, per_day in counts.items()}
