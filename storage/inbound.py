"""Messages readers sent (WhatsApp): each handled once, however often the webhook comes again.

Every function takes a keyword-only `session` and never commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboundMessage
from storage.times import as_utc

__all__ = ["claim_inbound", "finish_inbound", "forget_inbound"]

_INBOUND: Table = InboundMessage.__table__  # type: ignore[attr-defined]


async def claim_inbound(
    *, session: AsyncSession, message_id: str, chat_id: int, sent_at: datetime, now: datetime
) -> bool:
    """True when the message is still to be handled: new, or left unfinished by a crash.

    False when it was handled already (Meta sent the webhook again).
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(InboundMessage)
        .values(id=message_id, chat_id=chat_id, sent_at=as_utc(sent_at), received_at=as_utc(now),
                done=False)
        .on_conflict_do_nothing(index_elements=["id"])
    )
    row = await session.get(InboundMessage, message_id, populate_existing=True)
    return row is not None and not row.done


async def finish_inbound(*, session: AsyncSession, message_id: str) -> None:
    """The message's answer is in the outbox: never handle it again."""
    await session.execute(
        update(InboundMessage).where(_INBOUND.c.id == message_id).values(done=True)
    )


async def forget_inbound(*, session: AsyncSession, before: datetime) -> int:
    """Drop the record of messages received before `before` (Meta stops retrying within days)."""
    result = await session.execute(
        delete(InboundMessage).where(_INBOUND.c.received_at < as_utc(before))
    )
    return int(getattr(result, "rowcount", 0) or 0)
