"""The outbox delivers every promised message once, in order, through floods, errors and crashes."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import telegram
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.request import HTTPXRequest

from bot.logs import configure_logging
from bot.model import Choice, Message, Paragraph, Span
from bot.outbox import Pacer, Transport, deliver_due
from bot.telegram.transport import TelegramTransport
from storage import migrate
from storage.db import create_engine, sessionmaker, transaction
from storage.deliveries import count_pending, enqueue
from storage.models import Delivery, Subscriber
from tests.fake_telegram import FakeTelegram
from tests.paths import ROOT

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
T0 = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
CHOICES = ((Choice("More", "digest:more"),),)


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=TOKEN, global_rate=None, chat_rate=1.0, chat_burst=2) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    request = HTTPXRequest(connection_pool_size=40)
    async with telegram.Bot(TOKEN, base_url=fake.bot_base_url, request=request) as client:
        yield client


async def promise(
    maker: async_sessionmaker[AsyncSession],
    chats: range | list[int],
    parts: int = 1,
    *,
    now: datetime = T0,
    choices: tuple[tuple[Choice, ...], ...] = (),
) -> None:
    """Subscribe the chats and promise each a digest of `parts` messages, composed as Messages
    and rendered by the Telegram transport, as the ticks do."""
    renderer = TelegramTransport(None)
    async with transaction(maker) as session:
        for chat in chats:
            session.add(Subscriber(chat_id=chat, created_at=now))
        await session.flush()
        for chat in chats:
            payloads = [
                payload
                for p in range(parts)
                for payload in renderer.render(
                    Message(
                        blocks=(
                            Paragraph(
                                (Span("Digest", "bold"), Span(f" for {chat}, part {p + 1} of {parts}"))
                            ),
                        ),
                        choices=choices if p == parts - 1 else (),
                    )
                )
            ]
            await enqueue(
                session=session,
                transport=renderer.name,
                destination=str(chat),
                kind="digest",
                dedup_key=f"digest:{chat}:{now.isoformat()}",
                payloads=payloads,
                now=now,
            )


def via(bot: telegram.Bot) -> dict[str, Transport]:
    """The transports a delivery worker of this bot runs."""
    return {"telegram": TelegramTransport(bot)}


def paced(rate: float) -> dict[str, Pacer]:
    return {"telegram": Pacer(global_rate=rate)}


async def rows(maker: async_sessionmaker[AsyncSession]) -> list[Delivery]:
    async with maker() as session:
        return list((await session.scalars(select(Delivery).order_by(Delivery.id))).all())  # type: ignore[arg-type]


def texts_per_chat(fake: FakeTelegram) -> dict[int, list[str]]:
    got: dict[int, list[str]] = {}
    for message in fake.messages():
        got.setdefault(message.chat_id, []).append(message.visible)
    return got


def expected(chats: range | list[int], parts: int) -> dict[int, list[str]]:
    return {c: [f"Digest for {c}, part {p + 1} of {parts}" for p in range(parts)] for c in chats}


async def test_every_part_goes_once_in_order_as_html_without_previews(
    maker: async_sessionmaker[AsyncSession], bot: telegram.Bot, fake: FakeTelegram
) -> None:
    await promise(maker, range(1, 6), parts=3, choices=CHOICES)
    async with transaction(maker) as session:  # promising again writes nothing
        assert (
            await enqueue(
                session=session,
                transport="telegram",
                destination="1",
                kind="digest",
                dedup_key=f"digest:1:{T0.isoformat()}",
                payloads=["a", "b", "c"],
                now=T0,
            )
            == 0
        )
    started = time.monotonic()
    report = await deliver_due(via(bot), maker, pacers=paced(100))
    assert (report.sent, report.retried, report.failed) == (15, 0, 0)
    assert texts_per_chat(fake) == expected(range(1, 6), 3)
    assert all(m.parse_mode == "HTML" and m.link_preview_disabled for m in fake.messages())
    assert [m.reply_markup is not None for m in fake.messages_to(3)] == [False, False, True]
    assert fake.errors[429] == 0  # one message a second per chat: Telegram never had to refuse
    assert time.monotonic() - started >= 1.9
    assert all(r.status == "sent" and r.receipt for r in await rows(maker))
    assert (await deliver_due(via(bot), maker)).sent == 0


async def test_flood_wait_is_honoured_however_long_and_loses_nothing(
    maker: async_sessionmaker[AsyncSession], bot: telegram.Bot, fake: FakeTelegram
) -> None:
    await promise(maker, [1, 2], parts=2)
    fake.fail_next(1, 429, retry_after=3600)
    report = await deliver_due(via(bot), maker, now=T0)
    assert report.sent == 2 and report.retried == 2
    assert texts_per_chat(fake) == {2: expected([2], 2)[2]}
    waiting = [r for r in await rows(maker) if r.destination == "1"]
    assert [r.status for r in waiting] == ["pending", "pending"]
    assert all(r.attempts == 0 for r in waiting)  # waiting for Telegram is not a failure
    assert (await deliver_due(via(bot), maker, now=T0 + timedelta(seconds=3590))).sent == 0
    report = await deliver_due(via(bot), maker, now=T0 + timedelta(seconds=3601))
    assert report.sent == 2
    assert texts_per_chat(fake)[1] == expected([1], 2)[1]


async def test_blocked_subscriber_is_deactivated_and_its_deliveries_failed(
    maker: async_sessionmaker[AsyncSession], bot: telegram.Bot, fake: FakeTelegram
) -> None:
    await promise(maker, [1, 2, 3], parts=2)
    fake.block(2)
    report = await deliver_due(via(bot), maker, now=T0)
    assert (report.sent, report.deactivated) == (4, 1)
    async with maker() as session:
        subscriber = await session.get(Subscriber, 2)
        assert subscriber is not None and not subscriber.active
        assert "blocked" in (subscriber.deactivated_reason or "")
        assert await count_pending(session=session) == 0
    assert [r.status for r in await rows(maker) if r.destination == "2"] == ["failed", "failed"]
    assert fake.errors[403] == 1
    assert set(texts_per_chat(fake)) == {1, 3}


async def test_bad_request_fails_once_and_is_never_retried(
    maker: async_sessionmaker[AsyncSession],
    bot: telegram.Bot,
    fake: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await promise(maker, [1, 2])
    fake.fail_next(1, 400, "Bad Request: can't parse entities: Unsupported start tag", times=5)
    with caplog.at_level(logging.WARNING, logger="bot.outbox"):
        report = await deliver_due(via(bot), maker, now=T0)
    assert (report.sent, report.failed) == (1, 1)
    [failed] = [r for r in await rows(maker) if r.destination == "1"]
    assert failed.status == "failed" and "parse entities" in (failed.error or "")
    assert f"delivery={failed.id} transport=telegram destination=1 error=" in caplog.text
    for hours in (1, 24, 24 * 30):
        assert (await deliver_due(via(bot), maker, now=T0 + timedelta(hours=hours))).failed == 0
    assert fake.errors[400] == 1
    async with maker() as session:
        subscriber = await session.get(Subscriber, 1)
        assert subscriber is not None and subscriber.active  # a bad message is not a gone chat


async def test_server_errors_back_off_then_succeed(
    maker: async_sessionmaker[AsyncSession], bot: telegram.Bot, fake: FakeTelegram
) -> None:
    await promise(maker, [1], parts=2)
    fake.fail_next(1, 502, times=2)
    assert (await deliver_due(via(bot), maker, now=T0)).retried == 2
    [first, second] = await rows(maker)
    assert first.attempts == 1 and first.status == second.status == "pending"
    assert (await deliver_due(via(bot), maker, now=T0 + timedelta(seconds=3))).sent == 0  # backing off
    assert (await deliver_due(via(bot), maker, now=T0 + timedelta(seconds=6))).retried == 2
    report = await deliver_due(via(bot), maker, now=T0 + timedelta(seconds=30))
    assert report.sent == 2
    assert texts_per_chat(fake) == expected([1], 2)
    assert fake.errors[502] == 2


async def test_a_send_whose_answer_never_comes_is_unknown_and_never_repeated(
    maker: async_sessionmaker[AsyncSession], fake: FakeTelegram
) -> None:
    await promise(maker, [1, 2], parts=2)
    fake.set_options(latency=1.5, slow_chats=[1])  # chat 1's answers come after the timeout
    request = HTTPXRequest(connection_pool_size=8, read_timeout=0.5)
    async with telegram.Bot(TOKEN, base_url=fake.bot_base_url, request=request) as impatient:
        await deliver_due(via(impatient), maker, now=T0)
        await asyncio.sleep(2)  # Telegram did show it, after all
        await deliver_due(via(impatient), maker, now=T0 + timedelta(hours=2))
    statuses = [(row.destination, row.part, row.status) for row in await rows(maker)]
    assert statuses == [("1", 0, "unknown"), ("1", 1, "unknown"), ("2", 0, "sent"), ("2", 1, "sent")]
    assert [m.chat_id for m in fake.messages()].count(1) == 2  # each part shown once, no copy


async def test_global_pace_keeps_telegram_from_refusing(
    maker: async_sessionmaker[AsyncSession], bot: telegram.Bot, fake: FakeTelegram
) -> None:
    fake.set_options(global_rate=40.0, global_burst=40)
    await promise(maker, range(1, 121))
    started = time.monotonic()
    report = await deliver_due(via(bot), maker, pacers=paced(40))
    elapsed = time.monotonic() - started
    assert report.sent == 120 and fake.errors[429] == 0
    assert 2.5 <= elapsed <= 15.0  # 120 messages at 40/s, sent to different chats concurrently


async def _two_workers_send_each_row_once(url: str, fake: FakeTelegram) -> None:
    engines = [create_engine(url), create_engine(url)]
    makers = [sessionmaker(e) for e in engines]
    await promise(makers[0], range(1, 101), parts=2)
    request = [HTTPXRequest(connection_pool_size=40) for _ in engines]
    async with (
        telegram.Bot(TOKEN, base_url=fake.bot_base_url, request=request[0]) as one,
        telegram.Bot(TOKEN, base_url=fake.bot_base_url, request=request[1]) as two,
    ):
        reports = await asyncio.gather(
            deliver_due(via(one), makers[0], pacers=paced(400), concurrency=16, batch=40),
            deliver_due(via(two), makers[1], pacers=paced(400), concurrency=16, batch=40),
        )
    for engine in engines:
        await engine.dispose()
    assert sum(r.sent for r in reports) == 200
    assert all(r.sent > 0 for r in reports)  # both really worked
    assert texts_per_chat(fake) == expected(range(1, 101), 2)


async def test_two_workers_never_send_a_row_twice_sqlite(
    engine: AsyncEngine, sqlite_url: str, fake: FakeTelegram
) -> None:
    fake.set_options(latency=0.01)
    await _two_workers_send_each_row_once(sqlite_url, fake)


async def test_two_workers_never_send_a_row_twice_postgresql(
    postgres_url: str, fake: FakeTelegram
) -> None:
    engine = create_engine(postgres_url)
    await migrate.upgrade(engine)
    await engine.dispose()
    fake.set_options(latency=0.01)
    await _two_workers_send_each_row_once(postgres_url, fake)


async def _a_slow_answer_keeps_its_lease(url: str, fake: FakeTelegram) -> None:
    engines = [create_engine(url), create_engine(url)]
    makers = [sessionmaker(e) for e in engines]
    await promise(makers[0], range(1, 21), parts=2)
    fake.set_options(latency=2.5)  # every answer outlives a 1 s lease two times over
    requests = [HTTPXRequest(connection_pool_size=40, read_timeout=10) for _ in engines]
    async with (
        telegram.Bot(TOKEN, base_url=fake.bot_base_url, request=requests[0]) as one,
        telegram.Bot(TOKEN, base_url=fake.bot_base_url, request=requests[1]) as two,
    ):
        first = asyncio.create_task(
            deliver_due(via(one), makers[0], pacers=paced(400), lease_seconds=1.0)
        )
        # Another worker looks again and again while the first one's sends are in flight.
        second = []
        while not first.done():
            second.append(await deliver_due(via(two), makers[1], pacers=paced(400),
                                            lease_seconds=1.0))
            await asyncio.sleep(0.2)
        report = await first
    for engine in engines:
        await engine.dispose()
    assert report.sent + sum(r.sent for r in second) == 40
    assert texts_per_chat(fake) == expected(range(1, 21), 2)  # each part once, in order


async def test_a_send_slower_than_its_lease_is_never_sent_again_sqlite(
    engine: AsyncEngine, sqlite_url: str, fake: FakeTelegram
) -> None:
    await _a_slow_answer_keeps_its_lease(sqlite_url, fake)


async def test_a_send_slower_than_its_lease_is_never_sent_again_postgresql(
    postgres_url: str, fake: FakeTelegram
) -> None:
    engine = create_engine(postgres_url)
    await migrate.upgrade(engine)
    await engine.dispose()
    await _a_slow_answer_keeps_its_lease(postgres_url, fake)


async def test_a_killed_worker_loses_nothing_and_repeats_nothing(
    maker: async_sessionmaker[AsyncSession], sqlite_url: str, fake: FakeTelegram
) -> None:
    chats = list(range(1001, 1201))
    await promise(maker, chats[::2], parts=1)
    await promise(maker, chats[1::2], parts=2, now=T0 + timedelta(seconds=1))
    total = 300
    fake.set_options(global_rate=None)
    fake.pause_after(total // 2)  # later sends are held unanswered: the kill lands before an answer
    first = start_worker(sqlite_url, fake)
    try:
        assert await asyncio.to_thread(fake.paused.wait, 60), "the worker never got half way"
        # Everything Telegram answered is committed as sent before the kill, so the kill lands
        # where the outbox says "sending" and Telegram has recorded nothing.
        for _ in range(500):
            statuses = await status_counts(maker)
            if statuses.get("sent", 0) == len(fake.messages()):
                break
            await asyncio.sleep(0.01)
        assert statuses.get("sent", 0) == len(fake.messages()) == total // 2
        assert statuses.get("sending", 0) > 0  # leased rows that the dead worker never finished
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    assert first.returncode == -signal.SIGKILL
    fake.resume(drop_held=True)

    second = start_worker(sqlite_url, fake)
    out, _ = await asyncio.to_thread(second.communicate, timeout=60)
    assert second.returncode == 0, out
    got = texts_per_chat(fake)
    assert got == {
        **expected(chats[::2], 1),
        **expected(chats[1::2], 2),
    }
    assert len(fake.messages()) == total
    assert await status_counts(maker) == {"sent": total}


def start_worker(url: str, fake: FakeTelegram) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.deliver_worker",
            "--db",
            url,
            "--api",
            fake.bot_base_url,
            "--token",
            TOKEN,
            "--rate",
            "300",
            "--lease",
            "2",
            "--concurrency",
            "16",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


async def status_counts(maker: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with maker() as session:
        result = await session.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status)  # type: ignore[arg-type]
        )
        return {status: count for status, count in result.all()}


def test_bot_tokens_never_reach_a_log_line() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    levels = {name: logging.getLogger(name).level for name in ("httpx", "bot.test")}
    try:
        configure_logging(logging.INFO)
        url = f"https://api.telegram.org/bot{TOKEN}/sendMessage"
        logging.getLogger("httpx").warning('HTTP Request: POST %s "HTTP/1.1 502"', url)
        logging.getLogger("httpx").info("HTTP Request: POST %s 200", url)
        logging.getLogger("bot.test").info("event=x url=%s token=%s", url, TOKEN)
        try:
            raise RuntimeError(f"failed calling {url}")
        except RuntimeError:
            logging.getLogger("bot.test").exception("event=boom")
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    written = stream.getvalue()
    assert TOKEN not in written and TOKEN.split(":")[1] not in written
    assert "https://api.telegram.org/bot[REDACTED]/sendMessage" in written
    assert "200" not in written  # httpx request chatter is silenced
    assert "HTTP/1.1 502" in written and "event=boom" in written
