"""`/trend`'s counts land on the reader's days, summer time included, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.digest.chart import midnights, reader_days
from storage.db import sessionmaker, transaction
from storage.trend import actor_day_counts
from tests.sample_stories import add_story, seed_catalog

CARACAS = ZoneInfo("America/Caracas")  # UTC-4 all year
MADRID = ZoneInfo("Europe/Madrid")  # summer time ends on 25 Oct 2026 at 03:00 (01:00 UTC)
NOW = datetime(2026, 11, 3, 18, 30, tzinfo=UTC)  # 14:30 in Caracas, 19:30 in Madrid


@pytest.fixture
def maker(any_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return sessionmaker(any_engine)


async def day_counts(
    maker: async_sessionmaker[AsyncSession], actor_ids: list[str], *, days: int, tz: ZoneInfo
) -> tuple[tuple[date, ...], dict[str, tuple[int, ...]]]:
    span = reader_days(days=days, tz=tz, now=NOW)
    async with maker() as session:
        counts = await actor_day_counts(
            session=session, actor_ids=actor_ids, bounds=midnights(span, tz)
        )
    return span, counts


async def test_stories_count_on_the_readers_day_where_they_were_last_seen(
    maker: async_sessionmaker[AsyncSession],
) -> None:
    seen = {
        datetime(2026, 11, 3, 2, tzinfo=UTC): 3,  # 22:00 on 2 Nov in Caracas, 3 Nov in Madrid
        datetime(2026, 11, 3, 5, tzinfo=UTC): 2,  # 01:00 on 3 Nov in Caracas
        datetime(2026, 11, 1, 12, tzinfo=UTC): 1,
        datetime(2026, 9, 1, 12, tzinfo=UTC): 50,  # before the window: left out
    }
    async with transaction(maker) as session:
        await seed_catalog(session)
        for moment, stories in seen.items():
            for n in range(stories):
                await add_story(
                    session,
                    title=f"Maduro habla {moment:%d%H} {n}",
                    seen=moment,
                    actors=["maduro", "cne"] if n == 0 else ["maduro"],
                )

    span, caracas = await day_counts(maker, ["maduro", "machado"], days=7, tz=CARACAS)
    assert span[0] == date(2026, 10, 28) and span[-1] == date(2026, 11, 3)
    assert caracas == {"maduro": (0, 0, 0, 0, 1, 3, 2), "machado": (0,) * 7}
    _, madrid = await day_counts(maker, ["maduro"], days=7, tz=MADRID)
    assert madrid["maduro"][-3:] == (1, 0, 5)
    _, none = await day_counts(maker, [], days=7, tz=MADRID)
    assert none == {}


async def test_a_day_of_summer_time_ending_counts_its_twenty_five_hours(
    maker: async_sessionmaker[AsyncSession],
) -> None:
    # 25 Oct 2026 in Madrid runs from 22:00 UTC on the 24th to 23:00 UTC on the 25th.
    async with transaction(maker) as session:
        await seed_catalog(session)
        for moment in (
            datetime(2026, 10, 24, 21, 59, tzinfo=UTC),  # 23:59 on 24 Oct (summer time)
            datetime(2026, 10, 24, 22, 0, tzinfo=UTC),  # midnight: the 25th begins
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 02:30 the second time round
            datetime(2026, 10, 25, 22, 59, tzinfo=UTC),  # 23:59 on the 25th (winter time)
            datetime(2026, 10, 25, 23, 0, tzinfo=UTC),  # midnight: the 26th begins
        ):
            await add_story(session, title=f"Machado {moment:%d%H%M}", seen=moment, actors=["machado"])

    span, madrid = await day_counts(maker, ["machado"], days=11, tz=MADRID)
    assert span[:3] == (date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26))
    assert madrid["machado"][:3] == (1, 3, 1)
