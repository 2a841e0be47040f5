"""Items and the stories they join: batched lookups and inserts that the database arbitrates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from storage.models import Item, ItemActor, Source, Story, StoryActor, StoryKey, StoryTopic

CHUNK = 400  # rows per IN (...) list: under SQLite's variable limit with room to spare


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item ready to store, with the story it joins (None: it starts a story)."""

    key: str
    title: str
    text: str
    text_hash: str
    published_at: datetime
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


@dataclass(frozen=True, slots=True)
class StoredItem:
    """A newly stored item and its story."""

    id: int
    key: str
    story_id: int
    new_story: bool


async def find_items(
    *, session: AsyncSession, source_id: str, keys: Sequence[str]
) -> dict[str, KnownItem]:
    """The items of `source_id` already stored under these keys."""
    found: dict[str, KnownItem] = {}
    for chunk in _chunks(keys):
        rows = await session.execute(
            select(col(Item.key), col(Item.id), col(Item.text_hash), col(Item.story_id)).where(
                col(Item.source_id) == source_id, col(Item.key).in_(chunk)
            )
        )
        for key, item_id, hashed, story_id in rows:
            found[key] = KnownItem(id=_id(item_id), text_hash=hashed, story_id=story_id)
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


async def load_texts(
    *, session: AsyncSession, item_ids: Sequence[int]
) -> dict[int, tuple[str, str, int | None]]:
    """Title, text and story of stored items (for the exact near-duplicate check)."""
    found: dict[int, tuple[str, str, int | None]] = {}
    for chunk in _chunks(item_ids):
        rows = await session.execute(
            select(col(Item.id), col(Item.title), col(Item.text), col(Item.story_id)).where(
                col(Item.id).in_(chunk)
            )
        )
        found.update({_id(item_id): (title, text, story) for item_id, title, text, story in rows})
    return found


async def insert_items(
    *, session: AsyncSession, source_id: str, items: Sequence[NewItem], now: datetime
) -> list[StoredItem]:
    """Store new items, start the stories they need, and bring their stories up to date.

    An item another worker stored meanwhile is skipped by the unique key, never doubled.
    """
    if not items:
        return []
    starters = [item for item in items if item.story_id is None]
    started = await _insert_returning(
        session,
        _table(Story),
        [
            {
                "title": item.title,
                "url": item.url,
                "first_seen": item.published_at,
                "last_seen": item.published_at,
                "source_count": 1,
                "item_count": 1,
                "score": 0.0,
            }
            for item in starters
        ],
        col(Story.id),
    )
    story_of: dict[str, int] = {
        item.key: story for item, (story,) in zip(starters, started, strict=True)
    }
    rows = [
        {
            "source_id": source_id,
            "key": item.key,
            "url": item.url,
            "canonical_url": item.canonical_url,
            "title": item.title,
            "text": item.text,
            "lang": item.lang,
            "author": item.author,
            "text_hash": item.text_hash,
            "published_at": item.published_at,
            "fetched_at": now,
            "story_id": item.story_id if item.story_id is not None else story_of[item.key],
            "views": item.views,
            "forwarded_from": item.forwarded_from,
            "forwarded_key": item.forwarded_key,
        }
        for item in items
    ]
    inserted = await _insert_returning(
        session,
        _table(Item),
        rows,
        col(Item.id),
        col(Item.key),
        conflict=("source_id", "key"),
    )
    ids = {key: item_id for item_id, key in inserted}
    stored = [
        StoredItem(
            id=ids[item.key],
            key=item.key,
            story_id=_id(row["story_id"]),
            new_story=item.story_id is None,
        )
        for item, row in zip(items, rows, strict=True)
        if item.key in ids
    ]
    kept = [item for item in items if item.key in ids]
    by_key = {entry.key: entry for entry in stored}
    await _insert_ignore(
        session,
        _table(StoryKey),
        [
            {"key": story_key, "story_id": by_key[item.key].story_id, "seen_at": now}
            for item in kept
            for story_key in item.story_keys
        ],
    )
    await _insert_ignore(
        session,
        _table(ItemActor),
        [
            {"item_id": by_key[item.key].id, "actor_id": actor, "confidence": confidence}
            for item in kept
            for actor, confidence in item.actors
        ],
    )
    await _tag_stories(session, [(by_key[item.key].story_id, item) for item in kept])
    started_here = [entry for entry in stored if entry.new_story]
    if started_here:
        await session.execute(
            update(_table(Story)).where(_table(Story).c.id == bindparam("story")),
            [{"story": entry.story_id, "item_id": entry.id} for entry in started_here],
        )
    await refresh_stories(
        session=session, story_ids={entry.story_id for entry in stored if not entry.new_story}
    )
    return stored


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
    await _insert_ignore(
        session,
        _table(ItemActor),
        [
            {"item_id": item_id, "actor_id": actor, "confidence": confidence}
            for actor, confidence in item.actors
        ],
    )
    if story_id is not None:
        await _insert_ignore(
            session,
            _table(StoryKey),
            [
                {"key": story_key, "story_id": story_id, "seen_at": now}
                for story_key in item.story_keys
            ],
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


async def _tag_stories(session: AsyncSession, pairs: Sequence[tuple[int, NewItem]]) -> None:
    await _insert_ignore(
        session,
        _table(StoryActor),
        [
            {"story_id": story_id, "actor_id": actor, "last_seen": item.published_at}
            for story_id, item in pairs
            for actor, _ in item.actors
        ],
    )
    await _insert_ignore(
        session,
        _table(StoryTopic),
        [
            {"story_id": story_id, "topic": topic}
            for story_id, item in pairs
            for topic in item.topics
        ],
    )


def _id(value: object) -> int:
    """A row id read back from the database: present by then, whatever the column's type says."""
    assert isinstance(value, int)
    return value


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _insert_for(session: AsyncSession, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


async def _insert_ignore(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    unique = list({tuple(sorted(row.items())): row for row in rows}.values())
    dialect = session.get_bind().dialect
    if dialect.name == "sqlite":
        # The driver's executemany skips the statement layer's per-row work; ingest writes
        # several of these small tables for every batch.
        columns = list(unique[0])
        convert = [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
        ]
        tuples = [
            tuple(
                value if to_db is None else to_db(value)
                for value, to_db in zip((row[name] for name in columns), convert, strict=True)
            )
            for row in unique
        ]
        connection = await session.connection()
        await connection.exec_driver_sql(
            f"INSERT OR IGNORE INTO {table.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            tuples,
        )
        return
    await session.execute(_insert_for(session, table).on_conflict_do_nothing(), unique)


async def _insert_returning(
    session: AsyncSession,
    table: Table,
    rows: list[dict[str, Any]],
    *columns: Any,
    conflict: tuple[str, ...] | None = None,
) -> list[Any]:
    if not rows:
        return []
    statement = _insert_for(session, table)
    if conflict:
        statement = statement.on_conflict_do_nothing(index_elements=list(conflict))
    # Rows skipped by a conflict return nothing, so order can only be promised without one;
    # callers that allow conflicts read the key back instead.
    statement = statement.returning(*columns, sort_by_parameter_order=conflict is None)
    result = await session.execute(statement, rows)
    return list(result.all())


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


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
