"""The near-duplicate index: one row of band hashes per item in the database, searched in memory."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.bulk import insert_rows
from storage.models import ItemBands

Array = npt.NDArray[np.int64]
K = TypeVar("K", bound=Hashable)
_OWNER_SHIFT = 40  # (query, item) pairs counted as one int64: item ids stay below 2**40


async def add_bands(
    *, session: AsyncSession, item_id: int, bands: Sequence[int], seen_at: datetime
) -> None:
    """Record one item's band hashes; indexes read them once the transaction commits."""
    await add_bands_many(session=session, rows=[(item_id, bands, seen_at)])


async def add_bands_many(
    *, session: AsyncSession, rows: Sequence[tuple[int, Sequence[int], datetime]]
) -> None:
    """Record many items' band hashes: (item id, its band hashes, when it was seen) each."""
    values = [
        {"item_id": item_id, "seen_at": _utc(seen_at), "bands": _pack(bands)}
        for item_id, bands, seen_at in rows
        if bands
    ]
    await insert_rows(session, _TABLE, values)


async def prune_bands(*, session: AsyncSession, before: datetime) -> int:
    """Take items seen before `before` out of the stored index; returns the items removed."""
    result = await session.execute(delete(ItemBands).where(col(ItemBands.seen_at) < _utc(before)))
    return result.rowcount if isinstance(result, CursorResult) else 0


@dataclass(frozen=True, slots=True)
class _Part:
    """A sorted run of (band, item, seen) triples."""

    bands: Array  # ascending
    items: Array
    seen: Array  # microseconds since the epoch

    def __len__(self) -> int:
        return len(self.bands)


class BandIndex:
    """The band hashes of recent items, in memory, kept in step with the `item_bands` table.

    Each worker holds one. `refresh` reads the rows committed since it last looked: under the
    story lock, ids grow in commit order, so the highest id read is where to resume. Rows are
    kept in a few sorted runs that merge as they grow (a log-structured merge), so adding a
    batch never re-sorts the whole index and a lookup is one binary search per run.
    """

    def __init__(self) -> None:
        self._parts: list[_Part] = []
        self._last_id = 0

    def __len__(self) -> int:
        return sum(len(part) for part in self._parts)

    @property
    def nbytes(self) -> int:
        """The memory its arrays take."""
        return sum(p.bands.nbytes + p.items.nbytes + p.seen.nbytes for p in self._parts)

    async def refresh(self, session: AsyncSession) -> int:
        """Read the items indexed since the last refresh; returns how many."""
        rows = (
            await session.execute(
                select(_TABLE.c.item_id, _TABLE.c.seen_at, _TABLE.c.bands)
                .where(_TABLE.c.item_id > self._last_id)
                .order_by(_TABLE.c.item_id)
            )
        ).all()
        if rows:
            self.add([(item_id, np.frombuffer(blob, "<i8"), seen) for item_id, seen, blob in rows])
            self._last_id = max(self._last_id, rows[-1][0])
        return len(rows)

    def add(self, rows: Sequence[tuple[int, Sequence[int] | Array, datetime]]) -> None:
        """Index items directly: (item id, band hashes, seen at) each."""
        if not rows:
            return
        arrays = [np.unique(np.asarray(bands, dtype=np.int64)) for _, bands, _ in rows]
        lengths = [len(bands) for bands in arrays]
        bands = np.concatenate(arrays)
        items = np.repeat(np.array([item_id for item_id, _, _ in rows], dtype=np.int64), lengths)
        seen = np.repeat(np.array([_epoch(at) for _, _, at in rows], dtype=np.int64), lengths)
        order = np.argsort(bands, kind="stable")
        self._parts.append(_Part(bands[order], items[order], seen[order]))
        while len(self._parts) > 1 and len(self._parts[-2]) <= 2 * len(self._parts[-1]):
            newer = self._parts.pop()
            self._parts[-1] = _merge(self._parts[-1], newer)

    def prune(self, before: datetime) -> int:
        """Forget items seen before `before`; returns the band entries dropped."""
        cutoff = _epoch(before)
        dropped = 0
        kept: list[_Part] = []
        for part in self._parts:
            keep = part.seen >= cutoff
            dropped += len(part) - int(keep.sum())
            if keep.any():
                kept.append(_Part(part.bands[keep], part.items[keep], part.seen[keep]))
        self._parts = kept
        return dropped

    def candidates(self, bands: Sequence[int], *, since: datetime, limit: int = 50) -> list[int]:
        """Items seen since `since` sharing a band with these, those sharing the most first."""
        return self.candidates_many({0: bands}, since_of={0: since}, limit=limit).get(0, [])

    def candidates_many(
        self,
        bands_of: Mapping[K, Sequence[int]],
        *,
        since_of: Mapping[K, datetime],
        limit: int = 10,
    ) -> dict[K, list[int]]:
        """For each key, the items sharing a band with it and seen since its own `since`.

        Items sharing the most bands come first (the newest among equals); at most `limit`.
        """
        keys = list(bands_of)
        per_key = [np.unique(np.asarray(bands_of[key], dtype=np.int64)) for key in keys]
        if not self._parts or not any(len(bands) for bands in per_key):
            return {}
        query = np.concatenate(per_key)
        owner = np.repeat(np.arange(len(keys), dtype=np.int64), [len(b) for b in per_key])
        ascending = np.argsort(query, kind="stable")  # sorted keys: each search starts where the last ended
        query, owner = query[ascending], owner[ascending]
        since = np.array([_epoch(since_of[key]) for key in keys], dtype=np.int64)
        pairs: list[Array] = []
        for part in self._parts:
            low = np.searchsorted(part.bands, query, side="left")
            high = np.searchsorted(part.bands, query, side="right")
            counts = high - low
            total = int(counts.sum())
            if not total:
                continue
            starts = np.repeat(low, counts)
            offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
            at = starts + offsets
            who = np.repeat(owner, counts)
            recent = part.seen[at] >= since[who]
            pairs.append((who[recent] << _OWNER_SHIFT) | part.items[at][recent])
        if not pairs:
            return {}
        pair, shared = np.unique(np.concatenate(pairs), return_counts=True)
        who, item = pair >> _OWNER_SHIFT, pair & ((1 << _OWNER_SHIFT) - 1)
        order = np.lexsort((-item, -shared, who))  # by key, then most shared, then newest
        who, item = who[order], item[order]
        first = np.searchsorted(who, who, side="left")
        rank = np.arange(len(who)) - first
        found: dict[K, list[int]] = {}
        for index, item_id in zip(who[rank < limit].tolist(), item[rank < limit].tolist(), strict=True):
            found.setdefault(keys[index], []).append(item_id)
        return found


def _merge(older: _Part, newer: _Part) -> _Part:
    bands = np.concatenate((older.bands, newer.bands))
    order = np.argsort(bands, kind="stable")  # two sorted runs: timsort merges them in one pass
    return _Part(
        bands[order],
        np.concatenate((older.items, newer.items))[order],
        np.concatenate((older.seen, newer.seen))[order],
    )


def _pack(bands: Sequence[int]) -> bytes:
    return np.unique(np.asarray(bands, dtype=np.int64)).astype("<i8").tobytes()


def _epoch(moment: datetime) -> int:
    return (_utc(moment) - _EPOCH) // _MICROSECOND


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


_TABLE = ItemBands.metadata.tables[ItemBands.__tablename__]


def _utc(moment: datetime) -> datetime:
    # SQLite compares stored times as text: every time written or compared must be in UTC.
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
