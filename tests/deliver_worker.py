"""A delivery worker in its own process: `deliver_due` in a loop until the outbox is empty.

Used by the crash test (which SIGKILLs it mid fan-out and starts it again) and by bench/fanout.py:

    python -m tests.deliver_worker --db URL --api http://127.0.0.1:PORT/bot --token T \
        [--rate 30] [--lease 60] [--concurrency 32]
    python -m tests.deliver_worker --db URL --api http://127.0.0.1:PORT/v23.0 --token T \
        --whatsapp PHONE_NUMBER_ID [--rate 80] …     # through the WhatsApp transport instead
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from contextlib import AsyncExitStack

import telegram
from pydantic import SecretStr
from telegram.request import HTTPXRequest

from bot.logs import configure_logging
from bot.outbox import Pacer, Transport, deliver_due
from bot.settings import Settings
from bot.telegram.transport import TelegramTransport
from bot.whatsapp.connect import open_transport
from storage.db import create_engine, sessionmaker, transaction
from storage.deliveries import count_pending


async def drain(
    db: str, api: str, token: str, *, rate: float, lease: float, concurrency: int,
    whatsapp: str | None = None,
) -> int:
    """Deliver until nothing is pending; return how many messages were sent."""
    engine = create_engine(db)
    maker = sessionmaker(engine)
    sent = 0
    async with AsyncExitStack() as stack:
        transport: Transport
        if whatsapp is None:
            request = HTTPXRequest(connection_pool_size=concurrency + 4, pool_timeout=30)
            bot = await stack.enter_async_context(
                telegram.Bot(token, base_url=api, request=request)
            )
            transport = TelegramTransport(bot)
            pacer = Pacer(global_rate=rate)
        else:
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None, whatsapp_token=SecretStr(token), whatsapp_api_url=api,
                whatsapp_phone_number_id=whatsapp, whatsapp_send_rate=rate,
            )
            transport = await open_transport(settings, maker, stack)
            pacer = Pacer.for_pace(transport.pace)
        while True:
            report = await deliver_due(
                {transport.name: transport},
                maker,
                limit=1_000_000,
                pacers={transport.name: pacer},
                lease_seconds=lease,
                concurrency=concurrency,
            )
            sent += report.sent
            async with transaction(maker) as session:
                if await count_pending(session=session) == 0:
                    break
            await asyncio.sleep(0.1)
    await engine.dispose()
    return sent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--api", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--lease", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--whatsapp", metavar="PHONE_NUMBER_ID",
                        help="send through the WhatsApp transport, as this number")
    args = parser.parse_args()
    configure_logging("WARNING")
    sent = asyncio.run(
        drain(
            args.db,
            args.api,
            args.token,
            rate=args.rate,
            lease=args.lease,
            concurrency=args.concurrency,
            whatsapp=args.whatsapp,
        )
    )
    print(f"sent={sent}", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
