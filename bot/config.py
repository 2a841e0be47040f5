"""Where Settings and the steering readers used to live: their old import path, kept for callers."""

from bot.durations import parse_duration
from bot.settings import Settings
from bot.steering import (
    STEERING_FILES,
    Catalog,
    ConfigError,
    Feeds,
    Problem,
    bundled,
    check_publish_actors,
    load_actors,
    load_feeds,
    load_sources,
)

__all__ = [
    "STEERING_FILES",
    "Catalog",
    "ConfigError",
    "Feeds",
    "Problem",
    "Settings",
    "bundled",
    "check_publish_actors",
    "load_actors",
    "load_feeds",
    "load_sources",
    "parse_duration",
]
