"""The assembled service: its ticks poll a feed and deliver a scheduled digest, all on loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from bot.app import build_application
from bot.settings import Settings
from storage.db import transaction
from storage.models import Item, Subscriber
from tests.fake_telegram import FakeTelegram, SentMessage
from tests.feedserver import FeedServer, Route

TOKEN = "654321:ANOTHER-token-for-the-fake-bot-api"
ANA = 2002
T = TypeVar("T")

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Efecto Cocuyo</title><link>http://example.org/</link>
<item><title>El CNE publica las actas &amp; la oposición "responde"</title>
<link>http://example.org/actas</link><guid>actas-1</guid>
<pubDate>{date}</pubDate><description>Caracas. El Consejo Nacional Electoral publicó hoy
las actas de la elección presidencial.</description></item>
</channel></rss>
"""


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        date = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
        server.route(
            "/feed",
            Route(
                body=RSS.format(date=date).encode(), headers={"Content-Type": "application/rss+xml"}
            ),
        )
        yield server


def test_build_refuses_without_a_token() -> None:
    with pytest.raises(ValueError, match="BOT_TOKEN"):
        build_application(Settings(_env_file=None, token=None))  # type: ignore[call-arg]


async def test_ticks_poll_a_feed_and_deliver_the_scheduled_digest(
    tmp_path: Path, feeds: FeedServer, make_settings: Callable[..., Settings]
) -> None:
    feeds_toml = tmp_path / "feeds.toml"
    feeds_toml.write_text(
        f'[[source]]\nid = "cocuyo"\nname = "Efecto Cocuyo"\nkind = "rss"\n'
        f'url = "{feeds.url("/feed")}"\nlang = "es"\nscope = "venezuela"\n',
        encoding="utf-8",
    )
    with FakeTelegram(token=TOKEN) as fake:
        settings = make_settings(
            token=SecretStr(TOKEN), telegram_api_url=fake.root, poll_tick=1, digest_tick=1
        )
        app = build_application(settings)
        await app.initialize()
        assert app.post_init is not None and app.post_shutdown is not None
        await app.post_init(app)
        await app.start()  # the JobQueue starts with it; no updates are polled here
        try:
            sessions = app.bot_data.sessions
            assert sessions is not None
            async with transaction(sessions) as session:
                session.add(Subscriber(chat_id=ANA, created_at=datetime.now(UTC)))
            await _until(lambda: _count_items(sessions))
            # The item is stored: make the digest due now, the digest tick promises it, the
            # delivery tick sends it.
            async with transaction(sessions) as session:
                due = datetime.now(UTC) - timedelta(minutes=1)
                await session.execute(
                    update(Subscriber)
                    .where(col(Subscriber.chat_id) == ANA)
                    .values(next_digest_at=due)
                )
            [digest] = await _until(lambda: _messages(fake, ANA))
        finally:
            await app.stop()
            await app.shutdown()
            await app.post_shutdown(app)
    assert 'El CNE publica las actas & la oposición "responde"' in digest.visible
    assert digest.links == ("http://example.org/actas",)
    assert feeds.hits("/feed") >= 1


async def _count_items(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Item)) or 0)


async def _messages(fake: FakeTelegram, chat_id: int) -> list[SentMessage]:
    return fake.messages_to(chat_id)


async def _until(probe: Callable[[], Awaitable[T]], timeout: float = 20.0) -> T:
    """Wait for the ticks: poll `probe` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await probe()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError("the ticks did not get there in time")
