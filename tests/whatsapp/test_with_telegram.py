"""With BOT_TOKEN and WhatsApp both set, one process serves both: each reader on their own transport."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import update
from sqlmodel import col

from bot.app import build_application
from bot.settings import Settings
from storage.db import transaction
from storage.models import Subscriber
from tests.fake_telegram import FakeTelegram
from tests.feedserver import FeedServer, Route
from tests.whatsapp.fake_cloud import FakeCloud
from tests.whatsapp.test_run import BASE, ITEMS, free_port, rss

TOKEN = "777777:BOTH-transports-token-for-the-fake"
ANA_TELEGRAM = 3003
LUIS_WHATSAPP = "573001234567"


async def test_one_process_serves_telegram_and_whatsapp(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    port = free_port()
    with (
        FakeTelegram(token=TOKEN) as telegram,
        FakeCloud(pair_interval=0.5) as cloud,
        FeedServer() as feeds,
    ):
        feeds.route("/feed", Route(body=rss(ITEMS[:1]),
                                   headers={"Content-Type": "application/rss+xml"}))
        (tmp_path / "feeds.toml").write_text(
            f'[[source]]\nid = "cocuyo"\nname = "Efecto Cocuyo"\nkind = "rss"\n'
            f'url = "{feeds.url("/feed")}"\nlang = "es"\nscope = "venezuela"\n',
            encoding="utf-8")
        cloud.webhook_url = f"http://127.0.0.1:{port}/whatsapp"
        settings = make_settings(
            token=SecretStr(TOKEN), telegram_api_url=telegram.root, http_port=port,
            whatsapp_token=SecretStr(cloud.token), whatsapp_phone_number_id=cloud.phone_number_id,
            whatsapp_app_secret=SecretStr(cloud.app_secret),
            whatsapp_verify_token=SecretStr("both"), whatsapp_api_url=cloud.api_url,
            whatsapp_reader_interval=0.5, poll_tick=1,
            digest_tick=1,
        )
        app = build_application(settings)
        await app.initialize()
        assert app.post_init is not None and app.post_shutdown is not None
        await app.post_init(app)
        await app.start()
        try:
            assert set(app.bot_data.transports) == {"telegram", "whatsapp"}
            sessions = app.bot_data.sessions
            assert sessions is not None
            status, _ = await asyncio.to_thread(cloud.user_text, LUIS_WHATSAPP, "hola")
            assert status == 200
            (welcome,) = await asyncio.to_thread(cloud.wait_messages, LUIS_WHATSAPP, 1)
            assert "Bienvenido" in welcome.body
            async with transaction(sessions) as session:
                session.add(Subscriber(chat_id=ANA_TELEGRAM, created_at=datetime.now(UTC)))
            async with transaction(sessions) as session:
                await session.execute(
                    update(Subscriber)
                    .where(col(Subscriber.chat_id).in_([ANA_TELEGRAM, BASE + int(LUIS_WHATSAPP)]))
                    .values(next_digest_at=datetime.now(UTC) - timedelta(minutes=1))
                )
            async with httpx.AsyncClient() as client:
                answer = await client.get(f"http://127.0.0.1:{port}/whatsapp", params={
                    "hub.mode": "subscribe", "hub.verify_token": "both", "hub.challenge": "7"})
            assert (answer.status_code, answer.text) == (200, "7")
            # Each digest goes out on its reader's own transport, rendered its own way.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not (
                telegram.messages_to(ANA_TELEGRAM) and len(cloud.messages_to(LUIS_WHATSAPP)) > 1
            ):
                await asyncio.sleep(0.1)
            (html,) = telegram.messages_to(ANA_TELEGRAM)
            assert "Maduro anuncia *medidas* económicas" in html.visible
            digest = cloud.messages_to(LUIS_WHATSAPP)[-1]
            assert "Maduro anuncia ∗medidas∗ económicas" in digest.body
            # /metrics counts each delivery under its own transport, not the process's first.
            sent = await _until_metric(port, lambda v: v.get("whatsapp", 0) >= 2
                                       and v.get("telegram", 0) >= 1)
            assert sent == {"telegram": 1, "whatsapp": len(cloud.messages_to(LUIS_WHATSAPP))}
        finally:
            await app.stop()
            await app.shutdown()
            await app.post_shutdown(app)


async def _until_metric(
    port: int, enough: Callable[[dict[str, float]], bool], timeout: float = 30.0
) -> dict[str, float]:
    """vigia_deliveries_total{outcome="delivered"} by transport, once `enough` says so."""
    deadline = time.monotonic() + timeout
    delivered: dict[str, float] = {}
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
            delivered = {
                sample.labels["transport"]: sample.value
                for family in text_string_to_metric_families(text)
                for sample in family.samples
                if sample.name == "vigia_deliveries_total"
                and sample.labels["outcome"] == "delivered"
            }
            if enough(delivered):
                return delivered
            await asyncio.sleep(0.2)
    raise AssertionError(f"deliveries by transport never got there: {delivered}")
