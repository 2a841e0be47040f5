"""A Telegram user's app language, kept at /start, says the words around each story (bylines);
the bot's own fixed words stay English on Telegram."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.scheduler import run_delivery_tick, run_digest_tick
from storage.db import transaction
from storage.models import Subscriber
from tests.telegram.harness import Harness


@pytest.mark.parametrize(
    ("code", "stored", "byline", "other"),
    [
        ("es-VE", "es", "+2 fuentes", "+2 sources"),
        ("fr", "fr", "+2 sources", "+2 fuentes"),
        ("EN-gb", "en", "+2 sources", "+2 fuentes"),
        (None, None, "+2 sources", "+2 fuentes"),
        ("de", None, "+2 sources", "+2 fuentes"),
    ],
)
async def test_the_users_language_says_the_bylines_of_digests_and_actor_pages(
    bot: Harness, code: str | None, stored: str | None, byline: str, other: str
) -> None:
    chat = 7100
    (welcome,) = await bot.ask(chat, "/start", language_code=code)
    assert "Welcome to Vigía" in welcome.text  # our own words: English for now
    subscriber = await bot.subscriber(chat)
    assert subscriber is not None and subscriber.language == stored
    await bot.seed_story("Maduro anuncia medidas económicas", hours_ago=2, actors=["maduro"],
                         sources=3)
    for command in ("/digest", "/actor maduro"):
        (answer,) = await bot.ask(chat, command)
        assert "Maduro anuncia medidas" in answer.text
        assert byline in answer.text and other not in answer.text, (command, answer.text)


async def test_a_later_start_without_a_language_keeps_the_one_stored(bot: Harness) -> None:
    chat = 7101
    await bot.ask(chat, "/start", language_code="es-419")
    await bot.ask(chat, "/start")
    subscriber = await bot.subscriber(chat)
    assert subscriber is not None and subscriber.language == "es"


@pytest.mark.parametrize(("code", "byline"), [("es-VE", "+2 fuentes"), ("en", "+2 sources")])
async def test_the_scheduled_digest_reaches_the_user_in_their_language(
    bot: Harness, code: str, byline: str
) -> None:
    chat = 7102
    await bot.ask(chat, "/start", language_code=code)
    await bot.seed_story("Delcy Rodríguez viaja a Moscú", hours_ago=1, sources=3)
    async with transaction(bot.runtime.sessions) as session:
        subscriber = await session.get(Subscriber, chat)
        assert subscriber is not None
        subscriber.next_digest_at = datetime.now(UTC) - timedelta(minutes=1)
    data = bot.runtime
    assert await run_digest_tick(sessions=data.sessions, transports=data.transports) == 1
    await run_delivery_tick(sessions=data.sessions, transports=data.transports, pacers=data.pacers)
    digest = (await bot.wait_for(chat, 2))[-1]
    assert "Delcy Rodríguez viaja a Moscú" in digest.text and byline in digest.text
