"""The ingest orchestrator: due sources → fetch → parse → normalise → tag → dedup → store → mark."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.model import CleanEntry, Entry, SourceConfig, Tagging
from bot.pipeline import dedup
from bot.pipeline.normalise import normalise_entry
from bot.pipeline.pacing import delay_after_error, interval_after_success, jitter
from bot.pipeline.relevance import tag_text
from bot.runtime import Runtime
from bot.sources.channel import ChannelError, read_channel
from bot.sources.feed import FeedError, parse_feed
from bot.sources.fetch import FetchError
from storage import bands, items
from storage.db import transaction
from storage.models import Source
from storage.sources import claim_due, record_poll

logger = logging.getLogger(__name__)

STORY_WINDOW = timedelta(hours=72)  # copies further apart than this are different news
THREAD_PARSE_BYTES = 256 * 1024  # bodies larger than this are parsed off the event loop
STORY_LOCK = 0x56_49_47_49_41  # "VIGIA": the advisory lock that serialises story folding
MIN_HASH_CHARS = 40
PRUNE_EVERY = timedelta(hours=1)
PRUNE_SLACK = timedelta(hours=24)  # late items (published long before they are fetched) still fold
NEAR_CANDIDATES = 10  # candidates checked exactly per entry, those sharing most bands first  # shorter texts ("Última hora") are too common to fold on their hash


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
    ms: int = 0
    error: str | None = None


@dataclass(frozen=True, slots=True)
class _Read:
    status: int
    entries: tuple[Entry, ...]
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    ttl: int | None = None
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
            return await poll_source(runtime, row, configs.get(row.id), now=now)

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(poll(row)) for row in due]
    await prune_index(runtime, now=now)
    return [task.result() for task in tasks]


async def prune_index(runtime: Runtime, *, now: datetime) -> int:
    """Items older than the story window leave the near-duplicate index, once an hour."""
    if runtime.pruned_at is not None and now - runtime.pruned_at < PRUNE_EVERY:
        return 0
    runtime.pruned_at = now
    async with transaction(runtime.sessions) as session:
        removed = await bands.prune_bands(session=session, before=now - STORY_WINDOW - PRUNE_SLACK)
    if removed:
        logger.info("pruned band_rows=%d", removed)
    return removed


async def poll_source(
    runtime: Runtime, row: Source, config: SourceConfig | None, *, now: datetime
) -> SourceReport:
    """Poll one source; whatever goes wrong is recorded on the source, never raised."""
    started = time.monotonic()
    config = config or _config_of(row)
    try:
        read = await _read(runtime, row)
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


async def _read(runtime: Runtime, row: Source) -> _Read:
    if row.kind == "telegram":
        channel = await read_channel(
            runtime.fetcher,
            root=runtime.settings.telegram_web_url,
            channel=row.channel or "",
            known_newest=row.newest_post,
            url=row.url or None,
            recheck=True,
        )
        return _Read(status=200, entries=tuple(channel.entries), newest_post=channel.newest)
    fetched = await runtime.fetcher.fetch(
        row.url,
        etag=row.etag,
        last_modified=row.last_modified,
        body_hash=row.body_hash,
    )
    if fetched.status == 304 or fetched.body is None:
        return _Read(
            status=304,
            entries=(),
            etag=fetched.etag or row.etag,
            last_modified=fetched.last_modified or row.last_modified,
            body_hash=row.body_hash,
            max_age=fetched.max_age,
        )
    body = fetched.body
    if len(body) > THREAD_PARSE_BYTES:
        feed = await asyncio.to_thread(parse_feed, body, url=fetched.url)
    else:
        feed = parse_feed(body, url=fetched.url)
    return _Read(
        status=fetched.status,
        entries=feed.entries,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        body_hash=fetched.body_hash,
        ttl=feed.ttl,
        max_age=fetched.max_age,
    )


async def _ingest(
    runtime: Runtime, row: Source, config: SourceConfig, read: _Read, *, now: datetime
) -> SourceReport:
    async with runtime.store_lock, transaction(runtime.sessions) as session:
        counts, skipped = await _store(session, runtime, config, read.entries, now=now)
        interval = interval_after_success(
            interval=row.interval,
            min_interval=row.min_interval,
            max_interval=row.max_interval,
            new_items=counts.new,
            ttl=read.ttl,
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
    return _report(row.id, read.status, len(read.entries), counts, skipped)


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
    now = now or datetime.now(UTC)
    async with runtime.store_lock, transaction(runtime.sessions) as session:
        counts, skipped = await _store(session, runtime, config, entries, now=now)
    return _report(config.id, 200, len(entries), counts, skipped)


async def _store(
    session: AsyncSession,
    runtime: Runtime,
    config: SourceConfig,
    entries: Sequence[Entry],
    *,
    now: datetime,
) -> tuple[StoreCounts, int]:
    """normalise → tag → relevance → dedup → store; returns the counts and how many were off topic."""
    clean = [normalise_entry(entry, config, now=now) for entry in entries]
    tagged = [
        (entry, tag_text(runtime.tagger, entry.text, title=entry.title, scope=config.scope))
        for entry in clean
    ]
    relevant = [(entry, tagging) for entry, tagging in tagged if tagging.relevant]
    await lock_stories(session)
    counts = await store_entries(session=session, source_id=config.id, entries=relevant, now=now)
    return counts, len(tagged) - len(relevant)


@dataclass(frozen=True, slots=True)
class StoreCounts:
    """How a batch of entries landed."""

    new: int = 0
    updated: int = 0
    duplicates: int = 0
    joined: int = 0
    new_ids: tuple[int, ...] = ()


async def store_entries(
    *,
    session: AsyncSession,
    source_id: str,
    entries: Sequence[tuple[CleanEntry, Tagging]],
    now: datetime,
) -> StoreCounts:
    """Dedup a source's relevant entries against the database and store what is new.

    Exact keys first (the same guid; the same canonical URL, text or post elsewhere), then
    near-duplicates found through the LSH bands and confirmed on the texts themselves.
    """
    latest: dict[str, tuple[CleanEntry, Tagging]] = {}
    for entry, tagging in entries:
        latest[entry.key] = (entry, tagging)  # a feed repeating a guid keeps its last version
    known = await items.find_items(session=session, source_id=source_id, keys=list(latest))
    fresh = [pair for key, pair in latest.items() if key not in known]
    edited = [
        pair
        for key, pair in latest.items()
        if key in known and known[key].text_hash != pair[0].text_hash
    ]
    duplicates = len(latest) - len(fresh) - len(edited)

    stored: list[items.StoredItem] = []
    joined = 0
    pending = fresh
    while pending:
        # Entries of one batch that are copies of each other: the later ones wait for a
        # second round, in which the first one's story exists and is found like any other.
        now_round, pending = _split_siblings(pending)
        round_stored, round_joined = await _store_fresh(session, source_id, now_round, now=now)
        stored += round_stored
        joined += round_joined
    for entry, tagging in edited:
        item = known[entry.key]
        await items.update_item(
            session=session,
            item_id=item.id,
            story_id=item.story_id,
            item=_new_item(entry, tagging, item.story_id),
            now=now,
        )
    return StoreCounts(
        new=len(stored),
        updated=len(edited),
        duplicates=duplicates,
        joined=joined,
        new_ids=tuple(s.id for s in stored),
    )


async def lock_stories(session: AsyncSession) -> None:
    """Serialise story folding across worker processes sharing one PostgreSQL database.

    Without it two workers could each start a story for two copies of the same news.
    The lock is held until the transaction ends.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STORY_LOCK})


async def _store_fresh(
    session: AsyncSession,
    source_id: str,
    fresh: Sequence[tuple[CleanEntry, Tagging]],
    *,
    now: datetime,
) -> tuple[list[items.StoredItem], int]:
    exact = await items.find_stories(
        session=session, keys=[k for entry, _ in fresh for k in _lookup_keys(entry)]
    )
    fingerprints = {entry.key: dedup.fingerprint(entry.title, entry.text) for entry, _ in fresh}
    story_of = {
        entry.key: story_id
        for entry, _ in fresh
        if (story_id := next((exact[k] for k in _lookup_keys(entry) if k in exact), None))
    }
    unmatched = [entry for entry, _ in fresh if entry.key not in story_of]
    story_of.update(await _near_stories(session, unmatched, fingerprints))
    planned = [_new_item(entry, tagging, story_of.get(entry.key)) for entry, tagging in fresh]
    stored = await items.insert_items(session=session, source_id=source_id, items=planned, now=now)
    published = {entry.key: entry.published_at for entry, _ in fresh}
    # A word-for-word copy has its original's bands already: indexing it again adds nothing.
    copies = {entry.key for entry, _ in fresh if f"h:{entry.text_hash}" in exact}
    await bands.add_bands_many(
        session=session,
        rows=[
            (item.id, fingerprints[item.key].bands, published[item.key])
            for item in stored
            if item.key not in copies
        ],
    )
    return stored, sum(1 for item in stored if not item.new_story)


async def _near_stories(
    session: AsyncSession,
    entries: Sequence[CleanEntry],
    fingerprints: dict[str, dedup.Fingerprint],
) -> dict[str, int]:
    """The stories that near-duplicates of these entries already belong to, if any."""
    if not entries:
        return {}
    candidates = await bands.find_candidates_many(
        session=session,
        bands_of={entry.key: fingerprints[entry.key].bands for entry in entries},
        since_of={entry.key: entry.published_at - STORY_WINDOW for entry in entries},
        limit=NEAR_CANDIDATES,
    )
    texts = await items.load_texts(
        session=session, item_ids=sorted({i for found in candidates.values() for i in found})
    )
    found: dict[str, int] = {}
    for entry in entries:
        for item_id in candidates.get(entry.key, ()):
            title, text, story_id = texts.get(item_id, ("", "", None))
            if story_id is not None and dedup.is_same_story(
                fingerprints[entry.key], _checked_print(title, text)
            ):
                found[entry.key] = story_id
                break
    return found


@lru_cache(maxsize=4096)
def _checked_print(title: str, text: str) -> dedup.Fingerprint:
    # A story's items are candidates again and again while it is news: remember their prints.
    return dedup.fingerprint(title, text, indexed=False)


def _split_siblings(
    entries: Sequence[tuple[CleanEntry, Tagging]],
) -> tuple[list[tuple[CleanEntry, Tagging]], list[tuple[CleanEntry, Tagging]]]:
    claimed: set[str] = set()
    first: list[tuple[CleanEntry, Tagging]] = []
    later: list[tuple[CleanEntry, Tagging]] = []
    for pair in entries:
        lookup = set(_lookup_keys(pair[0]))
        (later if lookup & claimed else first).append(pair)
        claimed |= lookup
    return first, later


def _new_item(entry: CleanEntry, tagging: Tagging, story_id: int | None) -> items.NewItem:
    return items.NewItem(
        key=entry.key,
        title=entry.title,
        text=entry.text,
        text_hash=entry.text_hash,
        published_at=entry.published_at,
        url=entry.url,
        canonical_url=entry.canonical_url,
        lang=entry.lang,
        author=entry.author,
        views=entry.views,
        forwarded_from=entry.forwarded_from,
        forwarded_key=entry.forwarded_key,
        actors=tuple((tag.id, tag.confidence) for tag in tagging.actors),
        topics=tagging.topics,
        story_keys=_story_keys(entry),
        story_id=story_id,
    )


def _story_keys(entry: CleanEntry) -> tuple[str, ...]:
    """The exact keys later copies of this entry will be found by."""
    keys = []
    if entry.canonical_url:
        keys.append(f"u:{entry.canonical_url}")
    if entry.preview_url:
        keys.append(f"u:{entry.preview_url}")
    if entry.key.startswith("tg:"):
        keys.append(f"k:{entry.key}")
    if len(entry.title) + len(entry.text) >= MIN_HASH_CHARS:
        keys.append(f"h:{entry.text_hash}")
    return tuple(keys)


def _lookup_keys(entry: CleanEntry) -> tuple[str, ...]:
    """The keys an entry looks its story up by: its own, and the post it forwards."""
    own = _story_keys(entry)
    return (f"k:{entry.forwarded_key}", *own) if entry.forwarded_key else own


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


def _report(
    source_id: str, status: int, entries: int, counts: StoreCounts, skipped: int
) -> SourceReport:
    return SourceReport(
        source_id=source_id,
        status=status,
        entries=entries,
        new=counts.new,
        updated=counts.updated,
        skipped=skipped,
        duplicates=counts.duplicates,
        joined=counts.joined,
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
