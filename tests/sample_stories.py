"""Stories seeded straight into the database, as ingest leaves them, for digest and storage tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Actor, Item, Source, Story, StoryActor, StoryTopic

SOURCES = (
    ("efecto", "Efecto Cocuyo", "es"),
    ("wire", "Wire Service", "en"),
    ("monde", "Le Quotidien", "fr"),
    ("radio", "Radio Fe", "es"),
)
ACTORS = (
    ("maduro", "Nicolás Maduro", 2.0),
    ("machado", "María Corina Machado", 1.5),
    ("cne", "Consejo Nacional Electoral", 1.0),
)


async def seed_catalog(session: AsyncSession) -> None:
    """The sources and actors the stories below refer to."""
    for source_id, name, lang in SOURCES:
        session.add(
            Source(id=source_id, name=name, url=f"https://{source_id}.example/feed", lang=lang)
        )
    for actor_id, name, weight in ACTORS:
        session.add(Actor(id=actor_id, name=name, weight=weight))
    await session.flush()


async def add_story(
    session: AsyncSession,
    *,
    title: str,
    seen: datetime,
    sources: Sequence[str] = ("efecto",),
    actors: Sequence[str] = (),
    topics: Sequence[str] = (),
    text: str = "",
    langs: Sequence[str | None] | None = None,
) -> int:
    """A story as ingest leaves it: items from `sources`, the first one representative."""
    story = Story(
        title=title,
        url=f"https://{sources[0]}.example/{abs(hash(title))}",
        first_seen=seen,
        last_seen=seen,
        source_count=len(set(sources)),
        item_count=len(sources),
    )
    session.add(story)
    await session.flush()
    assert story.id is not None
    item_langs = (
        langs
        if langs is not None
        else [{sid: lang for sid, _, lang in SOURCES}[s] for s in sources]
    )
    first_item: int | None = None
    for index, (source_id, lang) in enumerate(zip(sources, item_langs, strict=True)):
        item = Item(
            source_id=source_id,
            key=f"{story.id}-{index}",
            url=story.url,
            title=title if index == 0 else f"{title} ({source_id})",
            text=text,
            lang=lang,
            text_hash=f"h{story.id}-{index}",
            published_at=seen,
            fetched_at=seen,
            story_id=story.id,
        )
        session.add(item)
        await session.flush()
        first_item = first_item or item.id
    story.item_id = first_item
    for actor_id in actors:
        session.add(StoryActor(story_id=story.id, actor_id=actor_id, last_seen=seen))
    for topic in topics:
        session.add(StoryTopic(story_id=story.id, topic=topic))
    await session.flush()
    return story.id
