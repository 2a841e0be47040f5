"""Select the stories a digest, `/actor` or `/search` shows, one page at a time."""

from __future__ import annotations

import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import String, Table, exists, func, null, select, text, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest.rank import score_story
from bot.model import StoryView
from storage import models
from storage.times import as_utc

_SCORE_CHUNK = 400  # stories scored per step of a window, newest first
SEARCH_DEPTH = 1000  # the newest matching items a search looks at: bounded work for common words
MAX_SEARCH_WORDS = 8


@dataclass(frozen=True, slots=True)
class DigestPage:
    """One page of stories, how many there are in all, and when the newest story was last seen."""

    stories: tuple[StoryView, ...]
    total: int
    last_item_at: datetime | None


async def select_window(
    *,
    session: AsyncSession,
    since: datetime,
    until: datetime,
    languages: frozenset[str] = frozenset(),
    limit: int = 10,
    offset: int = 0,
    exclude_sent_to: int | None = None,
) -> DigestPage:
    """The best stories last seen in (since, until], ranked at `until`.

    `languages` keeps stories with at least one item in one of them (empty: all).
    `exclude_sent_to` leaves out what that chat was already sent, unless the story has since
    been reported by more sources: then it comes back marked as a follow-up.
    """
    since, until = as_utc(since), as_utc(until)
    in_window = (_story.c.last_seen > since) & (_story.c.last_seen <= until)
    sent = _sent.c.source_count if exclude_sent_to is not None else null()
    # Long windows hold thousands of candidates: SQLite's text timestamps are read with
    # datetime.fromisoformat, several times faster than the column type's own parsing.
    last_seen = (
        _story.c.last_seen
        if session.get_bind().dialect.name == "postgresql"
        else type_coerce(_story.c.last_seen, String)
    )
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
    query = query.order_by(_story.c.last_seen.desc(), _story.c.id.desc())
    rows = (await session.execute(query)).all()
    scored = await _best_scored(session, rows, wanted=offset + limit, until=until)
    page = scored[offset : offset + limit]
    views = await _load_views(session, [story_id for _, _, story_id, _ in page])
    stories = tuple(
        replace(views[story_id], score=score, follow_up=follow_up)
        for score, _, story_id, follow_up in page
        if story_id in views
    )
    return DigestPage(stories=stories, total=len(rows), last_item_at=await _last_seen(session))


async def select_actor(
    *, session: AsyncSession, actor_id: str, limit: int = 10, offset: int = 0
) -> DigestPage:
    """The latest stories naming an actor, newest first."""
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
    views = await _load_views(session, ids)
    return DigestPage(
        stories=tuple(views[story_id] for story_id in ids if story_id in views),
        total=total or 0,
        last_item_at=await _last_seen(session),
    )


async def search_stories(
    *, session: AsyncSession, words: str, limit: int = 10, offset: int = 0
) -> DigestPage:
    """Stories whose items contain every word, newest match first.

    Each word is matched as a quoted term, never read as query syntax. Only the newest
    SEARCH_DEPTH matching items are considered, so `total` counts the stories among them.
    """
    terms = search_terms(words)
    if not terms:
        return DigestPage(stories=(), total=0, last_item_at=await _last_seen(session))
    if session.get_bind().dialect.name == "postgresql":
        matches = text(
            "SELECT id FROM item WHERE to_tsvector('simple', coalesce(title, '') || ' ' || "
            "coalesce(text, '')) @@ plainto_tsquery('simple', :query) "
            "ORDER BY id DESC LIMIT :depth"
        ).bindparams(query=" ".join(terms), depth=SEARCH_DEPTH)
    else:
        fts_query = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
        matches = text(
            "SELECT rowid AS id FROM item_fts WHERE item_fts MATCH :query "
            "ORDER BY rowid DESC LIMIT :depth"
        ).bindparams(query=fts_query, depth=SEARCH_DEPTH)
    matched = matches.columns(_item.c.id).subquery()
    newest = func.max(_item.c.id).label("newest")
    query = (
        select(_item.c.story_id, newest)
        .join(matched, matched.c.id == _item.c.id)
        .where(_item.c.story_id.is_not(None))
        .group_by(_item.c.story_id)
        .order_by(newest.desc())
    )
    story_ids = [story_id for story_id, _ in (await session.execute(query)).all()]
    page = story_ids[offset : offset + limit]
    views = await _load_views(session, page)
    return DigestPage(
        stories=tuple(views[story_id] for story_id in page if story_id in views),
        total=len(story_ids),
        last_item_at=await _last_seen(session),
    )


def search_terms(words: str) -> list[str]:
    """The words of a search, letters and digits only, at most eight."""
    return _WORD.findall(words[:1000])[:MAX_SEARCH_WORDS]


async def load_stories(*, session: AsyncSession, story_ids: Sequence[int]) -> list[StoryView]:
    """The views of these stories, in the order given (unknown ids are skipped)."""
    views = await _load_views(session, story_ids)
    return [views[story_id] for story_id in story_ids if story_id in views]


async def _best_scored(
    session: AsyncSession, rows: Sequence[Any], *, wanted: int, until: datetime
) -> list[tuple[float, datetime, int, bool]]:
    """The `wanted` best of rows given newest first: (score, last seen, story, follow-up).

    A story's score is at most the window's best sources-and-actor factor decayed by its age,
    so once that bound falls below the wanted-th best score found, no older story can enter
    the page: a week's window is scored only as far back as it can matter.
    """
    if not rows:
        return []
    actors = await session.execute(select(_actor.c.id, _actor.c.weight))
    actor_weight: dict[str, float] = {actor_id: weight for actor_id, weight in actors}
    ceiling = max(count for _, count, _, _ in rows)
    top_weight = max(actor_weight.values(), default=0.0)
    best: list[tuple[float, datetime, int, bool]] = []  # a min-heap of the best so far
    for start in range(0, len(rows), _SCORE_CHUNK):
        chunk = rows[start : start + _SCORE_CHUNK]
        newest = _moment(chunk[0][2])
        bound = score_story(
            source_count=ceiling, last_seen=newest, actor_weight=top_weight, now=until
        )
        if len(best) >= wanted and bound < best[0][0]:
            break
        weights = await _story_weights(session, [row[0] for row in chunk], actor_weight)
        for story_id, count, last, sent_count in chunk:
            seen = _moment(last)
            entry = (
                score_story(
                    source_count=count,
                    last_seen=seen,
                    actor_weight=weights.get(story_id, 0.0),
                    now=until,
                ),
                seen,
                story_id,
                sent_count is not None,
            )
            if len(best) < wanted:
                heapq.heappush(best, entry)
            elif entry > best[0]:
                heapq.heapreplace(best, entry)
    return sorted(best, reverse=True)


async def _story_weights(
    session: AsyncSession, story_ids: Sequence[int], actor_weight: dict[str, float]
) -> dict[int, float]:
    """The weight of each story's weightiest actor (0 for a story naming none)."""
    weights: dict[int, float] = {}
    for story_id, actor_id in await session.execute(
        select(_story_actor.c.story_id, _story_actor.c.actor_id).where(
            _story_actor.c.story_id.in_(story_ids)
        )
    ):
        weight = actor_weight.get(actor_id, 0.0)
        if weight > weights.get(story_id, 0.0):
            weights[story_id] = weight
    return weights


async def _load_views(session: AsyncSession, story_ids: Sequence[int]) -> dict[int, StoryView]:
    if not story_ids:
        return {}
    ids = sorted(set(story_ids))
    stories = (
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
            .where(_story.c.id.in_(ids))
        )
    ).all()
    actors: dict[int, list[tuple[float, str]]] = {}
    for story_id, name, weight in await session.execute(
        select(_story_actor.c.story_id, _actor.c.name, _actor.c.weight)
        .select_from(_story_actor.join(_actor, _actor.c.id == _story_actor.c.actor_id))
        .where(_story_actor.c.story_id.in_(ids))
    ):
        actors.setdefault(story_id, []).append((weight, name))
    topics: dict[int, list[str]] = {}
    for story_id, topic in await session.execute(
        select(_story_topic.c.story_id, _story_topic.c.topic)
        .where(_story_topic.c.story_id.in_(ids))
        .order_by(_story_topic.c.topic)
    ):
        topics.setdefault(story_id, []).append(topic)
    told_in: dict[int, dict[str, int]] = {}
    for story_id, lang, count in await session.execute(
        select(_item.c.story_id, _item.c.lang, func.count())
        .where(_item.c.story_id.in_(ids), _item.c.lang.is_not(None))
        .group_by(_item.c.story_id, _item.c.lang)
    ):
        told_in.setdefault(story_id, {})[lang] = count
    views: dict[int, StoryView] = {}
    for story_id, title, url, source_count, first, last, score, lang, source_name in stories:
        named = sorted(actors.get(story_id, []), key=lambda pair: (-pair[0], pair[1]))
        views[story_id] = StoryView(
            id=story_id,
            title=title,
            url=url,
            source_name=source_name or "",
            source_count=source_count,
            first_seen=as_utc(first),
            last_seen=as_utc(last),
            actors=tuple(name for _, name in named),
            topics=tuple(topics.get(story_id, [])),
            score=score,
            lang=lang,
            actor_weight=named[0][0] if named else 0.0,
            languages=tuple(
                sorted(told_in.get(story_id, {}), key=lambda c: (-told_in[story_id][c], c))
            ),
        )
    return views


async def _last_seen(session: AsyncSession) -> datetime | None:
    newest = await session.scalar(select(func.max(_story.c.last_seen)))
    return as_utc(newest) if newest is not None else None


def _moment(value: datetime | str) -> datetime:
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)



_WORD = re.compile(r"\w+")


def _table(name: str) -> Table:
    return models.Story.metadata.tables[name]


_story = _table("story")
_item = _table("item")
_source = _table("source")
_actor = _table("actor")
_story_actor = _table("story_actor")
_story_topic = _table("story_topic")
_sent = _table("sent_story")
