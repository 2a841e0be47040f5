"""The ingest orchestrator: due sources → fetch → prepare → store (fold into stories) → mark."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot.model import Entry, SourceConfig
from bot.pipeline.batch import StoreBatches, store_batched
from bot.pipeline.mark import Polled, mark_failed
from bot.pipeline.prepare import Prepared, PrepareWorkers
from bot.pipeline.stories import STORY_WINDOW, NearDuplicates, SourceEntries, Stored
from bot.settings import Settings
from bot.sources.channel import ChannelError, read_channel
from bot.sources.feed import FeedError
from bot.sources.fetch import Fetcher, FetchError, host_wait
from bot.worker import LIVE_WINDOW, SOURCE_LEASE, Worker
from storage import bands
from storage import workers as roll
from storage.db import Sessions, is_disk_full, transaction
from storage.items import StoredItem
from storage.models import Source
from storage.sources import claim_due, count_due

logger = logging.getLogger(__name__)

DISK_FULL = "disk full: the database cannot grow; free space and it resumes"
PRUNE_EVERY = timedelta(hours=1)
PRUNE_SLACK = timedelta(hours=24)  # late items (published long before they are fetched) still fold


@dataclass(frozen=True, slots=True)
class SourceReport:
    """What one poll of one source did: the row of `poll --once`'s table."""

    source_id: str
    status: int | None = None
    entries: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0  # not about Venezuela
    duplicates: int = 0  # already stored, unchanged
    joined: int = 0  # new items that joined an existing story
    invalid: int = 0  # entries left out for a value no reader could take
    capped: int = 0  # older entries left out of a read longer than the entry cap
    ms: int = 0
    error: str | None = None
    new_items: tuple[StoredItem, ...] = ()  # what alerts, channel posts and transports take on


@dataclass(frozen=True, slots=True)
class SourceRead:
    """What fetching one source brought: a feed body, a channel's entries, or nothing new (304)."""

    status: int
    body: bytes | None = None
    url: str = ""
    entries: tuple[Entry, ...] | None = None  # a channel's posts, already read from its pages
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    max_age: int | None = None
    newest_post: int | None = None
    invalid: int = 0  # channel posts left out for an id out of Telegram's range


async def poll_due(
    *,
    sessions: Sessions,
    settings: Settings,
    sources: Sequence[SourceConfig],
    fetcher: Fetcher,
    workers: PrepareWorkers,
    batches: StoreBatches,
    worker: Worker,
    now: datetime | None = None,
    ids: Sequence[str] | None = None,
    progress: Callable[[SourceReport, int], None] | None = None,
) -> list[SourceReport]:
    """Poll this worker's fair share of the due sources (or exactly `ids`), a bounded number
    at a time.

    The share is the due sources divided by the live workers, claimed soonest-due first in
    batches as polls finish, each under a short lease the heartbeat renews; a source another
    live worker holds is left to it. Once the worker is stopping, nothing more is claimed.
    `progress` hears each report as it comes, with the number of sources being polled.
    """
    now = now or datetime.now(UTC)
    concurrency = max(1, settings.poll_concurrency)
    quota = await _fair_share(sessions=sessions, now=now, ids=ids)
    configs = {source.id: source for source in sources}
    reports: list[SourceReport] = []
    in_flight = 0
    finished = asyncio.Event()

    async def refresh(row: Source) -> None:
        nonlocal in_flight
        try:
            report = await _refresh_reported(
                refresh_source(
                    row,
                    config=configs.get(row.id) or _config_of(row),
                    sessions=sessions,
                    fetcher=fetcher,
                    web_root=settings.telegram_web_url,
                    workers=workers,
                    batches=batches,
                    now=now,
                ),
                source_id=row.id,
            )
            reports.append(report)
            if progress is not None:
                progress(report, quota)
        finally:
            worker.sources.discard(row.id)
            in_flight -= 1
            finished.set()

    claimed = 0
    async with asyncio.TaskGroup() as group:
        while claimed < quota and not worker.stopping.is_set():
            while in_flight >= concurrency:
                finished.clear()
                await finished.wait()
            rows = await _claim_sources(
                sessions=sessions, worker=worker, now=now, ids=ids,
                limit=min(concurrency - in_flight, quota - claimed),
            )
            if not rows:
                break
            claimed += len(rows)
            in_flight += len(rows)
            worker.sources.update(row.id for row in rows)
            for row in rows:
                group.create_task(refresh(row))
    await prune_index(sessions=sessions, near=batches.near, now=now)
    return reports


async def _refresh_reported(
    refreshing: Awaitable[SourceReport], *, source_id: str
) -> SourceReport:
    """The poll's report; if even recording a failure failed, a report of that, so the others go on."""
    try:
        return await refreshing
    except Exception as error:
        logger.exception("source=%s poll not recorded", source_id)
        return SourceReport(source_id=source_id, error=f"{type(error).__name__}: {error}")


async def _fair_share(*, sessions: Sessions, now: datetime, ids: Sequence[str] | None) -> int:
    """How many sources this worker polls now: the due ones over the live workers, or `ids`."""
    if ids is not None:
        return len(ids)
    async with transaction(sessions) as session:
        due = await count_due(session=session, now=now)
        live = await roll.count_live(session=session, now=now, window=LIVE_WINDOW)
    return math.ceil(due / live)


async def _claim_sources(
    *, sessions: Sessions, worker: Worker, now: datetime, ids: Sequence[str] | None, limit: int
) -> Sequence[Source]:
    """The next due sources, soonest first, under this worker's short lease."""
    async with transaction(sessions) as session:
        clock = datetime.now(UTC)
        return await claim_due(
            session=session, now=clock, due_by=max(now, clock), owner=worker.name,
            lease_until=clock + SOURCE_LEASE, limit=limit, ids=ids,
        )


async def refresh_source(
    row: Source,
    *,
    config: SourceConfig,
    sessions: Sessions,
    fetcher: Fetcher,
    web_root: str,
    workers: PrepareWorkers,
    batches: StoreBatches,
    now: datetime,
) -> SourceReport:
    """Poll one source; whatever goes wrong is recorded on the source, never raised."""
    started = time.monotonic()
    host_wait.set(0.0)  # this task's own count; the time queued behind its host is not its own
    try:
        try:
            read = await fetch_source(row, fetcher=fetcher, web_root=web_root)
            prepared = await prepare_read(read, config=config, workers=workers, now=now)
            # The poll is marked in the transaction that stores its items.
            polled = _polled(row, read, prepared, now)
            stored = await store_batched(batches, prepared.batch, polled=polled)
            report = _report(config.id, read.status, prepared, stored)
        except (FetchError, FeedError, ChannelError) as error:
            report = await _failed(sessions, row, error, now=now)
        except Exception as error:  # one broken source must never stop the others
            if is_disk_full(error):
                raise
            logger.exception("source=%s poll crashed", row.id)
            report = await _failed(sessions, row, error, now=now)
    except Exception as error:
        if not is_disk_full(error):
            raise
        # Nothing can be written, not even the failure: the lease lapses, the source is due again.
        report = SourceReport(source_id=row.id, error=DISK_FULL)
    ms = int((time.monotonic() - started - host_wait.get()) * 1000)
    # A failure is what an operator must see; a successful poll is routine.
    logger.log(
        logging.WARNING if report.error else logging.INFO,
        "polled source=%s status=%s new=%d updated=%d skipped=%d duplicates=%d ms=%d error=%s",
        report.source_id,
        report.status,
        report.new,
        report.updated,
        report.skipped,
        report.duplicates,
        ms,
        report.error,
    )
    return replace(report, ms=ms)


async def fetch_source(row: Source, *, fetcher: Fetcher, web_root: str) -> SourceRead:
    """A feed by conditional GET, or a public channel's newest posts from its web pages."""
    if row.kind == "telegram":
        channel = await read_channel(
            fetcher,
            root=web_root,
            channel=row.channel or "",
            known_newest=row.newest_post,
            url=row.url or None,
            recheck=True,
        )
        return SourceRead(
            status=200,
            entries=tuple(channel.entries),
            newest_post=channel.newest,
            invalid=channel.invalid,
        )
    fetched = await fetcher.fetch(
        row.url, etag=row.etag, last_modified=row.last_modified, body_hash=row.body_hash
    )
    if fetched.status == 304 or fetched.body is None:
        return SourceRead(
            status=304,
            etag=fetched.etag or row.etag,
            last_modified=fetched.last_modified or row.last_modified,
            body_hash=row.body_hash,
            max_age=fetched.max_age,
        )
    return SourceRead(
        status=fetched.status,
        body=fetched.body,
        url=fetched.url,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        body_hash=fetched.body_hash,
        max_age=fetched.max_age,
    )


async def prepare_read(
    read: SourceRead, *, config: SourceConfig, workers: PrepareWorkers, now: datetime
) -> Prepared:
    """parse → normalise → relevance → tag → fingerprint, in the prepare workers."""
    if read.body is not None:
        return await workers.body(config, read.body, url=read.url, now=now)
    if read.entries is not None:
        prepared = await workers.entries(config, read.entries, now=now)
        return replace(
            prepared,
            entries=prepared.entries + read.invalid,
            invalid=prepared.invalid + read.invalid,
        )
    return Prepared(SourceEntries(config.id, now, ()), entries=0, skipped=0)


async def ingest_pushed(
    *,
    channel: str,
    entries: Sequence[Entry],
    sources: Sequence[SourceConfig],
    workers: PrepareWorkers,
    batches: StoreBatches,
    now: datetime | None = None,
) -> SourceReport | None:
    """Posts Telegram pushes to the bot as a channel administrator, stored at once.

    None when no telegram source in feeds.toml reads that channel: Vigía stores only what
    its operators chose to follow.
    """
    config = next(
        (
            s
            for s in sources
            if s.kind == "telegram" and s.enabled and (s.channel or "").lower() == channel.lower()
        ),
        None,
    )
    if config is None:
        return None
    prepared = await workers.entries(config, entries, now=now or datetime.now(UTC))
    stored = await store_batched(batches, prepared.batch)
    return _report(config.id, 200, prepared, stored)


async def prune_index(*, sessions: Sessions, near: NearDuplicates, now: datetime) -> int:
    """Items older than the story window leave the near-duplicate index, once an hour."""
    if near.pruned_at is not None and now - near.pruned_at < PRUNE_EVERY:
        return 0
    near.pruned_at = now
    before = now - STORY_WINDOW - PRUNE_SLACK
    async with transaction(sessions) as session:
        removed = await bands.prune_bands(session=session, before=before)
    near.index.prune(before)
    if removed:
        logger.info("pruned indexed_items=%d", removed)
    return removed


def _polled(row: Source, read: SourceRead, prepared: Prepared, now: datetime) -> Polled:
    return Polled(
        source_id=row.id,
        now=now,
        status=read.status,
        interval=row.interval,
        min_interval=row.min_interval,
        max_interval=row.max_interval,
        etag=read.etag,
        last_modified=read.last_modified,
        body_hash=read.body_hash,
        ttl=prepared.ttl,
        max_age=read.max_age,
        newest_post=read.newest_post,
    )


async def _failed(
    sessions: Sessions, row: Source, error: Exception, *, now: datetime
) -> SourceReport:
    status, reason = await mark_failed(sessions=sessions, row=row, error=error, now=now)
    return SourceReport(source_id=row.id, status=status, error=reason)


def _report(source_id: str, status: int, prepared: Prepared, stored: Stored) -> SourceReport:
    return SourceReport(
        source_id=source_id,
        status=status,
        entries=prepared.entries,
        new=stored.new,
        updated=stored.updated,
        skipped=prepared.skipped,
        duplicates=stored.duplicates,
        joined=stored.joined,
        invalid=prepared.invalid,
        capped=prepared.capped,
        new_items=stored.items,
    )


def _config_of(row: Source) -> SourceConfig:
    return SourceConfig(
        id=row.id,
        name=row.name,
        kind=row.kind,
        url=row.url,
        lang=row.lang,
        scope=row.scope,
        channel=row.channel,
    )
