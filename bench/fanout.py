"""Fan-out benchmark: digests to N subscribers through the fake Bot API at Telegram's global limit.

    .venv/bin/python -m bench.fanout            # 1,000 at 30/s, then 10,000 at 300/s (~70 s)
    .venv/bin/python -m bench.fanout --quick    # 300 at 30/s and 3,000 at 300/s

Prints, per run: the time to render the digests, the achieved send rate as a fraction of the
limit (target ≥ 0.9), 429s as a share of sends (target ≤ 0.1 %), lost and duplicated messages
(target 0). The delivery worker (tests/deliver_worker.py: `deliver_due` in a loop) runs in its own
process, paced at the fake's limit, against a SQLite file.
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

from bot.digest.compose import compose_digest
from bot.model import StoryView
from bot.telegram.transport import TelegramTransport
from storage import migrate
from storage.db import create_engine, sessionmaker, transaction
from storage.deliveries import enqueue
from storage.models import Subscriber
from tests.fake_telegram import FakeTelegram, parse_telegram_html

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
                compose_digest(
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    scale = 0.3 if args.quick else 1.0
    asyncio.run(run(int(1000 * scale), 30.0, concurrency=4))
    asyncio.run(run(int(10000 * scale), 300.0, concurrency=8))


if __name__ == "__main__":
    main()
