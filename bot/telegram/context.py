"""The typed context every handler and tick receives: what post_init opened, the flood gate; no globals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.health import Heartbeats
from bot.metrics import Metrics
from bot.model import Actor, Entry
from bot.outbox import Pacer, Transport
from bot.pipeline.ingest import SourceReport
from bot.settings import Settings
from bot.steering import Reload, Steering
from bot.telegram.flood import FloodGate
from storage.db import Sessions

# Store posts a channel pushed to the bot: (channel username, entries) → what was stored, or
# None when no source in feeds.toml reads that channel.
StorePosts = Callable[[str, Sequence[Entry]], Awaitable[SourceReport | None]]


@dataclass(slots=True)
class BotData:
    """What the Application holds for its lifetime: opened in post_init, closed in post_shutdown."""

    settings: Settings | None = None
    sessions: Sessions | None = None
    steering: Steering | None = None
    reload: Reload | None = None
    store_posts: StorePosts | None = None
    flood: FloodGate = field(default_factory=FloodGate)
    # The ways out this process sends through, by name, and one pacer each: a platform's limits
    # are per bot (or per number), so per process here.
    transports: dict[str, Transport] = field(default_factory=dict)
    pacers: dict[str, Pacer] = field(default_factory=dict)
    metrics: Metrics = field(default_factory=Metrics)
    heartbeats: Heartbeats = field(default_factory=Heartbeats)


# ExtBot[int]: the bot carries AIORateLimiter, whose per-request argument is an int.
class VigiaContext(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], BotData]):
    """The callback context of Vigía's handlers, jobs and error handler."""

    @property
    def settings(self) -> Settings:
        """The service's settings (from post_init to post_shutdown, like everything below)."""
        return _opened(self.bot_data.settings)

    @property
    def sessions(self) -> Sessions:
        """The database's sessions."""
        return _opened(self.bot_data.sessions)

    @property
    def steering(self) -> Steering:
        """The steering files in use: sources and actors."""
        return _opened(self.bot_data.steering)

    @property
    def actors(self) -> tuple[Actor, ...]:
        """The actors of actors.toml in use."""
        return self.steering.catalog.actors

    @property
    def reload(self) -> Reload:
        """Re-read the steering files now."""
        return _opened(self.bot_data.reload)

    @property
    def store_posts(self) -> StorePosts:
        """Store the posts a channel pushed to the bot."""
        return _opened(self.bot_data.store_posts)


_T = TypeVar("_T")


def _opened(value: _T | None) -> _T:
    if value is None:
        raise RuntimeError("the service is not open: post_init has not run")
    return value

VigiaApplication: TypeAlias = Application[
    ExtBot[int], VigiaContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[VigiaContext]
]
