"""Times go into SQLite as its own DATETIME text and come back as the same aware UTC instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import DateTime, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import sessionmaker, transaction
from storage.models import Source, UTCDateTime

SQLITE = sqlite.dialect()
OURS = UTCDateTime().bind_processor(SQLITE)
SQLALCHEMYS = DateTime(timezone=True).dialect_impl(SQLITE).bind_processor(SQLITE)
ZONES = st.builds(lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-720, 840))


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
                    timezones=ZONES))
def test_the_stored_text_is_sqlalchemys_own_for_the_utc_instant(moment: datetime) -> None:
    assert OURS is not None and SQLALCHEMYS is not None
    assert OURS(moment) == SQLALCHEMYS(moment.astimezone(UTC))


def test_a_naive_time_is_taken_as_utc() -> None:
    assert OURS is not None
    assert OURS(datetime(2026, 11, 22, 8, 30)) == "2026-11-22 08:30:00.000000"


async def test_a_time_from_caracas_reads_back_as_the_same_instant_in_utc(engine: AsyncEngine) -> None:
    caracas = timezone(timedelta(hours=-4))
    polled = datetime(2026, 11, 22, 8, 30, 15, 250, tzinfo=caracas)
    maker = sessionmaker(engine)
    async with transaction(maker) as session:
        session.add(Source(id="s", name="S", last_polled_at=polled))
    async with maker() as session:
        stored = await session.scalar(select(Source.last_polled_at).where(Source.id == "s"))
    assert stored == polled and stored is not None and stored.tzinfo is not None
    assert stored.utcoffset() == timedelta(0)
