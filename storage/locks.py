"""Locks that serialise one kind of work across worker processes sharing a PostgreSQL database."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

STORY_LOCK = 0x56_49_47_49_41  # "VIGIA": the advisory lock that serialises story folding


async def lock_stories(*, session: AsyncSession) -> None:
    """Serialise story folding until the transaction ends (SQLite has one writer anyway).

    Without it two workers could each start a story for two copies of the same news.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STORY_LOCK})
