"""`vigia run` alerting WhatsApp followers: only while their 24-hour window is open; a reader whose
window is closed finds the story in their next digest, which goes as the template."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.feedserver import FeedServer, Route
from tests.whatsapp.fake_cloud import FakeCloud
from tests.whatsapp.test_run import BASE, ITEMS, Service, rss, start_service, wait_items

OPEN, CLOSED = "584124000001", "584124000002"
NEWS = ("maduro-2", "Maduro recibe a una delegación de la OPEP en Miraflores",
        "El presidente Nicolás Maduro recibió en Caracas a una delegación de la OPEP.")


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def follower(service: Service, wa_id: str, *, wrote: datetime) -> None:
    """A WhatsApp reader who follows Maduro, last wrote at `wrote`, digest not due yet."""
    chat = BASE + int(wa_id)
    now = datetime.now(UTC)
    service.query(
        "INSERT INTO subscriber (chat_id, active, schedule, digest_time, timezone, languages,"
        " created_at, transport, language, last_inbound_at, next_digest_at)"
        " VALUES (?, 1, 'daily', '08:00', 'America/Caracas', '', ?, 'whatsapp', 'fr', ?, ?)",
        chat, stamp(now), stamp(wrote), stamp(now + timedelta(days=1)))
    service.query("INSERT INTO follow (chat_id, actor_id) VALUES (?, 'maduro')", chat)
    service.fake.last_inbound[wa_id] = wrote.timestamp()


def until(probe: object, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"never: {what}")


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.route("/feed", Route(body=rss(ITEMS[1:]),
                                    headers={"Content-Type": "application/rss+xml"}))
        yield server


def test_a_closed_window_gets_no_alert_and_the_story_comes_in_the_next_digest(
    tmp_path: Path, feeds: FeedServer,
) -> None:
    with FakeCloud(pair_interval=1.0) as fake:
        service = start_service(tmp_path, fake, feeds, extra={
            "BOT_ALERT_TICK": "1", "BOT_WHATSAPP_READER_INTERVAL": "1"})
        try:
            wait_items(service, len(ITEMS) - 1)
            # What was stored before the first look for alerts is history, news to nobody.
            until(lambda: service.query("SELECT 1 FROM checkpoint WHERE name = 'alerts:last_item'"),
                  "the first look for alerts")
            now = datetime.now(UTC)
            follower(service, OPEN, wrote=now - timedelta(hours=1))
            follower(service, CLOSED, wrote=now - timedelta(hours=25))
            feeds.route("/feed", Route(body=rss([*ITEMS[1:], NEWS]),
                                       headers={"Content-Type": "application/rss+xml"}))
            service.query("UPDATE source SET next_poll_at = ?", stamp(now - timedelta(minutes=1)))

            (alert,) = fake.wait_messages(OPEN, 1, timeout=30)
            assert "Maduro recibe" in alert.body and "Nicolás Maduro" in alert.body
            time.sleep(3)  # long enough for an alert to the other reader to be promised
            closed = str(BASE + int(CLOSED))
            assert fake.messages_to(CLOSED) == []
            assert fake.errors[131047] == 0  # nothing was tried outside the window
            assert service.query("SELECT count(*) FROM delivery WHERE destination = ?",
                                 closed) == [(0,)]

            # Their digest carries the story, as the template since the window is closed.
            service.query("UPDATE subscriber SET next_digest_at = ? WHERE chat_id = ?",
                          stamp(datetime.now(UTC) - timedelta(minutes=1)), BASE + int(CLOSED))
            (template,) = fake.wait_messages(CLOSED, 1, timeout=30)
            assert template.type == "template"
            assert template.payload["template"]["language"] == {"code": "fr"}
            (payload,) = service.query("SELECT payload FROM delivery WHERE destination = ? AND "
                                       "kind = 'digest' AND part = 0", closed)[0]
            assert "Maduro recibe" in str(payload)
            fake.user_template_button(CLOSED, template)
            digest = fake.wait_messages(CLOSED, 2, timeout=20)[-1]
            assert "Maduro recibe" in digest.body
        finally:
            service.stop()
