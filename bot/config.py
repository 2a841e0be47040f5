"""Where Settings and the steering readers used to live: their old import path, kept for callers."""

from bot.durations import parse_duration
from bot.settings import Settings
from bot.steering import Catalog, ConfigError, Problem, load_actors, load_sources

__all__ = [
    "Catalog",
    "ConfigError",
    "Problem",
    "Settings",
    "load_actors",
    "load_sources",
    "parse_duration",
]
