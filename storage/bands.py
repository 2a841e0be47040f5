"""The LSH index of near-duplicate candidates: items' band hashes, shared by every worker."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import StoryBand


async def add_bands(
    *, session: AsyncSession, item_id: int, bands: Sequence[int], seen_at: datetime
) -> None:
    """Index an item under its band hashes, in one bulk insert."""
    unique = set(bands)
    if not unique:
        return
    at = _utc(seen_at)
    # The table, not the ORM class: a plain executemany, without the ORM's bulk bookkeeping.
    await session.execute(
        insert(_BANDS),
        [{"band": band, "item_id": item_id, "seen_at": at} for band in unique],
    )


async def find_candidates(
    *, session: AsyncSession, bands: Sequence[int], since: datetime, limit: int = 50
) -> list[int]:
    """Items seen since `since` that share at least one band, those sharing the most first."""
    unique = set(bands)
    if not unique:
        return []
    shared = func.count().label("shared")
    query = (
        select(col(StoryBand.item_id), shared)
        .where(col(StoryBand.band).in_(unique), col(StoryBand.seen_at) >= _utc(since))
        .group_by(col(StoryBand.item_id))
        .order_by(shared.desc(), col(StoryBand.item_id).desc())
        .limit(limit)
    )
    rows = await session.execute(query)
    return [item_id for item_id, _ in rows.all()]


async def prune_bands(*, session: AsyncSession, before: datetime) -> int:
    """Take items seen before `before` out of the index; returns the rows deleted."""
    result = await session.execute(delete(StoryBand).where(col(StoryBand.seen_at) < _utc(before)))
    return result.rowcount if isinstance(result, CursorResult) else 0


_BANDS = StoryBand.metadata.tables[StoryBand.__tablename__]


def _utc(moment: datetime) -> datetime:
    # SQLite compares stored times as text: every time written or compared must be in UTC.
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
