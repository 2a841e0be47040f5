"""Items and the stories they join: batched lookups and inserts that the database arbitrates."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Table, bindparam, delete, func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from storage.bulk import allocate_ids, insert_rows
from storage.models import (
    Actor,
    Item,
    ItemActor,
    SentStory,
    Source,
    Story,
    StoryActor,
    StoryKey,
    StoryTopic,
)

CHUNK = 400  # rows per IN (...) list: under SQLite's variable limit with room to spare


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item ready to store, with the story it joins (None: it starts a story)."""

    source_id: str
    key: str
    title: str
    text: str
    text_hash: str
    published_at: datetime
    fetched_at: datetime
    url: str | None = None
    canonical_url: str | None = None
    lang: str | None = None
    author: str | None = None
    views: int | None = None
    forwarded_from: str | None = None
    forwarded_key: str | None = None
    actors: tuple[tuple[str, float], ...] = ()  # (actor id, confidence)
    topics: tuple[str, ...] = ()
    story_keys: tuple[str, ...] = ()  # exact keys later copies will be found by
    story_id: int | None = None


@dataclass(frozen=True, slots=True)
class KnownItem:
    """What is already stored of an item, to tell an edit from a repeat."""

    id: int
    text_hash: str
    story_id: int | None


_V = TypeVar("_V")


@dataclass(frozen=True, slots=True)
class StoredItem:
    """A newly stored item and its story."""

    id: int
    key: str
    story_id: int
    new_story: bool


async def find_items(
    *, session: AsyncSession, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], KnownItem]:
    """The items already stored under these (source id, key) pairs."""
    found: dict[tuple[str, str], KnownItem] = {}
    for chunk in _chunks(keys, CHUNK // 2):
        rows = await session.execute(
            select(
                col(Item.source_id),
                col(Item.key),
                col(Item.id),
                col(Item.text_hash),
                col(Item.story_id),
            ).where(tuple_(col(Item.source_id), col(Item.key)).in_(chunk))
        )
        for source_id, key, item_id, hashed, story_id in rows:
            found[(source_id, key)] = KnownItem(
                id=_id(item_id), text_hash=hashed, story_id=story_id
            )
    return found


async def find_stories(*, session: AsyncSession, keys: Iterable[str]) -> dict[str, int]:
    """The stories that exact keys (canonical URL, text hash, post key) already point to."""
    found: dict[str, int] = {}
    for chunk in _chunks(list(dict.fromkeys(keys))):
        rows = await session.execute(
            select(col(StoryKey.key), col(StoryKey.story_id)).where(col(StoryKey.key).in_(chunk))
        )
        found.update({key: story_id for key, story_id in rows})
    return found


@dataclass(frozen=True, slots=True)
class ItemText:
    """A stored item as folding compares it: its words, language, time and actors."""

    title: str
    text: str
    lang: str | None
    published_at: datetime
    actors: tuple[tuple[str, str], ...]  # (actor id, display name)


async def load_texts(*, session: AsyncSession, item_ids: Sequence[int]) -> dict[int, ItemText]:
    """Title, text, language, time and actors of stored items, for the fold checks."""
    found: dict[int, ItemText] = {}
    for chunk in _chunks(item_ids):
        rows = await session.execute(
            select(
                col(Item.id),
                col(Item.title),
                col(Item.text),
                col(Item.lang),
                col(Item.published_at),
            ).where(col(Item.id).in_(chunk))
        )
        named: dict[int, list[tuple[str, str]]] = {}
        for tagged, actor_id, name in await session.execute(
            select(col(ItemActor.item_id), col(ItemActor.actor_id), col(Actor.name))
            .join(Actor, col(Actor.id) == col(ItemActor.actor_id), isouter=True)
            .where(col(ItemActor.item_id).in_(chunk))
        ):
            named.setdefault(_id(tagged), []).append((actor_id, name or actor_id))
        for item_id, title, text, lang, published in rows:
            found[_id(item_id)] = ItemText(
                title, text, lang, published, tuple(named.get(_id(item_id), ()))
            )
    return found


async def stories_of(*, session: AsyncSession, item_ids: Collection[int]) -> dict[int, int]:
    """The story each of these items belongs to now."""
    found: dict[int, int] = {}
    for chunk in _chunks(sorted(item_ids)):
        rows = await session.execute(
            select(col(Item.id), col(Item.story_id)).where(
                col(Item.id).in_(chunk), col(Item.story_id).is_not(None)
            )
        )
        found.update({_id(item_id): _id(story_id) for item_id, story_id in rows})
    return found


async def insert_items(*, session: AsyncSession, items: Sequence[NewItem]) -> list[StoredItem]:
    """Store new items, start the stories they need, and bring joined stories up to date.

    Call it holding the story lock, after `find_items` under the same lock: an item stored
    twice under one key is refused by the unique key and the whole batch rolls back.
    """
    if not items:
        return []
    item_ids = await allocate_ids(session, _table(Item), len(items))
    starters = [item for item in items if item.story_id is None]
    story_of = dict(
        zip(
            (item.key for item in starters),
            await allocate_ids(session, _table(Story), len(starters)),
            strict=True,
        )
    )
    stored = [
        StoredItem(
            id=item_id,
            key=item.key,
            story_id=item.story_id if item.story_id is not None else story_of[item.key],
            new_story=item.story_id is None,
        )
        for item, item_id in zip(items, item_ids, strict=True)
    ]
    pairs = list(zip(stored, items, strict=True))
    await insert_rows(session, _table(Story), _story_rows(pairs))
    await insert_rows(session, _table(Item), _item_rows(pairs))
    await insert_rows(
        session,
        _table(StoryKey),
        [
            {"key": story_key, "story_id": entry.story_id, "seen_at": item.fetched_at}
            for entry, item in pairs
            for story_key in item.story_keys
        ],
        ignore=True,
    )
    await insert_rows(
        session,
        _table(ItemActor),
        [
            {"item_id": entry.id, "actor_id": actor, "confidence": confidence}
            for entry, item in pairs
            for actor, confidence in dict(item.actors).items()
        ],
    )
    await _tag_stories(session, [(entry.story_id, item) for entry, item in pairs])
    await refresh_stories(
        session=session, story_ids={entry.story_id for entry in stored if not entry.new_story}
    )
    return stored


def _story_rows(pairs: Sequence[tuple[StoredItem, NewItem]]) -> list[dict[str, object]]:
    """The rows of the stories these new items start: one item, one source, so far."""
    return [
        {
            "id": entry.story_id,
            "title": item.title,
            "url": item.url,
            "item_id": entry.id,
            "first_seen": item.published_at,
            "last_seen": item.published_at,
            "source_count": 1,
            "item_count": 1,
            "score": 0.0,
        }
        for entry, item in pairs
        if entry.new_story
    ]


def _item_rows(pairs: Sequence[tuple[StoredItem, NewItem]]) -> list[dict[str, object]]:
    """The item rows, each in the story it was given."""
    return [
        {
            "id": entry.id,
            "source_id": item.source_id,
            "key": item.key,
            "url": item.url,
            "canonical_url": item.canonical_url,
            "title": item.title,
            "text": item.text,
            "lang": item.lang,
            "author": item.author,
            "text_hash": item.text_hash,
            "published_at": item.published_at,
            "fetched_at": item.fetched_at,
            "story_id": entry.story_id,
            "views": item.views,
            "forwarded_from": item.forwarded_from,
            "forwarded_key": item.forwarded_key,
        }
        for entry, item in pairs
    ]


async def update_item(
    *, session: AsyncSession, item_id: int, story_id: int | None, item: NewItem, now: datetime
) -> None:
    """An edited entry (same key, new words): the item takes the new text and tags."""
    await session.execute(
        update(Item)
        .where(col(Item.id) == item_id)
        .values(
            title=item.title,
            text=item.text,
            text_hash=item.text_hash,
            url=item.url,
            canonical_url=item.canonical_url,
            views=item.views,
            updated_at=now,
        )
    )
    await session.execute(delete(ItemActor).where(col(ItemActor.item_id) == item_id))
    await insert_rows(
        session,
        _table(ItemActor),
        [
            {"item_id": item_id, "actor_id": actor, "confidence": confidence}
            for actor, confidence in dict(item.actors).items()
        ],
    )
    if story_id is not None:
        await insert_rows(
            session,
            _table(StoryKey),
            [
                {"key": story_key, "story_id": story_id, "seen_at": now}
                for story_key in item.story_keys
            ],
            ignore=True,
        )
        await _tag_stories(session, [(story_id, item)])
        await refresh_stories(session=session, story_ids={story_id})


async def refresh_stories(*, session: AsyncSession, story_ids: Iterable[int]) -> None:
    """Recount a story's sources and items and its first and last sighting from its items."""
    for chunk in _chunks(sorted(set(story_ids))):
        aggregate = (
            select(
                col(Item.story_id),
                func.count(func.distinct(col(Item.source_id))),
                func.count(),
                func.min(col(Item.published_at)),
                func.max(col(Item.published_at)),
                func.min(col(Item.id)),
            )
            .where(col(Item.story_id).in_(chunk))
            .group_by(col(Item.story_id))
        )
        totals = (await session.execute(aggregate)).all()
        if not totals:
            continue
        earliest = [row[5] for row in totals]
        shown = {
            item_id: (title, url)
            for item_id, title, url in await session.execute(
                select(col(Item.id), col(Item.title), col(Item.url)).where(
                    col(Item.id).in_(earliest)
                )
            )
        }
        story = _table(Story)
        await session.execute(
            update(story).where(story.c.id == bindparam("story")),
            [
                {
                    "story": story_id,
                    "source_count": sources,
                    "item_count": count,
                    "first_seen": first,
                    "last_seen": last,
                    "item_id": first_item,
                    "title": shown[first_item][0],
                    "url": shown[first_item][1],
                }
                for story_id, sources, count, first, last, first_item in totals
            ],
        )
        actors = _table(StoryActor)
        await session.execute(
            update(actors).where(actors.c.story_id == bindparam("story")),
            [{"story": story_id, "last_seen": last} for story_id, _, _, _, last, _ in totals],
        )


async def merge_stories(*, session: AsyncSession, into: int, merged: Collection[int]) -> None:
    """Move every item, key, actor and topic of the `merged` stories into story `into`, and
    delete them. A chat that was sent one of them keeps it as sent under `into`: the merged
    story comes back to it only as a follow-up, when more sources reported it than it saw.

    Call it holding the story lock.
    """
    others = sorted(set(merged) - {into})
    if not others:
        return
    await session.execute(
        update(Item).where(col(Item.story_id).in_(others)).values(story_id=into)
    )
    await session.execute(
        update(StoryKey).where(col(StoryKey.story_id).in_(others)).values(story_id=into)
    )
    await _move_rows(session, _table(StoryActor), ("actor_id", "last_seen"), into, others)
    await _move_rows(session, _table(StoryTopic), ("topic",), into, others)
    await _move_sent(session, into, others)
    await session.execute(delete(Story).where(col(Story.id).in_(others)))
    await refresh_stories(session=session, story_ids=[into])


async def _move_rows(
    session: AsyncSession, table: Table, columns: tuple[str, ...], into: int, others: list[int]
) -> None:
    rows = await session.execute(
        select(*(table.c[name] for name in columns)).where(table.c.story_id.in_(others))
    )
    moved = [{"story_id": into, **dict(zip(columns, row, strict=True))} for row in rows]
    await insert_rows(session, table, moved, ignore=True)
    await session.execute(delete(table).where(table.c.story_id.in_(others)))


async def _move_sent(session: AsyncSession, into: int, others: list[int]) -> None:
    # The fewest sources any chat was shown: a follow-up is due when the story grew past it.
    rows = (
        await session.execute(
            select(col(SentStory.chat_id), col(SentStory.source_count), col(SentStory.sent_at))
            .where(col(SentStory.story_id).in_([into, *others]))
        )
    ).all()
    sent: dict[int, tuple[int, object]] = {}
    for chat_id, count, at in rows:
        known = sent.get(chat_id)
        if known is None or count < known[0]:
            sent[chat_id] = (count, at)
    await session.execute(delete(SentStory).where(col(SentStory.story_id).in_([into, *others])))
    if sent:
        await session.execute(
            insert(SentStory),
            [
                {"chat_id": chat, "story_id": into, "source_count": count, "sent_at": at}
                for chat, (count, at) in sent.items()
            ],
        )



async def _tag_stories(session: AsyncSession, pairs: Sequence[tuple[int, NewItem]]) -> None:
    """A story's actors and topics are the union of its items'."""
    await insert_rows(
        session,
        _table(StoryActor),
        [
            {"story_id": story_id, "actor_id": actor, "last_seen": item.published_at}
            for story_id, item in pairs
            for actor, _ in item.actors
        ],
        ignore=True,
    )
    await insert_rows(
        session,
        _table(StoryTopic),
        [
            {"story_id": story_id, "topic": topic}
            for story_id, item in pairs
            for topic in item.topics
        ],
        ignore=True,
    )



def _id(value: object) -> int:
    """A row id read back from the database: present by then, whatever the column's type says."""
    assert isinstance(value, int)
    return value


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _chunks(values: Sequence[_V], size: int = CHUNK) -> Iterable[Sequence[_V]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass(frozen=True, slots=True)
class StoryBlock:
    """A story with its items, for operators checking how copies were folded."""

    id: int
    title: str
    source_count: int
    items: tuple[tuple[str, str], ...]  # (source name, item title), oldest first


async def stories_with_items(
    *, session: AsyncSession, since: datetime, limit: int = 200
) -> list[StoryBlock]:
    """Stories seen since `since`, newest first, each with its items."""
    stories = (
        await session.execute(
            select(col(Story.id), col(Story.title), col(Story.source_count))
            .where(col(Story.last_seen) >= since)
            .order_by(col(Story.last_seen).desc(), col(Story.id).desc())
            .limit(limit)
        )
    ).all()
    if not stories:
        return []
    by_story: dict[int, list[tuple[str, str]]] = {_id(story_id): [] for story_id, _, _ in stories}
    for chunk in _chunks(list(by_story)):
        rows = await session.execute(
            select(col(Item.story_id), col(Source.name), col(Item.title))
            .join(Source, col(Source.id) == col(Item.source_id))
            .where(col(Item.story_id).in_(chunk))
            .order_by(col(Item.published_at), col(Item.id))
        )
        for story_id, source, title in rows:
            by_story[_id(story_id)].append((source, title))
    return [
        StoryBlock(
            id=_id(story_id), title=title, source_count=count, items=tuple(by_story[_id(story_id)])
        )
        for story_id, title, count in stories
    ]
