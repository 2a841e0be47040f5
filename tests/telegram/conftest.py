"""Fixtures of the Telegram tests: the fake Bot API, settings for it, and the running bot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.settings import Settings
from tests.fake_telegram import FakeTelegram
from tests.telegram.harness import ADMIN, FEEDS, TOKEN, Harness, running


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    """The fake Bot API, without rate limits (flood control is the bot's own, tested below)."""
    with FakeTelegram(token=TOKEN, global_rate=None, chat_rate=None) as server:
        yield server


@pytest.fixture
def settings(
    fake: FakeTelegram, tmp_path: Path, make_settings: Callable[..., Settings]
) -> Settings:
    (tmp_path / "feeds.toml").write_text(FEEDS, encoding="utf-8")
    return make_settings(
        token=SecretStr(TOKEN),
        telegram_api_url=fake.root,
        telegram_web_url="http://127.0.0.1:9",
        admins=frozenset({ADMIN}),
        timezone="America/Caracas",
    )


@pytest.fixture
async def bot(fake: FakeTelegram, settings: Settings) -> AsyncIterator[Harness]:
    """The real Application, polling the fake for updates, with a fresh database."""
    async with running(settings, fake) as harness:
        yield harness
