"""What `/digest`, `/actor` and `/search` list: the right stories, ranked, paged, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.digest.select import search_stories, select_actor, select_window
from storage.db import sessionmaker, transaction
from storage.models import SentStory
from tests.sample_stories import ACTORS, SOURCES, add_story, seed_catalog

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

@pytest.fixture
async def session(any_engine: AsyncEngine) -> AsyncSession:
    maker = sessionmaker(any_engine)
    async with transaction(maker) as session:
        await seed_catalog(session)
        yield session  # type: ignore[misc]


async def test_window_ranks_by_sources_recency_and_actor_weight(session: AsyncSession) -> None:
    lone = await add_story(session, title="Lone report", seen=NOW - timedelta(hours=1))
    wide = await add_story(
        session,
        title="Widely reported",
        seen=NOW - timedelta(hours=3),
        sources=("efecto", "wire", "monde"),
    )
    actor = await add_story(
        session, title="Maduro speaks", seen=NOW - timedelta(hours=1), actors=("maduro",)
    )
    await add_story(session, title="Too old", seen=NOW - timedelta(hours=30))

    page = await select_window(session=session, since=NOW - timedelta(hours=24), until=NOW)

    assert [story.id for story in page.stories] == [wide, actor, lone]
    assert page.total == 3
    assert page.stories[0].source_count == 3
    assert page.stories[0].score > page.stories[1].score > page.stories[2].score
    assert page.last_item_at == NOW - timedelta(hours=1)


async def test_view_carries_title_best_source_actors_and_topics(session: AsyncSession) -> None:
    await add_story(
        session,
        title="CNE fija fecha",
        seen=NOW - timedelta(minutes=5),
        sources=("efecto", "wire"),
        actors=("cne", "maduro", "machado"),
        topics=("elections",),
    )

    (story,) = (
        await select_window(session=session, since=NOW - timedelta(hours=6), until=NOW)
    ).stories

    assert story.title == "CNE fija fecha"
    assert story.source_name == "Efecto Cocuyo"
    assert story.url is not None and story.url.startswith("https://efecto.example/")
    assert story.actors == ("Nicolás Maduro", "María Corina Machado", "Consejo Nacional Electoral")
    assert story.topics == ("elections",)
    assert story.lang == "es"
    assert story.last_seen == NOW - timedelta(minutes=5)


async def test_window_pages_without_overlap(session: AsyncSession) -> None:
    for index in range(25):
        await add_story(session, title=f"Story {index}", seen=NOW - timedelta(minutes=index))

    pages = [
        await select_window(
            session=session, since=NOW - timedelta(hours=24), until=NOW, limit=10, offset=offset
        )
        for offset in (0, 10, 20)
    ]

    ids = [story.id for page in pages for story in page.stories]
    assert [len(page.stories) for page in pages] == [10, 10, 5]
    assert len(set(ids)) == 25
    assert all(page.total == 25 for page in pages)


async def test_languages_keep_stories_with_an_item_in_them(session: AsyncSession) -> None:
    spanish = await add_story(session, title="Solo español", seen=NOW - timedelta(hours=1))
    english = await add_story(
        session, title="English only", seen=NOW - timedelta(hours=1), sources=("wire",)
    )
    both = await add_story(
        session, title="Both", seen=NOW - timedelta(hours=1), sources=("monde", "efecto")
    )

    page = await select_window(
        session=session, since=NOW - timedelta(hours=24), until=NOW, languages=frozenset({"es"})
    )

    assert {story.id for story in page.stories} == {spanish, both}
    assert english not in {story.id for story in page.stories}


async def test_sent_stories_are_left_out_unless_they_gained_sources(session: AsyncSession) -> None:
    chat = 4242
    sent = await add_story(session, title="Already sent", seen=NOW - timedelta(hours=2))
    grown = await add_story(
        session,
        title="Grew since",
        seen=NOW - timedelta(hours=2),
        sources=("efecto", "wire", "monde"),
    )
    fresh = await add_story(session, title="Fresh", seen=NOW - timedelta(hours=2))
    session.add(SentStory(chat_id=chat, story_id=sent, source_count=1, sent_at=NOW))
    session.add(SentStory(chat_id=chat, story_id=grown, source_count=1, sent_at=NOW))
    session.add(SentStory(chat_id=999, story_id=fresh, source_count=1, sent_at=NOW))
    await session.flush()

    page = await select_window(
        session=session, since=NOW - timedelta(hours=24), until=NOW, exclude_sent_to=chat
    )

    by_id = {story.id: story for story in page.stories}
    assert set(by_id) == {grown, fresh}
    assert by_id[grown].follow_up and by_id[grown].source_count == 3
    assert not by_id[fresh].follow_up


async def test_empty_window_still_says_when_the_last_story_came(session: AsyncSession) -> None:
    await add_story(session, title="Yesterday", seen=NOW - timedelta(hours=40))

    page = await select_window(session=session, since=NOW - timedelta(hours=6), until=NOW)

    assert page.stories == () and page.total == 0
    assert page.last_item_at == NOW - timedelta(hours=40)


async def test_actor_lists_latest_stories_naming_it(session: AsyncSession) -> None:
    old = await add_story(
        session, title="Old Maduro", seen=NOW - timedelta(days=20), actors=("maduro",)
    )
    new = await add_story(
        session, title="New Maduro", seen=NOW - timedelta(hours=1), actors=("maduro", "cne")
    )
    await add_story(session, title="Machado only", seen=NOW, actors=("machado",))

    page = await select_actor(session=session, actor_id="maduro")
    second = await select_actor(session=session, actor_id="maduro", limit=1, offset=1)

    assert [story.id for story in page.stories] == [new, old]
    assert page.total == 2
    assert [story.id for story in second.stories] == [old]
    assert (await select_actor(session=session, actor_id="nobody")).total == 0


async def test_search_finds_words_across_title_and_text(session: AsyncSession) -> None:
    hit = await add_story(
        session,
        title="Apagón en Maracaibo",
        text="La electricidad falló en todo el estado Zulia.",
        seen=NOW - timedelta(hours=2),
    )
    await add_story(session, title="Otra noticia", text="Nada que ver.", seen=NOW)

    by_title = await search_stories(session=session, words="maracaibo")
    by_text = await search_stories(session=session, words="Zulia electricidad")

    assert [story.id for story in by_title.stories] == [hit]
    assert [story.id for story in by_text.stories] == [hit]


async def test_search_never_reads_user_words_as_syntax(session: AsyncSession) -> None:
    await add_story(session, title="Apagón en el Zulia", seen=NOW)
    attempts = [
        "NEAR(a b)",
        '"unbalanced',
        "title:Zulia",
        "Zulia OR",
        "AND",
        "*",
        "-Zulia",
        "^Zulia",
        "<b>Zulia</b> & 'x'",
        "Zulia)(",
        "🇻🇪 Zulia",
        "",
        "   ",
        "x" * 5000,
    ]

    totals = {
        words: (await search_stories(session=session, words=words)).total for words in attempts
    }

    assert totals["title:Zulia"] == totals["<b>Zulia</b> & 'x'"] == 0  # every word must match
    assert totals["Zulia)("] == totals["🇻🇪 Zulia"] == totals["^Zulia"] == 1
    assert totals["AND"] == totals["*"] == totals[""] == totals["x" * 5000] == 0


async def test_search_shows_one_entry_per_story_newest_first(session: AsyncSession) -> None:
    older = await add_story(
        session,
        title="Petróleo: nueva licencia",
        seen=NOW - timedelta(days=2),
        sources=("efecto", "radio"),
    )
    newer = await add_story(session, title="Petróleo y sanciones", seen=NOW)

    page = await search_stories(session=session, words="petróleo")

    assert [story.id for story in page.stories] == [newer, older]
    assert page.total == 2


async def test_a_week_ranks_exactly_as_scoring_every_story_would(session: AsyncSession) -> None:
    # More stories than one scoring step, spread over a week: the early stop may skip only
    # stories that cannot enter the page, so the page equals scoring every story.
    import random

    from bot.digest.rank import score_story

    rng = random.Random(5)
    expected = []
    for index in range(900):
        if index < 450:  # the newest hour: many weak single-source stories
            seen = NOW - timedelta(seconds=rng.randint(0, 3600))
            sources, actors = ("efecto",), ()
        elif index < 470:  # a few hours older, but strong: they belong on the first pages
            seen = NOW - timedelta(hours=rng.uniform(2, 6))
            sources, actors = ("efecto", "wire", "monde", "radio"), ("maduro",)
        else:
            seen = NOW - timedelta(minutes=rng.randint(360, 7 * 24 * 60))
            sources = tuple(rng.sample([s for s, _, _ in SOURCES], rng.randint(1, 4)))
            actors = tuple(rng.sample([a for a, _, _ in ACTORS], rng.randint(0, 2)))
        story_id = await add_story(session, title=f"Story {index}", seen=seen,
                                   sources=sources, actors=actors)
        weight = max((w for a, _, w in ACTORS if a in actors), default=0.0)
        expected.append((score_story(source_count=len(sources), last_seen=seen,
                                     actor_weight=weight, now=NOW), story_id))
    expected.sort(reverse=True)
    page = await select_window(session=session, since=NOW - timedelta(days=7), until=NOW,
                               limit=10, offset=10)
    assert page.total == 900
    assert [story.id for story in page.stories] == [story_id for _, story_id in expected[10:20]]


async def test_a_story_told_in_several_languages_shows_in_the_readers_own(
    session: AsyncSession,
) -> None:
    story_id = await add_story(
        session,
        title="El CNE fija la fecha de las regionales",
        seen=NOW - timedelta(hours=1),
        sources=("efecto", "wire", "monde"),
    )
    english = await select_window(
        session=session, since=NOW - timedelta(days=1), until=NOW, languages=frozenset({"en"})
    )
    (shown,) = english.stories
    assert shown.id == story_id
    assert shown.title == "El CNE fija la fecha de las regionales (wire)"  # the English item's
    assert shown.source_name == "Wire Service"
    assert shown.lang == "en"
    assert shown.languages == ("es", "en", "fr")
    # A reader of Spanish and French gets the first item in either: the Spanish one.
    both = await select_window(
        session=session,
        since=NOW - timedelta(days=1),
        until=NOW,
        languages=frozenset({"fr", "es"}),
    )
    assert both.stories[0].title == "El CNE fija la fecha de las regionales"
    # No language chosen: the story's own first item.
    anyone = await select_window(session=session, since=NOW - timedelta(days=1), until=NOW)
    assert anyone.stories[0].source_name == "Efecto Cocuyo"
    assert anyone.stories[0].languages == ("es", "en", "fr")
