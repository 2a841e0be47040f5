"""The resources one Vigía process holds: settings, database, HTTP client, steering files."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import (
    Catalog,
    ConfigError,
    Feeds,
    Settings,
    check_publish_actors,
    load_actors,
    load_feeds,
)
from bot.model import PublishConfig, SourceConfig
from bot.pipeline.commit import GroupCommit
from bot.pipeline.prepare import Preparer
from bot.pipeline.tag import Tagger
from bot.sources.fetch import Fetcher
from storage import migrate
from storage.db import create_engine, sessionmaker, transaction
from storage.models import Actor as ActorRow
from storage.models import Source
from storage.publish import TargetWanted, sync_targets
from storage.schedule import next_time_at
from storage.sources import sync_actors, sync_sources

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Runtime:
    """Everything a tick, a command or the CLI needs; steering state is replaced on reload."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    fetcher: Fetcher
    catalog: Catalog
    tagger: Tagger
    sources: tuple[SourceConfig, ...]
    # Fetching runs many sources at once; folding into stories runs one group at a time.
    store: GroupCommit
    preparer: Preparer  # parse → normalise → tag → fingerprint, off the event loop
    publish: tuple[PublishConfig, ...] = ()  # the channels Vigía keeps fed
    stamps: tuple[float, float] = (0.0, 0.0)  # the steering files' mtimes at the last reload
    pruned_at: datetime | None = None  # when the near-duplicate index was last pruned

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
        try:
            catalog = load_actors(self.settings.actors)
        except ConfigError as error:
            problems += [str(problem) for problem in error.problems]
            catalog = self.catalog
        try:
            feeds = _load_feeds(self.settings.feeds, catalog)
        except ConfigError as error:
            problems += [str(problem) for problem in error.problems]
            feeds = Feeds(self.sources, self.publish)
        sources = feeds.sources
        if catalog is not self.catalog:  # a catalog that was read is checked: it builds
            self.tagger = Tagger(catalog.actors, catalog.topics)
            self.catalog = catalog
            self.preparer.reload(catalog, self.tagger)
        self.sources = sources
        self.publish = feeds.publish
        await _sync(self.sessions, sources, catalog, feeds.publish)
        for problem in problems:
            logger.warning("steering file refused, last good one kept: %s", problem)
        return problems


@asynccontextmanager
async def open_runtime(settings: Settings, *, fetcher: Fetcher | None = None,
                       upgrade: bool = True) -> AsyncIterator[Runtime]:
    """Open the database (migrated), one HTTP client and the steering files; close them after.

    Broken steering files at start raise ConfigError: there is no last good state to keep yet.
    """
    catalog = load_actors(settings.actors)
    feeds = _load_feeds(settings.feeds, catalog)
    sources = feeds.sources
    engine = create_engine(settings.database_url)
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher()
    tagger = Tagger(catalog.actors, catalog.topics)
    preparer = Preparer(catalog, tagger, workers=settings.prepare_workers)
    try:
        if upgrade:
            await migrate.upgrade(engine)
        sessions = sessionmaker(engine)
        runtime = Runtime(
            settings=settings, engine=engine, sessions=sessions, fetcher=fetcher,
            catalog=catalog, tagger=tagger, sources=sources, publish=feeds.publish,
            store=GroupCommit(sessions), preparer=preparer, stamps=_stamps(settings),
        )
        await _sync(runtime.sessions, sources, catalog, feeds.publish)
        yield runtime
    finally:
        preparer.close()
        if own_fetcher:
            await fetcher.aclose()
        await engine.dispose()


def _load_feeds(path: Path, catalog: Catalog) -> Feeds:
    """feeds.toml, its [[publish]] actors checked against the catalog."""
    feeds = load_feeds(path)
    problems = check_publish_actors(path, feeds.publish, catalog)
    if problems:
        raise ConfigError(problems)
    return feeds


async def _sync(sessions: async_sessionmaker[AsyncSession], sources: tuple[SourceConfig, ...],
                catalog: Catalog, publish: tuple[PublishConfig, ...]) -> None:
    """Mirror the steering files into the database, which the ticks and commands read."""
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
            for p in publish
        ]
        await sync_targets(session=session, targets=wanted, now=now)


def _stamps(settings: Settings) -> tuple[float, float]:
    def mtime(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return 0.0

    return mtime(settings.feeds), mtime(settings.actors)
