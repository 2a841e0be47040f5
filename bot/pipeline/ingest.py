"""The ingest orchestrator: due sources → fetch → parse → normalise → tag → dedup → store → mark."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.model import Entry, SourceConfig
from bot.pipeline.pacing import delay_after_error, interval_after_success, jitter
from bot.pipeline.prepare import Prepared
from bot.pipeline.stories import STORY_WINDOW, SourceEntries, StoreCounts
from bot.runtime import Runtime
from bot.sources.channel import ChannelError, read_channel
from bot.sources.feed import FeedError
from bot.sources.fetch import FetchError
from storage import bands
from storage.db import transaction
from storage.models import Source
from storage.sources import claim_due, record_poll

logger = logging.getLogger(__name__)

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


@dataclass(frozen=True, slots=True)
class _Read:
    status: int
    prepared: Prepared
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    max_age: int | None = None
    newest_post: int | None = None


async def poll_due(
    runtime: Runtime, *, now: datetime | None = None, ids: Sequence[str] | None = None
) -> list[SourceReport]:
    """Poll every due source (or exactly `ids`), a bounded number at a time."""
    now = now or datetime.now(UTC)
    async with transaction(runtime.sessions) as session:
        due = await claim_due(session=session, now=now, limit=10_000, ids=ids)
    configs = {source.id: source for source in runtime.sources}
    limit = asyncio.Semaphore(max(1, runtime.settings.poll_concurrency))

    async def poll(row: Source) -> SourceReport:
        async with limit:
            try:
                return await poll_source(runtime, row, configs.get(row.id), now=now)
            except Exception as error:  # even recording the failure failed: the others go on
                logger.exception("source=%s poll not recorded", row.id)
                return SourceReport(source_id=row.id, error=f"{type(error).__name__}: {error}")

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(poll(row)) for row in due]
    await prune_index(runtime, now=now)
    return [task.result() for task in tasks]


async def prune_index(runtime: Runtime, *, now: datetime) -> int:
    """Items older than the story window leave the near-duplicate index, once an hour."""
    if runtime.pruned_at is not None and now - runtime.pruned_at < PRUNE_EVERY:
        return 0
    runtime.pruned_at = now
    before = now - STORY_WINDOW - PRUNE_SLACK
    async with transaction(runtime.sessions) as session:
        removed = await bands.prune_bands(session=session, before=before)
    runtime.store.near.index.prune(before)
    if removed:
        logger.info("pruned indexed_items=%d", removed)
    return removed


async def poll_source(
    runtime: Runtime, row: Source, config: SourceConfig | None, *, now: datetime
) -> SourceReport:
    """Poll one source; whatever goes wrong is recorded on the source, never raised."""
    started = time.monotonic()
    config = config or _config_of(row)
    try:
        read = await _read(runtime, row, config, now=now)
        report = await _ingest(runtime, row, config, read, now=now)
    except (FetchError, FeedError, ChannelError) as error:
        report = await _fail(runtime, row, error, now=now)
    except Exception as error:  # one broken source must never stop the others
        logger.exception("source=%s poll crashed", row.id)
        report = await _fail(runtime, row, error, now=now)
    report = _with_ms(report, started)
    logger.info(
        "polled source=%s status=%s new=%d updated=%d skipped=%d duplicates=%d ms=%d error=%s",
        report.source_id,
        report.status,
        report.new,
        report.updated,
        report.skipped,
        report.duplicates,
        report.ms,
        report.error,
    )
    return report


async def _read(runtime: Runtime, row: Source, config: SourceConfig, *, now: datetime) -> _Read:
    """Fetch and prepare one source's news (parse → normalise → tag → fingerprint)."""
    if row.kind == "telegram":
        channel = await read_channel(
            runtime.fetcher,
            root=runtime.settings.telegram_web_url,
            channel=row.channel or "",
            known_newest=row.newest_post,
            url=row.url or None,
            recheck=True,
        )
        prepared = await runtime.preparer.entries(config, channel.entries, now=now)
        prepared = replace(
            prepared,
            entries=prepared.entries + channel.invalid,
            invalid=prepared.invalid + channel.invalid,
        )
        return _Read(status=200, prepared=prepared, newest_post=channel.newest)
    fetched = await runtime.fetcher.fetch(
        row.url,
        etag=row.etag,
        last_modified=row.last_modified,
        body_hash=row.body_hash,
    )
    if fetched.status == 304 or fetched.body is None:
        return _Read(
            status=304,
            prepared=Prepared(SourceEntries(config.id, now, ()), entries=0, skipped=0),
            etag=fetched.etag or row.etag,
            last_modified=fetched.last_modified or row.last_modified,
            body_hash=row.body_hash,
            max_age=fetched.max_age,
        )
    prepared = await runtime.preparer.body(config, fetched.body, url=fetched.url, now=now)
    return _Read(
        status=fetched.status,
        prepared=prepared,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        body_hash=fetched.body_hash,
        max_age=fetched.max_age,
    )


async def _ingest(
    runtime: Runtime, row: Source, config: SourceConfig, read: _Read, *, now: datetime
) -> SourceReport:
    async def record(session: AsyncSession, counts: StoreCounts) -> None:
        interval = interval_after_success(
            interval=row.interval,
            min_interval=row.min_interval,
            max_interval=row.max_interval,
            new_items=counts.new,
            ttl=read.prepared.ttl,
            max_age=read.max_age,
        )
        await record_poll(
            session=session,
            source_id=row.id,
            now=now,
            status=read.status,
            next_poll_at=now + timedelta(seconds=jitter(interval)),
            interval=interval,
            etag=read.etag,
            last_modified=read.last_modified,
            body_hash=read.body_hash,
            new_items=counts.new,
            newest_post=read.newest_post,
        )

    # The poll is recorded in the transaction that stores its items.
    counts = await runtime.store.store(read.prepared.batch, after=record)
    return _report(row.id, read.status, read.prepared, counts)


async def ingest_pushed(
    runtime: Runtime, *, channel: str, entries: Sequence[Entry], now: datetime | None = None
) -> SourceReport | None:
    """Posts Telegram pushes to the bot as a channel administrator, stored at once.

    None when no telegram source in feeds.toml reads that channel: Vigía stores only what
    its operators chose to follow.
    """
    config = next(
        (
            s
            for s in runtime.sources
            if s.kind == "telegram" and s.enabled and (s.channel or "").lower() == channel.lower()
        ),
        None,
    )
    if config is None:
        return None
    prepared = await runtime.preparer.entries(config, entries, now=now or datetime.now(UTC))
    counts = await runtime.store.store(prepared.batch)
    return _report(config.id, 200, prepared, counts)


async def _fail(runtime: Runtime, row: Source, error: Exception, *, now: datetime) -> SourceReport:
    status = getattr(error, "status", None)
    retry_after = getattr(error, "retry_after", None)
    reason = getattr(error, "reason", None) or f"{type(error).__name__}: {error}"
    disabled = None
    if status == 410:
        disabled = (
            "the server answers 410 Gone: the feed was removed for good; fix its url "
            "in feeds.toml (a changed url re-enables it)"
        )
    delay = delay_after_error(
        interval=row.interval,
        error_count=row.error_count + 1,
        max_interval=row.max_interval,
        retry_after=retry_after,
        status=status,
    )
    async with transaction(runtime.sessions) as session:
        await record_poll(
            session=session,
            source_id=row.id,
            now=now,
            status=status,
            next_poll_at=now + timedelta(seconds=jitter(delay)),
            error=reason,
            disabled_reason=disabled,
        )
    return SourceReport(source_id=row.id, status=status, error=reason)


def _report(source_id: str, status: int, prepared: Prepared, counts: StoreCounts) -> SourceReport:
    return SourceReport(
        source_id=source_id,
        status=status,
        entries=prepared.entries,
        new=counts.new,
        updated=counts.updated,
        skipped=prepared.skipped,
        duplicates=counts.duplicates,
        joined=counts.joined,
        invalid=prepared.invalid,
        capped=prepared.capped,
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


def _with_ms(report: SourceReport, started: float) -> SourceReport:
    return replace(report, ms=int((time.monotonic() - started) * 1000))
