"""Where Settings and the steering readers used to live: their old import path, kept for callers."""

from bot.settings import Settings
from bot.steering import (
    Catalog,
    ConfigError,
    Problem,
    fold,
    load_actors,
    load_sources,
    parse_duration,
)

__all__ = [
    "Catalog",
    "ConfigError",
    "Problem",
    "Settings",
    "fold",
    "load_actors",
    "load_sources",
    "parse_duration",
]
