"""A command's argument read (names, lengths) and shown back to its user, on one line."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.telegram.reply import Reply, reply_with
from storage.schedule import zone_of

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


def too_long(argument: str) -> Reply:
    """The answer to an argument longer than any name or search Vigía reads."""
    return reply_with(
        f"That is too long ({len(argument)} characters; I read up to {MAX_ARGUMENT}): “{{said}}”",
        said=echo(argument),
    )


def reader_zone(name: str | None, *, default: str) -> ZoneInfo:
    """The time zone a reader's times are shown in: theirs, else the deployment's."""
    zone = zone_of(name or default)
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo("UTC")


_QUOTES = "\"'“”«»‘’„"
