"""The WhatsApp transport: Messages rendered as Cloud API bodies, sent one at a time, answered as
Outcomes. Only this package knows the Cloud API; everything it says is read here.

Payloads in the outbox are JSON: `{"body": <the Cloud API message body without "to">, "reopen":
<what the template says, or null>}`. A digest's first part carries `reopen`: when the reader's
24-hour window is closed at send time (by our record of their last message, or because the Cloud
API answers 131047), the approved template goes instead, with a quick-reply button whose press
reopens the window and brings the digest. The same free-form message is never sent again after a
131047; parts without `reopen` (the rest of a digest, alerts) are given up then.

Cloud API answers → Outcome:
- 200 with a message id → DELIVERED (the wamid is the receipt that status webhooks name);
- 130429 (number's throughput), 131056 (pair rate: one message every ~6 s to one reader), 4, 80007
  (application / account rate limits) → RETRY, flood (not a failed attempt);
- 131026 (undeliverable: blocked us, no account, terms not accepted) → BLOCKED: deactivated;
- 131047 (re-engagement) → the template when the part carries `reopen`, else REJECTED; a 131047
  that a status webhook reports later, after a 200, is answered the same way by bot/whatsapp/
  inbox.py: a payload `{"body": null, "reopen": …}` (`template_instead`) is put in the outbox;
- 190 (token refused) → RETRY after a minute, logged at ERROR: the operator must fix it;
- 1, 2, 131000, 131016, 5xx, network errors, timeouts → RETRY with the outbox's back-off;
- anything else (131009 bad parameter, 132xxx template problems, 131051 unsupported …) → REJECTED.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bot.digest.buttons import digest_more
from bot.model import Message, Outcome, Status
from bot.outbox import Pace
from bot.whatsapp.payloads import template_message
from bot.whatsapp.render import render_payloads
from bot.whatsapp.texts import DEFAULT
from storage.times import as_utc

__all__ = [
    "NAME",
    "PER_READER",
    "REENGAGE",
    "UNREACHABLE",
    "Reader",
    "WhatsAppTransport",
    "chat_of",
    "wa_id_of",
]

logger = logging.getLogger(__name__)

NAME = "whatsapp"
PER_READER = 6.0  # seconds between two messages to one reader (the pair rate, error 131056)
ARRIVAL_MARGIN = 0.5  # seconds added to the gap between two messages to one reader
WINDOW = timedelta(hours=24)
REOPENED_SPAN = timedelta(hours=24)  # what a template's button brings: the day before it
# WhatsApp readers share the subscriber table with Telegram chats, keyed by a chat id: theirs is
# their number plus 2**53. Telegram ids have at most 52 significant bits and phone numbers at most
# 15 digits (< 2**53), so the two never meet, and the same number always gets the same id.
WHATSAPP_BASE = 2**53
_FLOOD = {130429: 2.0, 131056: PER_READER, 4: 60.0, 80007: 60.0}  # seconds to wait
_TRANSIENT = {1, 2, 131000, 131016}
UNREACHABLE = frozenset({131026})  # blocked us, no account, terms not accepted
REENGAGE = 131047  # re-engagement: the reader's 24-hour window is closed
_TOKEN = 190


@dataclass(frozen=True, slots=True)
class Reader:
    """What the transport needs to know of a reader at send time."""

    last_inbound_at: datetime | None  # when they last wrote (WhatsApp's time)
    language: str | None


ReaderLookup = Callable[[int], Awaitable[Reader | None]]


def chat_of(wa_id: str) -> int:
    """The subscriber key of a WhatsApp reader."""
    if not wa_id.isdigit() or len(wa_id) > 15:
        raise ValueError(f"not a WhatsApp id: {wa_id!r}")
    return WHATSAPP_BASE + int(wa_id)


def wa_id_of(chat_id: int) -> str | None:
    """The WhatsApp id behind a subscriber key; None for a Telegram chat."""
    if chat_id <= WHATSAPP_BASE:
        return None
    return str(chat_id - WHATSAPP_BASE)


class WhatsAppTransport:
    """Renders with WhatsApp markup and sends through the Cloud API."""

    name = NAME

    def __init__(
        self,
        *,
        client: httpx.AsyncClient | None,
        api_url: str,
        phone_number_id: str,
        token: str,
        template: str,
        reader: ReaderLookup | None = None,
        rate: float = 80.0,
        per_reader: float = PER_READER,
    ) -> None:
        """`client=None` renders only. `reader` tells the reader's window and language at send
        time (without it the window is taken as open, and 131047 alone falls back)."""
        self.client = client
        self.url = f"{api_url.rstrip('/')}/{phone_number_id}/messages"
        self._headers = {"Authorization": f"Bearer {token}"}
        self.template = template
        self.reader = reader
        # WhatsApp measures the gap between arrivals, and requests leave with jitter: keep a
        # margin, or a part that left on time may still arrive early and be refused (131056).
        self.pace = Pace(global_rate=rate, per_destination=per_reader + ARRIVAL_MARGIN,
                         reply_window=WINDOW)

    def __repr__(self) -> str:  # never the token
        return f"WhatsAppTransport(url={self.url!r}, template={self.template!r})"

    def render(self, message: Message) -> list[str]:
        """The payloads of `message`, in send order."""
        return render_payloads(message)

    async def send(self, destination: str, payload: str) -> Outcome:
        """One message to the reader behind `destination` (a subscriber key)."""
        if self.client is None:
            raise RuntimeError("this WhatsApp transport renders only: it was given no client")
        wa_id = wa_id_of(int(destination)) if destination.isdigit() else None
        if wa_id is None:
            return Outcome(Status.REJECTED, reason=f"not a WhatsApp reader: {destination}")
        try:
            part = json.loads(payload)
            body, reopen = part["body"], part.get("reopen")
            body = dict(body) if body is not None else None
        except (ValueError, TypeError, KeyError) as error:
            return Outcome(Status.REJECTED, reason=f"unreadable payload: {error}")
        reader = await self.reader(int(destination)) if self.reader is not None else None
        if body is None:  # the template alone, in place of a part WhatsApp refused late
            if reopen is None:
                return Outcome(Status.REJECTED, reason="neither a message nor a template")
            return await self._reopen(wa_id, reopen, reader)
        if reader is not None and not _window_open(reader.last_inbound_at):
            if reopen is None:
                return Outcome(Status.REJECTED, reason="outside the 24-hour window")
            return await self._reopen(wa_id, reopen, reader)
        outcome, code = await self._post({**body, "to": wa_id})
        if code == REENGAGE:
            if reopen is None:
                return outcome
            return await self._reopen(wa_id, reopen, reader)
        return outcome

    def template_instead(self, payload: str) -> str | None:
        """What goes in place of a part WhatsApp accepted and later reported failed with 131047:
        the template alone when the part carries `reopen` (a digest's first part), else None —
        the same free-form message is never sent again."""
        try:
            part = json.loads(payload)
            reopen = part.get("reopen")
        except (ValueError, AttributeError):
            return None
        if not isinstance(reopen, dict) or part.get("body") is None:
            return None  # nothing to stand in for, or already the template
        return json.dumps({"body": None, "reopen": reopen}, ensure_ascii=False)

    async def _reopen(self, wa_id: str, reopen: dict[str, Any], reader: Reader | None) -> Outcome:
        language = reader.language if reader is not None and reader.language else DEFAULT
        until = datetime.fromtimestamp(int(reopen.get("at", 0)), UTC)
        body = template_message(
            wa_id,
            name=self.template,
            language=language,
            parameters=(str(reopen.get("count", "")), str(reopen.get("first", ""))),
            # Pressing it brings the digest of the day before the template: the window is
            # fixed in the button, so a press days later still shows what was announced.
            button_payload=digest_more(since=until - REOPENED_SPAN, until=until, offset=0),
        )
        outcome, _ = await self._post(body)
        if outcome.status is Status.DELIVERED:
            logger.info("event=whatsapp_template_sent template=%s language=%s",
                        self.template, language)
        return outcome

    async def _post(self, body: dict[str, Any]) -> tuple[Outcome, int | None]:
        assert self.client is not None
        try:
            answer = await self.client.post(self.url, json=body, headers=self._headers)
        except httpx.HTTPError as error:
            return Outcome(Status.RETRY, reason=f"{type(error).__name__}: {error}"[:300]), None
        if answer.status_code == 200:
            try:
                receipt = str(answer.json()["messages"][0]["id"])
            except (ValueError, KeyError, IndexError, TypeError):
                receipt = None
            return Outcome(Status.DELIVERED, receipt=receipt), None
        code, text = _error_of(answer)
        reason = f"{code} {text}"[:300]
        if code in _FLOOD:
            return Outcome(Status.RETRY, retry_after=_FLOOD[code], flood=True, reason=reason), code
        if code in UNREACHABLE:
            return Outcome(Status.BLOCKED, reason=reason), code
        if code == _TOKEN:
            logger.error("event=whatsapp_token_refused status=%d: set a valid BOT_WHATSAPP_TOKEN",
                         answer.status_code)
            return Outcome(Status.RETRY, retry_after=60.0, reason=reason), code
        if code in _TRANSIENT or answer.status_code >= 500:
            return Outcome(Status.RETRY, reason=reason), code
        return Outcome(Status.REJECTED, reason=reason), code


def _error_of(answer: httpx.Response) -> tuple[int, str]:
    try:
        error = answer.json()["error"]
        return int(error.get("code", answer.status_code)), str(error.get("message", ""))[:200]
    except (ValueError, KeyError, TypeError):
        return answer.status_code, answer.text[:200]


def _window_open(last_inbound_at: datetime | None) -> bool:
    if last_inbound_at is None:
        return False
    return datetime.now(UTC) - as_utc(last_inbound_at) < WINDOW
