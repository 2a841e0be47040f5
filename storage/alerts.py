"""The alerts' queries: where the last check left off, which chats follow a touched story."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Checkpoint, Delivery, Follow, Item, SentStory, StoryActor, Subscriber

ALERT_CHECKPOINT = "alerts:last_item"
_ALERT_KEY = re.compile(r"alert:(-?\d+):(\d+)(?:#\d+)?")


@dataclass(frozen=True, slots=True)
class FollowedStory:
    """A story that names actors a chat follows, by their ids."""

    story_id: int
    actor_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NewItems:
    """The item ids an alert check looks at: after `after`, up to and including `upto`."""

    after: int
    upto: int


async def claim_new_items(*, session: AsyncSession) -> NewItems | None:
    """The items stored since the last check, the checkpoint moved past them in this session.

    None when there is nothing new, and on the first check ever: the history so far is not
    news to anyone. The checkpoint moves in the caller's transaction, with the alerts it causes.
    """
    mark = await session.get(Checkpoint, ALERT_CHECKPOINT)
    newest = await session.scalar(select(func.max(col(Item.id))))
    if newest is None:
        return None
    if mark is None:
        session.add(Checkpoint(name=ALERT_CHECKPOINT, value=newest))
        return None
    if newest <= mark.value:
        return None
    after, mark.value = mark.value, newest
    return NewItems(after=after, upto=newest)


async def alert_candidates(
    *, session: AsyncSession, items: NewItems, published_since: datetime
) -> dict[int, list[FollowedStory]]:
    """Per active chat, the stories these items touched that name an actor it follows.

    Items published before `published_since` (backfills) touch nothing; a story the chat was
    already sent is left out, as is one in none of the chat's languages.
    """
    touched = (
        select(col(Item.story_id))
        .distinct()
        .where(
            col(Item.id) > items.after,
            col(Item.id) <= items.upto,
            col(Item.published_at) >= published_since,
        )
    )
    rows = await session.execute(
        select(col(Follow.chat_id), col(StoryActor.story_id), col(StoryActor.actor_id))
        .join(StoryActor, col(StoryActor.actor_id) == col(Follow.actor_id))
        .join(Subscriber, col(Subscriber.chat_id) == col(Follow.chat_id))
        .outerjoin(
            SentStory,
            (col(SentStory.chat_id) == col(Follow.chat_id))
            & (col(SentStory.story_id) == col(StoryActor.story_id)),
        )
        .where(
            col(StoryActor.story_id).in_(touched),
            col(Subscriber.active),
            col(SentStory.story_id).is_(None),
        )
    )
    named: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for chat_id, story_id, actor_id in rows:
        named[chat_id][story_id].append(actor_id)
    languages = await _languages_of(session, list(named))
    story_langs = await _story_languages(
        session, {s for stories in named.values() for s in stories}
    )
    return {
        chat_id: [
            FollowedStory(story_id=story_id, actor_ids=tuple(sorted(actor_ids)))
            for story_id, actor_ids in stories.items()
            if not languages[chat_id] or languages[chat_id] & story_langs.get(story_id, set())
        ]
        for chat_id, stories in named.items()
    }


async def alerts_last_hour(
    *, session: AsyncSession, chat_id: int, now: datetime, transport: str = "telegram"
) -> int:
    """How many alerts the chat was promised in the hour before `now`."""
    count = await session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(
            col(Delivery.transport) == transport,
            col(Delivery.destination) == str(chat_id),
            col(Delivery.kind) == "alert",
            col(Delivery.created_at) > now - timedelta(hours=1),
        )
    )
    return count or 0


async def _languages_of(session: AsyncSession, chat_ids: list[int]) -> dict[int, frozenset[str]]:
    rows = await session.execute(
        select(col(Subscriber.chat_id), col(Subscriber.languages)).where(
            col(Subscriber.chat_id).in_(chat_ids)
        )
    )
    return {
        chat_id: frozenset(code for code in codes.split(",") if code) for chat_id, codes in rows
    }


async def _story_languages(session: AsyncSession, story_ids: set[int]) -> dict[int, set[str]]:
    langs: dict[int, set[str]] = defaultdict(set)
    if not story_ids:
        return langs
    rows = await session.execute(
        select(col(Item.story_id), col(Item.lang))
        .distinct()
        .where(col(Item.story_id).in_(sorted(story_ids)), col(Item.lang).is_not(None))
    )
    for story_id, lang in rows:
        if story_id is not None and lang:
            langs[story_id].add(lang)
    return langs


def alert_key(chat_id: int, story_id: int) -> str:
    """The outbox key of the alert about a story to a chat."""
    return f"alert:{chat_id}:{story_id}"


async def unsend_alerted_story(*, session: AsyncSession, delivery_id: int) -> bool:
    """A delivery given up: when it was an alert, its story no longer counts as sent to the chat,
    so their next digest carries it. True when a story was given back."""
    row = (await session.execute(
        select(Delivery.kind, Delivery.dedup_key).where(col(Delivery.id) == delivery_id)
    )).first()
    match = _ALERT_KEY.fullmatch(row[1]) if row is not None and row[0] == "alert" else None
    if match is None:
        return False
    await session.execute(delete(SentStory).where(
        col(SentStory.chat_id) == int(match[1]), col(SentStory.story_id) == int(match[2])
    ))
    return True
