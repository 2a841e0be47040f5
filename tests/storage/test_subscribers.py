"""Subscribing, settings and follows are kept in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import sessionmaker, transaction
from storage.models import Actor, Delivery, Item, Source, Subscriber
from storage.stories import actor_story_counts, collect_stats, failing_sources, list_sources
from storage.subscribers import (
    SettingError,
    follow,
    get_subscriber,
    list_follows,
    subscribe,
    subscriber_languages,
    unfollow,
    unsubscribe,
    update_settings,
)
from tests.sample_stories import add_story, seed_catalog

NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # 09:00 in Caracas


@pytest.fixture
def maker(any_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return sessionmaker(any_engine)


def aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


async def test_start_subscribes_and_plans_the_next_daily_digest(
    maker: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(maker) as session:
        subscriber = await subscribe(
            session=session, chat_id=7, timezone="America/Caracas", now=NOW
        )

    async with maker() as session:
        stored = await get_subscriber(session=session, chat_id=7)
    assert stored is not None and stored.active
    assert (stored.schedule, stored.digest_time, stored.timezone) == (
        "daily",
        "08:00",
        "America/Caracas",
    )
    assert aware(stored.next_digest_at) == datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
    assert aware(subscriber.next_digest_at) == aware(stored.next_digest_at)


async def test_stop_then_start_keeps_the_settings(maker: async_sessionmaker[AsyncSession]) -> None:
    async with transaction(maker) as session:
        await subscribe(session=session, chat_id=7, timezone="America/Caracas", now=NOW)
        await update_settings(
            session=session,
            chat_id=7,
            now=NOW,
            schedule="twice",
            digest_time="7:30",
            timezone="Europe/Madrid",
            languages=["es", "FR"],
        )
    async with transaction(maker) as session:
        assert await unsubscribe(session=session, chat_id=7)
        assert not await unsubscribe(session=session, chat_id=7)
    async with maker() as session:
        stopped = await get_subscriber(session=session, chat_id=7)
    assert stopped is not None and not stopped.active and stopped.next_digest_at is None

    async with transaction(maker) as session:
        back = await subscribe(session=session, chat_id=7, timezone="America/Caracas", now=NOW)

    assert back.active and back.deactivated_reason is None
    assert (back.schedule, back.digest_time, back.timezone) == ("twice", "07:30", "Europe/Madrid")
    assert subscriber_languages(back) == frozenset({"es", "fr"})
    assert aware(back.next_digest_at) == datetime(2026, 3, 10, 18, 30, tzinfo=UTC)  # 19:30 Madrid


async def test_schedule_off_plans_nothing_and_bad_settings_are_refused(
    maker: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(maker) as session:
        await subscribe(session=session, chat_id=7, timezone="America/Caracas", now=NOW)
        off = await update_settings(session=session, chat_id=7, now=NOW, schedule="off")
        assert off.next_digest_at is None
        for bad in ({"schedule": "weekly"}, {"digest_time": "25:00"}, {"timezone": "Mars/Base"}):
            with pytest.raises(SettingError):
                await update_settings(session=session, chat_id=7, now=NOW, **bad)  # type: ignore[arg-type]
        with pytest.raises(SettingError):
            await update_settings(session=session, chat_id=8, now=NOW, schedule="daily")
        hourly = await update_settings(
            session=session, chat_id=7, now=NOW, schedule="hourly", languages=[]
        )
    assert aware(hourly.next_digest_at) == NOW + timedelta(hours=1)
    assert subscriber_languages(hourly) == frozenset()


async def test_follows_are_kept_once_and_listed_by_actor_name(
    maker: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(maker) as session:
        await seed_catalog(session)
        await subscribe(session=session, chat_id=7, timezone="UTC", now=NOW)
        assert await follow(session=session, chat_id=7, actor_id="maduro")
        assert not await follow(session=session, chat_id=7, actor_id="maduro")
        assert await follow(session=session, chat_id=7, actor_id="machado")
        assert await follow(session=session, chat_id=8, actor_id="cne")

    async with transaction(maker) as session:
        assert await list_follows(session=session, chat_id=7) == ["machado", "maduro"]
        assert await unfollow(session=session, chat_id=7, actor_id="machado")
        assert not await unfollow(session=session, chat_id=7, actor_id="machado")
    async with maker() as session:
        assert await list_follows(session=session, chat_id=7) == ["maduro"]
        assert await list_follows(session=session, chat_id=99) == []


async def test_actor_counts_sources_and_stats_for_admins(
    maker: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(maker) as session:
        await seed_catalog(session)
        await add_story(session, title="A", seen=NOW - timedelta(days=1), actors=("maduro", "cne"))
        await add_story(session, title="B", seen=NOW - timedelta(days=2), actors=("maduro",))
        await add_story(session, title="C", seen=NOW - timedelta(days=9), actors=("machado",))
        broken = await session.get(Source, "radio")
        assert broken is not None
        broken.error_count, broken.last_error = 3, "HTTP 503"
        await subscribe(session=session, chat_id=1, timezone="UTC", now=NOW)
        await subscribe(session=session, chat_id=2, timezone="UTC", now=NOW)
        await unsubscribe(session=session, chat_id=2)
        session.add(
            Delivery(
                transport="telegram",
                destination="1",
                kind="digest",
                dedup_key="d#0",
                payload="x",
                next_attempt_at=NOW,
                created_at=NOW,
            )
        )
        session.add(
            Delivery(
                transport="telegram",
                destination="1",
                kind="digest",
                dedup_key="e#0",
                payload="x",
                status="sent",
                next_attempt_at=NOW,
                created_at=NOW,
            )
        )

    async with maker() as session:
        counts = await actor_story_counts(session=session, since=NOW - timedelta(days=7))
        sources = await list_sources(session=session)
        failing = await failing_sources(session=session)
        stats = await collect_stats(session=session, now=NOW)

    assert counts == {"maduro": 2, "cne": 1}
    assert [source.name for source in sources] == [
        "Efecto Cocuyo",
        "Le Quotidien",
        "Radio Fe",
        "Wire Service",
    ]
    assert [(source.id, source.last_error) for source in failing] == [("radio", "HTTP 503")]
    assert (
        stats.sources_ok,
        stats.sources_failing,
        stats.items_today,
        stats.subscribers,
        stats.deliveries_pending,
    ) == (3, 1, 1, 1, 1)


async def test_unused_rows_do_not_count(maker: async_sessionmaker[AsyncSession]) -> None:
    # A source removed from feeds.toml is kept in the table but is not listed or counted.
    async with transaction(maker) as session:
        session.add(Source(id="gone", name="Gone", in_config=False, error_count=9))
        session.add(Actor(id="maduro", name="Nicolás Maduro"))
        await session.flush()
        session.add(
            Item(
                source_id="gone",
                key="k",
                title="t",
                text_hash="h",
                published_at=NOW - timedelta(days=3),
                fetched_at=NOW,
            )
        )
        session.add(Subscriber(chat_id=5, created_at=NOW, active=False))

    async with maker() as session:
        stats = await collect_stats(session=session, now=NOW)
        assert await list_sources(session=session) == []
        assert await failing_sources(session=session) == []
    assert (stats.sources_ok, stats.sources_failing, stats.items_today, stats.subscribers) == (
        0,
        0,
        0,
        0,
    )
