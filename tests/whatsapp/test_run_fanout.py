"""`vigia run` fanning digests out over WhatsApp: paced to a reader and to the number, and exactly
once through a crash in the middle."""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from tests.feedserver import FeedServer, Route
from tests.whatsapp.fake_cloud import FakeCloud
from tests.whatsapp.test_run import BASE, rss, start_service, wait_items

WORDS = ("petróleo", "elecciones", "migración", "frontera", "salarios", "inflación", "sanciones",
         "universidad", "hospital", "electricidad", "agua", "gasolina", "transporte", "béisbol",
         "cacao", "turismo", "minería", "puerto", "aduana", "banco", "bolívar", "dólar", "escuela",
         "carretera", "cosecha", "sequía", "lluvias", "puente", "embajada", "tribunal")


def varied_items(count: int) -> list[tuple[str, str, str]]:
    """Items about different things (so none folds into another), with long titles."""
    pick = random.Random(7)
    items = []
    for i in range(count):
        words = pick.sample(WORDS, 12)
        title = f"Caracas {i}: " + " ".join(words) + " " + " ".join(reversed(words))
        text = f"En Venezuela, {' y '.join(pick.sample(WORDS, 8))} ({i})."
        items.append((f"item-{i}", title * 2, text))
    return items


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.route("/feed", Route(body=rss(varied_items(12)),
                                    headers={"Content-Type": "application/rss+xml"}))
        yield server


def subscribe_readers(service: object, wa_ids: list[str], *, due: datetime) -> None:
    """Readers who wrote a minute ago and whose digest is due."""
    wrote = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    when = due.strftime("%Y-%m-%d %H:%M:%S.%f")
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    for wa_id in wa_ids:
        service.query(  # type: ignore[attr-defined]
            "INSERT INTO subscriber (chat_id, active, schedule, digest_time, timezone, languages,"
            " created_at, transport, language, last_inbound_at, next_digest_at)"
            " VALUES (?, 1, 'daily', '08:00', 'America/Caracas', '', ?, 'whatsapp', 'es', ?, ?)",
            BASE + int(wa_id), now, wrote, when)


def test_a_digest_in_several_parts_is_paced_six_seconds_apart(tmp_path: Path,
                                                              feeds: FeedServer) -> None:
    with FakeCloud() as fake:  # WhatsApp's own pair rate: one message every 6 s to a reader
        service = start_service(tmp_path, fake, feeds)
        try:
            wait_items(service, 12)
            ana = "584121000001"
            fake.last_inbound[ana] = time.time()
            subscribe_readers(service, [ana], due=datetime.now(UTC) - timedelta(minutes=1))
            parts = fake.wait_messages(ana, 2, timeout=40)
            time.sleep(1)
        finally:
            service.stop()
    parts = fake.messages_to(ana)
    assert len(parts) >= 2
    assert all(len(part.body) <= 4096 for part in parts)
    gaps = [b.time - a.time for a, b in pairwise(parts)]
    assert min(gaps) >= 5.9
    assert fake.errors[131056] == 0  # paced, never refused
    numbers = [int(line.split(".")[0][1:]) for part in parts for line in part.body.splitlines()
               if line.startswith("*") and line[1:2].isdigit()]
    assert numbers == list(range(1, 11))  # all ten stories, in order, none twice


def test_a_crash_mid_fanout_sends_every_digest_exactly_once(tmp_path: Path,
                                                            feeds: FeedServer) -> None:
    readers = [f"5841220{i:05d}" for i in range(60)]
    with FakeCloud(rate=40.0, pair_interval=1.0) as fake:
        for wa_id in readers:
            fake.last_inbound[wa_id] = time.time()
        # A lease short enough that the restarted process takes the dead one's rows over soon,
        # long enough that a loaded machine never outlasts it between a send and its commit.
        extra = {"BOT_WHATSAPP_SEND_RATE": "40", "BOT_DELIVERY_LEASE": "10",
                 "BOT_WHATSAPP_READER_INTERVAL": "1"}
        first = start_service(tmp_path, fake, feeds, extra=extra)
        try:
            wait_items(first, 12)
            fake.pause_after(25)  # later sends are held unanswered: the kill lands before an answer
            subscribe_readers(first, readers, due=datetime.now(UTC) - timedelta(minutes=1))
            assert fake.paused.wait(60), "the fan-out never got going"
            # Everything WhatsApp answered is committed as sent before the kill.
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                statuses = dict(first.query("SELECT status, count(*) FROM delivery "
                                            "WHERE kind = 'digest' GROUP BY status"))
                if statuses.get("sent", 0) == len(fake.accepted):
                    break
                time.sleep(0.05)
            assert statuses.get("sent", 0) == len(fake.accepted)
            assert statuses.get("sending", 0) > 0  # claimed rows the dying process never finished
        finally:
            os.kill(first.process.pid, signal.SIGKILL)
            first.process.wait(10)
        fake.resume(drop_held=True)

        second = start_service(tmp_path, fake, feeds, db=first.db, extra=extra)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                if len({m.wa_id for m in fake.accepted}) == len(readers):
                    break
                time.sleep(0.1)
            promised = dict(second.query("SELECT destination, count(*) FROM delivery "
                                         "WHERE kind = 'digest' GROUP BY destination"))
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and len(fake.accepted) < sum(promised.values()):
                time.sleep(0.1)
            time.sleep(4)  # long enough for a repeat to show
            statuses = dict(second.query("SELECT status, count(*) FROM delivery "
                                         "WHERE kind = 'digest' GROUP BY status"))
        finally:
            second.stop()
    copies = Counter((m.wa_id, m.body) for m in fake.accepted)
    assert max(copies.values()) == 1  # nothing repeated
    per_reader = Counter(m.wa_id for m in fake.accepted)
    assert {str(BASE + int(wa_id)): n for wa_id, n in per_reader.items()} == promised
    assert set(per_reader) == set(readers)  # nothing lost
    assert statuses == {"sent": sum(promised.values())}


def test_sigterm_mid_fanout_gives_claimed_rows_back_and_a_restart_sends_each_once(
    tmp_path: Path, feeds: FeedServer,
) -> None:
    readers = [f"5841230{i:05d}" for i in range(60)]
    with FakeCloud(rate=40.0, pair_interval=1.0) as fake:
        for wa_id in readers:
            fake.last_inbound[wa_id] = time.time()
        # A lease far longer than the test: a row left `sending` by the stop would hold it up.
        extra = {"BOT_WHATSAPP_SEND_RATE": "40", "BOT_DELIVERY_LEASE": "900",
                 "BOT_WHATSAPP_READER_INTERVAL": "1"}
        first = start_service(tmp_path, fake, feeds, extra=extra)
        try:
            wait_items(first, 12)
            fake.pause_after(25)  # later sends wait unanswered: the stop lands mid-fan-out
            subscribe_readers(first, readers, due=datetime.now(UTC) - timedelta(minutes=1))
            assert fake.paused.wait(60), "the fan-out never got going"
            leases = first.query("SELECT lease_until FROM delivery WHERE status = 'sending'")
            assert leases  # claimed, some of them in flight
            held_for = min(datetime.fromisoformat(str(until)).replace(tzinfo=UTC)
                           for (until,) in leases) - datetime.now(UTC)
            assert held_for > timedelta(seconds=600)  # BOT_DELIVERY_LEASE is what `run` holds
            first.process.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            fake.resume(drop_held=False)  # the sends in flight are answered after all
            assert first.process.wait(30) == 0
        finally:
            log = first.stop()
        assert "stopped worker=" in log and "Traceback" not in log, log[-3000:]
        statuses = dict(first.query("SELECT status, count(*) FROM delivery GROUP BY status"))
        assert "sending" not in statuses  # nothing left to wait out its lease
        assert statuses.get("sent", 0) == len(fake.accepted)
        assert statuses.get("pending", 0) > 0  # claimed but not sent: given back

        second = start_service(tmp_path, fake, feeds, db=first.db, extra=extra)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and second.query(
                    "SELECT count(*) FROM delivery WHERE status IN ('pending', 'sending')") != [(0,)]:
                time.sleep(0.1)
            time.sleep(3)  # long enough for a repeat to show
            promised = dict(second.query("SELECT destination, count(*) FROM delivery "
                                         "WHERE kind = 'digest' GROUP BY destination"))
            statuses = dict(second.query("SELECT status, count(*) FROM delivery "
                                         "WHERE kind = 'digest' GROUP BY status"))
        finally:
            second.stop()
    copies = Counter((m.wa_id, m.body) for m in fake.accepted)
    assert max(copies.values()) == 1  # nothing repeated
    per_reader = Counter(m.wa_id for m in fake.accepted)
    assert {str(BASE + int(wa_id)): n for wa_id, n in per_reader.items()} == promised
    assert statuses == {"sent": sum(promised.values())}  # nothing lost, none unknown
