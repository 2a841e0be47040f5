"""Scale-out benchmark: 1, 2 and 3 `python -m bot run` processes on one PostgreSQL database.

    .venv/bin/python -m bench.scaleout            # 120 sources, 300 subscribers, ~3 min a round
    .venv/bin/python -m bench.scaleout --quick    # 60 sources, 150 subscribers, ~2 min a round
    .venv/bin/python -m bench.scaleout --processes 2 3   # only these rounds

For each number of processes, on a fresh database with the same corpus (a loopback feed server)
and the same subscribers (a strict fake Bot API: 30 messages/s overall, 1/s per chat), prints:
polls per process and the smallest share, fetches per source per interval (sources are set to a
1-minute interval), the fan-out's achieved send rate as a fraction of BOT_SEND_RATE, 429s, and
with several processes the takeover after a kill -9 of the process receiving updates while it
holds sources (the time until a command is answered again, and until every source it held is
claimed by another worker): on one machine, where the dead pid is seen at once. Then the same
across machines: one more worker runs under another host name (its own UTS namespace, `unshare
-u`, so root), its pid cannot be checked and only its leases lapsing frees its work; it is killed
mid fan-out while it holds sources and deliveries, and the times until every one of them is
claimed by another worker are printed.
Needs PostgreSQL on loopback (BOT_TEST_POSTGRES_URL). The machine is shared: figures are noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from bot.steering import bundled
from bot.telegram.render import TelegramPart
from storage import deliveries, migrate
from storage.db import create_engine, sessionmaker, transaction
from tests.fake_telegram import FakeTelegram
from tests.feedserver import FeedServer, Route

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "515151:SCALEOUTscaleoutSCALEOUTscaleout123"
ADMIN = os.environ.get("BOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
RATE = 30.0
RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{n}</title>
<link>http://example.org/</link><item><title>Fuente {n}: Caracas y la Asamblea Nacional</title>
<link>http://example.org/{n}/1</link><guid>{n}-1</guid><description>Venezuela hoy.</description>
</item></channel></rss>"""
POLLED = re.compile(r"polled source=(\S+)")


async def _database() -> str:
    dsn = ADMIN.replace("postgresql+asyncpg://", "postgresql://")
    name = f"vigia_scaleout_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return f"{ADMIN.rsplit('/', 1)[0]}/{name}"


async def _drop(url: str) -> None:
    dsn = ADMIN.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    await admin.close()


async def _promise(url: str, chats: int, *, first: int = 50_000) -> None:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    async with transaction(sessionmaker(engine)) as session:
        for chat in range(chats):
            await deliveries.enqueue(
                session=session, transport="telegram", destination=str(first + chat),
                kind="digest", dedup_key=f"b:{first + chat}",
                payloads=[TelegramPart(method="sendMessage", text=f"<b>Resumen</b> {chat}")
                          .to_payload()],
                now=datetime.now(UTC),
            )
    await engine.dispose()


async def _held(url: str, pid: int, ids: list[str] | None = None) -> list[str]:
    """Sources worker `pid` still holds (or, with `ids`, those of them no other worker took)."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await connection.fetch(
            "SELECT id FROM source WHERE lease_owner LIKE $1 AND ($2::text[] IS NULL AND"
            " lease_until > now() OR id = ANY($2::text[]))", f"%:{pid}:%", ids)
    finally:
        await connection.close()
    return [row["id"] for row in rows]


def _until(probe, timeout: float) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if probe():
            return time.monotonic() - started
        time.sleep(0.05)
    return float("nan")


async def _held_deliveries(url: str, pid: int, ids: list[int] | None = None) -> list[int]:
    """Deliveries worker `pid` is sending (or, with `ids`, those of them nobody took over)."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await connection.fetch(
            "SELECT id FROM delivery WHERE status = 'sending' AND lease_owner LIKE $1 AND"
            " ($2::bigint[] IS NULL AND lease_until > now() OR id = ANY($2::bigint[]))",
            f"%:{pid}:%", ids)
    finally:
        await connection.close()
    return [row["id"] for row in rows]


ELSEWHERE = "vigia-elsewhere"


def _elsewhere(env: dict[str, str], log: Path) -> subprocess.Popen[str] | None:
    """One more `run` under another host name (its own UTS namespace); None where that needs
    privileges this machine does not give."""
    probe = subprocess.run(["unshare", "-u", "hostname", ELSEWHERE], capture_output=True,
                           check=False)
    if probe.returncode != 0:
        return None
    return subprocess.Popen(
        ["unshare", "-u", "sh", "-c", f'hostname {ELSEWHERE} && exec "$0" -m bot run',
         sys.executable], cwd=ROOT, env=env, stdout=open(log, "w"),
        stderr=subprocess.STDOUT, text=True)


def _across_machines(url: str, env: dict[str, str], folder: Path,
                     running: list[subprocess.Popen[str]]) -> str:
    """Kill -9 a worker of 'another machine' mid fan-out; how long its work waited."""
    log = folder / "elsewhere.log"
    victim = _elsewhere(env, log)
    if victim is None:
        return "across machines: not measured (unshare -u needs root)"
    running.append(victim)
    _until(lambda: "telegram connected" in log.read_text(), 90)
    # A long fan-out, so the victim holds deliveries whenever it also holds sources.
    asyncio.run(_promise(url, int(RATE * 90), first=90_000))
    pid = victim.pid
    _until(lambda: asyncio.run(_held(url, pid)) and asyncio.run(_held_deliveries(url, pid)), 120)
    victim.kill()
    victim.wait()
    killed = time.monotonic()
    sources = asyncio.run(_held(url, pid))
    sends = asyncio.run(_held_deliveries(url, pid))
    sources_back = sends_back = float("nan")
    while time.monotonic() - killed < 120 and (math.isnan(sources_back)
                                               or math.isnan(sends_back)):  # nan: not yet
        if math.isnan(sources_back) and not asyncio.run(_held(url, pid, ids=sources)):
            sources_back = time.monotonic() - killed
        if math.isnan(sends_back) and not asyncio.run(_held_deliveries(url, pid, ids=sends)):
            sends_back = time.monotonic() - killed
        time.sleep(0.05)
    return (f"across machines (kill -9 of a worker on host {ELSEWHERE} holding {len(sources)} "
            f"source(s), {len(sends)} delivery(ies)): sources {sources_back:.1f} s, "
            f"deliveries {sends_back:.1f} s")


def round_of(processes: int, *, sources: int, chats: int, window: float, folder: Path) -> None:
    url = asyncio.run(_database())
    logs = [folder / f"p{processes}-{index}.log" for index in range(processes)]
    running: list[subprocess.Popen[str]] = []
    try:
        with FeedServer() as feeds, FakeTelegram(token=TOKEN, global_rate=RATE, chat_rate=1) as fake:
            try:
                for n in range(sources):
                    # One host for all: fetches queue per host, so a worker has claims in hand.
                    feeds.route(f"/f{n}", Route(body=RSS.format(n=n).encode(), delay=0.2))
                toml = folder / "feeds.toml"
                toml.write_text('[defaults]\ninterval = "1m"\nmin_interval = "1m"\nmax_interval = "1m"\n'
                                + "".join(f'[[source]]\nid = "s{n}"\nurl = "{feeds.url(f"/f{n}")}"\n'
                                          'lang = "es"\nscope = "venezuela"\n' for n in range(sources)),
                                encoding="utf-8")
                env = {**os.environ, "BOT_TOKEN": TOKEN, "BOT_TELEGRAM_API_URL": fake.root,
                       "BOT_DATABASE_URL": url, "BOT_FEEDS": str(toml),
                       "BOT_ACTORS": str(bundled("actors.toml")), "BOT_ALLOW_PRIVATE_NETWORKS": "true",
                       "BOT_HTTP_PORT": "0",
                       "BOT_POLL_TICK": "5", "BOT_PREPARE_WORKERS": "0", "BOT_POLL_CONCURRENCY": "8",
                       "BOT_SEND_RATE": str(RATE), "BOT_LOG_LEVEL": "INFO"}
                for log in logs:
                    running.append(subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT,
                                                    env=env, stdout=open(log, "w"),  # noqa: SIM115
                                                    stderr=subprocess.STDOUT, text=True))
                _until(lambda: all("telegram connected" in log.read_text() for log in logs), 90)
                # The first round (every source due at once) is over; count a steady window.
                time.sleep(20)
                marks = [len(POLLED.findall(log.read_text())) for log in logs]
                hits = sum(feeds.hits(f"/f{n}") for n in range(sources))
                started = time.monotonic()
                time.sleep(window)
                polls = [len(POLLED.findall(log.read_text())) - mark
                         for log, mark in zip(logs, marks, strict=True)]
                fetches = sum(feeds.hits(f"/f{n}") for n in range(sources)) - hits
                minutes = (time.monotonic() - started) / 60

                asyncio.run(_promise(url, chats))
                sent_before = len(fake.messages())
                _until(lambda: len(fake.messages()) - sent_before >= chats, 120)
                times = sorted(m.time for m in fake.messages()[sent_before:])
                rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else float("nan")
                copies = Counter(m.chat_id for m in fake.messages()[sent_before:])

                takeover = sources_back = float("nan")
                if processes > 1:
                    receiver = next(i for i, log in enumerate(logs)
                                    if "receiving updates" in log.read_text())
                    pid = running[receiver].pid
                    # Kill it while it holds sources: just after it claimed a batch.
                    _until(lambda: asyncio.run(_held(url, pid)), 60)
                    running[receiver].kill()
                    running[receiver].wait()
                    killed = time.monotonic()
                    held = asyncio.run(_held(url, pid))
                    before = len(fake.messages())
                    fake.push_message(4242, "/help")
                    takeover = _until(lambda: len(fake.messages()) > before, 90)
                    sources_back = time.monotonic() - killed + _until(
                        lambda: not asyncio.run(_held(url, pid, ids=held)), 120)
                    print(f"  killed pid {pid} holding {len(held)} source(s)", flush=True)
                share = min(polls) / max(1, sum(polls))
                print(f"{processes} process(es): polls per process {polls} (smallest share "
                      f"{share:.0%}); fetches per source per interval {fetches / sources / minutes:.2f}; "
                      f"send rate {rate:.1f}/s = {rate / RATE:.2f} of the limit; "
                      f"429s {fake.errors[429]}; copies per chat max {max(copies.values())}; "
                      f"takeover after kill -9: commands {takeover:.1f} s, sources {sources_back:.1f} s",
                      flush=True)
                if processes > 1:
                    print(f"  {_across_machines(url, env, folder, running)}", flush=True)
            finally:
                _stop(running)
    finally:
        _stop(running)
        asyncio.run(_drop(url))


def _stop(running: list[subprocess.Popen[str]]) -> None:
    for process in running:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in running:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    sources, chats, window = (60, 150, 60.0) if args.quick else (120, 300, 120.0)
    print(f"{sources} sources at a 1-minute interval, {chats} subscribers, BOT_SEND_RATE={RATE:g}, "
          f"{window:g} s of steady polling counted per round (shared 2-core machine: noisy)")
    with tempfile.TemporaryDirectory() as folder:
        for processes in args.processes:
            round_of(processes, sources=sources, chats=chats, window=window, folder=Path(folder))


if __name__ == "__main__":
    main()
