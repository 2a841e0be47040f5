"""Fan-out benchmark: digests to N subscribers through the fake Bot API at Telegram's global limit,
and through the fake WhatsApp Cloud API at its 80 messages a second per number.

    .venv/bin/python -m bench.fanout            # Telegram: 1,000 at 30/s, then 10,000 at 300/s;
                                                # WhatsApp: 1,000 at 80/s (~100 s in all)
    .venv/bin/python -m bench.fanout --quick    # 300 at 30/s, 3,000 at 300/s, WhatsApp 300 at 80/s
    .venv/bin/python -m bench.fanout --whatsapp # WhatsApp only

Prints, per run: the time to render the digests, the achieved send rate as a fraction of the
limit (target ≥ 0.9), 429s as a share of sends (target ≤ 0.1 %), lost and duplicated messages
(target 0). The delivery worker (tests/deliver_worker.py: `deliver_due` in a loop) runs in its own
process, paced at the fake's limit, against a SQLite file. For WhatsApp, the errors are the Cloud
API's refusals (130429 for the number's rate, 131056 for a reader's, 131047 outside the window);
each reader's parts also go 6 s apart, as WhatsApp asks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.digest.compose import digest_message
from bot.model import StoryView
from bot.telegram.transport import TelegramTransport
from bot.whatsapp.transport import WhatsAppTransport, chat_of
from storage import migrate
from storage.db import create_engine, sessionmaker, transaction
from storage.deliveries import enqueue
from storage.models import Subscriber
from tests.fake_telegram import FakeTelegram, parse_telegram_html
from tests.whatsapp.fake_cloud import FakeCloud

TOKEN = "123456:BENCHbenchBENCHbenchBENCHbench12345"
NOW = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]
ZONES = [ZoneInfo(z) for z in ("America/Caracas", "Europe/Madrid", "America/Bogota")]


def sample_stories(count: int = 12) -> list[StoryView]:
    return [
        StoryView(
            id=i,
            title=f"Story {i}: el CNE & la oposición <en> Caracas — Maduro, Machado, González 🇻🇪",
            url=f"https://example.org/news/{i}?utm=x&id={i}",
            source_name="Efecto Cocuyo",
            source_count=1 + i % 4,
            first_seen=NOW - timedelta(minutes=7 * i),
            last_seen=NOW,
            actors=("Nicolás Maduro", "María Corina Machado"),
            topics=("elections",),
        )
        for i in range(count)
    ]


async def run(subscribers: int, rate: float, concurrency: int) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        FakeTelegram(
            token=TOKEN, global_rate=rate, global_burst=rate, chat_rate=1.0, chat_burst=3
        ) as fake,
    ):
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        engine = create_engine(url)
        await migrate.upgrade(engine)
        maker = sessionmaker(engine)
        stories = sample_stories()

        started = time.perf_counter()
        renderer = TelegramTransport(None)
        digests = {
            chat: renderer.render(
                digest_message(
                    stories, heading="Vigía — last 24 h", tz=ZONES[chat % len(ZONES)], now=NOW
                )
            )
            for chat in range(1, subscribers + 1)
        }
        render_seconds = time.perf_counter() - started
        parse_telegram_html(json.loads(digests[1][0])["text"])

        async with transaction(maker) as session:
            for chat in digests:
                session.add(Subscriber(chat_id=chat, created_at=NOW))
            await session.flush()
            for chat, parts in digests.items():
                await enqueue(
                    session=session,
                    transport=renderer.name,
                    destination=str(chat),
                    kind="digest",
                    dedup_key=f"digest:{chat}:{NOW.isoformat()}",
                    payloads=parts,
                    now=NOW,
                )
        promised = sum(len(parts) for parts in digests.values())

        await engine.dispose()
        started = time.perf_counter()
        worker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.deliver_worker",
            "--db",
            url,
            "--api",
            fake.bot_base_url,
            "--token",
            TOKEN,
            "--rate",
            str(rate),
            "--concurrency",
            str(concurrency),
            cwd=ROOT,
        )
        await worker.wait()
        elapsed = time.perf_counter() - started

        messages = fake.messages()
        copies = Counter((m.chat_id, m.visible) for m in messages)
        duplicated = sum(n - 1 for n in copies.values() if n > 1)
        lost = promised - len(copies)
        first, last = messages[0].time, messages[-1].time
        achieved = (len(messages) - 1) / (last - first) if last > first else 0.0
        refused = fake.errors[429]
        print(
            f"subscribers={subscribers} limit={rate:g}/s messages={len(messages)} "
            f"render_s={render_seconds:.3f} render_ms_per_digest={1000 * render_seconds / subscribers:.3f} "
            f"send_s={elapsed:.1f} rate={achieved:.1f}/s fraction_of_limit={achieved / rate:.3f} "
            f"429s={refused} ({100 * refused / max(1, len(messages)):.3f}% of sends) "
            f"lost={lost} duplicated={duplicated}",
            flush=True,
        )


async def run_whatsapp(subscribers: int, rate: float, concurrency: int) -> None:
    """The same digests to WhatsApp readers, whose windows are open, through the WhatsApp
    transport against the fake Cloud API at `rate` a second for the number."""
    with tempfile.TemporaryDirectory() as folder, FakeCloud(rate=rate) as fake:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        engine = create_engine(url)
        await migrate.upgrade(engine)
        maker = sessionmaker(engine)
        stories = sample_stories()
        readers = {chat_of(f"58412{i:07d}"): f"58412{i:07d}" for i in range(subscribers)}

        started = time.perf_counter()
        renderer = WhatsAppTransport(client=None, api_url="", phone_number_id="", token="",
                                     template="vigia_digest")
        digests = {
            chat: renderer.render(
                digest_message(stories, heading="Vigía — últimas 24 h",
                               tz=ZONES[chat % len(ZONES)], now=NOW)
            )
            for chat in readers
        }
        render_seconds = time.perf_counter() - started

        wrote = datetime.now(UTC)
        for wa_id in readers.values():
            fake.last_inbound[wa_id] = wrote.timestamp()
        async with transaction(maker) as session:
            for chat in digests:
                session.add(Subscriber(chat_id=chat, created_at=NOW, transport="whatsapp",
                                       language="es", last_inbound_at=wrote))
            await session.flush()
            for chat, parts in digests.items():
                await enqueue(session=session, transport=renderer.name, destination=str(chat),
                              kind="digest", dedup_key=f"digest:{chat}:{NOW.isoformat()}",
                              payloads=parts, now=NOW)
        promised = sum(len(parts) for parts in digests.values())
        await engine.dispose()

        started = time.perf_counter()
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.deliver_worker", "--db", url, "--api", fake.api_url,
            "--token", fake.token, "--whatsapp", fake.phone_number_id, "--rate", str(rate),
            "--concurrency", str(concurrency), cwd=ROOT,
        )
        await worker.wait()
        elapsed = time.perf_counter() - started

        messages = list(fake.accepted)
        copies = Counter((m.wa_id, m.body) for m in messages)
        duplicated = sum(n - 1 for n in copies.values() if n > 1)
        lost = promised - len(copies)
        times = sorted(m.time for m in messages)
        achieved = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
        errors = sum(fake.errors.values())
        codes = " ".join(f"{code}={n}" for code, n in sorted(fake.errors.items())) or "none"
        print(
            f"whatsapp subscribers={subscribers} limit={rate:g}/s messages={len(messages)} "
            f"render_s={render_seconds:.3f} "
            f"render_ms_per_digest={1000 * render_seconds / subscribers:.3f} "
            f"send_s={elapsed:.1f} rate={achieved:.1f}/s fraction_of_limit={achieved / rate:.3f} "
            f"errors={errors} ({100 * errors / max(1, len(messages)):.3f}% of sends; {codes}) "
            f"lost={lost} duplicated={duplicated}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--whatsapp", action="store_true", help="only the WhatsApp run")
    args = parser.parse_args()
    scale = 0.3 if args.quick else 1.0
    if not args.whatsapp:
        asyncio.run(run(int(1000 * scale), 30.0, concurrency=4))
        asyncio.run(run(int(10000 * scale), 300.0, concurrency=8))
    asyncio.run(run_whatsapp(int(1000 * scale), 80.0, concurrency=16))


if __name__ == "__main__":
    main()
