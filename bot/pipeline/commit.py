"""Group commit: the sources read at the same time are folded and stored in one transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.pipeline.stories import (
    NearDuplicates,
    SourceEntries,
    StoreCounts,
    lock_stories,
    store_entries,
)
from storage.db import transaction

MAX_GROUP_ENTRIES = 2000  # entries stored in one transaction at most

# Runs in the group's transaction once the source's entries are stored, e.g. to record its poll.
AfterStore = Callable[[AsyncSession, StoreCounts], Awaitable[None]]


@dataclass(slots=True)
class _Job:
    batch: SourceEntries
    after: AfterStore | None
    done: asyncio.Future[StoreCounts]


class GroupCommit:
    """Folds sources' entries into stories one group at a time, for one worker process.

    Folding runs one group at a time, so that two outlets' copies read together still find
    each other. Whoever takes the turn stores every source waiting at that moment: a round of
    queries and a commit cost about the same for one source as for twenty, so the busier
    ingest gets, the larger and cheaper its groups. A group that fails is retried source by
    source, so one bad source never costs the others their poll.
    """

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, max_entries: int = MAX_GROUP_ENTRIES
    ) -> None:
        self.sessions = sessions
        self.near = NearDuplicates()
        self.lock = asyncio.Lock()
        self._waiting: list[_Job] = []
        self._max_entries = max_entries

    async def store(self, batch: SourceEntries, *, after: AfterStore | None = None) -> StoreCounts:
        """Store one source's entries, with whichever others are waiting; returns its counts."""
        job = _Job(batch, after, asyncio.get_running_loop().create_future())
        self._waiting.append(job)
        try:
            while not job.done.done():
                async with self.lock:
                    if not job.done.done():
                        await self._run_turn()
        finally:
            if job in self._waiting:  # cancelled before its turn
                self._waiting.remove(job)
        return job.done.result()

    async def _run_turn(self) -> None:
        group = self._take()
        try:
            await self._run(group)
        finally:
            # Cancelled mid-turn: the group's other sources wait for the next turn.
            self._waiting[:0] = [job for job in group if not job.done.done()]

    def _take(self) -> list[_Job]:
        group: list[_Job] = []
        sources: set[str] = set()
        size = 0
        for job in list(self._waiting):
            entries = len(job.batch.entries)
            if job.batch.source_id in sources or (group and size + entries > self._max_entries):
                continue  # a source twice in one group would blur its counts: next turn
            group.append(job)
            sources.add(job.batch.source_id)
            size += entries
            self._waiting.remove(job)
        return group

    async def _run(self, group: list[_Job]) -> None:
        try:
            async with transaction(self.sessions) as session:
                await lock_stories(session)
                counts = await store_entries(
                    session=session, near=self.near, batches=[job.batch for job in group]
                )
                for job in group:
                    if job.after is not None:
                        await job.after(session, counts[job.batch.source_id])
        except Exception as error:
            if len(group) == 1:
                group[0].done.set_exception(error)
                return
            for job in group:
                await self._run([job])
            return
        for job in group:
            job.done.set_result(counts[job.batch.source_id])
