"""The /whatsapp webhook: Meta's GET verification, signed POSTs read into typed events.

`serve_webhook(method=…, query=…, headers=…, body=…, app_secret=…, verify_token=…, handle=…)` is
framework-free: the HTTP surface hands it the raw request and sends back the (status, body) it
returns. A POST whose `X-Hub-Signature-256` is missing or wrong is refused with 403 before its body
is even parsed; a signed POST is read into messages and status receipts and given to `handle`.
A failure in `handle` answers 500, so Meta sends the webhook again (handling is idempotent).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "Inbound",
    "Receipt",
    "WebhookEvents",
    "read_events",
    "serve_webhook",
    "signature_ok",
]

logger = logging.getLogger(__name__)

MAX_BODY = 1 << 20  # Meta's webhooks are a few KB; anything this big is not one
SIGNATURE_HEADER = "x-hub-signature-256"


@dataclass(frozen=True, slots=True)
class Inbound:
    """A message a reader sent: text, or the id of a button or list row they pressed."""

    message_id: str  # wamid: the same id comes back when Meta retries the webhook
    wa_id: str  # the reader's WhatsApp id (their number, digits only)
    sent_at: datetime  # when the reader sent it (WhatsApp's timestamp), UTC
    text: str = ""
    choice_id: str | None = None  # a reply button's or list row's id, or a template button payload
    name: str | None = None  # the reader's profile name


@dataclass(frozen=True, slots=True)
class Receipt:
    """What WhatsApp says became of a message Vigía sent: sent, delivered, read or failed."""

    message_id: str
    wa_id: str
    status: str
    at: datetime
    error_code: int | None = None
    error_title: str | None = None


@dataclass(frozen=True, slots=True)
class WebhookEvents:
    """Everything one webhook carried."""

    messages: tuple[Inbound, ...] = ()
    receipts: tuple[Receipt, ...] = ()


Handle = Callable[[WebhookEvents], Awaitable[None]]


async def serve_webhook(
    *,
    method: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
    app_secret: str | None,
    verify_token: str | None,
    handle: Handle,
) -> tuple[int, bytes]:
    """Answer one request to /whatsapp: (HTTP status, body)."""
    if method == "GET":
        return _verify(query, verify_token)
    if method != "POST":
        return 405, b"GET or POST\n"
    if app_secret is None:
        logger.warning("event=whatsapp_webhook_refused reason=no_app_secret")
        return 403, b"BOT_WHATSAPP_APP_SECRET is not set: no webhook can be trusted\n"
    if len(body) > MAX_BODY:
        return 413, b"too large\n"
    lowered = {key.lower(): value for key, value in headers.items()}
    if not signature_ok(body=body, header=lowered.get(SIGNATURE_HEADER), secret=app_secret):
        logger.warning("event=whatsapp_webhook_refused reason=bad_signature bytes=%d", len(body))
        return 403, b"bad signature\n"
    try:
        events = read_events(json.loads(body))
    except (ValueError, TypeError) as error:
        logger.warning("event=whatsapp_webhook_unreadable error=%r", str(error)[:200])
        return 400, b"not a WhatsApp webhook\n"
    try:
        await handle(events)
    except Exception:
        # Isolation point: Meta sends the webhook again, and handling it again changes nothing.
        logger.exception("event=whatsapp_webhook_failed messages=%d", len(events.messages))
        return 500, b"try again\n"
    return 200, b"ok\n"


def signature_ok(*, body: bytes, header: str | None, secret: str) -> bool:
    """True when `header` is "sha256=" + the HMAC-SHA256 of the raw body with the app secret."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256="):].strip().lower())


def read_events(payload: Any) -> WebhookEvents:
    """The messages and receipts of a webhook body (`whatsapp_business_account` object).

    Parts Vigía does not serve (reactions, media, other fields) are left out; a malformed part is
    skipped, never the whole webhook. Raises ValueError when it is not a WhatsApp webhook at all.
    """
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        raise ValueError("object is not whatsapp_business_account")
    messages: list[Inbound] = []
    receipts: list[Receipt] = []
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            names = {
                str(contact.get("wa_id")): _text(_dict(contact.get("profile")).get("name"))
                for contact in _dicts(value.get("contacts"))
            }
            for message in _dicts(value.get("messages")):
                inbound = _inbound(message, names)
                if inbound is not None:
                    messages.append(inbound)
            for status in _dicts(value.get("statuses")):
                receipt = _receipt(status)
                if receipt is not None:
                    receipts.append(receipt)
    return WebhookEvents(messages=tuple(messages), receipts=tuple(receipts))


def _verify(query: Mapping[str, str], verify_token: str | None) -> tuple[int, bytes]:
    if verify_token is None:
        return 403, b"BOT_WHATSAPP_VERIFY_TOKEN is not set\n"
    given = query.get("hub.verify_token", "")
    if query.get("hub.mode") != "subscribe" or not hmac.compare_digest(
        given.encode(), verify_token.encode()
    ):
        logger.warning("event=whatsapp_verification_refused mode=%r", query.get("hub.mode"))
        return 403, b"verification refused\n"
    challenge = query.get("hub.challenge", "")
    if not challenge or len(challenge) > 200:
        return 400, b"no challenge\n"
    logger.info("event=whatsapp_webhook_verified")
    return 200, challenge.encode()


def _inbound(message: dict[str, Any], names: dict[str, str | None]) -> Inbound | None:
    message_id, wa_id = _text(message.get("id")), _text(message.get("from"))
    sent_at = _time(message.get("timestamp"))
    if not message_id or not wa_id or not wa_id.isdigit() or sent_at is None:
        return None
    kind = message.get("type")
    text, choice = "", None
    if kind == "text":
        text = _text(_dict(message.get("text")).get("body")) or ""
    elif kind == "interactive":
        interactive = _dict(message.get("interactive"))
        reply = _dict(interactive.get("button_reply") or interactive.get("list_reply"))
        choice, text = _text(reply.get("id")), _text(reply.get("title")) or ""
    elif kind == "button":  # a template's quick-reply button
        button = _dict(message.get("button"))
        choice, text = _text(button.get("payload")), _text(button.get("text")) or ""
    return Inbound(message_id=message_id, wa_id=wa_id, sent_at=sent_at, text=text,
                   choice_id=choice, name=names.get(wa_id))


def _receipt(status: dict[str, Any]) -> Receipt | None:
    message_id, state = _text(status.get("id")), _text(status.get("status"))
    at = _time(status.get("timestamp"))
    if not message_id or state not in ("sent", "delivered", "read", "failed") or at is None:
        return None
    errors = list(_dicts(status.get("errors")))
    code = errors[0].get("code") if errors else None
    return Receipt(
        message_id=message_id,
        wa_id=_text(status.get("recipient_id")) or "",
        status=state,
        at=at,
        error_code=code if isinstance(code, int) else None,
        error_title=_text(errors[0].get("title")) if errors else None,
    )


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _time(value: Any) -> datetime | None:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return None
    if seconds <= 0 or seconds > 32503680000:  # before the year 3000
        return None
    return datetime.fromtimestamp(seconds, UTC)
