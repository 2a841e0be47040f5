"""Stories: one event folds whoever told it, in whatever words or language, and whenever stored."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.model import CleanEntry, Tagging
from bot.pipeline.stories import NearDuplicates, SourceEntries, store_entries
from storage import migrate
from storage.db import create_engine, sessionmaker, transaction
from storage.locks import lock_stories
from storage.models import Item, SentStory, Source, Story, StoryActor
from tests.data.events import EVENTS, Event, Version
from tests.data.labelled import LabelledPair, load_story_pairs

SOURCES = ("a", "b", "c", "d", "e")


@functools.cache
def labelled() -> list[LabelledPair]:
    pairs, _ = load_story_pairs()
    return pairs


@functools.cache
def decisions() -> dict[str, bool]:
    from bot.pipeline.stories import same_news

    pairs, frequencies = load_story_pairs()
    return {pair.id: same_news(pair.a, pair.b, frequencies) for pair in pairs}


# --- the labelled set, per category ------------------------------------------------------------

# (category, which pairs, the least recall of same-news pairs) — hard negatives: most joined.
CATEGORIES = [
    ("headline", lambda p: p.kind == "headline", 0.97),
    ("paraphrase", lambda p: p.kind == "paraphrase", 0.85),
    ("crosslang", lambda p: p.kind == "crosslang", 0.70),
]


@pytest.mark.parametrize(("kind", "chosen", "least"), CATEGORIES, ids=[c[0] for c in CATEGORIES])
def test_each_kind_of_report_of_one_event_folds(kind: str, chosen, least: float) -> None:  # type: ignore[no-untyped-def]
    pairs = [p for p in labelled() if chosen(p)]
    missed = [p.id for p in pairs if not decisions()[p.id]]
    assert len(pairs) >= 60
    assert 1 - len(missed) / len(pairs) >= least, f"{kind}: missed {missed}"


def test_same_actors_same_day_other_events_stay_apart() -> None:
    negatives = [p for p in labelled() if not p.same]
    joined = [p.id for p in negatives if decisions()[p.id]]
    assert len(negatives) >= 150
    assert len(joined) / len(negatives) <= 0.02, f"joined: {joined}"


@pytest.mark.parametrize(
    ("name", "cross", "least_precision", "least_recall"),
    [("same language", False, 0.97, 0.93), ("across languages", True, 0.95, 0.70)],
)
def test_the_goals_hold_on_the_labelled_set(
    name: str, cross: bool, least_precision: float, least_recall: float
) -> None:
    pairs = [p for p in labelled() if p.cross == cross]
    folded = [p for p in pairs if decisions()[p.id]]
    right = [p for p in folded if p.same]
    same = [p for p in pairs if p.same]
    assert len(right) / len(folded) >= least_precision, name
    assert len(right) / len(same) >= least_recall, name


def test_the_held_out_families_are_a_quarter_of_the_set() -> None:
    held = [p for p in labelled() if p.held_out]
    assert 0.25 <= len(held) / len(labelled()) <= 0.4
    assert {p.kind for p in held} == {"headline", "paraphrase", "crosslang", "hard-negative"}


# --- through the store ------------------------------------------------------------------------


async def migrated(path: Path) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await migrate.upgrade(engine)
    sessions = sessionmaker(engine)
    async with transaction(sessions) as session:
        for source in SOURCES:
            session.add(Source(id=source, name=source.upper()))
    return engine, sessions


async def store(
    sessions: async_sessionmaker[AsyncSession],
    near: NearDuplicates,
    batches: Sequence[SourceEntries],
) -> None:
    async with transaction(sessions) as session:
        await lock_stories(session=session)
        await store_entries(session=session, near=near, batches=batches)


async def story_of(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Each stored item's story, by the source that carried it."""
    async with sessions() as session:
        rows = await session.execute(select(Item.source_id, Item.story_id))
        return {source: story for source, story in rows.all()}


def one_of_each_kind() -> list[LabelledPair]:
    """Two pairs of every kind, one from the tuning part and one held out, in es, en and fr."""
    chosen: list[LabelledPair] = []
    for kind in ("headline", "paraphrase", "crosslang", "hard-negative"):
        for held in (False, True):
            chosen.append(next(p for p in labelled() if p.kind == kind and p.held_out == held))
    return chosen


@pytest.mark.parametrize("pair", one_of_each_kind(), ids=lambda p: p.id)
async def test_a_later_report_joins_the_story_of_its_event(
    pair: LabelledPair, tmp_path: Path
) -> None:
    engine, sessions = await migrated(tmp_path / "vigia.db")
    near = NearDuplicates()
    (first, first_tags), (second, second_tags) = pair.entries
    await store(sessions, near, [SourceEntries("a", first.published_at, ((first, first_tags),))])
    await store(sessions, near, [SourceEntries("b", second.published_at, ((second, second_tags),))])
    stories = await story_of(sessions)
    assert (stories["a"] == stories["b"]) == pair.same
    await engine.dispose()


def entry(event: Event, version: Version, lang: str, *, hours: float = 0) -> CleanEntry:
    at = datetime.fromisoformat(event.day).replace(hour=event.hour, tzinfo=UTC)
    return CleanEntry(
        key=f"{event.id}-{lang}-{hours}",
        url=None,
        canonical_url=None,
        title=version.title,
        text=version.text,
        published_at=at + timedelta(hours=hours),
        lang=lang,
        text_hash=f"{version.title}|{version.text}",
    )


def tagged(item: CleanEntry) -> Tagging:
    from bot.pipeline.relevance import tag_text
    from bot.pipeline.tag import Tagger
    from bot.steering import bundled, load_actors

    catalog = load_actors(bundled("actors.toml"))
    return tag_text(Tagger(catalog.actors, catalog.topics), item.text, title=item.title)


def the_same_news_and_another() -> list[tuple[str, CleanEntry]]:
    """A wire copy, the copy under another headline, its English version, a paraphrase, and
    another event of the same actors that day."""
    event, other = EVENTS[3], EVENTS[4]  # Cabello: the Zulia plot; the Apure cocaine
    renamed = Version(event.es.alt_title, "", f"{event.es.text} Con información de agencias.")
    return [
        ("a", entry(event, event.es, "es")),
        ("b", entry(event, renamed, "es", hours=0.5)),
        ("c", entry(event, event.en, "en", hours=1)),
        ("d", entry(event, event.es_other, "es", hours=2)),
        ("e", entry(other, other.es, "es")),
    ]


async def test_reports_stored_in_one_batch_fold_as_if_stored_one_by_one(tmp_path: Path) -> None:
    items = the_same_news_and_another()
    together_engine, together = await migrated(tmp_path / "together.db")
    # One group commit: every source of the round in one call.
    await store(
        together,
        NearDuplicates(),
        [SourceEntries(source, item.published_at, ((item, tagged(item)),)) for source, item in items],
    )
    apart_engine, apart = await migrated(tmp_path / "apart.db")
    near = NearDuplicates()
    for source, item in items:
        await store(apart, near, [SourceEntries(source, item.published_at, ((item, tagged(item)),))])
    for sessions in (together, apart):
        stories = await story_of(sessions)
        assert stories["a"] == stories["b"] == stories["c"] == stories["d"]
        assert stories["e"] != stories["a"]
    await together_engine.dispose()
    await apart_engine.dispose()


async def test_copies_in_one_batch_fold_on_postgresql_too(any_engine: AsyncEngine) -> None:
    sessions = sessionmaker(any_engine)
    async with transaction(sessions) as session:
        for source in SOURCES:
            session.add(Source(id=source, name=source.upper()))
    items = the_same_news_and_another()
    await store(
        sessions,
        NearDuplicates(),
        [SourceEntries(source, item.published_at, ((item, tagged(item)),)) for source, item in items],
    )
    stories = await story_of(sessions)
    assert len({stories[s] for s in "abcd"}) == 1
    async with sessions() as session:
        story = await session.get(Story, stories["a"])
        assert story is not None and story.source_count == 4 and story.item_count == 4


async def test_a_later_item_that_proves_two_stories_one_event_merges_them(tmp_path: Path) -> None:
    engine, sessions = await migrated(tmp_path / "vigia.db")
    near = NearDuplicates()
    event = EVENTS[10]  # the CNE's audit of voting machines
    spanish = entry(event, event.es, "es")
    # The English report comes out two days later: too late to be told the same event alone.
    english = entry(event, event.en, "en", hours=40)
    # A Spanish paraphrase from between the two, stored last, is close in time to both.
    between = entry(event, event.es_other, "es", hours=20)
    await store(sessions, near, [SourceEntries("a", spanish.published_at, ((spanish, tagged(spanish)),))])
    await store(sessions, near, [SourceEntries("b", english.published_at, ((english, tagged(english)),))])
    apart = await story_of(sessions)
    assert apart["a"] != apart["b"]
    async with transaction(sessions) as session:  # chat 7 was sent the English story
        session.add(SentStory(chat_id=7, story_id=apart["b"], source_count=1,
                              sent_at=english.published_at))
    await store(sessions, near, [SourceEntries("c", between.published_at, ((between, tagged(between)),))])
    merged = await story_of(sessions)
    assert merged["a"] == merged["b"] == merged["c"] == min(apart.values())
    async with sessions() as session:
        assert len((await session.execute(select(Story.id))).all()) == 1
        story = await session.get(Story, merged["a"])
        assert story is not None and story.source_count == 3
        sent = (await session.execute(select(SentStory.story_id).where(SentStory.chat_id == 7))).all()
        assert sent == [(merged["a"],)]  # not sent again as new: a follow-up, now with 3 sources
        actors = (await session.execute(
            select(StoryActor.actor_id).where(StoryActor.story_id == merged["a"])
        )).scalars().all()
        assert "cne" in actors
    await engine.dispose()
