"""feeds.toml and actors.toml, read and validated: every problem reported with file:line."""

from bot.steering.actors import Catalog, load_actors
from bot.steering.bundled import STEERING_FILES, bundled
from bot.steering.feeds import Feeds, load_feeds, load_sources
from bot.steering.publish import check_publish_actors
from bot.steering.state import Reload, Steering
from bot.steering.toml import ConfigError, Problem

__all__ = [
    "STEERING_FILES",
    "Catalog",
    "ConfigError",
    "Feeds",
    "Problem",
    "Reload",
    "Steering",
    "bundled",
    "check_publish_actors",
    "load_actors",
    "load_feeds",
    "load_sources",
]
