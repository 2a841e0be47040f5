"""Messages readers sent are handled once; the reply window runs from the latest one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import sessionmaker, transaction
from storage.inbound import claim_inbound, finish_inbound, forget_inbound
from storage.subscribers import get_subscriber, note_inbound, subscribe

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
CHAT = 2**53 + 584121234567


async def test_a_message_is_handled_until_finished_then_never_again(any_engine: AsyncEngine) -> None:
    maker = sessionmaker(any_engine)
    async with transaction(maker) as session:
        assert await claim_inbound(session=session, message_id="wamid.1", chat_id=CHAT,
                                   sent_at=NOW, now=NOW)
    # A crash before the answer was written: the retried webhook is handled again.
    async with transaction(maker) as session:
        assert await claim_inbound(session=session, message_id="wamid.1", chat_id=CHAT,
                                   sent_at=NOW, now=NOW)
        await finish_inbound(session=session, message_id="wamid.1")
    async with transaction(maker) as session:
        assert not await claim_inbound(session=session, message_id="wamid.1", chat_id=CHAT,
                                       sent_at=NOW, now=NOW + timedelta(minutes=5))
    async with transaction(maker) as session:
        assert await forget_inbound(session=session, before=NOW + timedelta(days=15)) == 1


async def test_a_late_webhook_never_moves_the_window_back(any_engine: AsyncEngine) -> None:
    maker = sessionmaker(any_engine)
    async with transaction(maker) as session:
        assert await note_inbound(session=session, chat_id=CHAT, sent_at=NOW) is None
        await subscribe(session=session, chat_id=CHAT, timezone="America/Caracas", now=NOW,
                        transport="whatsapp", language="es")
        await note_inbound(session=session, chat_id=CHAT, sent_at=NOW)
        await note_inbound(session=session, chat_id=CHAT, sent_at=NOW - timedelta(hours=3),
                           language="fr")
    async with maker() as session:
        subscriber = await get_subscriber(session=session, chat_id=CHAT)
    assert subscriber is not None
    assert subscriber.last_inbound_at == NOW
    assert (subscriber.transport, subscriber.language) == ("whatsapp", "fr")
