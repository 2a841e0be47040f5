"""The LSH index of near-duplicate candidates: items' band hashes, shared by every worker."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import CursorResult, Dialect
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
        to_db = _time_to_db(dialect)
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
    dialect = session.get_bind().dialect
    # Times are compared in the database's own form: on SQLite, text that sorts like time.
    to_db = _time_to_db(dialect)
    since_db = {key: to_db(_utc(moment)) for key, moment in since_of.items()}
    earliest = min(since_db.values())
    holders: dict[int, list[tuple[int, Any]]] = {}
    ordered = sorted(wanted)
    connection = await session.connection()
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        if dialect.name == "sqlite":
            rows: Any = await connection.exec_driver_sql(
                "SELECT band, item_id, seen_at FROM story_band WHERE band IN "
                f"({', '.join('?' for _ in chunk)}) AND seen_at >= ?",
                (*chunk, earliest),
            )
        else:
            rows = await session.execute(
                select(_BANDS.c.band, _BANDS.c.item_id, _BANDS.c.seen_at).where(
                    _BANDS.c.band.in_(chunk), _BANDS.c.seen_at >= since_of_earliest(since_of)
                )
            )
        for band, item_id, seen_at in rows:
            holders.setdefault(band, []).append(
                (item_id, seen_at if dialect.name == "sqlite" else to_db(_utc(seen_at)))
            )
    found: dict[str, list[int]] = {}
    for key, bands in bands_of.items():
        since = since_db[key]
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


def _time_to_db(dialect: Dialect) -> Callable[[datetime], Any]:
    """A time as the database stores it (text on SQLite), for the driver-level fast paths."""
    convert = _BANDS.c.seen_at.type.dialect_impl(dialect).bind_processor(dialect)

    def to_db(moment: datetime) -> Any:
        return moment if convert is None else convert(moment)

    return to_db


def since_of_earliest(since_of: Mapping[str, datetime]) -> datetime:
    """The earliest of the windows' starts, in UTC."""
    return _utc(min(since_of.values()))


async def prune_bands(*, session: AsyncSession, before: datetime) -> int:
    """Take items seen before `before` out of the index; returns the rows deleted."""
    result = await session.execute(delete(StoryBand).where(col(StoryBand.seen_at) < _utc(before)))
    return result.rowcount if isinstance(result, CursorResult) else 0


_BANDS = StoryBand.metadata.tables[StoryBand.__tablename__]
_CHUNK = 500  # band hashes per IN (...) list


def _utc(moment: datetime) -> datetime:
    # SQLite compares stored times as text: every time written or compared must be in UTC.
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
