"""Migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import telegram
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.outbox import Pacer, deliver_due
from bot.telegram.transport import TelegramTransport
from storage import migrate
from storage.bands import BandIndex
from storage.db import create_engine, sessionmaker
from storage.migrate import alembic_config
from tests.fake_telegram import FakeTelegram

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


async def test_upgrade_head_on_empty_database_matches_models(any_engine: AsyncEngine) -> None:
    # `any_engine` has run `upgrade head`; `alembic check` raises if models and migrations differ.
    await migrate.check(any_engine)
    async with any_engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    assert {"source", "item", "story", "delivery", "subscriber"} <= tables


async def test_upgrade_is_idempotent(any_engine: AsyncEngine) -> None:
    await migrate.upgrade(any_engine)
    async with any_engine.connect() as connection:
        version = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    assert version == migrate.head_revision() == "0009"


async def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    async with engine.connect() as connection:
        mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
        keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
        timeout = (await connection.execute(text("PRAGMA busy_timeout"))).scalar()
    await engine.dispose()
    assert (mode, keys, timeout) == ("wal", 1, 15000)


async def test_band_rows_survive_the_move_to_one_packed_row_per_item(any_engine: AsyncEngine) -> None:
    """0004 packs the old one-row-per-band index, so stories keep folding across the upgrade."""
    seen = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    async with any_engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0003"))
        await connection.execute(
            text("INSERT INTO story_band (band, item_id, seen_at) VALUES (:band, :item, :seen)"),
            [{"band": band, "item": item, "seen": seen} for item, band in
             [(7, -(2**63)), (7, 5), (7, 2**63 - 1), (9, 5)]],
        )
    await migrate.upgrade(any_engine)
    index = BandIndex()
    async with any_engine.connect() as connection:
        rows = (await connection.execute(text("SELECT count(*) FROM item_bands"))).scalar()
        async with AsyncSession(bind=connection) as session:
            await index.refresh(session)
    assert rows == 2
    assert index.candidates([5, 2**63 - 1], since=seen) == [7, 9]
    assert index.candidates([-(2**63)], since=seen) == [7]
    assert index.candidates([5], since=seen + timedelta(seconds=1)) == []  # the time came through
    async with any_engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0003"))
        back = (await connection.execute(text("SELECT count(*) FROM story_band"))).scalar()
    assert back == 4


async def test_processes_migrating_at_once_all_succeed(postgres_url: str) -> None:
    engines = [create_engine(postgres_url) for _ in range(3)]
    try:
        await asyncio.gather(*(migrate.upgrade(engine) for engine in engines))
        async with engines[0].connect() as connection:
            version = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    finally:
        for engine in engines:
            await engine.dispose()
    assert version == migrate.head_revision() == "0009"


@pytest.fixture
async def fake_telegram_bot() -> AsyncIterator[tuple[FakeTelegram, telegram.Bot]]:
    with FakeTelegram(token=TOKEN, global_rate=None, chat_rate=None) as fake:
        async with telegram.Bot(TOKEN, base_url=fake.bot_base_url) as bot:
            yield fake, bot


async def test_open_outbox_rows_survive_the_move_to_transport_payloads(
    any_engine: AsyncEngine, fake_telegram_bot: tuple[FakeTelegram, telegram.Bot]
) -> None:
    """0006 carries every old row over as a Telegram payload: a digest promised before the
    upgrade (HTML and its "More" button) is sent after it, to the same chat, exactly as promised."""
    fake, bot = fake_telegram_bot
    at = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    markup = '{"inline_keyboard": [[{"text": "Más (3)", "callback_data": "dg:1:2:10"}]]}'
    async with any_engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0005"))
        await connection.execute(
            text(
                "INSERT INTO delivery (chat_id, kind, dedup_key, part, text, markup, status, "
                "attempts, next_attempt_at, created_at, message_id) VALUES "
                "(:chat, 'digest', :key, :part, :text, :markup, :status, 0, :at, :at, :sent)"
            ),
            [
                {"chat": -1001234, "key": "digest:a#0", "part": 0, "text": "<b>Ya enviado</b>",
                 "markup": None, "status": "sent", "at": at, "sent": 41},
                {"chat": 77, "key": "digest:b#0", "part": 0, "text": "<b>Resumen</b> &amp; más",
                 "markup": None, "status": "pending", "at": at, "sent": None},
                {"chat": 77, "key": "digest:b#1", "part": 1, "text": "Parte <i>dos</i>",
                 "markup": markup, "status": "pending", "at": at, "sent": None},
            ],
        )
    await migrate.upgrade(any_engine)
    maker = sessionmaker(any_engine)
    report = await deliver_due(
        {"telegram": TelegramTransport(bot)},
        maker,
        now=at,
        pacers={"telegram": Pacer(global_rate=100, chat_interval=0.1)},
    )
    assert report.sent == 2
    sent = fake.messages_to(77)
    assert [m.visible for m in sent] == ["Resumen & más", "Parte dos"]
    assert sent[1].reply_markup == {
        "inline_keyboard": [[{"text": "Más (3)", "callback_data": "dg:1:2:10"}]]
    }
    async with any_engine.connect() as connection:
        kept = (
            await connection.execute(
                text("SELECT transport, destination, receipt FROM delivery WHERE dedup_key = 'digest:a#0'")
            )
        ).one()
    assert tuple(kept) == ("telegram", "-1001234", "41")
