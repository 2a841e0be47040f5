"""The ticks: due digests and alerts become outbox rows, and due outbox rows are sent."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.digest.compose import compose_alert, compose_digest
from bot.digest.rank import rank_stories
from bot.digest.select import load_stories, select_window
from bot.model import Choice
from bot.outbox import DeliveryReport, Pacer, Transport, deliver_due, promise
from bot.runtime import Runtime
from bot.telegram.buttons import digest_more
from bot.telegram.transport import TelegramTransport
from storage.db import transaction
from storage.models import (
    Checkpoint,
    Delivery,
    Follow,
    Item,
    SentStory,
    StoryActor,
    Subscriber,
)
from storage.schedule import next_digest_at, zone_of
from storage.subscribers import subscriber_languages
from storage.times import as_utc

if TYPE_CHECKING:
    from collections.abc import Mapping

logger = logging.getLogger(__name__)

DIGEST_SIZE = 10  # stories in a scheduled digest; the "more" button pages on
LOOKBACK = timedelta(hours=24)  # a digest never reaches further back than this
# Feeds often publish an item a while before Vigía reads it: a story last seen just before the
# previous digest may only have arrived after it. The window reaches this far behind the
# watermark; what was already sent is excluded, so nothing repeats.
LATE_GRACE = timedelta(hours=3)
ALERT_FRESHNESS = timedelta(hours=6)  # an item older than this (a backfill) alerts nobody
ALERT_CHECKPOINT = "alerts:last_item"
DUE_BATCH = 200


async def run_digest_tick(
    runtime: Runtime,
    *,
    now: datetime | None = None,
    limit: int = 5000,
    transports: Mapping[str, Transport] | None = None,
) -> int:
    """Write the digests that are due into the outbox; return how many were promised.

    Each subscriber's digest is rendered by the transport it subscribed through; subscribers of a
    transport this process does not serve (WhatsApp without its settings) wait, untouched.

    Each subscriber is one transaction: claiming its scheduled time (moving next_digest_at on),
    writing the digest, recording what it contains. A crash leaves all or nothing; a second
    worker finds the time already claimed and moves on. An empty window promises nothing but
    the schedule still advances.
    """
    now = as_utc(now or datetime.now(UTC))
    transports = transports or _RENDER_ONLY
    promised = done = 0
    cursor = None  # chat ids are walked in order, so a failing subscriber is tried once a tick
    while done < limit:
        query = (
            select(Subscriber)
            .where(
                col(Subscriber.active),
                col(Subscriber.schedule) != "off",
                col(Subscriber.next_digest_at) <= now,
                col(Subscriber.transport).in_(sorted(transports)),
            )
            .order_by(col(Subscriber.chat_id))
            .limit(min(DUE_BATCH, limit - done))
        )
        if cursor is not None:
            query = query.where(col(Subscriber.chat_id) > cursor)
        async with runtime.sessions() as session:
            due = (await session.execute(query)).scalars().all()
        if not due:
            break
        for subscriber in due:
            done += 1
            cursor = subscriber.chat_id
            try:
                async with transaction(runtime.sessions) as session:
                    promised += await _promise_digest(
                        session, transports[subscriber.transport], subscriber, now
                    )
            except Exception:
                # One subscriber's failure must not hold back everybody else's digest.
                logger.exception("digest failed chat=%s", subscriber.chat_id)
    if done:
        logger.info("digest tick due=%d promised=%d", done, promised)
    return promised


async def run_alert_tick(
    runtime: Runtime,
    *,
    now: datetime | None = None,
    transports: Mapping[str, Transport] | None = None,
) -> int:
    """Alert followers of the actors named by stories that got an item since the last check.

    At most `alerts_per_hour` alerts a chat an hour; the rest wait for the next digest. A story
    already sent to a chat is not alerted again. Returns how many alerts were promised.

    Where the check left off is the highest item id it has looked at, kept in the database, and
    moved in the same transaction as the alerts it caused: a crash repeats the check, and the
    dedup keys make the repeat write nothing twice.
    """
    now = as_utc(now or datetime.now(UTC))
    transports = transports or _RENDER_ONLY
    cap = runtime.settings.alerts_per_hour
    async with transaction(runtime.sessions) as session:
        mark = await session.get(Checkpoint, ALERT_CHECKPOINT)
        newest = await session.scalar(select(func.max(col(Item.id))))
        if newest is None:
            return 0
        if mark is None:
            # First run: the history so far is not news to anyone.
            session.add(Checkpoint(name=ALERT_CHECKPOINT, value=newest))
            return 0
        if newest <= mark.value:
            return 0
        candidates = await _alert_candidates(session, after=mark.value, upto=newest, now=now)
        mark.value = newest
        promised = 0
        for chat_id, story_actors in candidates.items():
            subscriber = await session.get(Subscriber, chat_id)
            transport = transports.get(subscriber.transport) if subscriber else None
            if transport is None:
                continue  # a transport this process does not serve
            room = cap - await _alerts_last_hour(session, transport.name, chat_id, now)
            if room > 0:
                promised += await _promise_alerts(
                    runtime, session, transport, chat_id, story_actors, room=room, now=now
                )
    if promised:
        logger.info("alert tick promised=%d", promised)
    return promised


async def run_delivery_tick(
    runtime: Runtime,
    transports: Mapping[str, Transport],
    *,
    pacers: Mapping[str, Pacer] | None = None,
) -> DeliveryReport:
    """Send what the outbox holds that is due, paced by the process's one pacer per transport."""
    return await deliver_due(transports, runtime.sessions, pacers=pacers,
                             lease_seconds=runtime.settings.delivery_lease)


@dataclass(frozen=True, slots=True)
class _Followed:
    """A story that names actors a chat follows."""

    story_id: int
    actor_names: tuple[str, ...]


async def _promise_digest(
    session: AsyncSession, transport: Transport, subscriber: Subscriber, now: datetime
) -> int:
    scheduled = subscriber.next_digest_at
    assert scheduled is not None
    following = next_digest_at(
        schedule=subscriber.schedule,
        digest_time=subscriber.digest_time,
        tz=subscriber.timezone,
        now=now,
    )
    claimed = await session.execute(
        update(Subscriber)
        .where(
            col(Subscriber.chat_id) == subscriber.chat_id,
            col(Subscriber.active),
            col(Subscriber.next_digest_at) == scheduled,
        )
        .values(next_digest_at=following, watermark=now)
    )
    if not getattr(claimed, "rowcount", 0):
        return 0  # another worker took it, or the settings changed meanwhile
    start = max(
        as_utc(subscriber.watermark) if subscriber.watermark else now - LOOKBACK, now - LOOKBACK
    )
    since = max(start - LATE_GRACE, now - LOOKBACK)
    page = await select_window(
        session=session,
        since=since,
        until=now,
        languages=subscriber_languages(subscriber),
        limit=DIGEST_SIZE,
        exclude_sent_to=subscriber.chat_id,
    )
    if not page.stories:
        return 0
    zone = zone_of(subscriber.timezone)
    local = as_utc(scheduled).astimezone(zone)
    heading = f"Vigía · Venezuela — {local:%d %b, %H:%M}"
    choices: tuple[tuple[Choice, ...], ...] = ()
    if page.total > len(page.stories):
        more = digest_more(since=since, until=now, offset=len(page.stories))
        choices = ((Choice(f"More ({page.total - len(page.stories)})", more),),)
    message = compose_digest(page.stories, heading=heading, tz=zone, now=now, choices=choices)
    await promise(
        session=session,
        transport=transport,
        destination=str(subscriber.chat_id),
        message=message,
        kind="digest",
        dedup_key=f"digest:{subscriber.chat_id}:{as_utc(scheduled).isoformat()}",
        now=now,
    )
    await _record_sent(
        session, subscriber.chat_id, [(story.id, story.source_count) for story in page.stories], now
    )
    return 1


async def _alert_candidates(
    session: AsyncSession, *, after: int, upto: int, now: datetime
) -> dict[int, list[_Followed]]:
    touched = (
        select(col(Item.story_id))
        .distinct()
        .where(
            col(Item.id) > after,
            col(Item.id) <= upto,
            col(Item.published_at) >= now - ALERT_FRESHNESS,
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
            _Followed(story_id=story_id, actor_names=tuple(sorted(actor_ids)))
            for story_id, actor_ids in stories.items()
            if not languages[chat_id] or languages[chat_id] & story_langs.get(story_id, set())
        ]
        for chat_id, stories in named.items()
    }


async def _promise_alerts(
    runtime: Runtime,
    session: AsyncSession,
    transport: Transport,
    chat_id: int,
    followed: list[_Followed],
    *,
    room: int,
    now: datetime,
) -> int:
    if not followed:
        return 0
    views = rank_stories(
        await load_stories(session=session, story_ids=[f.story_id for f in followed]), now=now
    )
    names = {actor.id: actor.name for actor in runtime.catalog.actors}
    actors_of = {f.story_id: f.actor_names for f in followed}
    subscriber = await session.get(Subscriber, chat_id)
    zone = zone_of(subscriber.timezone if subscriber else runtime.settings.timezone)
    sent: list[tuple[int, int]] = []
    for view in views[:room]:
        message = compose_alert(
            view,
            [names.get(actor_id, actor_id) for actor_id in actors_of[view.id]],
            tz=zone,
            now=now,
        )
        await promise(
            session=session,
            transport=transport,
            destination=str(chat_id),
            message=message,
            kind="alert",
            dedup_key=f"alert:{chat_id}:{view.id}",
            now=now,
        )
        sent.append((view.id, view.source_count))
    await _record_sent(session, chat_id, sent, now)
    return len(sent)


async def _alerts_last_hour(
    session: AsyncSession, transport_name: str, chat_id: int, now: datetime
) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(
            col(Delivery.transport) == transport_name,
            col(Delivery.destination) == str(chat_id),
            col(Delivery.kind) == "alert",
            col(Delivery.created_at) > now - timedelta(hours=1),
        )
    )
    return count or 0


async def _record_sent(
    session: AsyncSession, chat_id: int, stories: list[tuple[int, int]], now: datetime
) -> None:
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


_RENDER_ONLY: Mapping[str, Transport] = {"telegram": TelegramTransport(None)}
