"""The real Application against the fake Bot API, and how a test talks to it as a user."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app import build_application
from bot.settings import Settings
from bot.telegram.context import VigiaApplication
from bot.telegram.flood import FloodGate
from storage.db import transaction
from storage.models import Item, Story, StoryActor, Subscriber
from tests.fake_telegram import FakeTelegram, SentMessage

TOKEN = "123456:TEST-token-for-the-fake-bot-api"
ADMIN = 4242
ANA = 1001
WAIT = 10.0

FEEDS = """
[[source]]
id = "cocuyo"
name = "Efecto Cocuyo"
kind = "rss"
url = "http://127.0.0.1:9/feed"
lang = "es"
scope = "venezuela"

[[source]]
id = "wire"
name = "Wire & Co"
kind = "rss"
url = "http://127.0.0.1:9/wire"
lang = "en"
"""


@dataclass
class Harness:
    """The running bot, the fake Telegram it talks to, and helpers to talk to it as a user."""

    app: VigiaApplication
    fake: FakeTelegram
    settings: Settings
    _sentinels: itertools.count[int] = field(default_factory=lambda: itertools.count(900_000))

    async def ask(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        answers: int = 1,
        language_code: str | None = None,
    ) -> list[SentMessage]:
        """Send `text` from a chat (a user whose app speaks `language_code`) and return the
        `answers` messages it gets back."""
        before = len(self.fake.messages_to(chat_id))
        self.fake.push_message(chat_id, text, user_id=user_id, language_code=language_code)
        return (await self.wait_for(chat_id, before + answers))[before:]

    async def wait_for(self, chat_id: int, count: int) -> list[SentMessage]:
        """Wait until `chat_id` has received `count` messages in all."""
        messages: list[SentMessage] = await wait_until(
            lambda: enough(self.fake.messages_to(chat_id), count)
        )
        return messages

    async def press(self, message: SentMessage, label_part: str) -> list[SentMessage]:
        """Press the button whose label contains `label_part`; return the messages it brings."""
        return await self.press_data(
            message.chat_id, button_data(message, label_part), message.message_id
        )

    async def press_data(self, chat_id: int, data: str, message_id: int) -> list[SentMessage]:
        """Push a press on a button carrying `data`; wait for the new message it brings."""
        before = len(self.fake.messages_to(chat_id))
        self.fake.push_callback(chat_id, data, message_id)
        return (await self.wait_for(chat_id, before + 1))[before:]

    async def press_edit(self, message: SentMessage, label_part: str) -> str:
        """Press a button that rewrites its own message; return the message's new text."""
        edits = len(self.fake.edits())
        self.fake.push_callback(
            message.chat_id, button_data(message, label_part), message.message_id
        )
        edit = await wait_until(
            lambda: next(
                (
                    e
                    for e in self.fake.edits()[edits:]
                    if e.message_id == message.message_id
                    and e.chat_id == message.chat_id
                    and e.text
                ),
                None,
            )
        )
        return str(edit.text)

    async def settle(self) -> None:
        """Once a fresh chat is answered, every update before it was fetched; then wait until
        none is still being handled (chats are handled concurrently)."""
        chat_id = next(self._sentinels)
        await self.ask(chat_id, "ping")
        await wait_until(lambda: self.app.update_processor.current_concurrent_updates == 0)

    async def seed_story(
        self,
        title: str,
        *,
        hours_ago: float,
        actors: Sequence[str] = (),
        url: str = "https://efectococuyo.com/story",
        sources: int = 1,
        text: str = "",
    ) -> int:
        """A story as ingest leaves it: one item from Efecto Cocuyo, naming `actors`."""
        seen = datetime.now(UTC) - timedelta(hours=hours_ago)
        async with transaction(self.runtime.sessions) as session:
            story = Story(
                title=title, url=url, first_seen=seen, last_seen=seen, source_count=sources
            )
            session.add(story)
            await session.flush()
            assert story.id is not None
            item = Item(
                source_id="cocuyo",
                key=f"k{story.id}",
                url=url,
                title=title,
                text=text,
                lang="es",
                text_hash=f"h{story.id}",
                published_at=seen,
                fetched_at=seen,
                story_id=story.id,
            )
            session.add(item)
            await session.flush()
            story.item_id = item.id
            for actor_id in actors:
                session.add(StoryActor(story_id=story.id, actor_id=actor_id, last_seen=seen))
            return story.id

    async def subscriber(self, chat_id: int) -> Subscriber | None:
        async with self.runtime.sessions() as session:
            subscriber: Subscriber | None = await session.get(Subscriber, chat_id)
            return subscriber

    @property
    def runtime(self) -> Any:
        return self.app.bot_data


class running:
    """Start the Application as run_polling would (post_init included) and stop it after."""

    def __init__(
        self, settings: Settings, fake: FakeTelegram, *, flood: FloodGate | None = None
    ) -> None:
        self.settings = settings
        self.fake = fake
        # Tests talk faster than people: a roomier gate, except where the gate is the subject.
        self.app = build_application(
            settings, ticks=False, flood=flood or FloodGate(limit=100, window=10)
        )

    async def __aenter__(self) -> Harness:
        app = self.app
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        await app.start()
        return Harness(app=app, fake=self.fake, settings=self.settings)

    async def __aexit__(self, *exc: object) -> None:
        app = self.app
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)


def button_data(message: SentMessage, label_part: str) -> str:
    """The callback data of the button whose label contains `label_part`."""
    for row in (message.reply_markup or {}).get("inline_keyboard", []):
        for button in row:
            if label_part in button["text"]:
                return str(button["callback_data"])
    raise AssertionError(f"no button with {label_part!r} under: {message.visible!r}")


def labels(message: SentMessage) -> list[str]:
    return [
        b["text"] for row in (message.reply_markup or {}).get("inline_keyboard", []) for b in row
    ]


async def wait_until(probe: Any, timeout: float = WAIT) -> Any:
    """Poll `probe` until it returns something truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        await asyncio.sleep(0.005)
    raise AssertionError("the bot did not answer in time")


def enough(messages: list[SentMessage], count: int) -> list[SentMessage] | None:
    return messages if len(messages) >= count else None
