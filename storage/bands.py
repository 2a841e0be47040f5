"""The near-duplicate index: one row of band hashes per item in the database, searched in memory."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.bulk import insert_rows
from storage.models import ItemBands
from storage.times import as_utc

Array = npt.NDArray[np.int64]
K = TypeVar("K", bound=Hashable)
# A band many items hold is boilerplate (a byline, a channel's footer), not a story: lookups
# read only its newest holders. A story republished many times is still found through them.
HOT_BAND = 32
# Runs stop merging at this many entries: merging copies both, and a lookup reads every run.
MAX_RUN = 1 << 19
_OWNER_SHIFT = 40  # (key, item) pairs counted as one int64: item ids stay below 2**40
_ITEM_MAX = (1 << 31) - 1  # item ids are int4 in the schema
_REFRESH_SLICE = 2048  # items indexed at a time when a refresh reads many


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
        {"item_id": item_id, "seen_at": as_utc(seen_at), "bands": _pack(bands)}
        for item_id, bands, seen_at in rows
        if bands
    ]
    await insert_rows(session, _TABLE, values)


async def prune_bands(*, session: AsyncSession, before: datetime) -> int:
    """Take items seen before `before` out of the stored index; returns the items removed."""
    result = await session.execute(delete(ItemBands).where(col(ItemBands.seen_at) < as_utc(before)))
    return result.rowcount if isinstance(result, CursorResult) else 0


@dataclass(frozen=True, slots=True)
class _Part:
    """A sorted run of (band, item, seen) triples, with a directory into it by leading bits.

    Band hashes are uniform, so the run splits into about four entries per leading-bits bucket:
    finding a band is two reads from the directory and a look at a few entries, where a binary
    search over a large run would miss the cache at every step.
    """

    bands: Array  # ascending
    items: npt.NDArray[np.int32]  # item ids: int4 in the schema
    seen: npt.NDArray[np.int32]  # seconds since _ORIGIN
    directory: Array  # directory[b]: the first entry of bucket b; one more at the end
    shift: int  # a band's bucket is its order-preserving unsigned form >> shift

    @classmethod
    def of(cls, bands: Array, items: npt.NDArray[np.int32], seen: npt.NDArray[np.int32]) -> _Part:
        bits = max(0, int(len(bands) // 4).bit_length() - 1)
        shift = 64 - bits
        buckets = (_unsigned(bands) >> np.uint64(shift)).astype(np.int64) if bits else None
        directory = np.zeros((1 << bits) + 1, dtype=np.int64)
        if buckets is None:
            directory[1] = len(bands)
        else:
            np.cumsum(np.bincount(buckets, minlength=1 << bits), out=directory[1:])
        return cls(bands, items, seen, directory, shift)

    def __len__(self) -> int:
        return len(self.bands)

    def find(self, query: Array) -> tuple[Array, Array]:
        """For sorted `query`, (which query, which entry) for every entry holding a queried band."""
        bucket = (_unsigned(query) >> np.uint64(self.shift)).astype(np.int64) if self.shift < 64 \
            else np.zeros(len(query), np.int64)
        low, high = self.directory[bucket], self.directory[bucket + 1]
        counts = high - low
        ends = np.cumsum(counts)
        asked = np.repeat(np.arange(len(query)), counts)
        at = np.repeat(low - (ends - counts), counts) + np.arange(int(ends[-1]) if len(ends) else 0)
        same = self.bands[at] == query[asked]
        asked, at = asked[same], at[same]
        held = np.bincount(asked, minlength=len(query))
        if len(held) and held.max() > HOT_BAND:
            # A band's holders are oldest first: keep each band's newest HOT_BAND.
            newest = np.cumsum(held)[asked] - np.arange(len(asked)) <= HOT_BAND
            asked, at = asked[newest], at[newest]
        return asked, at


class BandIndex:
    """The band hashes of recent items, in memory, kept in step with the `item_bands` table.

    Each worker holds one. `refresh` reads the rows committed since it last looked: under the
    story lock, ids grow in commit order, so the highest id read is where to resume. Rows are
    kept in a few sorted runs that merge as they grow (a log-structured merge) up to MAX_RUN
    entries, so adding a batch never re-sorts the whole index nor copies much of it.
    """

    def __init__(self) -> None:
        self._parts: list[_Part] = []
        self._last_id = 0

    def __len__(self) -> int:
        return sum(len(part) for part in self._parts)

    @property
    def nbytes(self) -> int:
        """The memory its arrays take."""
        return sum(
            p.bands.nbytes + p.items.nbytes + p.seen.nbytes + p.directory.nbytes for p in self._parts
        )

    async def refresh(self, session: AsyncSession) -> int:
        """Read the items indexed since the last refresh; returns how many."""
        rows = (
            await session.execute(
                select(_TABLE.c.item_id, _TABLE.c.seen_at, _TABLE.c.bands)
                .where(_TABLE.c.item_id > self._last_id)
                .order_by(_TABLE.c.item_id)
            )
        ).all()
        # A first refresh reads the whole window: in slices, so the sorting never holds
        # more than a run's worth of temporaries.
        for start in range(0, len(rows), _REFRESH_SLICE):
            self.add([(item_id, np.frombuffer(blob, "<i8"), seen)
                      for item_id, seen, blob in rows[start : start + _REFRESH_SLICE]])
        if rows:
            self._last_id = max(self._last_id, rows[-1][0])
        return len(rows)

    def add(self, rows: Sequence[tuple[int, Sequence[int] | Array, datetime]]) -> None:
        """Index items directly: (item id, band hashes, seen at) each."""
        if not rows:
            return
        arrays = [np.asarray(bands, dtype=np.int64) for _, bands, _ in rows]
        lengths = [len(bands) for bands in arrays]
        bands = np.concatenate(arrays)
        items = np.repeat(np.array([item_id for item_id, _, _ in rows], dtype=np.int32), lengths)
        seen = np.repeat(np.array([_seconds(at) for _, _, at in rows], dtype=np.int32), lengths)
        order = np.lexsort((items, bands))
        bands, items, seen = bands[order], items[order], seen[order]
        once = np.ones(len(bands), dtype=bool)  # an item holds each of its bands once
        once[1:] = (bands[1:] != bands[:-1]) | (items[1:] != items[:-1])
        self._parts.append(_Part.of(bands[once], items[once], seen[once]))
        while (
            len(self._parts) > 1
            and len(self._parts[-2]) <= 2 * len(self._parts[-1])
            and len(self._parts[-2]) + len(self._parts[-1]) <= MAX_RUN
        ):
            newer = self._parts.pop()
            self._parts[-1] = _merge(self._parts[-1], newer)

    def prune(self, before: datetime) -> int:
        """Forget items seen before `before`; returns the band entries dropped."""
        cutoff = _seconds(before)
        dropped = 0
        kept: list[_Part] = []
        for part in self._parts:
            keep = part.seen >= cutoff
            dropped += len(part) - int(keep.sum())
            if keep.any():
                kept.append(_Part.of(part.bands[keep], part.items[keep], part.seen[keep]))
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
        lengths = [len(bands_of[key]) for key in keys]
        if not self._parts or not sum(lengths):
            return {}
        query = np.fromiter(chain.from_iterable(bands_of.values()), np.int64, sum(lengths))
        owner = np.repeat(np.arange(len(keys), dtype=np.int64), lengths)
        # Sorted by band (each search then starts where the last ended), one of each per key.
        order = np.lexsort((owner, query))
        query, owner = query[order], owner[order]
        first = np.ones(len(query), dtype=bool)
        first[1:] = (query[1:] != query[:-1]) | (owner[1:] != owner[:-1])
        query, owner = query[first], owner[first]
        since = np.array([_seconds(since_of[key]) for key in keys], dtype=np.int32)
        pairs: list[Array] = []
        for part in self._parts:
            asked, at = part.find(query)
            who = owner[asked]
            recent = part.seen[at] >= since[who]
            pairs.append((who[recent] << _OWNER_SHIFT) | part.items[at][recent].astype(np.int64))
        pair, shared = np.unique(np.concatenate(pairs), return_counts=True)
        if not len(pair):
            return {}
        # By key, then most shared, then newest, as one integer sorted once: an item shares
        # at most 64 bands (7 bits), and ids are int4 (31 bits).
        who, item = pair >> _OWNER_SHIFT, pair & ((1 << _OWNER_SHIFT) - 1)
        ranked = np.sort((who << 38) | ((127 - shared) << 31) | (_ITEM_MAX - item))
        who, item = ranked >> 38, _ITEM_MAX - (ranked & _ITEM_MAX)
        rank = np.arange(len(who)) - np.searchsorted(who, who, side="left")
        found: dict[K, list[int]] = {}
        for index, item_id in zip(who[rank < limit].tolist(), item[rank < limit].tolist(), strict=True):
            found.setdefault(keys[index], []).append(item_id)
        return found


def _merge(older: _Part, newer: _Part) -> _Part:
    bands = np.concatenate((older.bands, newer.bands))
    order = np.argsort(bands, kind="stable")  # two sorted runs: timsort merges them in one pass
    return _Part.of(
        bands[order],
        np.concatenate((older.items, newer.items))[order],
        np.concatenate((older.seen, newer.seen))[order],
    )


def _unsigned(bands: Array) -> npt.NDArray[np.uint64]:
    """Signed hashes as unsigned ones in the same order (the sign bit flipped)."""
    return bands.view(np.uint64) ^ np.uint64(1 << 63)


def _pack(bands: Sequence[int]) -> bytes:
    return np.asarray(bands, dtype="<i8").tobytes()


def _seconds(moment: datetime) -> int:
    """Seconds since _ORIGIN, within int32: years 1952 to 2088."""
    return max(_INT32.min, min(_INT32.max, math.floor((as_utc(moment) - _ORIGIN).total_seconds())))


_ORIGIN = datetime(2020, 1, 1, tzinfo=UTC)
_INT32 = np.iinfo(np.int32)


_TABLE = ItemBands.metadata.tables[ItemBands.__tablename__]
