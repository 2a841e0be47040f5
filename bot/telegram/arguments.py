"""The Telegram answer to an argument longer than any name or search Vigía reads."""

from __future__ import annotations

from bot.digest.arguments import MAX_ARGUMENT, echo
from bot.telegram.reply import Reply, reply_with


def too_long(argument: str) -> Reply:
    """The answer to an argument longer than any name or search Vigía reads."""
    return reply_with(
        f"That is too long ({len(argument)} characters; I read up to {MAX_ARGUMENT}): “{{said}}”",
        said=echo(argument),
    )
