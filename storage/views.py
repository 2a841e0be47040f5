"""Stories as the readers' commands and digests show them, and the candidate rows they rank."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Row, String, Table, exists, func, null, select, text, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models
from storage.times import as_utc


@dataclass(frozen=True, slots=True)
class StoryRow:
    """A story as stored, with its best item's source and the actors and topics it names."""

    id: int
    title: str
    url: str | None  # the best source's link
    source_name: str  # the best source's name
    source_count: int
    first_seen: datetime
    last_seen: datetime
    actors: tuple[str, ...] = ()  # display names, most important first
    topics: tuple[str, ...] = ()  # topic names
    score: float = 0.0
    lang: str | None = None
    actor_weight: float = 0.0  # the weight of the weightiest actor named, for ranking
    languages: tuple[str, ...] = ()  # the languages it was reported in, first reported first


class WindowStory(NamedTuple):
    """A story last seen in a window, to be ranked: the few columns ranking reads."""

    story_id: int
    source_count: int
    last_seen: datetime
    sent_count: int | None  # what the chat was sent of it before, if anything


async def window_stories(
    *,
    session: AsyncSession,
    since: datetime,
    until: datetime,
    languages: frozenset[str] = frozenset(),
    actor_ids: frozenset[str] = frozenset(),
    exclude_sent_to: int | None = None,
) -> list[WindowStory]:
    """The stories last seen in (since, until], newest first.

    `languages` keeps stories with at least one item in one of them (empty: all); `actor_ids`
    those naming one of these actors (empty: all).
    `exclude_sent_to` leaves out what that chat was already sent, unless the story has since
    been reported by more sources.
    """
    in_window = (_story.c.last_seen > since) & (_story.c.last_seen <= until)
    sent = _sent.c.source_count if exclude_sent_to is not None else null()
    postgres = session.get_bind().dialect.name == "postgresql"
    # Long windows hold thousands of candidates: SQLite's text timestamps are read with
    # datetime.fromisoformat, several times faster than the column type's own parsing.
    last_seen = _story.c.last_seen if postgres else type_coerce(_story.c.last_seen, String)
    query = select(_story.c.id, _story.c.source_count, last_seen, sent.label("sent"))
    if exclude_sent_to is not None:
        query = query.select_from(
            _story.outerjoin(
                _sent, (_sent.c.story_id == _story.c.id) & (_sent.c.chat_id == exclude_sent_to)
            )
        ).where(_sent.c.story_id.is_(None) | (_story.c.source_count > _sent.c.source_count))
    query = query.where(in_window)
    if languages:
        query = query.where(
            exists().where(_item.c.story_id == _story.c.id, _item.c.lang.in_(sorted(languages)))
        )
    if actor_ids:
        query = query.where(
            exists().where(
                _story_actor.c.story_id == _story.c.id,
                _story_actor.c.actor_id.in_(sorted(actor_ids)),
            )
        )
    query = query.order_by(_story.c.last_seen.desc(), _story.c.id.desc())
    return [
        WindowStory(story_id, count, _moment(seen), sent_count)
        for story_id, count, seen, sent_count in (await session.execute(query)).all()
    ]


async def actor_weights(*, session: AsyncSession) -> dict[str, float]:
    """Every actor's weight, by id."""
    return {actor_id: weight for actor_id, weight in await session.execute(
        select(_actor.c.id, _actor.c.weight)
    )}


async def story_actor_ids(
    *, session: AsyncSession, story_ids: Sequence[int]
) -> list[tuple[int, str]]:
    """(story, actor) for every actor these stories name."""
    rows = await session.execute(
        select(_story_actor.c.story_id, _story_actor.c.actor_id).where(
            _story_actor.c.story_id.in_(story_ids)
        )
    )
    return [(story_id, actor_id) for story_id, actor_id in rows]


async def actor_story_ids(
    *, session: AsyncSession, actor_id: str, limit: int, offset: int
) -> tuple[list[int], int]:
    """One page of the stories naming an actor, newest first, and how many there are in all."""
    query = (
        select(_story_actor.c.story_id)
        .where(_story_actor.c.actor_id == actor_id)
        .order_by(_story_actor.c.last_seen.desc(), _story_actor.c.story_id.desc())
        .limit(limit)
        .offset(offset)
    )
    ids = list((await session.scalars(query)).all())
    total = await session.scalar(
        select(func.count()).select_from(_story_actor).where(_story_actor.c.actor_id == actor_id)
    )
    return ids, total or 0


async def search_story_ids(*, session: AsyncSession, terms: Sequence[str], depth: int) -> list[int]:
    """Stories among the newest `depth` items holding every term, newest match first.

    Each term is matched as a quoted word, never read as query syntax.
    """
    if session.get_bind().dialect.name == "postgresql":
        matches = text(
            "SELECT id FROM item WHERE to_tsvector('simple', coalesce(title, '') || ' ' || "
            "coalesce(text, '')) @@ plainto_tsquery('simple', :query) "
            "ORDER BY id DESC LIMIT :depth"
        ).bindparams(query=" ".join(terms), depth=depth)
    else:
        fts_query = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
        matches = text(
            "SELECT rowid AS id FROM item_fts WHERE item_fts MATCH :query "
            "ORDER BY rowid DESC LIMIT :depth"
        ).bindparams(query=fts_query, depth=depth)
    matched = matches.columns(_item.c.id).subquery()
    newest = func.max(_item.c.id).label("newest")
    query = (
        select(_item.c.story_id, newest)
        .join(matched, matched.c.id == _item.c.id)
        .where(_item.c.story_id.is_not(None))
        .group_by(_item.c.story_id)
        .order_by(newest.desc())
    )
    return [story_id for story_id, _ in (await session.execute(query)).all()]


async def story_rows(
    *, session: AsyncSession, story_ids: Sequence[int], prefer: frozenset[str] = frozenset()
) -> dict[int, StoryRow]:
    """These stories as shown, by id (unknown ids are absent). With `prefer`, a story whose
    first item is in another language is titled, linked and credited by its first item in
    one of these."""
    if not story_ids:
        return {}
    ids = sorted(set(story_ids))
    stories = await _story_heads(session, ids)
    actors = await _story_actors(session, ids)
    topics = await _story_topics(session, ids)
    reported = await _reported(session, ids)
    views: dict[int, StoryRow] = {}
    for story_id, title, url, source_count, first, last, score, lang, source_name in stories:
        named = sorted(actors.get(story_id, []), key=lambda pair: (-pair[0], pair[1]))
        told = reported.get(story_id, [])
        if prefer and lang not in prefer:
            for item_lang, item_title, item_url, item_source in told:
                if item_lang in prefer:
                    title, url, source_name, lang = item_title, item_url, item_source, item_lang
                    break
        views[story_id] = StoryRow(
            id=story_id,
            title=title,
            url=url,
            source_name=source_name or "",
            source_count=source_count,
            first_seen=first,
            last_seen=last,
            actors=tuple(name for _, name in named),
            topics=tuple(topics.get(story_id, [])),
            score=score,
            lang=lang,
            actor_weight=named[0][0] if named else 0.0,
            languages=tuple(dict.fromkeys(told_lang for told_lang, *_ in told if told_lang)),
        )
    return views


# (id, title, url, source count, first seen, last seen, score, language, source name)
_StoryHead = Row[int, str, str | None, int, datetime, datetime, float, str | None, str | None]


async def _story_heads(session: AsyncSession, story_ids: Sequence[int]) -> Sequence[_StoryHead]:
    """Each story's columns, with the language and source name of the item that titles it."""
    return (
        await session.execute(
            select(
                _story.c.id,
                _story.c.title,
                _story.c.url,
                _story.c.source_count,
                _story.c.first_seen,
                _story.c.last_seen,
                _story.c.score,
                _item.c.lang,
                _source.c.name,
            )
            .select_from(
                _story.outerjoin(_item, _item.c.id == _story.c.item_id).outerjoin(
                    _source, _source.c.id == _item.c.source_id
                )
            )
            .where(_story.c.id.in_(story_ids))
        )
    ).all()


async def _story_actors(
    session: AsyncSession, story_ids: Sequence[int]
) -> dict[int, list[tuple[float, str]]]:
    """Each story's actors, as (weight, name)."""
    actors: dict[int, list[tuple[float, str]]] = {}
    for story_id, name, weight in await session.execute(
        select(_story_actor.c.story_id, _actor.c.name, _actor.c.weight)
        .select_from(_story_actor.join(_actor, _actor.c.id == _story_actor.c.actor_id))
        .where(_story_actor.c.story_id.in_(story_ids))
    ):
        actors.setdefault(story_id, []).append((weight, name))
    return actors


async def _story_topics(session: AsyncSession, story_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each story's topic ids, in order."""
    topics: dict[int, list[str]] = {}
    for story_id, topic in await session.execute(
        select(_story_topic.c.story_id, _story_topic.c.topic)
        .where(_story_topic.c.story_id.in_(story_ids))
        .order_by(_story_topic.c.topic)
    ):
        topics.setdefault(story_id, []).append(topic)
    return topics


async def _reported(
    session: AsyncSession, story_ids: Sequence[int]
) -> dict[int, list[tuple[str | None, str, str | None, str]]]:
    """Each story's items, first reported first: (language, title, url, source name)."""
    found: dict[int, list[tuple[str | None, str, str | None, str]]] = {}
    rows = await session.execute(
        select(_item.c.story_id, _item.c.lang, _item.c.title, _item.c.url, _source.c.name)
        .select_from(_item.join(_source, _source.c.id == _item.c.source_id))
        .where(_item.c.story_id.in_(story_ids))
        .order_by(_item.c.published_at, _item.c.id)
    )
    for story_id, lang, title, url, source in rows:
        found.setdefault(story_id, []).append((lang, title, url, source))
    return found


async def newest_story_seen(*, session: AsyncSession) -> datetime | None:
    """When the most recently seen story was last seen, if there is any."""
    newest: datetime | None = await session.scalar(select(func.max(_story.c.last_seen)))
    return as_utc(newest) if newest is not None else None


def _moment(value: datetime | str) -> datetime:
    """A timestamp read raw: SQLite's text (stored as naive UTC) or PostgreSQL's aware value."""
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


def _table(name: str) -> Table:
    return models.Story.metadata.tables[name]


_story = _table("story")
_item = _table("item")
_source = _table("source")
_actor = _table("actor")
_story_actor = _table("story_actor")
_story_topic = _table("story_topic")
_sent = _table("sent_story")
