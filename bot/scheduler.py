"""The ticks: due digests and alerts become outbox rows, and due outbox rows are sent."""

from __future__ import annotations

import logging
import sys
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.digest.buttons import digest_more_button
from bot.digest.compose import compose_alert, compose_digest, format_day
from bot.digest.rank import rank_stories
from bot.digest.select import load_stories
from bot.model import Actor
from bot.outbox import DeliveryReport, Pacer, Transport, deliver_due, promise
from bot.telegram.admin import failing_report
from bot.telegram.transport import TelegramTransport
from bot.worker import Worker
from storage import alerts, digests
from storage.alerts import FollowedStory
from storage.db import Session, Sessions, transaction
from storage.health import read_checkpoint, write_checkpoint
from storage.models import Subscriber
from storage.schedule import next_digest_at, zone_of
from storage.stories import failing_since
from storage.subscribers import get_subscriber, subscriber_languages
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
# An alert goes out within seconds, but a busy outbox or a platform's flood wait may hold it:
# one whose reader's reply window closes sooner than this is left to their next digest.
ALERT_WINDOW_MARGIN = timedelta(minutes=15)
DUE_BATCH = 200
FAILING_CHECKPOINT = "failing:last_report"  # when the admins were last told of failing sources
FAILING_EVERY = timedelta(days=1)


async def run_digest_tick(
    *,
    sessions: Sessions,
    now: datetime | None = None,
    limit: int = 5000,
    transports: Mapping[str, Transport] | None = None,
    worker: Worker | None = None,
) -> int:
    """Write the digests that are due into the outbox; return how many were promised.

    Each subscriber's digest is rendered by the transport they subscribed through; subscribers of
    a transport this process does not serve (WhatsApp without its settings) wait, untouched.

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
        async with sessions() as session:
            due = await digests.due_subscribers(
                session=session, now=now, after=cursor, limit=min(DUE_BATCH, limit - done),
                transports=sorted(transports),
            )
        if not due:
            break
        for subscriber in due:
            if worker is not None and worker.stopping.is_set():
                return promised  # what is left is still due for the next worker
            done += 1
            cursor = subscriber.chat_id
            try:
                async with transaction(sessions) as session:
                    promised += await promise_digest(
                        session=session, transport=transports[subscriber.transport],
                        subscriber=subscriber, now=now,
                    )
            except Exception:
                # One subscriber's failure must not hold back everybody else's digest.
                logger.exception("digest failed chat=%s", subscriber.chat_id)
    if done:
        logger.info("digest tick due=%d promised=%d", done, promised)
    return promised


async def run_alert_tick(
    *,
    sessions: Sessions,
    actors: Sequence[Actor],
    timezone: str,
    alerts_per_hour: int,
    now: datetime | None = None,
    transports: Mapping[str, Transport] | None = None,
) -> int:
    """Alert followers of the actors named by stories that got an item since the last check.

    At most `alerts_per_hour` alerts a chat an hour; the rest wait for the next digest. A story
    already sent to a chat is not alerted again. A reader a transport may only write to for a
    while after they wrote (WhatsApp's 24 hours) is alerted only while that window stays open
    for `ALERT_WINDOW_MARGIN` more; otherwise the story waits for their next digest, which goes
    out whatever the window (as the approved template when it is closed). Returns how many
    alerts were promised.

    Where the check left off is the highest item id it has looked at, kept in the database, and
    moved in the same transaction as the alerts it caused: a crash repeats the check, and the
    dedup keys make the repeat write nothing twice.
    """
    now = as_utc(now or datetime.now(UTC))
    transports = transports or _RENDER_ONLY
    names = {actor.id: actor.name for actor in actors}
    promised = 0
    async with transaction(sessions) as session:
        new_items = await alerts.claim_new_items(session=session)
        if new_items is None:
            return 0
        candidates = await alerts.alert_candidates(
            session=session, items=new_items, published_since=now - ALERT_FRESHNESS
        )
        for chat_id, followed in candidates.items():
            subscriber = await get_subscriber(session=session, chat_id=chat_id)
            transport = transports.get(subscriber.transport) if subscriber else None
            if transport is None:
                continue  # a transport this process does not serve
            if not _may_alert(subscriber, transport, now):
                continue  # no alert may reach them now: the story waits for their next digest
            sent = await alerts.alerts_last_hour(
                session=session, chat_id=chat_id, now=now, transport=transport.name
            )
            if alerts_per_hour - sent > 0:
                promised += await promise_alerts(
                    session=session,
                    transport=transport,
                    chat_id=chat_id,
                    followed=followed,
                    room=alerts_per_hour - sent,
                    names=names,
                    timezone=timezone,
                    now=now,
                )
    if promised:
        logger.info("alert tick promised=%d", promised)
    return promised


async def run_failing_tick(
    *,
    sessions: Sessions,
    admins: Collection[int],
    timezone: str,
    failing_after: timedelta,
    now: datetime | None = None,
) -> int:
    """Once a day, tell the admins in one short message which sources have been failing for
    longer than `failing_after`; return how many admins were written to.

    The day's report is claimed in the transaction that promises it, so two workers (or a
    restart) never send it twice.
    """
    if not admins:
        return 0
    now = as_utc(now or datetime.now(UTC))
    async with transaction(sessions) as session:
        last = await read_checkpoint(session=session, name=FAILING_CHECKPOINT)
        if last is not None and now.timestamp() - last < FAILING_EVERY.total_seconds():
            return 0
        failing = await failing_since(session=session, before=now - failing_after)
        if not failing:
            return 0  # nothing to say; the next tick looks again
        await write_checkpoint(session=session, name=FAILING_CHECKPOINT, value=int(now.timestamp()))
        report = failing_report(failing, hours=int(failing_after.total_seconds() // 3600),
                                tz=zone_of(timezone), now=now)
        telegram = TelegramTransport(None)  # admins are Telegram users
        for chat_id in sorted(admins):
            await promise(session=session, transport=telegram, destination=str(chat_id),
                          message=report, kind="admin",
                          dedup_key=f"failing:{chat_id}:{now:%Y-%m-%d}", now=now)
    logger.warning("failing sources reported sources=%d admins=%d", len(failing), len(admins))
    return len(admins)


async def run_delivery_tick(
    *,
    sessions: Sessions,
    transports: Mapping[str, Transport],
    pacers: Mapping[str, Pacer] | None = None,
    lease_seconds: float = 60.0,
    worker: Worker | None = None,
) -> DeliveryReport:
    """Send what the outbox holds that is due, paced by the process's one pacer per transport;
    a row claimed is held `lease_seconds` (then another worker may take it over), or with a
    `worker` its short lease, renewed while it is being sent.

    The round goes on while anything is due: one that stopped claiming at a count would let its
    last rows drain without looking again, and a dead worker's lapsed rows would wait for it."""
    return await deliver_due(
        transports, sessions, pacers=pacers, lease_seconds=lease_seconds, worker=worker,
        limit=sys.maxsize,
    )


async def promise_digest(
    *, session: Session, transport: Transport, subscriber: Subscriber, now: datetime
) -> int:
    """Claim the subscriber's due digest time and put its digest in the outbox; 1 if promised."""
    scheduled = subscriber.next_digest_at
    assert scheduled is not None
    following = next_digest_at(
        schedule=subscriber.schedule,
        digest_time=subscriber.digest_time,
        tz=subscriber.timezone,
        now=now,
    )
    claimed = await digests.claim_digest(
        session=session,
        chat_id=subscriber.chat_id,
        scheduled=scheduled,
        following=following,
        now=now,
    )
    if not claimed:
        return 0  # another worker took it, or the settings changed meanwhile
    watermark = as_utc(subscriber.watermark) if subscriber.watermark else now - LOOKBACK
    start = max(watermark, now - LOOKBACK)
    since = max(start - LATE_GRACE, now - LOOKBACK)
    zone = zone_of(subscriber.timezone)
    language = subscriber.language
    when = as_utc(scheduled).astimezone(zone)
    digest = await compose_digest(
        session=session,
        since=since,
        until=now,
        heading=f"Vigía · Venezuela — {format_day(when, tz=zone, language=language)}, "
                f"{when:%H:%M}",
        tz=zone,
        now=now,
        languages=subscriber_languages(subscriber),
        limit=DIGEST_SIZE,
        exclude_sent_to=subscriber.chat_id,
        language=language,
    )
    if digest.message is None:
        return 0
    more = digest_more_button(digest, language=language)
    await promise(
        session=session,
        transport=transport,
        destination=str(subscriber.chat_id),
        message=replace(digest.message, choices=((more,),) if more is not None else ()),
        kind="digest",
        dedup_key=f"digest:{subscriber.chat_id}:{as_utc(scheduled).isoformat()}",
        now=now,
    )
    await digests.record_sent(
        session=session,
        chat_id=subscriber.chat_id,
        stories=[(story.id, story.source_count) for story in digest.page.stories],
        now=now,
    )
    return 1


async def promise_alerts(
    *,
    session: Session,
    transport: Transport,
    chat_id: int,
    followed: Sequence[FollowedStory],
    room: int,
    names: dict[str, str],
    timezone: str,
    now: datetime,
) -> int:
    """Put alerts for up to `room` of these stories, best first, in the chat's outbox."""
    if not followed:
        return 0
    views = rank_stories(
        await load_stories(session=session, story_ids=[f.story_id for f in followed]), now=now
    )
    actors_of = {f.story_id: f.actor_ids for f in followed}
    subscriber = await get_subscriber(session=session, chat_id=chat_id)
    zone = zone_of(subscriber.timezone if subscriber else timezone)
    sent: list[tuple[int, int]] = []
    for view in views[:room]:
        message = compose_alert(
            view,
            [names.get(actor_id, actor_id) for actor_id in actors_of[view.id]],
            tz=zone,
            now=now,
            language=subscriber.language if subscriber else None,
        )
        await promise(
            session=session,
            transport=transport,
            destination=str(chat_id),
            message=message,
            kind="alert",
            dedup_key=alerts.alert_key(chat_id, view.id),
            now=now,
        )
        sent.append((view.id, view.source_count))
    await digests.record_sent(session=session, chat_id=chat_id, stories=sent, now=now)
    return len(sent)


def _may_alert(subscriber: Subscriber | None, transport: Transport, now: datetime) -> bool:
    """Whether an alert promised now still reaches the reader when it is sent."""
    window = transport.pace.reply_window
    if window is None:
        return True
    last = subscriber.last_inbound_at if subscriber is not None else None
    return last is not None and as_utc(last) + window - ALERT_WINDOW_MARGIN > now


_RENDER_ONLY: Mapping[str, Transport] = {"telegram": TelegramTransport(None)}
