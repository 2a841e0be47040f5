"""A real `vigia run` against the fake Bot API: /healthz and /metrics tell what it did."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, update
from sqlmodel import col

from bot.steering import bundled
from storage import migrate
from storage.db import Sessions, create_engine, sessionmaker, transaction
from storage.models import Delivery, Item, Subscriber
from tests.fake_telegram import FakeTelegram
from tests.feedserver import FeedServer, Route

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "777001:SERVICE-token-for-the-fake-bot-api"
LUISA = 3003
T = TypeVar("T")

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Crónica Uno</title><link>http://example.org/</link>
<item><title>Liberan a dos periodistas detenidos en Caracas</title>
<link>http://example.org/periodistas</link><guid>p-1</guid><pubDate>{date}</pubDate>
<description>Caracas. Dos periodistas fueron liberados tras tres días detenidos.</description></item>
<item><title>Le CNE vénézuélien reporte la publication des résultats</title>
<link>http://example.org/cne-fr</link><guid>p-2</guid><pubDate>{date}</pubDate>
<description>Caracas. Le Conseil national électoral a reporté la publication.</description></item>
</channel></rss>
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        date = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
        server.route("/feed", Route(body=RSS.format(date=date).encode(),
                                    headers={"Content-Type": "application/rss+xml"}))
        yield server


async def test_healthz_and_metrics_after_a_poll_and_a_digest(
    tmp_path: Path, feeds: FeedServer
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'vigia.db'}"
    (tmp_path / "feeds.toml").write_text(
        f'[[source]]\nid = "cronica"\nname = "Crónica Uno"\nurl = "{feeds.url("/feed")}"\n'
        'scope = "venezuela"\n\n'
        f'[[source]]\nid = "gone"\nname = "Gone"\nurl = "{feeds.url("/missing")}"\n',
        encoding="utf-8",
    )
    engine = create_engine(database)
    await migrate.upgrade(engine)
    sessions = sessionmaker(engine)
    async with transaction(sessions) as session:
        session.add(Subscriber(chat_id=LUISA, created_at=datetime.now(UTC)))
    port = free_port()
    env = {
        **os.environ, "BOT_TOKEN": TOKEN, "BOT_DATABASE_URL": database,
        "BOT_FEEDS": str(tmp_path / "feeds.toml"), "BOT_ACTORS": str(bundled("actors.toml")),
        "BOT_HTTP_PORT": str(port), "BOT_POLL_TICK": "1", "BOT_DIGEST_TICK": "1",
    }
    with FakeTelegram(token=TOKEN, global_rate=None, chat_rate=None) as fake:
        env["BOT_TELEGRAM_API_URL"] = fake.root
        fake.fail_next(LUISA, 429, retry_after=1)  # the first send is told to wait a second
        bot = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            stored = await _until_async(lambda: _count(sessions, Item))
            async with transaction(sessions) as session:
                await session.execute(
                    update(Subscriber).where(col(Subscriber.chat_id) == LUISA)
                    .values(next_digest_at=datetime.now(UTC) - timedelta(minutes=1)))
            (digest,) = fake.wait_sent_sync(1, timeout=30)
            await _until_async(lambda: _sent(sessions))
            status, body = _until(lambda: _healthy(port))
            metrics = _get(port, "/metrics")[1]
        finally:
            bot.terminate()
            output, _ = bot.communicate(timeout=30)
    await engine.dispose()

    assert digest.chat_id == LUISA and "Liberan a dos periodistas" in digest.visible
    health = json.loads(body)
    assert status == 200 and health["status"] == "ok" and health["reasons"] == []
    assert set(health["ticks"]) >= {"poll", "deliveries"}
    assert health["schema"]["current"] == health["schema"]["head"] is not None

    values = _samples(metrics)
    assert values[("vigia_polls_total", (("status", "ok"),))] == 1
    assert values[("vigia_polls_total", (("status", "failed"),))] == 1
    assert values[("vigia_polls_total", (("status", "unchanged"),))] == 0
    assert values[("vigia_items_stored_total", ())] == stored == 2
    assert values[("vigia_sources_failing", ())] == 1
    delivered = ("vigia_deliveries_total", (("outcome", "delivered"), ("transport", "telegram")))
    retried = ("vigia_deliveries_total", (("outcome", "retry"), ("transport", "telegram")))
    assert values[delivered] == 1 and values[retried] == 1
    assert values[("vigia_telegram_retry_after_total", ())] == 1
    assert values[("vigia_outbox_pending", ())] == 0
    assert values[("vigia_tick_duration_seconds_count", (("tick", "poll"),))] >= 1
    assert TOKEN not in output and TOKEN.split(":")[1] not in metrics


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            return int(answer.status), answer.read().decode()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode()
    except OSError:
        return 0, ""


def _healthy(port: int) -> tuple[int, str] | None:
    status, body = _get(port, "/healthz")
    return (status, body) if status == 200 else None


async def _count(sessions: Sessions, table: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def _sent(sessions: Sessions) -> int:
    async with sessions() as session:
        return int(await session.scalar(
            select(func.count()).select_from(Delivery).where(col(Delivery.status) == "sent")
        ) or 0)


def _until(probe: Callable[[], T | None], timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("the service did not get there in time")


async def _until_async(probe: Callable[[], Awaitable[int]], timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await probe()
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError("the service did not get there in time")
