"""Subscribers, their settings and follows: what a chat asked for, kept across restarts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Actor, Follow, Subscriber
from storage.schedule import SCHEDULES, is_zone, next_digest_at, parse_clock
from storage.times import as_utc


class SettingError(ValueError):
    """A setting a subscriber asked for that Vigía cannot keep (unknown zone, bad time, …)."""


async def subscribe(
    *,
    session: AsyncSession,
    chat_id: int,
    timezone: str,
    now: datetime,
    transport: str = "telegram",
    language: str | None = None,
) -> Subscriber:
    """Subscribe a chat, or bring a stopped one back with the settings it had.

    A new subscriber has no watermark: its first digest covers the last 24 hours. `language`
    (the reader's, when known) replaces the stored one.
    """
    subscriber = await session.get(Subscriber, chat_id)
    if subscriber is None:
        subscriber = Subscriber(
            chat_id=chat_id, created_at=now, timezone=timezone if is_zone(timezone) else "UTC",
            transport=transport,
        )
        session.add(subscriber)
    elif not subscriber.active:
        subscriber.active = True
        subscriber.deactivated_reason = None
    if language is not None:
        subscriber.language = language
    subscriber.next_digest_at = _plan(subscriber, now)
    await session.flush()
    return subscriber


async def note_inbound(
    *, session: AsyncSession, chat_id: int, sent_at: datetime, language: str | None = None
) -> Subscriber | None:
    """The reader wrote at `sent_at` (the platform's own time): the reply window runs from the
    latest such moment; a late webhook never moves it back. Keeps `language` when given.
    None when the chat never subscribed."""
    subscriber = await session.get(Subscriber, chat_id)
    if subscriber is None:
        return None
    last = subscriber.last_inbound_at
    if last is None or as_utc(last) < as_utc(sent_at):
        subscriber.last_inbound_at = sent_at
    if language is not None:
        subscriber.language = language
    await session.flush()
    return subscriber


async def unsubscribe(*, session: AsyncSession, chat_id: int, reason: str = "stopped") -> bool:
    """Stop a chat's digests and alerts; False when it was not subscribed."""
    subscriber = await session.get(Subscriber, chat_id)
    if subscriber is None or not subscriber.active:
        return False
    subscriber.active = False
    subscriber.deactivated_reason = reason
    subscriber.next_digest_at = None
    await session.flush()
    return True


async def get_subscriber(*, session: AsyncSession, chat_id: int) -> Subscriber | None:
    """The chat's subscriber row, active or not; None when it never subscribed."""
    return await session.get(Subscriber, chat_id)


async def update_settings(
    *,
    session: AsyncSession,
    chat_id: int,
    now: datetime,
    schedule: str | None = None,
    digest_time: str | None = None,
    timezone: str | None = None,
    languages: Iterable[str] | None = None,
) -> Subscriber:
    """Change what was given and plan the next digest again.

    Raises SettingError for an unknown schedule or zone, an unreadable time, or a chat that
    never subscribed. `languages` empty means every language.
    """
    subscriber = await session.get(Subscriber, chat_id)
    if subscriber is None:
        raise SettingError("not subscribed")
    if schedule is not None:
        if schedule not in SCHEDULES:
            raise SettingError(f"unknown schedule {schedule!r}")
        subscriber.schedule = schedule
    if digest_time is not None:
        clock = parse_clock(digest_time)
        if clock is None:
            raise SettingError(f"unreadable time {digest_time!r}")
        subscriber.digest_time = clock.strftime("%H:%M")
    if timezone is not None:
        if not is_zone(timezone):
            raise SettingError(f"unknown time zone {timezone!r}")
        subscriber.timezone = timezone
    if languages is not None:
        codes = sorted({code.strip().lower() for code in languages if code.strip()})
        subscriber.languages = ",".join(codes)
    subscriber.next_digest_at = _plan(subscriber, now)
    await session.flush()
    return subscriber


def subscriber_languages(subscriber: Subscriber) -> frozenset[str]:
    """The languages a subscriber reads; empty means all."""
    return frozenset(code for code in subscriber.languages.split(",") if code)


async def follow(*, session: AsyncSession, chat_id: int, actor_id: str) -> bool:
    """Follow an actor; False when already followed."""
    if await session.get(Follow, (chat_id, actor_id)) is not None:
        return False
    session.add(Follow(chat_id=chat_id, actor_id=actor_id))
    await session.flush()
    return True


async def unfollow(*, session: AsyncSession, chat_id: int, actor_id: str) -> bool:
    """Stop following an actor; False when it was not followed."""
    result = await session.execute(
        delete(Follow).where(col(Follow.chat_id) == chat_id, col(Follow.actor_id) == actor_id)
    )
    return bool(getattr(result, "rowcount", 0))


async def list_follows(*, session: AsyncSession, chat_id: int) -> list[str]:
    """The ids of the actors a chat follows, by the actors' names."""
    rows = await session.execute(
        select(col(Follow.actor_id))
        .outerjoin(Actor, col(Actor.id) == col(Follow.actor_id))
        .where(col(Follow.chat_id) == chat_id)
        .order_by(col(Actor.name), col(Follow.actor_id))
    )
    return [actor_id for (actor_id,) in rows]


def _plan(subscriber: Subscriber, now: datetime) -> datetime | None:
    if not subscriber.active:
        return None
    return next_digest_at(
        schedule=subscriber.schedule,
        digest_time=subscriber.digest_time,
        tz=subscriber.timezone,
        now=now,
    )
