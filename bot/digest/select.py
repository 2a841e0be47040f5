"""Select the stories a digest, `/actor` or `/search` shows, one page at a time."""

from __future__ import annotations

import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.digest.rank import score_story
from bot.model import StoryView
from storage import views
from storage.db import Session
from storage.times import as_utc
from storage.views import StoryRow, WindowStory

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
    session: Session,
    since: datetime,
    until: datetime,
    languages: frozenset[str] = frozenset(),
    actor_ids: frozenset[str] = frozenset(),
    limit: int = 10,
    offset: int = 0,
    exclude_sent_to: int | None = None,
) -> DigestPage:
    """The best stories last seen in (since, until], ranked at `until`.

    `languages` keeps stories with at least one item in one of them (empty: all); `actor_ids`
    those naming one of these actors (a channel of one actor's news; empty: all).
    `exclude_sent_to` leaves out what that chat was already sent, unless the story has since
    been reported by more sources: then it comes back marked as a follow-up.
    """
    since, until = as_utc(since), as_utc(until)
    rows = await views.window_stories(
        session=session,
        since=since,
        until=until,
        languages=languages,
        actor_ids=actor_ids,
        exclude_sent_to=exclude_sent_to,
    )
    scored = await _best_scored(session, rows, wanted=offset + limit, until=until)
    page = scored[offset : offset + limit]
    shown = await story_views(
        session=session, story_ids=[story_id for _, _, story_id, _ in page], prefer=languages
    )
    stories = tuple(
        replace(shown[story_id], score=score, follow_up=follow_up)
        for score, _, story_id, follow_up in page
        if story_id in shown
    )
    return DigestPage(
        stories=stories,
        total=len(rows),
        last_item_at=await views.newest_story_seen(session=session),
    )


async def select_actor(
    *, session: Session, actor_id: str, limit: int = 10, offset: int = 0
) -> DigestPage:
    """The latest stories naming an actor, newest first."""
    ids, total = await views.actor_story_ids(
        session=session, actor_id=actor_id, limit=limit, offset=offset
    )
    return await _page(session, ids, total=total)


async def search_stories(
    *, session: Session, words: str, limit: int = 10, offset: int = 0
) -> DigestPage:
    """Stories whose items contain every word, newest match first.

    Each word is matched as a quoted term, never read as query syntax. Only the newest
    SEARCH_DEPTH matching items are considered, so `total` counts the stories among them.
    """
    terms = search_terms(words)
    if not terms:
        return await _page(session, [], total=0)
    story_ids = await views.search_story_ids(session=session, terms=terms, depth=SEARCH_DEPTH)
    return await _page(session, story_ids[offset : offset + limit], total=len(story_ids))


def search_terms(words: str) -> list[str]:
    """The words of a search, letters and digits only, at most eight."""
    return _WORD.findall(words[:1000])[:MAX_SEARCH_WORDS]


async def load_stories(*, session: Session, story_ids: Sequence[int]) -> list[StoryView]:
    """The views of these stories, in the order given (unknown ids are skipped)."""
    shown = await story_views(session=session, story_ids=story_ids)
    return [shown[story_id] for story_id in story_ids if story_id in shown]


async def story_views(
    *, session: Session, story_ids: Sequence[int], prefer: frozenset[str] = frozenset()
) -> dict[int, StoryView]:
    """These stories as shown, by id (unknown ids are absent); with `prefer`, each under the
    title of its first item in one of those languages."""
    rows = await views.story_rows(session=session, story_ids=story_ids, prefer=prefer)
    return {story_id: _view(row) for story_id, row in rows.items()}


async def _page(session: Session, story_ids: Sequence[int], *, total: int) -> DigestPage:
    shown = await story_views(session=session, story_ids=story_ids)
    return DigestPage(
        stories=tuple(shown[story_id] for story_id in story_ids if story_id in shown),
        total=total,
        last_item_at=await views.newest_story_seen(session=session),
    )


async def _best_scored(
    session: Session, rows: Sequence[WindowStory], *, wanted: int, until: datetime
) -> list[tuple[float, datetime, int, bool]]:
    """The `wanted` best of rows given newest first: (score, last seen, story, follow-up).

    A story's score is at most the window's best sources-and-actor factor decayed by its age,
    so once that bound falls below the wanted-th best score found, no older story can enter
    the page: a week's window is scored only as far back as it can matter.
    """
    if not rows:
        return []
    actor_weight = await views.actor_weights(session=session)
    ceiling = max(row.source_count for row in rows)
    top_weight = max(actor_weight.values(), default=0.0)
    best: list[tuple[float, datetime, int, bool]] = []  # a min-heap of the best so far
    for start in range(0, len(rows), _SCORE_CHUNK):
        chunk = rows[start : start + _SCORE_CHUNK]
        bound = score_story(
            source_count=ceiling, last_seen=chunk[0].last_seen, actor_weight=top_weight, now=until
        )
        if len(best) >= wanted and bound < best[0][0]:
            break
        weights = await _story_weights(session, [row.story_id for row in chunk], actor_weight)
        for row in chunk:
            entry = (
                score_story(
                    source_count=row.source_count,
                    last_seen=row.last_seen,
                    actor_weight=weights.get(row.story_id, 0.0),
                    now=until,
                ),
                row.last_seen,
                row.story_id,
                row.sent_count is not None,
            )
            if len(best) < wanted:
                heapq.heappush(best, entry)
            elif entry > best[0]:
                heapq.heapreplace(best, entry)
    return sorted(best, reverse=True)


async def _story_weights(
    session: Session, story_ids: Sequence[int], actor_weight: dict[str, float]
) -> dict[int, float]:
    """The weight of each story's weightiest actor (0 for a story naming none)."""
    weights: dict[int, float] = {}
    for story_id, actor_id in await views.story_actor_ids(session=session, story_ids=story_ids):
        weight = actor_weight.get(actor_id, 0.0)
        if weight > weights.get(story_id, 0.0):
            weights[story_id] = weight
    return weights


def _view(row: StoryRow) -> StoryView:
    return StoryView(
        id=row.id,
        title=row.title,
        url=row.url,
        source_name=row.source_name,
        source_count=row.source_count,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        actors=row.actors,
        topics=row.topics,
        score=row.score,
        lang=row.lang,
        actor_weight=row.actor_weight,
        languages=row.languages,
    )


_WORD = re.compile(r"\w+")
