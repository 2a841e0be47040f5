"""The default feeds.toml and actors.toml that travel inside the package."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

STEERING_FILES = ("feeds.toml", "actors.toml")


def bundled(name: str) -> Path:
    """The default steering file `name` (feeds.toml, actors.toml) shipped inside the package."""
    return Path(str(files("bot") / "defaults" / name))
