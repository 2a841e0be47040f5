"""A reader's argument (a name, search words, a window) read and shown back on one line, for
every transport."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from storage.schedule import zone_of

__all__ = ["MAX_ARGUMENT", "clean_name", "echo", "reader_zone"]

MAX_ARGUMENT = 100  # characters of a name or of search words


def clean_name(argument: str) -> str:
    """A name as typed: whitespace folded, surrounding quotes of any kind dropped."""
    return " ".join(argument.split()).strip(_QUOTES).strip()


def echo(argument: str, limit: int = 40) -> str:
    """A user's argument shown back: one line, cut (a value for a template: the renderer
    escapes it)."""
    text = " ".join(argument.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def reader_zone(name: str | None, *, default: str) -> ZoneInfo:
    """The time zone a reader's times are shown in: theirs, else the deployment's."""
    zone = zone_of(name or default)
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo("UTC")


_QUOTES = "\"'“”«»‘’„"
