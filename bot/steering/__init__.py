"""feeds.toml and actors.toml, read and validated: every problem reported with file:line."""

from bot.steering.actors import Catalog, load_actors
from bot.steering.bundled import STEERING_FILES, bundled
from bot.steering.feeds import load_sources
from bot.steering.state import Reload, Steering
from bot.steering.toml import ConfigError, Problem

__all__ = [
    "STEERING_FILES",
    "Catalog",
    "ConfigError",
    "Problem",
    "Reload",
    "Steering",
    "bundled",
    "load_actors",
    "load_sources",
]
