"""What a command answers, before it meets Telegram: HTML texts and inline buttons as plain data."""

from __future__ import annotations

from dataclasses import dataclass

from bot.model import Choice, Picture

Button = Choice  # one inline button: its label (plain text) and its callback payload (≤ 64 bytes)


@dataclass(frozen=True, slots=True)
class Reply:
    """A picture and/or HTML messages, each under Telegram's limit; buttons go under the last one."""

    texts: tuple[str, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()
    notice: str | None = None  # a short toast for the button that was pressed, if any
    replace: bool = False  # a pressed button's message is rewritten in place (one text only)
    picture: Picture | None = None  # sent before the texts, with its caption


def reply_text(text: str, buttons: tuple[tuple[Button, ...], ...] = ()) -> Reply:
    """A single-message reply."""
    return Reply(texts=(text,), buttons=buttons)
