"""What the operators steer with, as last loaded well: feeds.toml's sources and channel outputs,
actors.toml's catalog."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.model import PublishConfig, SourceConfig
from bot.steering.actors import Catalog


@dataclass(slots=True)
class Steering:
    """The steering files in use. The assembler replaces them on a good reload; whoever holds
    this sees the new files at its next read, and a refused file leaves them as they were."""

    sources: tuple[SourceConfig, ...]
    catalog: Catalog
    publish: tuple[PublishConfig, ...] = ()  # the channels Vigía keeps fed


# Re-read the steering files now; returns the problems that made it keep the last good ones.
Reload = Callable[[], Awaitable[list[str]]]
