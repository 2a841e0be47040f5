"""What one Vigía process opens (database, HTTP client, prepare workers, steering files) and wires."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.model import Entry, PublishConfig, SourceConfig
from bot.pipeline.batch import StoreBatches
from bot.pipeline.ingest import SourceReport, ingest_pushed, poll_due
from bot.pipeline.prepare import PrepareWorkers
from bot.pipeline.tag import Tagger
from bot.settings import Settings
from bot.sources.fetch import Fetcher
from bot.steering import (
    Catalog,
    ConfigError,
    Feeds,
    Steering,
    check_publish_actors,
    load_actors,
    load_feeds,
)
from bot.worker import Worker, working
from storage import migrate
from storage.db import Engine, Sessions, create_engine, sessionmaker, transaction
from storage.models import Actor as ActorRow
from storage.models import Source
from storage.publish import TargetWanted, sync_targets
from storage.schedule import next_time_at
from storage.sources import sync_actors, sync_sources

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Runtime:
    """The resources of one process, held by the assembler (`app`, the CLI) alone: it hands
    each tick and command the few it uses, never this whole."""

    settings: Settings
    engine: Engine
    sessions: Sessions
    fetcher: Fetcher
    steering: Steering
    workers: PrepareWorkers  # parse → normalise → tag → fingerprint, off the event loop
    batches: StoreBatches  # reads stored together, one transaction a batch
    # This process among the deployment's workers: its name, its leases, its stop.
    worker: Worker = field(default_factory=Worker)
    stamps: tuple[float, float] = (0.0, 0.0)  # the steering files' mtimes at the last reload

    @property
    def sources(self) -> tuple[SourceConfig, ...]:
        """The sources of feeds.toml in use."""
        return self.steering.sources

    @property
    def publish(self) -> tuple[PublishConfig, ...]:
        """The channel outputs of feeds.toml in use."""
        return self.steering.publish

    @property
    def catalog(self) -> Catalog:
        """The actors and topics of actors.toml in use."""
        return self.steering.catalog

    async def poll_due(
        self,
        *,
        ids: Sequence[str] | None = None,
        now: datetime | None = None,
        progress: Callable[[SourceReport, int], None] | None = None,
    ) -> list[SourceReport]:
        """Poll the due sources (or exactly `ids`) with this process's resources."""
        return await poll_due(
            sessions=self.sessions,
            settings=self.settings,
            sources=self.steering.sources,
            fetcher=self.fetcher,
            workers=self.workers,
            batches=self.batches,
            worker=self.worker,
            ids=ids,
            now=now,
            progress=progress,
        )

    async def store_posts(self, channel: str, entries: Sequence[Entry]) -> SourceReport | None:
        """Store the posts a channel pushed to the bot, if feeds.toml reads that channel."""
        return await ingest_pushed(
            channel=channel,
            entries=entries,
            sources=self.steering.sources,
            workers=self.workers,
            batches=self.batches,
        )

    async def reload_if_changed(self) -> list[str] | None:
        """Reload when feeds.toml or actors.toml changed on disk since the last look."""
        stamps = _stamps(self.settings)
        if stamps == self.stamps:
            return None
        return await self.reload()

    async def reload(self) -> list[str]:
        """Re-read feeds.toml and actors.toml; keep the last good state if either is broken."""
        self.stamps = _stamps(self.settings)
        problems: list[str] = []
        # Off the loop: ten thousand sources or actors take seconds to read and build.
        try:
            catalog = await asyncio.to_thread(load_actors, self.settings.actors)
        except ConfigError as error:
            problems += [str(problem) for problem in error.problems]
            catalog = self.steering.catalog
        try:
            feeds = await asyncio.to_thread(_load_feeds, self.settings.feeds, catalog)
        except ConfigError as error:
            problems += [str(problem) for problem in error.problems]
            feeds = Feeds(self.steering.sources, self.steering.publish)
        if catalog is not self.steering.catalog:  # a catalog that was read is checked: it builds
            tagger = await asyncio.to_thread(Tagger, catalog.actors, catalog.topics)
            self.workers.reload(catalog, tagger)
        dropped = sorted({s.id for s in self.steering.sources} - {s.id for s in feeds.sources})
        if dropped:
            logger.warning(
                "feeds.toml no longer lists %d source(s), now kept but not polled: %s",
                len(dropped), ", ".join(dropped),
            )
        self.steering.sources, self.steering.catalog = feeds.sources, catalog
        self.steering.publish = feeds.publish
        await _sync(self.sessions, feeds, catalog)
        for problem in problems:
            logger.warning("steering file refused, last good one kept: %s", problem)
        return problems


@asynccontextmanager
async def open_runtime(settings: Settings, *, fetcher: Fetcher | None = None,
                       upgrade: bool = True, worker: Worker | None = None) -> AsyncIterator[Runtime]:
    """Open the database (migrated), one HTTP client and the steering files; close them after.

    Broken steering files at start raise ConfigError: there is no last good state to keep yet.
    """
    catalog = load_actors(settings.actors)
    feeds = _load_feeds(settings.feeds, catalog)
    engine = create_engine(settings.database_url)
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(allow_private_networks=settings.allow_private_networks)
    tagger = Tagger(catalog.actors, catalog.topics)
    workers = PrepareWorkers(catalog, tagger, workers=settings.prepare_workers)
    try:
        if upgrade:
            await migrate.upgrade(engine)
        sessions = sessionmaker(engine)
        runtime = Runtime(
            settings=settings, engine=engine, sessions=sessions, fetcher=fetcher,
            steering=Steering(sources=feeds.sources, catalog=catalog, publish=feeds.publish),
            workers=workers,
            batches=StoreBatches(sessions), worker=worker or worker_of(settings),
            stamps=_stamps(settings),
        )
        await _sync(runtime.sessions, feeds, catalog)
        async with working(runtime.worker, sessions):
            yield runtime
    finally:
        workers.close()
        if own_fetcher:
            await fetcher.aclose()
        await engine.dispose()


def worker_of(settings: Settings) -> Worker:
    """This process as a worker, holding its deliveries for BOT_DELIVERY_LEASE."""
    return Worker(delivery_lease=timedelta(seconds=settings.delivery_lease))


def _load_feeds(path: Path, catalog: Catalog) -> Feeds:
    """feeds.toml, its [[publish]] actors checked against the catalog."""
    feeds = load_feeds(path)
    problems = check_publish_actors(path, feeds.publish, catalog)
    if problems:
        raise ConfigError(problems)
    return feeds


async def _sync(sessions: Sessions, feeds: Feeds, catalog: Catalog) -> None:
    """Mirror the steering files into the database, which the ticks and commands read."""
    sources = feeds.sources
    rows = [Source(
        id=s.id, name=s.name, kind=s.kind, url=s.url, channel=s.channel, lang=s.lang,
        scope=s.scope, enabled=s.enabled, interval=s.interval, min_interval=s.min_interval,
        max_interval=s.max_interval,
    ) for s in sources]
    actors = [ActorRow(id=a.id, name=a.name, kind=a.kind, weight=a.weight) for a in catalog.actors]
    async with transaction(sessions) as session:
        await sync_sources(session=session, sources=rows, now=datetime.now(UTC))
        await sync_actors(session=session, actors=actors)
        now = datetime.now(UTC)
        wanted = [
            TargetWanted(
                id=p.id,
                chat=p.chat,
                what=p.what,
                next_digest_at=(
                    next_time_at(times=p.times, tz=p.timezone, now=now) if p.what == "digest" else None
                ),
            )
            for p in feeds.publish
        ]
        await sync_targets(session=session, targets=wanted, now=now)


def _stamps(settings: Settings) -> tuple[float, float]:
    def mtime(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return 0.0

    return mtime(settings.feeds), mtime(settings.actors)
