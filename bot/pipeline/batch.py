"""Store the sources read at the same time in one transaction: fold into stories, store, mark."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.pipeline.mark import Polled, mark_polled
from bot.pipeline.stories import NearDuplicates, SourceEntries, Stored, store_entries
from storage.db import Sessions, transaction
from storage.locks import lock_stories

MAX_BATCH_ENTRIES = 2000  # entries stored in one transaction at most


@dataclass(slots=True)
class _QueuedRead:
    """One source's read waiting for its batch, and the poll to mark once it is stored."""

    read: SourceEntries
    polled: Polled | None
    stored: asyncio.Future[Stored]


class StoreBatches:
    """The reads waiting to be stored, for one database in one worker process, and what
    folding keeps in memory between batches (the near-duplicate index).

    Folding runs one batch at a time, so that two outlets' copies read together still find
    each other. Whoever takes the turn stores every read waiting at that moment: a round of
    queries and a commit cost about the same for one source as for twenty, so the busier
    ingest gets, the larger and cheaper its batches.
    """

    def __init__(self, sessions: Sessions, *, max_entries: int = MAX_BATCH_ENTRIES) -> None:
        self.sessions = sessions
        self.near = NearDuplicates()
        self.lock = asyncio.Lock()  # the turn: one batch folds at a time
        self.waiting: list[_QueuedRead] = []
        self.max_entries = max_entries


async def store_batched(
    batches: StoreBatches, read: SourceEntries, *, polled: Polled | None = None
) -> Stored:
    """Store one source's read with whichever others are waiting, in one transaction that also
    marks each polled source; returns how its entries landed and its new items.

    A batch that fails is retried source by source, so one bad source never costs the others
    their poll; the bad one's error is raised here.
    """
    queued = _QueuedRead(read, polled, asyncio.get_running_loop().create_future())
    batches.waiting.append(queued)
    try:
        while not queued.stored.done():
            async with batches.lock:
                if not queued.stored.done():
                    await _store_turn(batches)
    finally:
        if queued in batches.waiting:  # cancelled before its turn
            batches.waiting.remove(queued)
    return queued.stored.result()


async def _store_turn(batches: StoreBatches) -> None:
    batch = _take_batch(batches)
    try:
        await _store_batch(batches, batch)
    finally:
        # Cancelled mid-turn: the batch's other reads wait for the next turn.
        batches.waiting[:0] = [queued for queued in batch if not queued.stored.done()]


def _take_batch(batches: StoreBatches) -> list[_QueuedRead]:
    batch: list[_QueuedRead] = []
    sources: set[str] = set()
    size = 0
    for queued in list(batches.waiting):
        entries = len(queued.read.entries)
        if queued.read.source_id in sources or (batch and size + entries > batches.max_entries):
            continue  # a source twice in one batch would blur its counts: next turn
        batch.append(queued)
        sources.add(queued.read.source_id)
        size += entries
        batches.waiting.remove(queued)
    return batch


async def _store_batch(batches: StoreBatches, batch: list[_QueuedRead]) -> None:
    try:
        async with transaction(batches.sessions) as session:
            await lock_stories(session=session)
            landed = await store_entries(
                session=session, near=batches.near, batches=[queued.read for queued in batch]
            )
            for queued in batch:
                if queued.polled is not None:
                    new_items = landed[queued.read.source_id].new
                    await mark_polled(session=session, polled=queued.polled, new_items=new_items)
    except Exception as error:
        if len(batch) == 1:
            batch[0].stored.set_exception(error)
            return
        for queued in batch:
            await _store_batch(batches, [queued])
        return
    for queued in batch:
        queued.stored.set_result(landed[queued.read.source_id])
