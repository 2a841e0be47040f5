"""`python -m bot run` as real processes: kill -9, SIGTERM mid fan-out, a slow or absent Telegram,
a stuck query, a second process on one SQLite file, several workers on one PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text

from bot.steering import bundled
from bot.telegram.render import TelegramPart
from storage import deliveries, migrate
from storage.db import create_engine, sessionmaker, transaction
from tests.fake_telegram import FakeTelegram
from tests.feedserver import FeedServer, Route

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "424242:RUN-token-for-the-fake-bot-api-xyz"
T = TypeVar("T")

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{name}</title><link>http://example.org/</link>
<item><title>{name}: la Asamblea Nacional debate el presupuesto de Venezuela</title>
<link>http://example.org/{name}/1</link><guid>{name}-1</guid>
<description>Caracas. Los diputados discuten hoy el presupuesto nacional.</description></item>
</channel></rss>
"""


def write_feeds(path: Path, server: FeedServer | None, count: int) -> None:
    blocks = []
    for index in range(count):
        url = server.url(f"/f{index}") if server else "http://127.0.0.1:9/none"
        blocks.append(
            f'[[source]]\nid = "src-{index}"\nname = "Fuente {index}"\nkind = "rss"\n'
            f'url = "{url}"\nlang = "es"\nscope = "venezuela"\n'
        )
    path.write_text("\n".join(blocks), encoding="utf-8")


def run_env(tmp_path: Path, *, api: str, db: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BOT_TELEGRAM_API_URL": api,
        "BOT_DATABASE_URL": db,
        "BOT_FEEDS": str(tmp_path / "feeds.toml"),
        "BOT_ACTORS": str(bundled("actors.toml")),
        "BOT_ALLOW_PRIVATE_NETWORKS": "true",
        "BOT_POLL_TICK": "1",
        "BOT_DIGEST_TICK": "60",
        "BOT_PREPARE_WORKERS": "0",
        "BOT_LOG_LEVEL": "INFO",
    }
    env.update(extra)
    return env


class Bot:
    """One `python -m bot run` process, its log in a file."""

    def __init__(self, env: dict[str, str], log: Path, command: tuple[str, ...] = ("run",),
                 argv: tuple[str, ...] | None = None) -> None:
        self.log_path = log
        self._log = open(log, "w", encoding="utf-8")  # noqa: SIM115 - closed in wait()
        self.process = subprocess.Popen(
            list(argv or (sys.executable, "-m", "bot", *command)), cwd=ROOT, env=env,
            stdout=self._log, stderr=subprocess.STDOUT, text=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def signal(self, signum: int) -> float:
        """Send `signum`, wait for the exit; the seconds it took."""
        started = time.monotonic()
        self.process.send_signal(signum)
        self.wait(30)
        return time.monotonic() - started

    def wait(self, timeout: float) -> int:
        try:
            code = self.process.wait(timeout)
        finally:
            self._log.close()
        return code

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.wait(10)


@pytest.fixture
def bots() -> Iterator[list[Bot]]:
    started: list[Bot] = []
    yield started
    for bot in started:
        bot.stop()


def until(probe: Callable[[], T], timeout: float = 30.0, what: str = "the bot") -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{what} did not get there in {timeout} s")


def sqlite_rows(path: Path, query: str) -> list[Any]:
    """Rows of `query`; none while the database is not created and migrated yet."""
    if not path.exists():
        return []
    try:
        with sqlite3.connect(path, timeout=10) as connection:
            return connection.execute(query).fetchall()
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return []
        raise


def test_a_live_run_holds_its_file_and_sources_and_a_kill_leaves_nothing_stale(
    tmp_path: Path, bots: list[Bot]
) -> None:
    db_file = tmp_path / "vigia.db"
    with FeedServer() as feeds, FakeTelegram(token=TOKEN) as fake:
        for index in range(6):  # slow feeds: the sources stay claimed while the run is killed
            feeds.route(f"/f{index}", Route(body=RSS.format(name=f"f{index}").encode(), delay=15))
        write_feeds(tmp_path / "feeds.toml", feeds, 6)
        env = run_env(tmp_path, api=fake.root, db=f"sqlite+aiosqlite:///{db_file}")
        bots.append(first := Bot(env, tmp_path / "first.log"))
        until(lambda: len(sqlite_rows(
            db_file, "SELECT id FROM source WHERE lease_until IS NOT NULL")) == 6,
            what="the first run's claims")

        # A second `run` on the same file is refused, naming the file and PostgreSQL.
        second = Bot(env, tmp_path / "second.log")
        assert second.wait(30) == 1
        assert str(db_file) in second.log() and "PostgreSQL" in second.log()

        # `poll --once` beside the live run says what it left to it, and until when.
        held = subprocess.run([sys.executable, "-m", "bot", "poll", "--once"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
        assert "6 source(s) skipped" in held.stdout
        assert f":{first.process.pid}:" in held.stdout and "until" in held.stdout

        first.process.kill()
        first.wait(10)
        for index in range(6):
            feeds.route(f"/f{index}", Route(body=RSS.format(name=f"f{index}").encode()))
        started = time.monotonic()
        rerun = subprocess.run([sys.executable, "-m", "bot", "poll", "--once"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=60)
        took = time.monotonic() - started
    print(f"\nre-run of poll --once right after kill -9 ({took:.1f} s):\n{rerun.stdout}")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "6 sources polled, 6 new items, 0 failed" in rerun.stdout
    assert "held by" not in rerun.stdout


async def _fill_outbox(db: str, chats: int) -> None:
    engine = create_engine(db)
    await migrate.upgrade(engine)
    async with transaction(sessionmaker(engine)) as session:
        for chat in range(chats):
            text = f"<b>Resumen</b> para el chat {chat}: Caracas &amp; Maracaibo"
            await deliveries.enqueue(
                session=session, transport="telegram", destination=str(10_000 + chat),
                kind="digest", dedup_key=f"d:{chat}",
                payloads=[TelegramPart(method="sendMessage", text=text).to_payload()],
                now=datetime.now(UTC),
            )
    await engine.dispose()


@pytest.mark.parametrize(("latency", "chats"), [(0.0, 240), (8.0, 64)], ids=["fast", "slow"])
def test_sigterm_mid_fan_out_exits_quickly_and_a_restart_sends_each_message_once(
    tmp_path: Path, bots: list[Bot], latency: float, chats: int
) -> None:
    db_file = tmp_path / "vigia.db"
    db = f"sqlite+aiosqlite:///{db_file}"
    asyncio.run(_fill_outbox(db, chats))
    write_feeds(tmp_path / "feeds.toml", None, 1)
    fan_out = {10_000 + chat for chat in range(chats)}
    with FakeTelegram(token=TOKEN) as fake:
        # "slow": every digest send takes 8 s (python-telegram-bot gives up at 5 s by default),
        # while a reply to another user is answered at once.
        fake.set_options(latency=latency, slow_chats=fan_out)
        env = run_env(tmp_path, api=fake.root, db=db)
        bots.append(first := Bot(env, tmp_path / "first.log"))
        until(lambda: fake.requests["sendMessage"] >= min(30, chats // 2), what="the fan-out")
        started = time.monotonic()
        fake.push_message(900, "/help")  # another user, during the fan-out
        until(lambda: fake.messages_to(900), timeout=30, what="the reply")
        reply_seconds = time.monotonic() - started
        fake.wait_sent_sync(chats // 4, timeout=60)
        exit_seconds = first.signal(signal.SIGTERM)
        sent_before = len(fake.messages()) - 1
        bots.append(Bot(env, tmp_path / "second.log"))
        until(lambda: sqlite_rows(db_file, "SELECT 1 FROM delivery") and not sqlite_rows(
            db_file, "SELECT id FROM delivery WHERE status IN ('pending', 'sending')"),
            timeout=120, what="the restarted run's fan-out")
        copies = Counter(m.chat_id for m in fake.messages() if m.chat_id in fan_out)
    unknown = {int(chat) for (chat,) in sqlite_rows(
        db_file, "SELECT destination FROM delivery WHERE status = 'unknown'")}
    print(f"\nSIGTERM mid fan-out, Telegram latency {latency:.0f} s: exit {exit_seconds:.1f} s, "
          f"{sent_before} of {chats} sent before, max copies per chat "
          f"{max(copies.values())}, chats with 2+ copies "
          f"{sum(1 for n in copies.values() if n > 1)}, unknown {len(unknown)}; "
          f"another user's /help answered in {reply_seconds:.2f} s")
    assert exit_seconds <= 15, first.log()[-3000:]
    assert max(copies.values()) == 1
    assert fan_out - set(copies) <= unknown  # a chat without its message: its answer was lost
    assert reply_seconds <= 3
    assert "Traceback" not in first.log()


def test_sigterm_during_a_slow_poll_exits_cleanly_and_says_the_poll_was_cut_short(
    tmp_path: Path, bots: list[Bot]
) -> None:
    db_file = tmp_path / "vigia.db"
    with FeedServer() as feeds, FakeTelegram(token=TOKEN) as fake:
        feeds.route("/f0", Route(body=RSS.format(name="f0").encode(), delay=40))
        write_feeds(tmp_path / "feeds.toml", feeds, 1)
        env = run_env(tmp_path, api=fake.root, db=f"sqlite+aiosqlite:///{db_file}")
        bots.append(bot := Bot(env, tmp_path / "bot.log"))
        until(lambda: feeds.hits("/f0") >= 1, what="the slow poll")
        exit_seconds = bot.signal(signal.SIGTERM)
    log = bot.log()
    assert bot.process.returncode == 0, log[-3000:]
    assert exit_seconds <= 20, log[-3000:]
    assert "tick=poll cut short by the stop" in log, log[-3000:]
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]
    # Cut short, the poll gave its source back: a restart polls it at once.
    assert not sqlite_rows(db_file, "SELECT id FROM source WHERE lease_until IS NOT NULL")


def test_telegram_down_at_start_is_retried_while_sources_are_polled(
    tmp_path: Path, bots: list[Bot]
) -> None:
    fake = FakeTelegram(token=TOKEN)
    with FeedServer() as feeds:
        feeds.route("/f0", Route(body=RSS.format(name="f0").encode()))
        write_feeds(tmp_path / "feeds.toml", feeds, 1)
        import socket
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = run_env(tmp_path, api=f"http://127.0.0.1:{port}",
                      db=f"sqlite+aiosqlite:///{tmp_path / 'vigia.db'}")
        bots.append(bot := Bot(env, tmp_path / "run.log"))
        until(lambda: bot.log().count("telegram unreachable") >= 2, what="two retries")
        assert feeds.hits("/f0") >= 1  # sources are polled meanwhile
        fake.port = port
        fake.start()
        try:
            until(lambda: "telegram connected" in bot.log(), timeout=40, what="the reconnection")
            fake.push_message(501, "/help")
            (answer,) = fake.wait_sent_sync(1, timeout=20)
        finally:
            bot.signal(signal.SIGTERM)
            fake.stop()
    assert "/digest" in answer.visible
    retries = [line for line in bot.log().splitlines() if "telegram unreachable" in line]
    assert all("retrying in" in line for line in retries)
    assert "Traceback" not in bot.log()


def test_a_stuck_query_answers_busy_and_other_chats_are_served(
    tmp_path: Path, postgres_url: str, bots: list[Bot]
) -> None:
    import asyncpg

    write_feeds(tmp_path / "feeds.toml", None, 1)
    with FakeTelegram(token=TOKEN, chat_rate=None) as fake:
        env = run_env(tmp_path, api=fake.root, db=postgres_url)
        bots.append(bot := Bot(env, tmp_path / "run.log"))
        until(lambda: "telegram connected" in bot.log(), what="the start")
        fake.push_message(601, "/help")
        fake.wait_sent_sync(1, timeout=20)

        async def stuck() -> tuple[float, float, str]:
            dsn = postgres_url.replace("postgresql+asyncpg://", "postgresql://")
            locker = await asyncpg.connect(dsn)
            transaction = locker.transaction()
            await transaction.start()
            await locker.execute("LOCK TABLE source IN ACCESS EXCLUSIVE MODE")
            try:
                before = len(fake.messages())
                fake.push_message(602, "/sources")
                await asyncio.sleep(0.5)
                started = time.monotonic()
                fake.push_message(603, "/help")
                await fake.wait_sent(before + 1, timeout=10)
                other = time.monotonic() - started
                await fake.wait_sent(before + 2, timeout=30)
                stuck_for = time.monotonic() - started
            finally:
                await transaction.rollback()
                await locker.close()
            return other, stuck_for, fake.messages_to(602)[-1].visible

        other, stuck_for, answer = asyncio.run(stuck())
    print(f"\nsources table locked: another chat's /help answered in {other:.2f} s; "
          f"the stuck /sources answered busy after {stuck_for:.1f} s")
    assert other <= 3
    assert "busy" in answer.lower()


def test_three_workers_on_postgresql_start_together_share_the_work_and_take_over(
    tmp_path: Path, postgres_url: str, bots: list[Bot]
) -> None:
    sources, chats = 45, 90
    with FeedServer() as feeds, FakeTelegram(token=TOKEN, global_rate=30, chat_rate=1) as fake:
        for index in range(sources):
            feeds.route(f"/f{index}", Route(body=RSS.format(name=f"f{index}").encode(), delay=0.3))
        write_feeds(tmp_path / "feeds.toml", feeds, sources)
        env = run_env(tmp_path, api=fake.root, db=postgres_url, BOT_POLL_CONCURRENCY="4")
        # Three processes at once on an empty database: migrations and start-up writes race.
        for index in range(3):
            bots.append(Bot(env, tmp_path / f"w{index}.log"))
        until(lambda: all("telegram connected" in bot.log() for bot in bots), timeout=60,
              what="all three workers")
        until(lambda: sum(bot.log().count("polled source=") for bot in bots) >= sources,
              timeout=60, what="the first round of polls")
        polls = [bot.log().count("polled source=") for bot in bots]

        # Exactly one receives updates: every command is answered once.
        for chat in range(5):
            fake.push_message(700 + chat, "/start")
        fake.wait_sent_sync(5, timeout=30)
        time.sleep(2)
        answered = Counter(message.chat_id for message in fake.messages())

        # The deployment's one send budget: a fan-out across the three stays under Telegram's.
        asyncio.run(_fill_outbox(postgres_url, chats))
        fake.wait_sent_sync(5 + chats, timeout=60)

        # Kill the receiver: another takes the updates over.
        receiver = next(bot for bot in bots if "receiving updates" in bot.log())
        receiver.process.kill()
        receiver.wait(10)
        killed = time.monotonic()
        before = len(fake.messages())
        fake.push_message(799, "/help")
        fake.wait_sent_sync(before + 1, timeout=60)
        takeover = time.monotonic() - killed
        exits = [bot.signal(signal.SIGTERM) for bot in bots if bot is not receiver]
    print(f"\n3 workers: polls per process {polls}; commands answered {sorted(answered.values())}; "
          f"429s {fake.errors[429]} of {len(fake.messages())} sends; receiver takeover "
          f"{takeover:.1f} s")
    assert sum(polls) >= sources and min(polls) >= 0.15 * sum(polls)
    assert set(answered.values()) == {1} and len(answered) == 5
    assert fake.errors[429] == 0
    assert takeover <= 35 and max(exits) <= 15
    for bot in bots:
        assert "Traceback" not in bot.log(), bot.log()[-3000:]



async def _parts_due_in_waves(db: str, chats: int, parts: int, wave: float) -> None:
    """Each chat gets `parts` messages, part k due `k * wave` seconds from now: each wave is
    claimed by whichever worker looks first, so a chat's parts pass from worker to worker. Every
    other wave runs in reverse order: the chat sent last in one wave is first in the next."""
    engine = create_engine(db)
    start = datetime.now(UTC)
    async with transaction(sessionmaker(engine)) as session:
        for part in range(parts):
            for chat in range(chats) if part % 2 == 0 else reversed(range(chats)):
                text = f"<b>Resumen</b> {chat}, parte {part + 1} de {parts}"
                await deliveries.enqueue(
                    session=session, transport="telegram", destination=str(20_000 + chat),
                    kind="digest", dedup_key=f"w:{chat}:{part}",
                    payloads=[TelegramPart(method="sendMessage", text=text).to_payload()],
                    now=start + timedelta(seconds=part * wave),
                )
    await engine.dispose()


async def _senders_per_chat(db: str) -> list[int]:
    engine = create_engine(db)
    async with transaction(sessionmaker(engine)) as session:
        counts = await session.execute(text(
            "SELECT count(DISTINCT lease_owner) FROM delivery WHERE status = 'sent' "
            "GROUP BY destination"))
        found = [int(count) for (count,) in counts.all()]
    await engine.dispose()
    return found


def test_a_chat_gets_a_message_a_second_from_three_workers_on_postgresql(
    tmp_path: Path, postgres_url: str, bots: list[Bot]
) -> None:
    chats, parts = 30, 7
    # Telegram's one message a second to a chat, strictly: no burst at all.
    with FakeTelegram(token=TOKEN, global_rate=30, chat_rate=1, chat_burst=1) as fake:
        write_feeds(tmp_path / "feeds.toml", None, 1)
        env = run_env(tmp_path, api=fake.root, db=postgres_url, BOT_POLL_TICK="60")
        for index in range(3):
            bots.append(Bot(env, tmp_path / f"w{index}.log"))
        until(lambda: all("telegram connected" in bot.log() for bot in bots), timeout=60,
              what="all three workers")
        # A wave takes about a second to send (30 a second): the next, due a moment after it,
        # is claimed by whichever worker looks first, often not the one that sent the last part.
        asyncio.run(_parts_due_in_waves(postgres_url, chats, parts, wave=1.2))
        fake.wait_sent_sync(chats * parts, timeout=90)
        senders = asyncio.run(_senders_per_chat(postgres_url))
        for bot in bots:
            bot.signal(signal.SIGTERM)
    gaps = []
    for chat in range(chats):
        got = fake.messages_to(20_000 + chat)
        assert [m.visible.rsplit(",", 1)[1] for m in got] == [
            f" parte {part + 1} de {parts}" for part in range(parts)]
        gaps += [later.time - earlier.time for earlier, later in pairwise(got)]
    handed_over = sum(1 for count in senders if count > 1)
    print(f"\n3 workers, {chats} chats x {parts} parts: chats served by 2+ workers "
          f"{handed_over}; shortest gap in a chat {min(gaps):.2f} s; 429s {fake.errors[429]}")
    assert handed_over > 0  # the parts did pass between workers
    assert fake.errors[429] == 0
    assert min(gaps) >= 0.99
    for bot in bots:
        assert "Traceback" not in bot.log(), bot.log()[-3000:]


ELSEWHERE = "vigia-elsewhere"


def _elsewhere_command() -> tuple[str, ...] | None:
    """`run` under another host name (its own UTS namespace, as on another machine); None
    where this machine does not allow it (it takes root)."""
    probe = subprocess.run(["unshare", "-u", "hostname", ELSEWHERE], capture_output=True,
                           check=False)
    if probe.returncode != 0:
        return None
    return ("unshare", "-u", "sh", "-c", f'hostname {ELSEWHERE} && exec "$0" -m bot run',
            sys.executable)


async def _held_by(db: str, host: str) -> tuple[list[str], list[int]]:
    """The sources and deliveries held under a live lease by workers of `host`."""
    engine = create_engine(db)
    async with transaction(sessionmaker(engine)) as session:
        owner = {"owner": f"{host}:%"}
        sources = [row for (row,) in (await session.execute(text(
            "SELECT id FROM source WHERE lease_owner LIKE :owner AND lease_until > now()"),
            owner)).all()]
        sends = [row for (row,) in (await session.execute(text(
            "SELECT id FROM delivery WHERE status = 'sending' AND lease_owner LIKE :owner "
            "AND lease_until > now()"), owner)).all()]
    await engine.dispose()
    return sources, sends


def test_a_worker_on_another_machine_is_taken_over_when_its_leases_lapse(
    tmp_path: Path, postgres_url: str, bots: list[Bot]
) -> None:
    command = _elsewhere_command()
    if command is None:
        pytest.skip("another host name takes a UTS namespace (unshare -u), which takes root")
    sources, chats = 3, 60
    asyncio.run(_fill_outbox(postgres_url, chats))
    fan_out = {10_000 + chat for chat in range(chats)}
    with FeedServer() as feeds, FakeTelegram(token=TOKEN) as fake:
        for index in range(sources):  # slow feeds: the worker holds its sources a while
            feeds.route(f"/f{index}", Route(body=RSS.format(name=f"f{index}").encode(), delay=8))
        write_feeds(tmp_path / "feeds.toml", feeds, sources)
        env = run_env(tmp_path, api=fake.root, db=postgres_url)
        fake.pause_after(chats // 3)  # then sends hang unanswered: rows in flight at the kill
        bots.append(victim := Bot(env, tmp_path / "elsewhere.log", argv=command))
        assert fake.paused.wait(60), victim.log()[-3000:]
        held = until(lambda: (lambda h: h if h[0] and h[1] else None)(
            asyncio.run(_held_by(postgres_url, ELSEWHERE))), what="the worker's claims")
        # Its pid means nothing on this machine: only its leases lapsing frees its work.
        victim.process.kill()
        victim.wait(10)
        killed = time.monotonic()
        fake.resume(drop_held=True)  # what it had in flight never reached Telegram
        bots.append(survivor := Bot(env, tmp_path / "here.log"))
        until(lambda: not any(asyncio.run(_held_by(postgres_url, ELSEWHERE))), timeout=60,
              what="the lapse of its leases")
        lapsed = time.monotonic() - killed
        until(lambda: all(fake.messages_to(chat) for chat in fan_out), timeout=60,
              what="the fan-out taken over")
        taken_over = time.monotonic() - killed
        polled = until(lambda: [f"src-{index}" for index in range(sources)
                                if f"polled source=src-{index}" in survivor.log()],
                       timeout=60, what="its sources polled again")
        copies = Counter(m.chat_id for m in fake.messages() if m.chat_id in fan_out)
        log = survivor.log()  # (it is killed at the end: a stop may cut a slow poll short)
    print(f"\nworker on another machine killed holding {len(held[0])} source(s) and "
          f"{len(held[1])} delivery(ies): leases lapsed after {lapsed:.1f} s, fan-out done "
          f"{taken_over:.1f} s after the kill")
    assert set(copies) == fan_out and max(copies.values()) == 1
    assert polled
    assert f"worker gone worker={ELSEWHERE}" not in log  # not by its pid
    assert "Traceback" not in log, log[-3000:]
