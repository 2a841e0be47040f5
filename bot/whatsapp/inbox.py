"""What a webhook brings, acted on: each reader's message answered once, receipts recorded.

`handle_events(events, runtime=…, transport=…)` is the `handle` of bot/whatsapp/webhook.py. For
each message, in order:
1. claim its id (storage/inbound.py): a message handled already — Meta sent the webhook again —
   stops here;
2. read it: a pressed button or list row (the same payloads as Telegram's buttons), or words;
3. answer it (bot/whatsapp/answers.py: subscribing, following … happen there, idempotently);
4. in one transaction: the reader's window moves to the message's own timestamp (never back), the
   answer goes into the outbox keyed by the message id, and the id is marked done.
A crash between 1 and 4 leaves the id unfinished: the retried webhook does it all again, and the
outbox key keeps the answer from being written twice.

A receipt (sent, delivered, read, failed) updates the delivery it names; a failure that says the
reader is unreachable (131026) stops them like a blocked send does; one that says their window
was closed (131047, reported after WhatsApp took the message) puts the approved template in the
outbox in place of a digest's first part, whose button brings the digest, as when the send
itself is refused with 131047.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.digest.buttons import parse_pressed
from bot.outbox import promise
from bot.runtime import Runtime
from bot.whatsapp.answers import answer_command, answer_pressed
from bot.whatsapp.texts import DEFAULT
from bot.whatsapp.transport import NAME, REENGAGE, UNREACHABLE, WhatsAppTransport, chat_of
from bot.whatsapp.webhook import Inbound, Receipt, WebhookEvents
from bot.whatsapp.words import Command, read_words
from storage import deliveries, inbound, subscribers
from storage.db import Session, transaction

__all__ = ["handle_events"]

logger = logging.getLogger(__name__)


async def handle_events(
    events: WebhookEvents, *, runtime: Runtime, transport: WhatsAppTransport,
    now: datetime | None = None,
) -> None:
    """Act on one webhook's messages and receipts."""
    for message in events.messages:
        await _answer(message, runtime=runtime, transport=transport, now=now or _now())
    for receipt in events.receipts:
        await _record(receipt, runtime=runtime, transport=transport, now=now or _now())


async def _answer(message: Inbound, *, runtime: Runtime, transport: WhatsAppTransport,
                  now: datetime) -> None:
    chat_id = chat_of(message.wa_id)
    async with transaction(runtime.sessions) as session:
        fresh = await inbound.claim_inbound(session=session, message_id=message.message_id,
                                            chat_id=chat_id, sent_at=message.sent_at, now=now)
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
        known_language = subscriber.language if subscriber is not None else None
    if not fresh:
        logger.info("event=whatsapp_duplicate message=%s", message.message_id)
        return
    pressed = parse_pressed(message.choice_id) if message.choice_id else None
    command = read_words(message.text) if pressed is None else Command("pressed")
    language = command.language or known_language or DEFAULT
    if pressed is not None:
        reply = await answer_pressed(runtime, chat_id=chat_id, pressed=pressed,
                                     language=language, now=now)
    else:
        reply = await answer_command(runtime, chat_id=chat_id, command=command,
                                     language=language, now=now)
    async with transaction(runtime.sessions) as session:
        await subscribers.note_inbound(session=session, chat_id=chat_id,
                                       sent_at=message.sent_at, language=command.language)
        await promise(session=session, transport=transport, destination=str(chat_id),
                      message=reply, kind="answer", dedup_key=f"wa:{message.message_id}",
                      now=now)
        await inbound.finish_inbound(session=session, message_id=message.message_id)
    logger.info("event=whatsapp_answered verb=%s language=%s late_s=%d", command.verb, language,
                (now - message.sent_at).total_seconds())


async def _record(receipt: Receipt, *, runtime: Runtime, transport: WhatsAppTransport,
                  now: datetime) -> None:
    error = f"{receipt.error_code} {receipt.error_title or ''}".strip() if receipt.error_code else None
    async with transaction(runtime.sessions) as session:
        found = await deliveries.record_receipt(
            session=session, transport=NAME, receipt=receipt.message_id,
            status=receipt.status, at=receipt.at, error=error,
        )
        if found is not None and receipt.error_code in UNREACHABLE:
            await deliveries.block_destination(
                session=session, transport=NAME, destination=found,
                reason=error or "unreachable", now=now,
            )
            logger.info("event=subscriber_deactivated transport=whatsapp reason=%r", error)
        if found is not None and receipt.status == "failed" and receipt.error_code == REENGAGE:
            await _template_instead(session, receipt, transport=transport, now=now)


async def _template_instead(session: Session, receipt: Receipt, *, transport: WhatsAppTransport,
                            now: datetime) -> None:
    """WhatsApp took a part, then said the window was closed: its template goes in its place,
    once (keyed by the refused message's id), when the part had one; nothing is sent again."""
    sent = await deliveries.payload_of_receipt(session=session, transport=NAME,
                                               receipt=receipt.message_id)
    template = transport.template_instead(sent[1]) if sent is not None else None
    if sent is None or template is None:
        logger.info("event=whatsapp_late_reengagement given_up=1")
        return
    written = await deliveries.enqueue(
        session=session, transport=NAME, destination=sent[0], kind="template",
        dedup_key=f"wa-reopen:{receipt.message_id}", payloads=[template], now=now,
    )
    logger.info("event=whatsapp_late_reengagement template_promised=%d", written)


def _now() -> datetime:
    return datetime.now(UTC)
