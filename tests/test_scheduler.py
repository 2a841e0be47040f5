"""The digest and alert ticks promise each message once, on time, to the right chats."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.model import Actor
from bot.scheduler import run_alert_tick, run_digest_tick, run_failing_tick
from bot.settings import Settings
from bot.steering import bundled, load_actors
from bot.telegram.render import TelegramPart
from bot.telegram.transport import TelegramTransport
from bot.whatsapp.transport import WhatsAppTransport, chat_of
from storage.db import Sessions, sessionmaker, transaction
from storage.models import Delivery, Item, SentStory, Source, Story, Subscriber
from storage.subscribers import follow, note_inbound, subscribe, update_settings
from tests.sample_stories import add_story, seed_catalog

START = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)  # 07:00 in Caracas
DUE = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # 08:00 in Caracas: the default daily digest


@dataclass(frozen=True)
class Runtime:
    """What the ticks are handed: the database, the actors, the settings."""

    sessions: Sessions
    actors: tuple[Actor, ...]
    settings: Settings


@pytest.fixture
async def runtime(
    engine: AsyncEngine, make_settings: Callable[..., Settings]
) -> AsyncIterator[Runtime]:
    runtime = Runtime(
        sessions=sessionmaker(engine),
        actors=load_actors(bundled("actors.toml")).actors,
        settings=make_settings(alerts_per_hour=2),
    )
    async with transaction(runtime.sessions) as session:
        await seed_catalog(session)
    yield runtime


def digest_tick(runtime: Runtime, *, now: datetime) -> Awaitable[int]:
    return run_digest_tick(sessions=runtime.sessions, now=now)


def alert_tick(runtime: Runtime, *, now: datetime) -> Awaitable[int]:
    return run_alert_tick(
        sessions=runtime.sessions,
        actors=runtime.actors,
        timezone=runtime.settings.timezone,
        alerts_per_hour=runtime.settings.alerts_per_hour,
        now=now,
    )


def failing_tick(runtime: Runtime, *, admins: frozenset[int], now: datetime) -> Awaitable[int]:
    return run_failing_tick(
        sessions=runtime.sessions,
        admins=admins,
        timezone=runtime.settings.timezone,
        failing_after=timedelta(seconds=runtime.settings.failing_after),
        now=now,
    )


@dataclass(frozen=True)
class Promised:
    """An outbox row as the Telegram sender will send it."""

    chat_id: int
    kind: str
    dedup_key: str
    text: str  # the HTML the Bot API gets


async def deliveries(runtime: Runtime, kind: str | None = None) -> list[Promised]:
    async with runtime.sessions() as session:
        query = select(Delivery).order_by(Delivery.id)  # type: ignore[arg-type]
        if kind:
            query = query.where(Delivery.kind == kind)  # type: ignore[arg-type]
        rows = list((await session.scalars(query)).all())
    assert all(row.transport == "telegram" for row in rows)
    return [
        Promised(int(row.destination), row.kind, row.dedup_key, TelegramPart.from_payload(row.payload).text)
        for row in rows
    ]


async def subscriber(runtime: Runtime, chat_id: int) -> Subscriber:
    async with runtime.sessions() as session:
        row = await session.get(Subscriber, chat_id)
    assert row is not None
    return row


async def subscribe_at(
    runtime: Runtime, chat_id: int, now: datetime = START, **settings: object
) -> None:
    async with transaction(runtime.sessions) as session:
        await subscribe(session=session, chat_id=chat_id, timezone="America/Caracas", now=now)
        if settings:
            await update_settings(session=session, chat_id=chat_id, now=now, **settings)  # type: ignore[arg-type]


def utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


async def test_a_due_subscriber_gets_exactly_one_digest(runtime: Runtime) -> None:
    await subscribe_at(runtime, 7)
    async with transaction(runtime.sessions) as session:
        wide = await add_story(
            session,
            title="Widely <b>reported</b> & quoted",
            seen=DUE - timedelta(hours=2),
            sources=("efecto", "wire", "monde"),
        )
        await add_story(session, title="Lone report", seen=DUE - timedelta(hours=1))
        await add_story(session, title="Two days old", seen=DUE - timedelta(hours=48))

    assert await digest_tick(runtime, now=DUE - timedelta(minutes=1)) == 0  # not due yet
    assert await digest_tick(runtime, now=DUE + timedelta(seconds=30)) == 1
    assert await digest_tick(runtime, now=DUE + timedelta(seconds=90)) == 0

    (digest,) = await deliveries(runtime)
    assert digest.chat_id == 7 and digest.kind == "digest"
    assert digest.dedup_key == "digest:7:2026-03-10T12:00:00+00:00#0"
    assert digest.text.index("Widely &lt;b&gt;reported&lt;/b&gt; &amp; quoted") < digest.text.index(
        "Lone report"
    )
    assert "Two days old" not in digest.text
    row = await subscriber(runtime, 7)
    assert utc(row.watermark) == DUE + timedelta(seconds=30)
    assert utc(row.next_digest_at) == DUE + timedelta(days=1)
    async with runtime.sessions() as session:
        sent = {
            (s.story_id, s.source_count) for s in (await session.scalars(select(SentStory))).all()
        }
    assert (wide, 3) in sent and len(sent) == 2


async def test_the_next_digest_brings_only_what_is_new_or_grew(runtime: Runtime) -> None:
    await subscribe_at(runtime, 7)
    async with transaction(runtime.sessions) as session:
        grows = await add_story(session, title="Will grow", seen=DUE - timedelta(hours=1))
        await add_story(session, title="Stays the same", seen=DUE - timedelta(hours=1))
    await digest_tick(runtime, now=DUE)
    tomorrow = DUE + timedelta(days=1)
    async with transaction(runtime.sessions) as session:
        await add_story(session, title="News of the next day", seen=tomorrow - timedelta(hours=2))
        session.add(
            Item(
                source_id="wire",
                key="late copy",
                title="Will grow (wire)",
                text_hash="x",
                lang="en",
                published_at=tomorrow - timedelta(hours=3),
                fetched_at=tomorrow,
                story_id=grows,
            )
        )
        story = await session.get(Story, grows)
        assert story is not None
        story.source_count, story.last_seen = 2, tomorrow - timedelta(hours=3)

    assert await digest_tick(runtime, now=tomorrow) == 1

    second = (await deliveries(runtime))[-1]
    assert "News of the next day" in second.text and "Will grow" in second.text
    assert "Stays the same" not in second.text


async def test_languages_filter_the_digest(runtime: Runtime) -> None:
    await subscribe_at(runtime, 7, languages=["en"])
    async with transaction(runtime.sessions) as session:
        await add_story(session, title="Noticia en español", seen=DUE - timedelta(hours=1))
        await add_story(
            session, title="News in English", seen=DUE - timedelta(hours=1), sources=("wire",)
        )

    await digest_tick(runtime, now=DUE)

    (digest,) = await deliveries(runtime)
    assert "News in English" in digest.text and "español" not in digest.text


async def test_an_empty_window_sends_nothing_but_the_schedule_moves_on(runtime: Runtime) -> None:
    await subscribe_at(runtime, 7)
    await subscribe_at(runtime, 8, schedule="off")

    assert await digest_tick(runtime, now=DUE) == 0

    assert await deliveries(runtime) == []
    row = await subscriber(runtime, 7)
    assert utc(row.next_digest_at) == DUE + timedelta(days=1) and utc(row.watermark) == DUE
    assert (await subscriber(runtime, 8)).next_digest_at is None


async def test_a_late_tick_sends_one_digest_and_plans_from_now(runtime: Runtime) -> None:
    await subscribe_at(runtime, 7, schedule="hourly")
    async with transaction(runtime.sessions) as session:
        await add_story(session, title="Something", seen=START + timedelta(hours=5))

    later = START + timedelta(hours=6, minutes=10)  # the service was down for six hours
    assert await digest_tick(runtime, now=later) == 1
    assert await digest_tick(runtime, now=later) == 0

    assert len(await deliveries(runtime)) == 1
    assert utc((await subscriber(runtime, 7)).next_digest_at) == START + timedelta(hours=7)


async def test_two_workers_at_once_promise_each_digest_once(runtime: Runtime) -> None:
    for chat_id in range(1, 41):
        await subscribe_at(runtime, chat_id)
    async with transaction(runtime.sessions) as session:
        await add_story(session, title="Everyone gets this", seen=DUE - timedelta(hours=1))

    results = await asyncio.gather(*(digest_tick(runtime, now=DUE) for _ in range(3)))

    assert sum(results) == 40
    rows = await deliveries(runtime)
    assert sorted(row.chat_id for row in rows) == list(range(1, 41))


async def test_alerts_are_capped_per_hour_and_the_rest_wait_for_the_digest(
    runtime: Runtime,
) -> None:
    await subscribe_at(runtime, 7)
    await subscribe_at(runtime, 8)  # follows nobody
    async with transaction(runtime.sessions) as session:
        await follow(session=session, chat_id=7, actor_id="maduro")
        await add_story(session, title="Before the first check", seen=START, actors=("maduro",))
    assert await alert_tick(runtime, now=START) == 0  # history is not news

    now = START + timedelta(minutes=5)
    async with transaction(runtime.sessions) as session:
        for index in range(4):
            await add_story(
                session,
                title=f"Maduro news {index}",
                seen=now - timedelta(minutes=index),
                actors=("maduro",),
                sources=("efecto", "wire")[: 1 + (index == 3)],
            )
        await add_story(session, title="About Machado", seen=now, actors=("machado",))

    assert await alert_tick(runtime, now=now) == 2
    assert await alert_tick(runtime, now=now + timedelta(minutes=1)) == 0

    alerts = await deliveries(runtime, "alert")
    assert [alert.chat_id for alert in alerts] == [7, 7]
    assert "Maduro news 3" in alerts[0].text  # two sources: the best story goes first
    assert all("Machado" not in alert.text for alert in alerts)

    async with transaction(runtime.sessions) as session:
        await add_story(
            session,
            title="Within the same hour",
            seen=now + timedelta(minutes=20),
            actors=("maduro",),
        )
    assert await alert_tick(runtime, now=now + timedelta(minutes=20)) == 0  # cap reached

    async with transaction(runtime.sessions) as session:
        await add_story(
            session, title="An hour later", seen=now + timedelta(minutes=70), actors=("maduro",)
        )
    assert await alert_tick(runtime, now=now + timedelta(minutes=70)) == 1

    await digest_tick(runtime, now=DUE)
    digest = next(row for row in await deliveries(runtime, "digest") if row.chat_id == 7)
    alerted = [alert.text for alert in await deliveries(runtime, "alert")]
    assert "Within the same hour" in digest.text  # folded into the digest
    assert "Maduro news 3" not in digest.text  # alerted already, not repeated as new
    assert len(alerted) == 3


async def test_a_story_already_sent_is_not_alerted_when_it_gets_an_item(runtime: Runtime) -> None:
    await subscribe_at(runtime, 7)
    async with transaction(runtime.sessions) as session:
        await follow(session=session, chat_id=7, actor_id="maduro")
        story = await add_story(
            session, title="Maduro in the digest", seen=DUE - timedelta(hours=1), actors=("maduro",)
        )
    await alert_tick(runtime, now=DUE - timedelta(minutes=50))  # sets the checkpoint
    await digest_tick(runtime, now=DUE)
    async with transaction(runtime.sessions) as session:
        session.add(
            Item(
                source_id="wire",
                key="copy",
                title="Maduro copy",
                text_hash="y",
                lang="en",
                published_at=DUE,
                fetched_at=DUE,
                story_id=story,
            )
        )

    assert await alert_tick(runtime, now=DUE + timedelta(minutes=1)) == 0
    assert await deliveries(runtime, "alert") == []


async def test_a_backfilled_old_item_alerts_nobody(runtime: Runtime) -> None:
    await subscribe_at(runtime, 7)
    async with transaction(runtime.sessions) as session:
        await follow(session=session, chat_id=7, actor_id="maduro")
    await alert_tick(runtime, now=START)
    async with transaction(runtime.sessions) as session:
        await add_story(
            session, title="Week-old Maduro", seen=START - timedelta(days=7), actors=("maduro",)
        )
    async with transaction(runtime.sessions) as session:
        await add_story(session, title="Seed item", seen=START - timedelta(days=8))

    assert await alert_tick(runtime, now=START + timedelta(minutes=1)) == 0


async def _source(runtime: Runtime, source_id: str, name: str, *, errors: int,
                  last_success: datetime | None, error: str | None = None) -> None:
    async with transaction(runtime.sessions) as session:
        session.add(Source(id=source_id, name=name, url=f"https://{source_id}.example/feed",
                           error_count=errors, last_error=error, last_success_at=last_success,
                           last_status=503 if errors else 200))


async def test_admins_hear_once_a_day_of_sources_failing_for_long(runtime: Runtime) -> None:
    admins = frozenset({11, 12})
    await _source(runtime, "caido", "Diario <Caído>", errors=9,
                  last_success=START - timedelta(days=3), error="HTTP 503 <b>down</b>")
    await _source(runtime, "nunca", "Jamais lu", errors=4, last_success=None,
                  error="cannot connect")
    await _source(runtime, "reciente", "Recently down", errors=2,
                  last_success=START - timedelta(hours=2), error="timeout")
    await _source(runtime, "sano", "Healthy", errors=0, last_success=START)

    assert await failing_tick(runtime, admins=admins, now=START) == 2
    reports = await deliveries(runtime, "admin")
    assert sorted(r.chat_id for r in reports) == [11, 12]
    text = reports[0].text
    assert "2 sources failing for more than 24 h" in text
    assert "Diario &lt;Caído&gt;" in text and "HTTP 503 &lt;b&gt;down&lt;/b&gt;" in text
    assert "Jamais lu</b> — last read never: cannot connect" in text
    assert "Recently down" not in text and "Healthy" not in text

    # The same day, and after a restart or on a second worker: nothing more.
    assert await failing_tick(runtime, admins=admins, now=START + timedelta(hours=5)) == 0
    assert len(await deliveries(runtime, "admin")) == 2
    later = START + timedelta(days=1, minutes=1)
    assert await failing_tick(runtime, admins=admins, now=later) == 2
    assert len(await deliveries(runtime, "admin")) == 4


async def test_no_failing_source_and_no_admin_mean_no_message(runtime: Runtime) -> None:
    await _source(runtime, "caido", "Caído", errors=9, last_success=START - timedelta(days=3))
    assert await failing_tick(runtime, admins=frozenset(), now=START) == 0
    async with transaction(runtime.sessions) as session:
        row = await session.get(Source, "caido")
        assert row is not None
        row.error_count, row.last_success_at = 0, START
    assert await failing_tick(runtime, admins=frozenset({11}), now=START) == 0
    assert await deliveries(runtime, "admin") == []


async def test_each_subscriber_is_served_on_their_own_transport(runtime: Runtime) -> None:
    whatsapp = WhatsAppTransport(client=None, api_url="", phone_number_id="", token="",
                                 template="vigia_digest")
    served = {"telegram": TelegramTransport(None), "whatsapp": whatsapp}
    luis = chat_of("573001234567")
    await subscribe_at(runtime, 7)
    async with transaction(runtime.sessions) as session:
        await subscribe(session=session, chat_id=luis, timezone="America/Caracas", now=START,
                        transport="whatsapp", language="es")
        await note_inbound(session=session, chat_id=luis, sent_at=START)  # his window is open
        for chat in (7, luis):
            await follow(session=session, chat_id=chat, actor_id="maduro")
        await add_story(session, title="Before the first check", seen=START, actors=("maduro",))
    assert await run_alert_tick(sessions=runtime.sessions, actors=runtime.actors,
                                timezone="America/Caracas", alerts_per_hour=2, now=START,
                                transports=served) == 0
    now = START + timedelta(minutes=5)
    async with transaction(runtime.sessions) as session:
        await add_story(session, title="Maduro *habla* de _todo_", seen=now, actors=("maduro",))
    assert await run_alert_tick(sessions=runtime.sessions, actors=runtime.actors,
                                timezone="America/Caracas", alerts_per_hour=2, now=now,
                                transports=served) == 2
    # Without WhatsApp served (its settings unset), its reader waits and Telegram goes on.
    assert await run_digest_tick(sessions=runtime.sessions, now=DUE,
                                 transports={"telegram": served["telegram"]}) == 1
    assert await run_digest_tick(sessions=runtime.sessions, now=DUE, transports=served) == 1
    async with runtime.sessions() as session:
        rows = list((await session.scalars(select(Delivery).order_by(Delivery.id))).all())  # type: ignore[arg-type]
    by_transport = {(row.transport, row.kind) for row in rows}
    assert by_transport == {("telegram", "alert"), ("whatsapp", "alert"), ("telegram", "digest"),
                            ("whatsapp", "digest")}
    for row in rows:
        if row.transport == "whatsapp":
            assert row.destination == str(luis)
        if row.kind != "alert":
            continue
        if row.transport == "whatsapp":
            assert "∗habla∗ de ＿todo＿" in row.payload  # WhatsApp markup, feed text neutralised
        else:
            assert "*habla* de _todo_" in TelegramPart.from_payload(row.payload).text


async def test_a_whatsapp_reader_whose_window_closes_is_not_alerted_and_the_digest_tells_them(
    runtime: Runtime,
) -> None:
    whatsapp = WhatsAppTransport(client=None, api_url="", phone_number_id="", token="",
                                 template="vigia_digest")
    served = {"telegram": TelegramTransport(None), "whatsapp": whatsapp}
    now = START + timedelta(minutes=5)
    wrote = {  # when each reader last wrote: open all day, closing in ten minutes, closed
        chat_of("573001110001"): now - timedelta(hours=2),
        chat_of("573001110002"): now - timedelta(hours=23, minutes=50),
        chat_of("573001110003"): now - timedelta(hours=30),
    }
    async with transaction(runtime.sessions) as session:
        for chat, at in wrote.items():
            await subscribe(session=session, chat_id=chat, timezone="America/Caracas", now=START,
                            transport="whatsapp", language="fr")
            await note_inbound(session=session, chat_id=chat, sent_at=at)
            await follow(session=session, chat_id=chat, actor_id="maduro")
        await add_story(session, title="Before the first check", seen=START, actors=("maduro",))
    assert await run_alert_tick(sessions=runtime.sessions, actors=runtime.actors,
                                timezone="America/Caracas", alerts_per_hour=2, now=START,
                                transports=served) == 0
    async with transaction(runtime.sessions) as session:
        await add_story(session, title="Maduro en la OPEP", seen=now, actors=("maduro",))
    assert await run_alert_tick(sessions=runtime.sessions, actors=runtime.actors,
                                timezone="America/Caracas", alerts_per_hour=2, now=now,
                                transports=served) == 1
    assert await run_digest_tick(sessions=runtime.sessions, now=DUE, transports=served) == 3
    async with runtime.sessions() as session:
        rows = list((await session.scalars(select(Delivery).order_by(Delivery.id))).all())  # type: ignore[arg-type]
    alerted = {int(row.destination) for row in rows if row.kind == "alert"}
    assert alerted == {chat_of("573001110001")}
    with_story = {int(row.destination) for row in rows
                  if row.kind == "digest" and "Maduro en la OPEP" in row.payload}
    assert with_story == {chat_of("573001110002"), chat_of("573001110003")}
