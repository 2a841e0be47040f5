"""The CPU-bound stages, parse → normalise → tag → relevance → fingerprint, in a worker process."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from bot.model import Entry, SourceConfig
from bot.pipeline import dedup
from bot.pipeline.normalise import normalise_entry
from bot.pipeline.relevance import tag_text
from bot.pipeline.stories import SourceEntries
from bot.pipeline.tag import Tagger
from bot.sources.feed import parse_feed
from bot.steering import Catalog

logger = logging.getLogger(__name__)

THREAD_BYTES = 256 * 1024  # without workers, bodies larger than this are prepared off the loop


@dataclass(frozen=True, slots=True)
class Prepared:
    """A read made ready to store: the entries about Venezuela, and what the rest were."""

    batch: SourceEntries
    entries: int  # as read
    skipped: int  # not about Venezuela
    ttl: int | None = None  # the feed's own <ttl>, seconds
    invalid: int = 0  # entries left out for a value no reader could take (counted, not stored)
    capped: int = 0  # older entries left out of a read longer than the entry cap


def prepare_entries(
    tagger: Tagger,
    config: SourceConfig,
    entries: Sequence[Entry],
    *,
    now: datetime,
    prints: bool = False,
) -> Prepared:
    """normalise → tag → relevance, for the entries of one read; with `prints`, fingerprint too.

    Most entries of a read are already stored, and storing fingerprints only the new ones:
    fingerprinting all ahead pays only where a spare process does it (a worker).
    """
    relevant = []
    clean = invalid = 0
    for raw in entries:
        try:
            entry = normalise_entry(raw, config, now=now)
            tagging = tag_text(tagger, entry.text, title=entry.title, scope=config.scope)
        except (ValueError, OverflowError, UnicodeError, RecursionError) as error:
            # One entry no stage can read must not cost the source its other entries.
            logger.warning("source=%s entry skipped: %s", config.id, type(error).__name__)
            invalid += 1
            continue
        clean += 1
        if tagging.relevant:
            relevant.append((entry, tagging))
    fingerprints = (
        tuple(dedup.fingerprint(entry.title, entry.text) for entry, _ in relevant) if prints else ()
    )
    return Prepared(
        batch=SourceEntries(config.id, now, tuple(relevant), fingerprints),
        entries=clean + invalid,
        skipped=clean - len(relevant),
        invalid=invalid,
    )


def prepare_body(
    tagger: Tagger,
    config: SourceConfig,
    body: bytes,
    *,
    url: str,
    now: datetime,
    prints: bool = False,
) -> Prepared:
    """parse, then `prepare_entries`; raises FeedError for a body that is not a feed."""
    feed = parse_feed(body, url=url)
    prepared = prepare_entries(tagger, config, feed.entries, now=now, prints=prints)
    return replace(
        prepared,
        ttl=feed.ttl,
        entries=prepared.entries + feed.invalid,
        invalid=prepared.invalid + feed.invalid,
        capped=feed.capped,
    )


class PrepareWorkers:
    """Runs the CPU-bound stages in worker processes, so the event loop stays free for Telegram
    and for storing while the next sources are parsed. With no workers they run in-process,
    large bodies in a thread."""

    def __init__(self, catalog: Catalog, tagger: Tagger, *, workers: int) -> None:
        self._catalog = catalog
        self._tagger = tagger  # in-process; each worker builds its own from `catalog`
        self._workers = workers
        self._pool: Executor | None = self._start() if workers > 0 else None

    async def body(
        self, config: SourceConfig, body: bytes, *, url: str, now: datetime
    ) -> Prepared:
        """A fetched feed body, parsed and prepared."""
        in_process = partial(prepare_body, self._tagger, config, body, url=url, now=now)
        if self._pool is None and len(body) > THREAD_BYTES:
            return await asyncio.to_thread(in_process)  # a big body must not stall the bot
        in_worker = partial(_body_in_worker, config, body, url=url, now=now)
        return await self._run(in_worker, in_process)

    async def entries(
        self, config: SourceConfig, entries: Sequence[Entry], *, now: datetime
    ) -> Prepared:
        """Entries read some other way (channel pages, pushed posts), prepared."""
        return await self._run(
            partial(_entries_in_worker, config, tuple(entries), now=now),
            partial(prepare_entries, self._tagger, config, entries, now=now),
        )

    def reload(self, catalog: Catalog, tagger: Tagger) -> None:
        """Tag with a new actors.toml from now on: the workers restart with it."""
        self._catalog, self._tagger = catalog, tagger
        if self._pool is not None:
            old, self._pool = self._pool, self._start()
            old.shutdown(wait=False, cancel_futures=False)

    def close(self) -> None:
        """Stop the workers once what they are doing is done."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    async def _run(self, in_worker: partial[Prepared], in_process: partial[Prepared]) -> Prepared:
        if self._pool is None:
            return in_process()
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, in_worker)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): start fresh ones and try once more, so a
            # crash costs one poll at most, never the workers for good.
            logger.warning("prepare worker died; starting a new one")
            self._pool = self._start()
            return await loop.run_in_executor(self._pool, in_worker)

    def _start(self) -> ProcessPoolExecutor:
        # spawn: a fresh interpreter, never a fork of a process that holds threads and sockets.
        return ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self._catalog,),
        )


_WORKER_TAGGER: Tagger | None = None  # in a worker process: the tagger built at its start


def _start_worker(catalog: Catalog) -> None:
    global _WORKER_TAGGER
    _WORKER_TAGGER = Tagger(catalog.actors, catalog.topics)


def _worker_tagger() -> Tagger:
    assert _WORKER_TAGGER is not None, "called outside a prepare worker"
    return _WORKER_TAGGER


def _body_in_worker(config: SourceConfig, body: bytes, *, url: str, now: datetime) -> Prepared:
    return prepare_body(_worker_tagger(), config, body, url=url, now=now, prints=True)


def _entries_in_worker(
    config: SourceConfig, entries: tuple[Entry, ...], *, now: datetime
) -> Prepared:
    return prepare_entries(_worker_tagger(), config, entries, now=now, prints=True)
