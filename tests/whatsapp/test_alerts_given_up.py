"""An alert WhatsApp would not take (its window closed after all) gives its story back to the
reader's next digest: the outbox sends it through the real transport to the fake Cloud API."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.outbox import deliver_due
from bot.scheduler import run_alert_tick, run_digest_tick
from bot.steering import bundled, load_actors
from bot.whatsapp.transport import WhatsAppTransport, chat_of
from storage.db import Sessions, sessionmaker, transaction
from storage.deliveries import record_receipt
from storage.models import Delivery, Subscriber
from storage.subscribers import follow, note_inbound, subscribe
from tests.sample_stories import add_story, seed_catalog
from tests.whatsapp.fake_cloud import FakeCloud

ANA, LUIS = "573001220001", "573001220002"


async def alert_tick(sessions: Sessions, transport: WhatsAppTransport, now: datetime) -> int:
    return await run_alert_tick(sessions=sessions, actors=load_actors(bundled("actors.toml")).actors,
                                timezone="America/Caracas", alerts_per_hour=4, now=now,
                                transports={"whatsapp": transport})


async def rows(sessions: Sessions) -> list[Delivery]:
    async with sessions() as session:
        return list((await session.scalars(select(Delivery).order_by(Delivery.id))).all())  # type: ignore[arg-type]


async def test_an_alert_given_up_leaves_its_story_to_the_next_digest(engine: AsyncEngine) -> None:
    sessions = sessionmaker(engine)
    now = datetime.now(UTC)
    async with transaction(sessions) as session:
        await seed_catalog(session)
        for wa_id in (ANA, LUIS):
            await subscribe(session=session, chat_id=chat_of(wa_id), timezone="America/Caracas",
                            now=now, transport="whatsapp", language="es")
            await note_inbound(session=session, chat_id=chat_of(wa_id),
                               sent_at=now - timedelta(hours=2))  # our record: window open
            await follow(session=session, chat_id=chat_of(wa_id), actor_id="maduro")
        await add_story(session, title="Antes de la primera mirada", seen=now, actors=("maduro",))
    with FakeCloud(pair_interval=1.0) as fake:
        async with httpx.AsyncClient() as client:
            transport = WhatsAppTransport(client=client, api_url=fake.api_url,
                                          phone_number_id=fake.phone_number_id, token=fake.token,
                                          template="vigia_digest")
            assert await alert_tick(sessions, transport, now) == 0
            async with transaction(sessions) as session:
                await add_story(session, title="Maduro en la OPEP", seen=now, actors=("maduro",))
            assert await alert_tick(sessions, transport, now) == 2
            # WhatsApp disagrees with our record for Ana: it refuses her alert (131047) at once;
            # Luis's it takes, then reports it failed.
            fake.last_inbound[ANA] = time.time() - 30 * 3600
            fake.last_inbound[LUIS] = time.time()
            report = await deliver_due({"whatsapp": transport}, sessions)
            assert (report.sent, report.failed) == (1, 1)
            assert fake.errors[131047] == 1
            (taken,) = fake.messages_to(LUIS)
            async with transaction(sessions) as session:
                await record_receipt(session=session, transport="whatsapp",
                                     receipt=taken.message_id, status="failed", at=now,
                                     error="131047 Re-engagement message")
            async with transaction(sessions) as session:
                for wa_id in (ANA, LUIS):
                    reader = await session.get(Subscriber, chat_of(wa_id))
                    assert reader is not None
                    reader.next_digest_at = now - timedelta(minutes=1)
            assert await run_digest_tick(sessions=sessions, now=now + timedelta(minutes=1),
                                         transports={"whatsapp": transport}) == 2
    digests = [row for row in await rows(sessions) if row.kind == "digest"]
    assert {row.destination for row in digests if "Maduro en la OPEP" in row.payload} == {
        str(chat_of(ANA)), str(chat_of(LUIS))}
