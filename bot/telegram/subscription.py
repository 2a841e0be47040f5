"""`/start`, `/stop`, `/help`, and a chat that blocked Vigía: who gets digests and alerts."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from bot.telegram import texts
from bot.telegram.reply import Reply, reply_with
from storage import subscribers
from storage.db import Sessions, transaction
from storage.schedule import zone_of
from storage.times import as_utc


async def answer_start(
    *, sessions: Sessions, timezone: str, chat_id: int, now: datetime | None = None
) -> Reply:
    """Subscribe the chat (again, in `timezone` if new) and welcome it with its next digest."""
    now = now or datetime.now(UTC)
    async with transaction(sessions) as session:
        subscriber = await subscribers.subscribe(
            session=session, chat_id=chat_id, timezone=timezone, now=now
        )
    tz = zone_of(subscriber.timezone)
    if subscriber.next_digest_at is None:
        when = "Your scheduled digest is off; /settings turns it on."
    else:
        local = as_utc(subscriber.next_digest_at).astimezone(tz)
        when = (
            f"Your next digest comes {_day_and_time(local, now.astimezone(tz))} "
            f"({{zone}}), {_schedule_phrase(subscriber.schedule)}."
        )
    return reply_with(
        "*Welcome to Vigía.* I watch the news about Venezuela, fold copies of the same "
        "story together and tag who is in it.\n\n"
        f"{when}\n\n"
        "/digest — the top stories now\n"
        "/actor maduro — the latest about an actor\n"
        "/follow machado — an alert when they are in a new story\n"
        "/settings — schedule, time, timezone, languages\n"
        "/help — every command",
        zone=subscriber.timezone,
    )


async def answer_stop(*, sessions: Sessions, chat_id: int) -> Reply:
    """Unsubscribe the chat."""
    async with transaction(sessions) as session:
        was_active = await subscribers.unsubscribe(session=session, chat_id=chat_id)
    if not was_active:
        return reply_with("You were not subscribed. /start subscribes you to the digest.")
    return reply_with("Unsubscribed: no more digests or alerts. /start brings them back.")


def answer_help(*, admins: Collection[int], user_id: int | None) -> Reply:
    """Every command with an example; operators also see theirs."""
    if user_id is not None and user_id in admins:
        return reply_with(f"{texts.HELP}\n\n{texts.ADMIN_HELP}")
    return reply_with(texts.HELP)


async def deactivate_chat(*, sessions: Sessions, chat_id: int, reason: str) -> None:
    """A chat that blocked Vigía gets nothing more until it sends /start again."""
    async with transaction(sessions) as session:
        await subscribers.unsubscribe(session=session, chat_id=chat_id, reason=reason)


def _day_and_time(local: datetime, local_now: datetime) -> str:
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if local.date() == local_now.date():
        return f"today at {clock}"
    if local.date() == local_now.date() + timedelta(days=1):
        return f"tomorrow at {clock}"
    return f"on {local.day} {local.strftime('%b')} at {clock}"


def _schedule_phrase(schedule: str) -> str:
    return {
        "daily": "then every day",
        "twice": "then twice a day",
        "hourly": "then every hour",
    }.get(schedule, "")
