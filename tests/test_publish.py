"""Channels Vigía keeps fed: each qualifying story posted once, edited as outlets join, never twice."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import telegram
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.request import HTTPXRequest

from bot.outbox import DeliveryReport, Pacer, deliver_due
from bot.publish import PublishReport, run_publish_tick
from bot.runtime import Runtime, open_runtime
from bot.settings import Settings
from bot.telegram.admin import answer_feeds, answer_reload
from bot.telegram.render import render_html
from bot.telegram.transport import TelegramTransport
from storage.db import transaction
from storage.items import refresh_stories
from storage.models import Item, PublishTarget, Source
from tests.fake_telegram import FakeTelegram, parse_telegram_html
from tests.sample_stories import add_story as add_story_of
from tests.telegram.harness import wait_until

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
CHANNEL = -1001500000001
ADMIN = 4242
OUTLETS = (
    ("cocuyo", "Efecto Cocuyo", "es"),
    ("cronica", "Crónica Uno", "es"),
    ("wire", "Wire Service", "en"),
    ("monde", "Le Quotidien", "fr"),
    ("radio", "Radio Fe", "es"),
)
FEEDS = """
[[publish]]
id = "canal-principal"
chat = "@vigia_venezuela"
what = "stories"
min_sources = 2

[[publish]]
id = "solo-maduro"
chat = "-1001500000002"
min_sources = 2
actors = ["maduro"]
languages = ["es"]
"""


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=TOKEN, global_rate=None, chat_rate=None) as server:
        server.add_channel("vigia_venezuela", CHANNEL)
        server.add_channel("solo_maduro", -1001500000002)
        yield server


@pytest.fixture
def feeds(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(FEEDS, encoding="utf-8")
    return path


@pytest.fixture
def settings(make_settings: Callable[..., Settings], feeds: Path) -> Settings:
    return make_settings(feeds=feeds, admins=frozenset({ADMIN}))


@asynccontextmanager
async def process(settings: Settings, fake: FakeTelegram) -> AsyncIterator[tuple[Runtime, TelegramTransport]]:
    """One Vigía process: its own database connections, Bot API client and transport."""
    request = HTTPXRequest(connection_pool_size=8)
    async with open_runtime(settings) as runtime, telegram.Bot(
        TOKEN, base_url=fake.bot_base_url, request=request
    ) as bot:
        yield runtime, TelegramTransport(bot)


async def tick(runtime: Runtime, transport: TelegramTransport, now: datetime) -> PublishReport:
    return await run_publish_tick(
        sessions=runtime.sessions,
        targets=runtime.publish,
        transport=transport,
        now=now,
    )


async def deliver(runtime: Runtime, transport: TelegramTransport, now: datetime) -> DeliveryReport:
    return await deliver_due(
        {"telegram": transport},
        runtime.sessions,
        now=now,
        pacers={"telegram": Pacer(global_rate=100, chat_interval=0.05)},
    )


async def seed_outlets(runtime: Runtime, *, added: datetime = NOW - timedelta(hours=2)) -> None:
    """The outlets the stories come from; the channel outputs count as added at `added` (the
    tests' clock stands still at NOW, the database's sync ran on the machine's clock)."""
    async with transaction(runtime.sessions) as session:
        for source_id, name, lang in OUTLETS:
            session.add(Source(id=source_id, name=name, url=f"https://{source_id}.example/f", lang=lang))
        for target in (await session.scalars(select(PublishTarget))).all():
            target.watermark = added


async def join(session: AsyncSession, story_id: int, source_id: str, lang: str, seen: datetime) -> None:
    """Another outlet's item joins the story, as ingest folds it in."""
    session.add(
        Item(
            source_id=source_id,
            key=f"{story_id}-{source_id}",
            url=f"https://{source_id}.example/{story_id}",
            title=f"Same news from {source_id}",
            lang=lang,
            text_hash=f"j{story_id}-{source_id}",
            published_at=seen,
            fetched_at=seen,
            story_id=story_id,
        )
    )
    await session.flush()
    await refresh_stories(session=session, story_ids=[story_id])


async def add_story(session: AsyncSession, **story: object) -> int:
    """A story as ingest leaves it, its items in their outlets' languages."""
    langs = {source_id: lang for source_id, _, lang in OUTLETS}
    sources = story.get("sources", ("cocuyo",))
    return await add_story_of(session, langs=[langs[s] for s in sources], **story)  # type: ignore[arg-type]


def channel_posts(fake: FakeTelegram) -> list[str]:
    return [m.visible for m in fake.messages_to(CHANNEL)]


async def test_a_story_is_posted_once_when_it_qualifies_then_edited_as_outlets_join(
    settings: Settings, fake: FakeTelegram
) -> None:
    async with process(settings, fake) as (runtime, transport):
        await seed_outlets(runtime)
        async with transaction(runtime.sessions) as session:
            lone = await add_story(
                session, title="Apagón en Maracaibo", seen=NOW - timedelta(minutes=30),
                sources=("cocuyo",),
            )
            told = await add_story(
                session, title="El CNE anuncia <fecha> & calendario", seen=NOW - timedelta(minutes=20),
                sources=("cocuyo", "cronica"), actors=("cne",),
            )
        assert (await tick(runtime, transport, NOW)).posts == 1
        assert (await deliver(runtime, transport, NOW)).sent == 1
        [post] = fake.messages_to(CHANNEL)
        assert post.visible.startswith("El CNE anuncia <fecha> & calendario\nEfecto Cocuyo +1 source")
        assert "Apagón" not in post.visible
        assert (await tick(runtime, transport, NOW + timedelta(minutes=1))) == PublishReport()

        # A third outlet, in another language: the post is edited in place, not posted again.
        async with transaction(runtime.sessions) as session:
            await join(session, told, "wire", "en", NOW - timedelta(minutes=5))
        assert (await tick(runtime, transport, NOW + timedelta(minutes=2))).edits == 1
        await deliver(runtime, transport, NOW + timedelta(minutes=2))
        [edit] = fake.edits()
        assert (edit.chat_id, edit.message_id) == (CHANNEL, post.message_id)
        assert edit.text is not None and "Efecto Cocuyo +2 sources · ES/EN" in edit.text
        # A fourth outlet a minute later waits for the ten-minute gap, then both fold into one edit.
        async with transaction(runtime.sessions) as session:
            await join(session, told, "monde", "fr", NOW - timedelta(minutes=1))
            await join(session, lone, "radio", "es", NOW - timedelta(minutes=1))
        report = await tick(runtime, transport, NOW + timedelta(minutes=3))
        assert (report.posts, report.edits) == (1, 0)  # the lone story now qualifies; no edit yet
        await deliver(runtime, transport, NOW + timedelta(minutes=3))
        assert (await tick(runtime, transport, NOW + timedelta(minutes=11))).edits == 0
        assert (await tick(runtime, transport, NOW + timedelta(minutes=12, seconds=1))).edits == 1
        await deliver(runtime, transport, NOW + timedelta(minutes=13))
    assert len(channel_posts(fake)) == 2  # two stories, each posted once
    last = fake.edits()[-1]
    assert last.message_id == post.message_id
    assert last.text is not None and "+3 sources · ES/EN/FR" in last.text
    assert fake.requests["editMessageText"] == 2


async def test_a_restart_in_the_middle_posts_and_edits_nothing_twice(
    settings: Settings, fake: FakeTelegram
) -> None:
    async with process(settings, fake) as (runtime, transport):
        await seed_outlets(runtime)
        async with transaction(runtime.sessions) as session:
            story = await add_story(
                session, title="Liberan a presos políticos", seen=NOW - timedelta(minutes=10),
                sources=("cocuyo", "cronica"),
            )
        await tick(runtime, transport, NOW)  # promised, and the process dies before sending
    async with process(settings, fake) as (runtime, transport):  # a second process, same database
        assert (await tick(runtime, transport, NOW + timedelta(seconds=30))).posts == 0
        assert (await deliver(runtime, transport, NOW + timedelta(seconds=30))).sent == 1
        async with transaction(runtime.sessions) as session:
            await join(session, story, "wire", "en", NOW)
        assert (await tick(runtime, transport, NOW + timedelta(minutes=1))).edits == 1
    async with process(settings, fake) as (runtime, transport):
        assert await tick(runtime, transport, NOW + timedelta(minutes=2)) == PublishReport()
        await deliver(runtime, transport, NOW + timedelta(minutes=2))
        assert await tick(runtime, transport, NOW + timedelta(minutes=30)) == PublishReport()
    assert len(channel_posts(fake)) == 1
    assert len(fake.edits()) == 1


async def test_filters_keep_only_the_named_actors_in_the_chosen_languages(
    settings: Settings, fake: FakeTelegram
) -> None:
    async with process(settings, fake) as (runtime, transport):
        await seed_outlets(runtime)
        async with transaction(runtime.sessions) as session:
            await add_story(session, title="Maduro decreta", seen=NOW - timedelta(minutes=9),
                            sources=("cocuyo", "cronica"), actors=("maduro",))
            await add_story(session, title="Maduro speaks", seen=NOW - timedelta(minutes=8),
                            sources=("wire", "monde"), actors=("maduro",))
            await add_story(session, title="Machado convoca", seen=NOW - timedelta(minutes=7),
                            sources=("cocuyo", "radio"), actors=("machado",))
        await tick(runtime, transport, NOW)
        await deliver(runtime, transport, NOW)
    only = [m.visible.split("\n")[0] for m in fake.messages_to(-1001500000002)]
    assert only == ["Maduro decreta"]
    assert len(channel_posts(fake)) == 3  # the main channel takes every qualifying story


async def test_a_chat_that_refuses_the_bot_is_reported_and_not_retried(
    settings: Settings, fake: FakeTelegram, feeds: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake.add_channel("vigia_venezuela", CHANNEL, member=True, admin=False)
    feeds.write_text(FEEDS.replace('"-1001500000002"', '"@no_such_channel"'), encoding="utf-8")
    async with process(settings, fake) as (runtime, transport):
        await seed_outlets(runtime)
        async with transaction(runtime.sessions) as session:
            for n in range(3):
                await add_story(session, title=f"Noticia {n} de Maduro", seen=NOW - timedelta(minutes=n),
                                sources=("cocuyo", "cronica"), actors=("maduro",))
        await tick(runtime, transport, NOW)
        with caplog.at_level(logging.WARNING, logger="bot.outbox"):
            report = await deliver(runtime, transport, NOW)
        assert report.sent == 0 and report.deactivated == 2
        logged = caplog.text.lower()
        assert "destination=@vigia_venezuela" in logged and "need administrator rights" in logged
        assert "destination=@no_such_channel" in logged and "chat not found" in logged
        asked = sum(fake.requests.values())
        for minutes in (1, 10, 60 * 24):
            later = NOW + timedelta(minutes=minutes)
            await tick(runtime, transport, later)
            await deliver(runtime, transport, later)
        assert sum(fake.requests.values()) == asked  # nothing more was tried

        answer = await answer_feeds(
            sessions=runtime.sessions, admins=frozenset({ADMIN}), user_id=ADMIN,
            timezone="America/Caracas",
        )
        shown = "\n".join(parse_telegram_html(text).text for text in render_html(answer.message))
        assert "canal-principal → @vigia_venezuela — stopped: 400 Need administrator rights" in shown
        assert "solo-maduro → @no_such_channel — stopped: 400 Chat not found" in shown
        assert "/reload" in shown

        # The operator makes the bot an admin and reloads: the channel is fed again.
        fake.add_channel("vigia_venezuela", CHANNEL)
        reloaded = await answer_reload(
            reload=runtime.reload, steering=runtime.steering, admins={ADMIN}, user_id=ADMIN
        )
        assert parse_telegram_html(render_html(reloaded.message)[0]).text.startswith(
            "Reloaded: 0 sources, 2 channel outputs"
        )
        assert (await tick(runtime, transport, NOW + timedelta(days=1, minutes=1))).posts == 0
        async with runtime.sessions() as session:
            target = await session.get(PublishTarget, "canal-principal")
            assert target is not None and target.failed_reason is None
        async with transaction(runtime.sessions) as session:
            await add_story(session, title="Noticia nueva", seen=NOW + timedelta(days=1),
                            sources=("cocuyo", "radio"))
        await tick(runtime, transport, NOW + timedelta(days=1, minutes=2))
        await deliver(runtime, transport, NOW + timedelta(days=1, minutes=2))
    assert [m.visible.split("\n")[0] for m in fake.messages_to(CHANNEL)] == ["Noticia nueva"]


async def test_a_channel_just_added_starts_with_the_last_hour_not_the_days_backlog(
    settings: Settings, fake: FakeTelegram
) -> None:
    async with process(settings, fake) as (runtime, transport):
        await seed_outlets(runtime, added=NOW)
        async with transaction(runtime.sessions) as session:
            for hours in (5, 3, 2):
                await add_story(session, title=f"Hace {hours} horas", seen=NOW - timedelta(hours=hours),
                                sources=("cocuyo", "wire"))
            await add_story(session, title="Hace media hora", seen=NOW - timedelta(minutes=30),
                            sources=("cocuyo", "wire"))
        await tick(runtime, transport, NOW + timedelta(minutes=1))
        async with transaction(runtime.sessions) as session:
            await add_story(session, title="Recién llegada", seen=NOW + timedelta(minutes=2),
                            sources=("cronica", "monde"))
        await tick(runtime, transport, NOW + timedelta(minutes=3))
        await deliver(runtime, transport, NOW + timedelta(minutes=3))
    assert [text.split("\n")[0] for text in channel_posts(fake)] == ["Hace media hora", "Recién llegada"]


async def test_a_channel_digest_goes_out_at_its_times(
    settings: Settings, fake: FakeTelegram, feeds: Path
) -> None:
    feeds.write_text(
        '[[publish]]\nid = "resumen"\nchat = "@vigia_venezuela"\nwhat = "digest"\n'
        'times = ["08:00", "20:00"]\ntimezone = "America/Caracas"\n\n'
        '[[publish]]\nid = "resumen-maduro"\nchat = "@solo_maduro"\nwhat = "digest"\n'
        'times = ["08:00", "20:00"]\nactors = ["maduro"]\n',
        encoding="utf-8",
    )
    async with process(settings, fake) as (runtime, transport):
        await seed_outlets(runtime)
        async with runtime.sessions() as session:
            target = await session.get(PublishTarget, "resumen")
            assert target is not None and target.next_digest_at is not None
            due = target.next_digest_at
        assert due.astimezone(ZoneInfo("America/Caracas")).strftime("%H:%M") in ("08:00", "20:00")
        async with transaction(runtime.sessions) as session:
            await add_story(session, title="Resumen: la oposición marcha", seen=due - timedelta(hours=1),
                            sources=("cocuyo", "wire"))
            await add_story(session, title="Maduro habla", seen=due - timedelta(hours=2),
                            sources=("cocuyo",), actors=("maduro",))
        assert (await tick(runtime, transport, due - timedelta(minutes=1))).digests == 0
        assert (await tick(runtime, transport, due + timedelta(seconds=20))).digests == 2
        assert (await tick(runtime, transport, due + timedelta(seconds=50))).digests == 0
        await deliver(runtime, transport, due + timedelta(minutes=1))
    [digest] = fake.messages_to(CHANNEL)
    assert digest.visible.startswith("Vigía · Venezuela — ")
    assert "Resumen: la oposición marcha" in digest.visible and "Maduro habla" in digest.visible
    [maduro] = fake.messages_to(-1001500000002)
    assert "1. Maduro habla" in maduro.visible and "oposición" not in maduro.visible



async def test_a_post_whose_answer_never_came_is_not_posted_again(
    settings: Settings, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    fake.set_options(latency=1.5)  # Telegram shows the post, but answers too late
    async with open_runtime(settings) as runtime, telegram.Bot(
        TOKEN, base_url=fake.bot_base_url, request=HTTPXRequest(read_timeout=0.5)
    ) as bot:
        transport = TelegramTransport(bot)
        await seed_outlets(runtime)
        async with transaction(runtime.sessions) as session:
            story = await add_story(session, title="Sube la gasolina",
                                    seen=NOW - timedelta(minutes=5), sources=("cocuyo", "cronica"))
        await tick(runtime, transport, NOW)
        with caplog.at_level(logging.WARNING, logger="bot.outbox"):
            report = await deliver(runtime, transport, NOW)
        assert (report.sent, report.failed) == (0, 1)
        assert "event=delivery_unknown" in caplog.text and "destination=@vigia_venezuela" in caplog.text
        fake.set_options(latency=0.0)
        for minutes in (1, 5, 60):
            await tick(runtime, transport, NOW + timedelta(minutes=minutes))
            assert (await deliver(runtime, transport, NOW + timedelta(minutes=minutes))).sent == 0

        # More outlets join: with no message id the post cannot be edited, and a second post
        # would show the story twice. It stays as it is; the log and /feeds say why.
        async with transaction(runtime.sessions) as session:
            await join(session, story, "wire", "en", NOW + timedelta(minutes=61))
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="bot.publish"):
            for minutes in (62, 63, 90):
                assert await tick(runtime, transport, NOW + timedelta(minutes=minutes)) == PublishReport()
                assert (await deliver(runtime, transport, NOW + timedelta(minutes=minutes))).sent == 0
        skipped = [r.getMessage() for r in caplog.records if "publish_edit_skipped" in r.getMessage()]
        assert len(skipped) == 1  # said once, not every tick
        assert "target=canal-principal" in skipped[0] and "status=unknown" in skipped[0]
        assert "may have been shown" in skipped[0]
        answer = await answer_feeds(
            sessions=runtime.sessions, admins=frozenset({ADMIN}), user_id=ADMIN,
            timezone="America/Caracas",
        )
        shown = "\n".join(parse_telegram_html(text).text for text in render_html(answer.message))
        assert "canal-principal → @vigia_venezuela (stories) — ok; 1 post got no answer" in shown
        assert "never posted again" in shown
    await wait_until(lambda: channel_posts(fake) or None)
    assert len(channel_posts(fake)) == 1  # shown once, never repeated
    assert fake.requests["editMessageText"] == 0
