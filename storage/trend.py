"""What `/trend` charts: how many stories named each actor, hour by hour (the reader's days are
made of these hours, in any time zone)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import String, Table, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import StoryActor
from storage.times import as_utc

__all__ = ["actor_hourly_counts"]

_STORY_ACTOR: Table = StoryActor.__table__  # type: ignore[attr-defined]


async def actor_hourly_counts(
    *, session: AsyncSession, actor_ids: Sequence[str], since: datetime
) -> dict[str, dict[datetime, int]]:
    """Per actor, per UTC hour since `since`: the stories naming it last seen in that hour.

    A story counts once, in the hour it was last reported (what `/actors` counts too); read
    through the (actor_id, last_seen) index, so a 90-day chart is a few thousand rows at most.
    """
    if not actor_ids:
        return {}
    row = _STORY_ACTOR.c
    if session.get_bind().dialect.name == "postgresql":
        hour = func.date_trunc("hour", func.timezone("UTC", row.last_seen))
    else:
        # SQLite keeps "YYYY-MM-DD HH:MM:SS.ffffff" in UTC: the hour is its first 13 characters.
        hour = func.substr(type_coerce(row.last_seen, String), 1, 13)
    rows = await session.execute(
        select(row.actor_id, hour.label("hour"), func.count())
        .where(row.actor_id.in_(sorted(set(actor_ids))), row.last_seen >= as_utc(since))
        .group_by(row.actor_id, hour)
    )
    counts: dict[str, dict[datetime, int]] = {actor_id: {} for actor_id in actor_ids}
    for actor_id, start, count in rows:
        counts[actor_id][_hour(start)] = count
    return counts


def _hour(value: datetime | str) -> datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value + ":00:00").replace(tzinfo=UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

