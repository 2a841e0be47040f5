"""The LSH index of near-duplicate candidates: items' band hashes, shared by every worker."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
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


async def add_bands_many(
    *, session: AsyncSession, rows: Sequence[tuple[int, Sequence[int], datetime]]
) -> None:
    """Index many items at once: (item id, its band hashes, when it was seen) each."""
    dialect = session.get_bind().dialect
    if dialect.name == "sqlite":
        # 64 rows an item: on SQLite the driver's own executemany is several times faster
        # than the statement layer's per-row work, and this is the ingest's largest write.
        to_db = _BANDS.c.seen_at.type.bind_processor(dialect)
        assert to_db is not None
        tuples = [
            (band, item_id, to_db(_utc(seen_at)))
            for item_id, bands, seen_at in rows
            for band in set(bands)
        ]
        if tuples:
            connection = await session.connection()
            await connection.exec_driver_sql(
                "INSERT INTO story_band (band, item_id, seen_at) VALUES (?, ?, ?)", tuples
            )
        return
    values = [
        {"band": band, "item_id": item_id, "seen_at": _utc(seen_at)}
        for item_id, bands, seen_at in rows
        for band in set(bands)
    ]
    if values:
        await session.execute(insert(_BANDS), values)


async def find_candidates_many(
    *,
    session: AsyncSession,
    bands_of: Mapping[str, Sequence[int]],
    since_of: Mapping[str, datetime],
    limit: int = 10,
) -> dict[str, list[int]]:
    """For each key, the items sharing a band with it and seen since its own `since`.

    One pass over the index for a whole batch: a round trip per item would cost more than
    the lookups themselves. Items sharing the most bands come first.
    """
    wanted = {band for bands in bands_of.values() for band in bands}
    if not wanted:
        return {}
    earliest = _utc(min(since_of.values()))
    holders: dict[int, list[tuple[int, datetime]]] = {}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), _CHUNK):
        rows = await session.execute(
            select(col(StoryBand.band), col(StoryBand.item_id), col(StoryBand.seen_at)).where(
                col(StoryBand.band).in_(ordered[start : start + _CHUNK]),
                col(StoryBand.seen_at) >= earliest,
            )
        )
        for band, item_id, seen_at in rows:
            holders.setdefault(band, []).append((item_id, _utc(seen_at)))
    found: dict[str, list[int]] = {}
    for key, bands in bands_of.items():
        since = _utc(since_of[key])
        shared = Counter(
            item_id
            for band in set(bands)
            for item_id, seen_at in holders.get(band, ())
            if seen_at >= since
        )
        if shared:
            best = sorted(shared.items(), key=lambda pair: (-pair[1], -pair[0]))[:limit]
            found[key] = [item_id for item_id, _ in best]
    return found


async def prune_bands(*, session: AsyncSession, before: datetime) -> int:
    """Take items seen before `before` out of the index; returns the rows deleted."""
    result = await session.execute(delete(StoryBand).where(col(StoryBand.seen_at) < _utc(before)))
    return result.rowcount if isinstance(result, CursorResult) else 0


_BANDS = StoryBand.metadata.tables[StoryBand.__tablename__]
_CHUNK = 500  # band hashes per IN (...) list


def _utc(moment: datetime) -> datetime:
    # SQLite compares stored times as text: every time written or compared must be in UTC.
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
