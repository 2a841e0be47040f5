"""The Telegram transport: Messages rendered as Bot API calls, sent one at a time, answered as Outcomes.

It plugs into the one seam (bot/outbox.py): `render` is bot/telegram/render.py's, `send` makes one
Bot API call and says what became of it — every python-telegram-bot exception is read here and
nowhere else:
- 429 RetryAfter → RETRY after the time asked (flood; not a failed attempt);
- 403 (blocked by the user, kicked, not a member of the channel) and 400 "chat not found",
  "not enough rights", "need administrator rights" → BLOCKED;
- 400 "message is not modified" on an edit → DELIVERED (the post already says it);
- other 400s → REJECTED; a request that left but got no answer (read timeout, connection lost)
  → UNKNOWN, never sent again; one that surely did not leave (no connection, pool full) and 5xx
  answers → RETRY with back-off;
- a refused token is raised: no send can succeed, and the row goes back unsent.
"""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta

import httpx
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter

from bot.model import Choice, Message, Outcome, Status
from bot.outbox import Pace
from bot.telegram.render import TelegramPart, render_parts

__all__ = ["TelegramTransport", "keyboard"]

logger = logging.getLogger(__name__)

NAME = "telegram"
_BLOCKING_400 = (
    "chat not found",
    "not enough rights",
    "need administrator rights",
    "have no rights to send",
    "chat_write_forbidden",
    "chat_admin_required",
)


class TelegramTransport:
    """Renders with Telegram HTML and sends through one `telegram.Bot`."""

    name = NAME

    def __init__(self, bot: telegram.Bot | None, *, pace: Pace | None = None) -> None:
        """`bot=None` renders only (a tick that writes the outbox sends nothing itself)."""
        self.bot = bot
        self.pace = pace or Pace(global_rate=30.0, per_destination=1.0)

    def render(self, message: Message) -> list[str]:
        """The payloads of `message`, in send order."""
        return [part.to_payload() for part in render_parts(message)]

    async def send(self, destination: str, payload: str) -> Outcome:
        """One Bot API call to `destination` (a chat id or an @channel)."""
        if self.bot is None:
            raise RuntimeError("this Telegram transport renders only: it was given no bot")
        try:
            part = TelegramPart.from_payload(payload)
        except (ValueError, TypeError, KeyError) as error:
            return Outcome(Status.REJECTED, reason=f"unreadable payload: {error}")
        chat = int(destination) if destination.removeprefix("-").isdigit() else destination
        try:
            receipt = await self._call(chat, part)
        except RetryAfter as error:
            wait = _retry_seconds(error)
            return Outcome(
                Status.RETRY, retry_after=wait, flood=True, reason=f"429 retry after {wait:g}"
            )
        except Forbidden as error:
            return Outcome(Status.BLOCKED, reason=f"403 {error.message}")
        except BadRequest as error:
            text = error.message.lower()
            if "message is not modified" in text and part.message_id is not None:
                return Outcome(Status.DELIVERED, receipt=str(part.message_id))
            if any(phrase in text for phrase in _BLOCKING_400):
                return Outcome(Status.BLOCKED, reason=f"400 {error.message}")
            return Outcome(Status.REJECTED, reason=f"400 {error.message}")
        except InvalidToken:
            raise
        except NetworkError as error:  # also TimedOut and 5xx answers
            reason = f"{type(error).__name__}: {error.message}"
            if _maybe_delivered(error):
                return Outcome(Status.UNKNOWN, reason=reason)
            return Outcome(Status.RETRY, reason=reason)
        return Outcome(Status.DELIVERED, receipt=receipt)

    async def _call(self, chat: int | str, part: TelegramPart) -> str | None:
        assert self.bot is not None
        markup = keyboard(part.buttons)
        if part.method == "sendPhoto":
            sent = await self.bot.send_photo(
                chat_id=chat,
                photo=part.photo or b"",
                caption=part.text or None,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
            return str(sent.message_id)
        if part.method == "editMessageText":
            edited = await self.bot.edit_message_text(
                chat_id=chat,
                message_id=part.message_id,
                text=part.text,
                parse_mode=ParseMode.HTML,
                link_preview_options=_NO_PREVIEW,
                reply_markup=markup,
            )
            return str(part.message_id if isinstance(edited, bool) else edited.message_id)
        sent = await self.bot.send_message(
            chat_id=chat,
            text=part.text,
            parse_mode=ParseMode.HTML,
            link_preview_options=_NO_PREVIEW,
            reply_markup=markup,
        )
        return str(sent.message_id)


def keyboard(rows: tuple[tuple[Choice, ...], ...]) -> InlineKeyboardMarkup | None:
    """Choices as an inline keyboard; None for none."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(c.label, callback_data=c.data) for c in row] for row in rows]
    )


def _maybe_delivered(error: NetworkError) -> bool:
    """Whether the request may have reached Telegram although no answer came back."""
    cause = error.__cause__
    if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return False  # it never left this machine
    return isinstance(cause, httpx.TransportError)  # no answer (a 5xx answer has no such cause)


def _retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 deprecates the int form; both forms are handled
        value = error.retry_after
    seconds = float(value.total_seconds() if isinstance(value, timedelta) else value)
    return max(1.0, seconds)


_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
