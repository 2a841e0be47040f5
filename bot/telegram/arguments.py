"""A command's argument read (names, lengths) and shown back to its user, escaped."""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

from bot.telegram.reply import Reply, reply_text
from storage.schedule import zone_of

MAX_ARGUMENT = 100  # characters of a name or of search words


def clean_name(argument: str) -> str:
    """A name as typed: whitespace folded, surrounding quotes of any kind dropped."""
    return " ".join(argument.split()).strip(_QUOTES).strip()


def echo(argument: str, limit: int = 40) -> str:
    """A user's argument shown back: one line, cut, escaped."""
    text = " ".join(argument.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text, quote=False)


def too_long(argument: str) -> Reply:
    """The answer to an argument longer than any name or search Vigía reads."""
    return reply_text(
        f"That is too long ({len(argument)} characters; I read up to "
        f"{MAX_ARGUMENT}): “{echo(argument)}”"
    )


def reader_zone(name: str | None, *, default: str) -> ZoneInfo:
    """The time zone a reader's times are shown in: theirs, else the deployment's."""
    zone = zone_of(name or default)
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo("UTC")


_QUOTES = "\"'“”«»‘’„"
