"""Channels the bot administers: their posts and edits are ingested at once, without polling."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.settings import Settings
from storage.models import Item
from tests.fake_telegram import FakeTelegram
from tests.telegram.harness import FEEDS, TOKEN, Harness, running

CHANNEL_SOURCE = """
[[source]]
id = "tg-noticias"
name = "Noticias Venezuela"
kind = "telegram"
channel = "@noticias_vzla"
lang = "es"
scope = "venezuela"
"""


@pytest.fixture
async def bot(
    fake: FakeTelegram, tmp_path: Path, make_settings: Callable[..., Settings]
) -> AsyncIterator[Harness]:
    (tmp_path / "feeds.toml").write_text(FEEDS + CHANNEL_SOURCE, encoding="utf-8")
    settings = make_settings(
        token=SecretStr(TOKEN), telegram_api_url=fake.root, telegram_web_url="http://127.0.0.1:9"
    )
    async with running(settings, fake) as harness:
        yield harness


async def item(bot: Harness, key: str, *, changed_from: str | None = None) -> Item:
    """The stored item `key`, waiting until it exists (and its title is no longer `changed_from`)."""
    for _ in range(400):
        async with bot.runtime.sessions() as session:
            found = await session.scalar(select(Item).where(Item.key == key))
        if found is not None and found.title != changed_from:
            return found
        await asyncio.sleep(0.025)
    raise AssertionError(f"item {key} was not stored")


async def test_a_post_and_its_edit_become_one_item(bot: Harness) -> None:
    text = "Delcy Rodríguez anunció medidas económicas en Caracas.\nMás detalles"
    entities = [{"type": "text_link", "offset": text.index("Más"), "length": 12,
                 "url": "https://noticias.example/medidas"}]
    bot.fake.push_channel_post(-1001, "noticias_vzla", 77, text, entities=entities)
    stored = await item(bot, "tg:noticias_vzla/77")
    assert stored.source_id == "tg-noticias"
    assert stored.url == "https://t.me/noticias_vzla/77"
    assert "Más detalles (https://noticias.example/medidas)" in stored.text

    bot.fake.push_channel_post(-1001, "noticias_vzla", 77, "Delcy Rodríguez corrige: medidas "
                               "económicas desde el lunes en Caracas", edited=True)
    edited = await item(bot, "tg:noticias_vzla/77", changed_from=stored.title)
    assert edited.id == stored.id and edited.updated_at is not None
    assert edited.title.startswith("Delcy Rodríguez corrige")


async def test_a_forward_joins_the_original_story_and_unknown_channels_are_ignored(
    bot: Harness,
) -> None:
    bot.fake.push_channel_post(-1001, "noticias_vzla", 80, "Original: Maduro habló en Miraflores.")
    original = await item(bot, "tg:noticias_vzla/80")
    bot.fake.push_channel_post(-1001, "noticias_vzla", 81, "Reenviado desde otro canal",
                               forwarded_from=("noticias_vzla", 80))
    forward = await item(bot, "tg:noticias_vzla/81")
    assert forward.story_id == original.story_id and forward.forwarded_key == original.key

    bot.fake.push_channel_post(-1002, "otro_canal_x", 5, "Maduro en Caracas")
    await bot.settle()
    async with bot.runtime.sessions() as session:
        assert await session.scalar(select(Item).where(Item.key == "tg:otro_canal_x/5")) is None
