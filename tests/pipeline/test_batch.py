"""Store batches: sources read together are stored together, and one bad source sinks no other."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.model import ActorTag, CleanEntry, Tagging
from bot.pipeline.batch import StoreBatches, store_batched
from bot.pipeline.mark import Polled
from bot.pipeline.stories import SourceEntries, Stored
from storage import migrate
from storage.db import create_engine, sessionmaker, transaction
from storage.models import Item, Source, Story

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TEXT = (
    "El Consejo Nacional Electoral anunció que publicará las actas de votación mesa por mesa "
    "antes del viernes, tras la presión de observadores internacionales y del Centro Carter."
)


def entry(key: str, title: str, text: str, url: str) -> tuple[CleanEntry, Tagging]:
    clean = CleanEntry(
        key=key, url=url, canonical_url=url, title=title, text=text, published_at=NOW,
        lang="es", text_hash=f"{title}|{text}",
    )
    return clean, Tagging(relevant=True, actors=(ActorTag("cne", "CNE", 1.0),), topics=("elections",))


def read(source: str, key: str, title: str, text: str, *, url: str | None = None) -> SourceEntries:
    """What one poll of `source` read: one relevant entry."""
    return SourceEntries(
        source, NOW, (entry(key, title, text, url or f"https://{source}.example/{key}"),)
    )


LATER = datetime(2026, 11, 22, 12, 5, tzinfo=UTC)


def polled(source: str, *, newest_post: int | None = None) -> Polled:
    """A good poll of `source`, marked in the batch that stores its read."""
    return Polled(
        source_id=source, now=LATER, status=200, interval=900, min_interval=300,
        max_interval=21600, newest_post=newest_post,
    )


async def polled_sources(sessions: async_sessionmaker[AsyncSession]) -> set[str]:
    async with sessions() as session:
        rows = await session.scalars(select(Source.id).where(
            Source.last_polled_at.is_not(None)))  # type: ignore[union-attr]
        return set(rows.all())


@pytest.fixture
async def maker(any_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    sessions = sessionmaker(any_engine)
    async with transaction(sessions) as session:
        for source in ("a", "b", "c"):
            session.add(Source(id=source, name=source.upper()))
    return sessions


async def counts_of(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with sessions() as session:
        items = (await session.execute(select(func.count()).select_from(Item))).scalar_one()
        stories = (await session.execute(select(func.count()).select_from(Story))).scalar_one()
    return items, stories


async def test_sources_waiting_together_are_stored_in_one_turn_and_fold(
    maker: async_sessionmaker[AsyncSession],
) -> None:
    store = StoreBatches(maker)
    commits: list[object] = []
    engine = maker.kw["bind"].sync_engine

    def count_commit(connection: object) -> None:
        commits.append(connection)

    event.listen(engine, "commit", count_commit)
    batches = [
        read("a", "1", "El CNE publicará las actas", TEXT),
        # The same wire copy under another outlet's link: one story, two sources.
        read("b", "x", "El CNE publicará las actas", TEXT),
        read("c", "9", "Otra noticia sobre Maduro", "Texto distinto " * 9),
    ]
    async with store.lock:  # the turn is busy: all three queue up behind it
        waiting = [
            asyncio.create_task(store_batched(store, batch, polled=polled(batch.source_id)))
            for batch in batches
        ]
        await asyncio.sleep(0.01)
    results = await asyncio.gather(*waiting)
    event.remove(engine, "commit", count_commit)
    assert len(commits) == 1  # one transaction for the three
    assert await polled_sources(maker) == {"a", "b", "c"}  # each poll marked in it
    assert [r.new for r in results] == [1, 1, 1]
    assert [r.joined for r in results] == [0, 1, 0]  # b's copy joined a's story, in the same turn
    # Storing hands back the new items themselves: what alerts and channel posts take on.
    assert [[item.key for item in r.items] for r in results] == [["1"], ["x"], ["9"]]
    assert results[1].items[0].story_id == results[0].items[0].story_id
    assert results[0].items[0].new_story and not results[1].items[0].new_story
    assert store.waiting == []
    assert await counts_of(maker) == (3, 2)


async def test_a_failing_source_in_a_group_costs_the_others_nothing(
    maker: async_sessionmaker[AsyncSession],
) -> None:
    store = StoreBatches(maker)
    async with store.lock:
        good = asyncio.create_task(store_batched(
            store, read("a", "1", "Uno", TEXT), polled=polled("a"),
        ))
        # A poll whose state cannot be written (a post id no integer column holds).
        bad = asyncio.create_task(store_batched(
            store, read("b", "2", "Dos", TEXT + " Segunda."), polled=polled("b", newest_post=2**70),
        ))
        also_good = asyncio.create_task(store_batched(
            store, read("c", "3", "Tres", "Otro texto " * 9), polled=polled("c"),
        ))
        await asyncio.sleep(0.01)
    assert (await good).new == 1
    assert (await also_good).new == 1
    with pytest.raises(Exception, match=r"(?i)overflow|too large|out of .*range"):
        await bad
    assert await polled_sources(maker) == {"a", "c"}  # marked, retried alone
    assert await counts_of(maker) == (2, 2)  # b's item rolled back with its failed poll


async def test_a_source_twice_in_the_queue_waits_for_the_next_turn(
    maker: async_sessionmaker[AsyncSession],
) -> None:
    store = StoreBatches(maker)
    async with store.lock:
        first = asyncio.create_task(store_batched(store, read("a", "1", "Uno", TEXT)))
        again = asyncio.create_task(store_batched(store, read("a", "1", "Uno", TEXT)))
        await asyncio.sleep(0.01)
    assert (await first).new == 1
    assert (await again) == Stored(duplicates=1)  # its own counts, not blurred with the first


async def test_a_cancelled_source_leaves_the_others_to_be_stored(
    maker: async_sessionmaker[AsyncSession],
) -> None:
    store = StoreBatches(maker)
    async with store.lock:
        gone = asyncio.create_task(store_batched(store, read("a", "1", "Uno", TEXT)))
        kept = asyncio.create_task(store_batched(store, read("b", "2", "Dos", "Otro texto " * 9)))
        await asyncio.sleep(0.01)
        gone.cancel()
        await asyncio.sleep(0.01)
    assert (await kept).new == 1
    assert gone.cancelled()
    assert store.waiting == []
    assert await counts_of(maker) == (1, 1)


async def test_each_database_folds_against_its_own_items_only(tmp_path: Path) -> None:
    """Two databases in one process (the bench, the tests): item 1 of one is not item 1 of
    the other, so what one remembers of its items must never decide a fold in the other."""
    wire = (
        "Las autoridades electorales de Venezuela confirmaron este martes que las actas de "
        "votación serán publicadas mesa por mesa antes del viernes, según anunció el rector "
        "principal en una rueda de prensa celebrada en Caracas ante observadores extranjeros "
        "y representantes de los partidos que participaron en la elección presidencial."
    )
    other = (
        "El Banco Central de Venezuela informó que la inflación de octubre se desaceleró por "
        "tercer mes consecutivo, aunque los precios de los alimentos siguieron subiendo en "
        "Maracaibo y Valencia, según el boletín publicado por la institución el lunes en su "
        "portal oficial junto con las cifras de reservas internacionales del trimestre."
    )
    stores = []
    for name, first_text in (("two", wire), ("one", other)):
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / name}.db")
        await migrate.upgrade(engine)
        sessions = sessionmaker(engine)
        async with transaction(sessions) as session:
            session.add(Source(id="a", name="A"))
            session.add(Source(id="b", name="B"))
        store = StoreBatches(sessions)
        # Item 1 of each database: a different text in each.
        await store_batched(
            store, read("a", "1", "Noticia", first_text, url=f"https://a.example/{name}")
        )
        stores.append((engine, store))
    # A rewrite of database two's item 1 arrives there, after database one stored its own
    # item 1: it must fold into the story of database two's item.
    rewrite = wire.replace("este martes", "el martes").replace("ante observadores",
                                                               "frente a observadores")
    counts = await store_batched(stores[0][1], read("b", "9", "Noticia", rewrite))
    assert counts.joined == 1
    for engine, _ in stores:
        await engine.dispose()
