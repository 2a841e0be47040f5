"""Where Settings and the steering readers used to live: their old import path, kept for callers."""

from bot.durations import parse_duration
from bot.settings import Settings
from bot.steering import (
    STEERING_FILES,
    Catalog,
    ConfigError,
    Problem,
    bundled,
    load_actors,
    load_sources,
)

__all__ = [
    "STEERING_FILES",
    "Catalog",
    "ConfigError",
    "Problem",
    "Settings",
    "bundled",
    "load_actors",
    "load_sources",
    "parse_duration",
]
