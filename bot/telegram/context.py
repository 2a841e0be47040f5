"""The typed context every handler and tick receives: the Runtime and the flood gate, no globals."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.outbox import Pacer, Transport
from bot.runtime import Runtime
from bot.telegram.flood import FloodGate


@dataclass(slots=True)
class BotData:
    """What the Application holds for its lifetime: opened in post_init, closed in post_shutdown."""

    runtime: Runtime | None = None
    resources: AsyncExitStack | None = None
    flood: FloodGate = field(default_factory=FloodGate)
    # The ways out this process sends through, by name, and one pacer each: a platform's limits
    # are per bot (or per number), so per process here.
    transports: dict[str, Transport] = field(default_factory=dict)
    pacers: dict[str, Pacer] = field(default_factory=dict)


# ExtBot[int]: the bot carries AIORateLimiter, whose per-request argument is an int.
class VigiaContext(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], BotData]):
    """The callback context of Vigía's handlers, jobs and error handler."""

    @property
    def runtime(self) -> Runtime:
        """The open Runtime; it exists from post_init to post_shutdown."""
        runtime = self.bot_data.runtime
        if runtime is None:
            raise RuntimeError("the runtime is not open: post_init has not run")
        return runtime


VigiaApplication: TypeAlias = Application[
    ExtBot[int], VigiaContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[VigiaContext]
]
