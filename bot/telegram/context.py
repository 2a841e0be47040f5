"""The typed context every handler and tick receives: the Runtime and the flood gate, no globals."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import telegram
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.runtime import Runtime
from bot.telegram.deliver import Pacer
from bot.telegram.flood import FloodGate


@dataclass(slots=True)
class BotData:
    """What the Application holds for its lifetime: opened in post_init, closed in post_shutdown."""

    runtime: Runtime | None = None
    resources: AsyncExitStack | None = None
    flood: FloodGate = field(default_factory=FloodGate)
    pacer: Pacer = field(default_factory=Pacer)  # one per process: Telegram's limits are per bot
    sender: telegram.Bot | None = None  # the fan-out's own bot and connection pool (see serve)
    telegram_up: bool = False  # Telegram answered at start; until then the outbox waits
    ticks: set[asyncio.Task[Any]] = field(default_factory=set)  # ticks running now


# ExtBot[None]: no rate limiter on the bot; the outbox's pacer is the one limiter.
class VigiaContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The callback context of Vigía's handlers, jobs and error handler."""

    @property
    def runtime(self) -> Runtime:
        """The open Runtime; it exists from post_init to post_shutdown."""
        runtime = self.bot_data.runtime
        if runtime is None:
            raise RuntimeError("the runtime is not open: post_init has not run")
        return runtime


VigiaApplication: TypeAlias = Application[
    ExtBot[None], VigiaContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[VigiaContext]
]
