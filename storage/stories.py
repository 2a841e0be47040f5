"""Read-only counts and lists: `/actors`, `/sources`, the admins' `/stats` and `/feeds`, the demo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Actor, Delivery, Item, Source, Story, StoryActor, Subscriber


@dataclass(frozen=True, slots=True)
class Stats:
    """What an admin sees in `/stats`."""

    sources_ok: int
    sources_failing: int
    items_today: int  # items published in the last 24 hours
    subscribers: int  # active ones
    deliveries_pending: int  # promised and not yet sent (pending or being sent)


async def actor_story_counts(*, session: AsyncSession, since: datetime) -> dict[str, int]:
    """How many stories named each actor since `since` (actors with none are absent)."""
    # Naming the actors turns a scan of the whole (actor_id, last_seen) index into one short
    # range per actor: at a million items, ~200 ms become ~1 ms.
    known = select(col(Actor.id))
    rows = await session.execute(
        select(col(StoryActor.actor_id), func.count())
        .where(col(StoryActor.actor_id).in_(known), col(StoryActor.last_seen) >= since)
        .group_by(StoryActor.actor_id)
    )
    return {actor_id: count for actor_id, count in rows}


async def list_sources(*, session: AsyncSession) -> list[Source]:
    """The sources feeds.toml declares, by name."""
    rows = await session.scalars(
        select(Source).where(col(Source.in_config)).order_by(col(Source.name), col(Source.id))
    )
    return list(rows.all())


async def failing_sources(*, session: AsyncSession) -> list[Source]:
    """Declared sources whose last polls failed or that were disabled, worst first."""
    rows = await session.scalars(
        select(Source)
        .where(col(Source.in_config), _failing())
        .order_by(col(Source.error_count).desc(), col(Source.id))
    )
    return list(rows.all())


async def failing_since(*, session: AsyncSession, before: datetime) -> list[Source]:
    """Declared, enabled sources still failing whose last success is older than `before`
    (or that never succeeded), longest failing first."""
    rows = await session.scalars(
        select(Source)
        .where(
            col(Source.in_config),
            col(Source.enabled),
            or_(col(Source.error_count) > 0, col(Source.disabled_reason).is_not(None)),
            or_(col(Source.last_success_at).is_(None), col(Source.last_success_at) < before),
        )
        .order_by(col(Source.last_success_at).is_not(None), col(Source.last_success_at),
                  col(Source.id))
    )
    return list(rows.all())


async def count_failing(*, session: AsyncSession) -> int:
    """How many declared sources are failing or disabled (what `/stats` calls failing)."""
    failing = await session.scalar(
        select(func.count()).select_from(Source).where(col(Source.in_config), _failing())
    )
    return int(failing or 0)


async def collect_stats(*, session: AsyncSession, now: datetime) -> Stats:
    """Counts for `/stats`."""
    failing = await count_failing(session=session)
    declared = await session.scalar(
        select(func.count()).select_from(Source).where(col(Source.in_config))
    )
    items = await session.scalar(
        select(func.count())
        .select_from(Item)
        .where(col(Item.published_at) >= now - timedelta(hours=24))
    )
    subscribers = await session.scalar(
        select(func.count()).select_from(Subscriber).where(col(Subscriber.active))
    )
    pending = await session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(col(Delivery.status).in_(("pending", "sending")))
    )
    return Stats(
        sources_ok=(declared or 0) - (failing or 0),
        sources_failing=failing or 0,
        items_today=items or 0,
        subscribers=subscribers or 0,
        deliveries_pending=pending or 0,
    )


def _failing() -> ColumnElement[bool]:
    return or_(
        col(Source.error_count) > 0,
        col(Source.disabled_reason).is_not(None),
        col(Source.enabled).is_(False),
    )


@dataclass(frozen=True, slots=True)
class StoryTotals:
    """How much is stored: items, stories, and stories told by several outlets."""

    items: int
    stories: int
    folded: int


async def story_totals(*, session: AsyncSession) -> StoryTotals:
    """Items and stories stored, and how many stories several sources told."""
    items = await session.scalar(select(func.count()).select_from(Item))
    stories = await session.scalar(select(func.count()).select_from(Story))
    folded = await session.scalar(
        select(func.count()).select_from(Story).where(col(Story.source_count) > 1)
    )
    return StoryTotals(items=items or 0, stories=stories or 0, folded=folded or 0)


async def most_named_actors(*, session: AsyncSession, limit: int) -> list[tuple[str, int]]:
    """The actors most stories name, with how many, most first."""
    rows = await session.execute(
        select(col(Actor.name), func.count(col(StoryActor.story_id)))
        .join(StoryActor, col(StoryActor.actor_id) == col(Actor.id))
        .group_by(col(Actor.name))
        .order_by(func.count(col(StoryActor.story_id)).desc(), col(Actor.name))
        .limit(limit)
    )
    return [(name, count) for name, count in rows]
