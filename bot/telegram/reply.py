"""What a command answers and how it reaches the chat: a Message, sent through the Telegram
transport's one send path (escaping, splitting, 429s and outcomes are the transport's)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import telegram

from bot.digest.words import Choices, said
from bot.model import Message, Status
from bot.telegram.transport import TelegramTransport

__all__ = ["REPLY_PATIENCE", "Reply", "reply_with", "send_message"]

logger = logging.getLogger(__name__)

REPLY_PATIENCE = 60.0  # seconds one reply may wait for Telegram's pacing, in all


@dataclass(frozen=True, slots=True)
class Reply:
    """A command's answer: the Message, and what a pressed button asks of it."""

    message: Message
    notice: str | None = None  # a short toast for the button that was pressed, if any
    replace: bool = False  # a pressed button's message is rewritten in place


def reply_with(template: str, *, choices: Choices = (), **values: object) -> Reply:
    """An answer in our own words (bot/digest/words.py's templates)."""
    return Reply(said(template, choices=choices, **values))


async def send_message(
    bot: telegram.Bot, chat_id: int, message: Message, *, patience: float = REPLY_PATIENCE
) -> Status:
    """Render `message` and send its parts to the chat in order; what became of the last one.

    A 429 is waited out (up to `patience` seconds in all) and the part sent again: the user
    asked, and an answer that never comes is worse than a late one. Any other outcome but
    delivered ends the answer there (logged; a blocked chat is the caller's to unsubscribe).
    """
    transport = TelegramTransport(bot)
    status = Status.DELIVERED
    for payload in transport.render(message):
        while True:
            outcome = await transport.send(str(chat_id), payload)
            status = outcome.status
            if status is not Status.RETRY or not outcome.flood:
                break
            wait = (outcome.retry_after or 1.0) + 0.1
            if wait > patience:
                break
            patience -= wait
            logger.info("reply paced chat=%s wait=%.1f", chat_id, wait)
            await asyncio.sleep(wait)
        if status is not Status.DELIVERED:
            logger.warning(
                "event=reply_not_sent chat=%s status=%s reason=%r", chat_id, status, outcome.reason
            )
            break
    return status
