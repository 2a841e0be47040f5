"""The scheduled digest's queries: who is due, claiming a digest time, what each chat was sent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import SentStory, Subscriber


async def due_subscribers(
    *, session: AsyncSession, now: datetime, after: int | None, limit: int,
    transports: Sequence[str] = ("telegram",),
) -> list[Subscriber]:
    """Active subscribers of these transports whose scheduled digest is due, in chat id order
    after `after`."""
    query = (
        select(Subscriber)
        .where(
            col(Subscriber.active),
            col(Subscriber.schedule) != "off",
            col(Subscriber.next_digest_at) <= now,
            col(Subscriber.transport).in_(list(transports)),
        )
        .order_by(col(Subscriber.chat_id))
        .limit(limit)
    )
    if after is not None:
        query = query.where(col(Subscriber.chat_id) > after)
    return list((await session.execute(query)).scalars().all())


async def claim_digest(
    *,
    session: AsyncSession,
    chat_id: int,
    scheduled: datetime,
    following: datetime | None,
    now: datetime,
) -> bool:
    """Move the chat's next digest from `scheduled` to `following`; False if someone else did.

    Another worker that claimed it first, or a settings change meanwhile, moved the time already.
    """
    claimed = await session.execute(
        update(Subscriber)
        .where(
            col(Subscriber.chat_id) == chat_id,
            col(Subscriber.active),
            col(Subscriber.next_digest_at) == scheduled,
        )
        .values(next_digest_at=following, watermark=now)
    )
    return bool(getattr(claimed, "rowcount", 0))


async def record_sent(
    *, session: AsyncSession, chat_id: int, stories: Sequence[tuple[int, int]], now: datetime
) -> None:
    """Remember that these (story, source count) pairs went to the chat, replacing older counts."""
    if not stories:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(SentStory).values(
        [
            {"chat_id": chat_id, "story_id": story_id, "source_count": count, "sent_at": now}
            for story_id, count in stories
        ]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["chat_id", "story_id"],
            set_={
                "source_count": statement.excluded.source_count,
                "sent_at": statement.excluded.sent_at,
            },
        )
    )
