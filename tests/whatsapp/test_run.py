"""`vigia run` on WhatsApp alone (no BOT_TOKEN), against the fake Cloud API: every word, signatures,
Meta's retries, the 24-hour template path, pacing, and a crash in the middle of a fan-out."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.steering import bundled
from tests.feedserver import FeedServer, Route
from tests.whatsapp.fake_cloud import Accepted, FakeCloud

ROOT = Path(__file__).resolve().parents[2]
VERIFY = "verify-token-of-the-tests"
BASE = 2**53

ITEMS = [
    ("maduro-1", "Maduro anuncia *medidas* económicas en _cadena_ nacional",
     "El presidente Nicolás Maduro anunció en Caracas nuevas medidas económicas."),
    ("delcy-1", "Delcy Rodríguez viaja a Moscú",
     "La vicepresidenta Delcy Rodríguez viajó a Rusia desde Caracas, Venezuela."),
    ("jorge-1", "Jorge Rodríguez convoca a la Asamblea Nacional",
     "El presidente de la Asamblea Nacional, Jorge Rodríguez, convocó en Caracas una sesión."),
    ("machado-1", "María Corina Machado pide observación internacional",
     "La dirigente opositora María Corina Machado habló desde Caracas, Venezuela."),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss(items: list[tuple[str, str, str]]) -> bytes:
    date = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    body = "".join(
        f"<item><title>{title}</title><link>https://example.org/{key}</link><guid>{key}</guid>"
        f"<pubDate>{date}</pubDate><description>{text}</description></item>"
        for key, title, text in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Efecto '
            f"Cocuyo</title><link>https://example.org/</link>{body}</channel></rss>").encode()


@dataclass
class Service:
    """A running `vigia run` and what it talks to."""

    process: subprocess.Popen[str]
    fake: FakeCloud
    db: Path
    url: str  # http://127.0.0.1:PORT
    env: dict[str, str]

    def query(self, sql: str, *args: object) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.db, timeout=30) as connection:
            return list(connection.execute(sql, args))

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.stdout.read() if self.process.stdout else ""


def start_service(tmp: Path, fake: FakeCloud, feeds: FeedServer, *, db: Path | None = None,
                  extra: dict[str, str] | None = None) -> Service:
    (tmp / "feeds.toml").write_text(
        f'[[source]]\nid = "cocuyo"\nname = "Efecto Cocuyo"\nkind = "rss"\n'
        f'url = "{feeds.url("/feed")}"\nlang = "es"\nscope = "venezuela"\n', encoding="utf-8")
    port = free_port()
    db = db or tmp / "vigia.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update({
        "BOT_DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "BOT_FEEDS": str(tmp / "feeds.toml"), "BOT_ACTORS": str(bundled("actors.toml")),
        "BOT_ALLOW_PRIVATE_NETWORKS": "true",  # the feed and the fake are on loopback
        "BOT_HTTP_PORT": str(port), "BOT_POLL_TICK": "1", "BOT_DIGEST_TICK": "1",
        "BOT_WHATSAPP_TOKEN": fake.token, "BOT_WHATSAPP_PHONE_NUMBER_ID": fake.phone_number_id,
        "BOT_WHATSAPP_APP_SECRET": fake.app_secret, "BOT_WHATSAPP_VERIFY_TOKEN": VERIFY,
        "BOT_WHATSAPP_API_URL": fake.api_url, **(extra or {}),
    })
    fake.webhook_url = f"http://127.0.0.1:{port}/whatsapp"
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=tmp, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    service = Service(process, fake, db, f"http://127.0.0.1:{port}", env)
    deadline = time.monotonic() + 60
    challenge = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "4242"}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("vigia run stopped:\n" + service.stop())
        try:
            answer = httpx.get(f"{service.url}/whatsapp", params=challenge, timeout=2)
            if answer.status_code == 200:
                assert answer.text == "4242"
                return service
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("vigia run never served /whatsapp:\n" + service.stop())


def wait_items(service: Service, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if service.query("SELECT count(*) FROM item")[0][0] >= count:  # type: ignore[operator]
                return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.1)
    raise AssertionError("the feed was never stored")


@pytest.fixture(scope="module")
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.route("/feed", Route(body=rss(ITEMS),
                                    headers={"Content-Type": "application/rss+xml"}))
        yield server


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory, feeds: FeedServer) -> Iterator[Service]:
    with FakeCloud(pair_interval=1.0) as fake:
        # One second between two messages to a reader, on both sides, keeps the conversations
        # short; the pacing test below runs WhatsApp's own six seconds.
        service = start_service(tmp_path_factory.mktemp("run"), fake, feeds,
                                extra={"BOT_WHATSAPP_READER_INTERVAL": "1"})
        try:
            wait_items(service, len(ITEMS))
            yield service
        finally:
            log = service.stop()
            # Secrets never reach a log line, whatever happened.
            for secret in (fake.token, fake.app_secret, VERIFY):
                assert secret not in log


_readers = iter(range(584120000001, 584129999999))


def reader() -> str:
    return str(next(_readers))


def ask(service: Service, text: str, *, count: int = 1) -> list[Accepted]:
    wa_id = reader()
    status, _ = service.fake.user_text(wa_id, text)
    assert status == 200
    return service.fake.wait_messages(wa_id, count)


@pytest.mark.parametrize(("word", "expected"), [
    ("hola", "Bienvenido a Vigía"), ("Hi", "Welcome to Vigía"), ("BONJOUR", "Bienvenue sur Vigía"),
    ("start", "Welcome to Vigía"),
])
def test_greetings_subscribe_in_the_readers_language(running: Service, word: str,
                                                     expected: str) -> None:
    (welcome,) = ask(running, word)
    assert f"*{expected}.*" in welcome.body
    wa_id = welcome.wa_id
    rows = running.query("SELECT active, transport, language, next_digest_at FROM subscriber "
                         "WHERE chat_id = ?", BASE + int(wa_id))
    assert rows and rows[0][0] == 1 and rows[0][1] == "whatsapp" and rows[0][3] is not None
    assert any(stop in welcome.body for stop in ("*baja*", "*stop*", "*arrêt*"))


@pytest.mark.parametrize("word", ["resumen", "Digest 24h", "résumé 7d", "RESUMEN 6h"])
def test_digest_words_bring_the_stories_with_feed_markup_neutralised(running: Service,
                                                                      word: str) -> None:
    (digest,) = ask(running, word)
    assert "Maduro anuncia ∗medidas∗ económicas en ＿cadena＿ nacional" in digest.body
    assert "https://example.org/maduro-1" in digest.body
    assert "*medidas*" not in digest.body and "_cadena_" not in digest.body


def test_a_window_that_cannot_be_read_is_said_so(running: Service) -> None:
    (answer,) = ask(running, "resumen ayer")
    assert "resumen 6h" in answer.body and "ayer" in answer.body


@pytest.mark.parametrize("word", ["actor maduro", "Actor MADURO", "acteur Maduro"])
def test_actor_brings_its_stories(running: Service, word: str) -> None:
    (answer,) = ask(running, word)
    assert "Maduro anuncia" in answer.body
    assert "Delcy" not in answer.body


def test_an_ambiguous_name_offers_a_list_and_the_pick_answers(running: Service) -> None:
    (choice,) = ask(running, "actor rodríguez")
    assert choice.type == "interactive"
    titles = [title for _, title in choice.choices]
    assert "Delcy Rodríguez" in titles and "Jorge Rodríguez" in titles
    picked = next(c for c in choice.choices if c[1] == "Jorge Rodríguez")
    kind = choice.payload["interactive"]["type"]
    running.fake.user_choice(choice.wa_id, picked, list_row=kind == "list")
    answer = running.fake.wait_messages(choice.wa_id, 2)[-1]
    assert "Jorge Rodríguez convoca" in answer.body


def test_an_unknown_name_offers_the_closest_actors(running: Service) -> None:
    (answer,) = ask(running, "actor madurro")
    assert answer.type == "interactive"
    assert "Nicolás Maduro" in [title for _, title in answer.choices]
    (nobody,) = ask(running, "actor zzyzx")
    assert "zzyzx" in nobody.body and "temas" in nobody.body


def test_follow_and_unfollow_in_three_languages(running: Service) -> None:
    wa_id = reader()
    for text, expected in [("hola", "Bienvenido"), ("seguir machado", "Sigues a *María Corina"),
                           ("follow machado", "You already follow"),
                           ("dejar machado", "No más avisos"),
                           ("suivre cabello", "Vous suivez *Diosdado Cabello*"),
                           ("ne plus suivre cabello", "Plus d'alertes")]:
        count = len(running.fake.messages_to(wa_id)) + 1
        running.fake.user_text(wa_id, text)
        answer = running.fake.wait_messages(wa_id, count)[-1]
        assert expected in answer.body, (text, answer.body)
    follows = running.query("SELECT actor_id FROM follow WHERE chat_id = ?", BASE + int(wa_id))
    assert follows == []


@pytest.mark.parametrize(("word", "heading"), [("temas", "Actores"), ("actors", "Actors"),
                                               ("acteurs", "Acteurs")])
def test_the_actor_list(running: Service, word: str, heading: str) -> None:
    (answer,) = ask(running, word)
    assert f"*{heading}*" in answer.body and "Nicolás Maduro" in answer.body


@pytest.mark.parametrize(("word", "expected"), [("ayuda", "*resumen*"), ("help", "*digest*"),
                                                ("aide", "*résumé*"), ("¿qué tal?", "Escribe")])
def test_help_and_anything_else(running: Service, word: str, expected: str) -> None:
    (answer,) = ask(running, word)
    assert expected in answer.body


@pytest.mark.parametrize(("word", "expected"), [("baja", "Listo"), ("stop", "Done"),
                                                ("arrêt", "C'est fait")])
def test_stop_words_unsubscribe(running: Service, word: str, expected: str) -> None:
    wa_id = reader()
    greeting = {"baja": "hola", "stop": "hi", "arrêt": "bonjour"}[word]
    running.fake.user_text(wa_id, greeting)
    running.fake.wait_messages(wa_id, 1)
    running.fake.user_text(wa_id, word)
    answer = running.fake.wait_messages(wa_id, 2)[-1]
    assert expected in answer.body
    assert running.query("SELECT active FROM subscriber WHERE chat_id = ?",
                         BASE + int(wa_id)) == [(0,)]


def test_bad_signatures_are_refused_and_nothing_is_answered(running: Service) -> None:
    wa_id = reader()
    body = running.fake.envelope({"messages": [{"from": wa_id, "id": "wamid.FORGED",
                                                "timestamp": str(int(time.time())),
                                                "type": "text", "text": {"body": "hola"}}]})
    assert running.fake.post_webhook(body, signature=None) == 403
    assert running.fake.post_webhook(body, signature="sha256=" + "ab" * 32) == 403
    time.sleep(3)
    assert running.fake.messages_to(wa_id) == []
    assert running.query("SELECT count(*) FROM subscriber WHERE chat_id = ?",
                         BASE + int(wa_id)) == [(0,)]


def test_a_webhook_meta_sends_again_is_answered_once(running: Service) -> None:
    wa_id = reader()
    status, message_id = running.fake.user_text(wa_id, "ayuda")
    assert status == 200
    for _ in range(3):  # Meta retries with the same message id
        assert running.fake.user_text(wa_id, "ayuda", message_id=message_id)[0] == 200
    running.fake.wait_messages(wa_id, 1)
    time.sleep(3)
    assert len(running.fake.messages_to(wa_id)) == 1


def test_receipts_reach_the_delivery(running: Service) -> None:
    (answer,) = ask(running, "help")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rows = running.query("SELECT receipt_status FROM delivery WHERE receipt = ?",
                             answer.message_id)
        if rows == [("read",)]:
            return
        time.sleep(0.1)
    raise AssertionError(f"the receipts never reached the delivery: {rows}")


def test_outside_the_window_the_template_goes_and_its_button_brings_the_digest(
    running: Service,
) -> None:
    wa_id = reader()
    day_ago = time.time() - 25 * 3600
    # A late webhook: the reader wrote 25 hours ago. They are subscribed, but the window that
    # message opened is closed, so no free-form answer may go.
    assert running.fake.user_text(wa_id, "hola", sent_at=day_ago)[0] == 200
    chat = BASE + int(wa_id)
    deadline = time.monotonic() + 10
    while not running.query("SELECT 1 FROM subscriber WHERE chat_id = ?", chat):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    due = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    running.query("UPDATE subscriber SET next_digest_at = ? WHERE chat_id = ?", due, chat)
    (template,) = running.fake.wait_messages(wa_id, 1, timeout=30)
    assert template.type == "template"
    assert template.payload["template"]["name"] == "vigia_digest"
    assert template.payload["template"]["language"] == {"code": "es"}
    assert 131047 not in [r.code for r in running.fake.refused if r.wa_id == wa_id]
    running.fake.user_template_button(wa_id, template)
    digest = running.fake.wait_messages(wa_id, 2, timeout=20)[-1]
    assert digest.type in ("text", "interactive")
    assert "Maduro anuncia" in digest.body


def test_a_131047_is_never_answered_with_the_same_message(running: Service) -> None:
    wa_id = reader()
    running.fake.user_text(wa_id, "hola")
    running.fake.wait_messages(wa_id, 1)
    # Our record says the window is open; WhatsApp says it is not.
    running.fake.fail_next(wa_id, 131047, times=1)
    running.fake.user_text(wa_id, "ayuda")
    deadline = time.monotonic() + 20
    while not [r for r in running.fake.refused if r.wa_id == wa_id]:
        assert time.monotonic() < deadline, "the answer was never tried"
        time.sleep(0.1)
    time.sleep(4)  # long enough for a retry to show
    refused = [r for r in running.fake.refused if r.wa_id == wa_id]
    assert [r.code for r in refused] == [131047]
    assert len(running.fake.messages_to(wa_id)) == 1  # the answer was given up, not repeated
    rows = running.query("SELECT status, error FROM delivery WHERE destination = ? AND "
                         "kind = 'answer' ORDER BY id", str(BASE + int(wa_id)))
    assert rows[-1][0] == "failed" and "131047" in str(rows[-1][1])


def test_rate_errors_wait_and_retry(running: Service) -> None:
    wa_id = reader()
    running.fake.fail_next(wa_id, 130429, times=1)
    running.fake.fail_next(wa_id, 131056, times=1)
    running.fake.user_text(wa_id, "hi")
    (welcome,) = running.fake.wait_messages(wa_id, 1, timeout=30)
    assert "Welcome" in welcome.body
    assert [r.code for r in running.fake.refused if r.wa_id == wa_id] == [130429, 131056]


def test_a_blocked_reader_is_deactivated(running: Service) -> None:
    wa_id = reader()
    running.fake.user_text(wa_id, "hola")
    running.fake.wait_messages(wa_id, 1)
    running.fake.block(wa_id)
    running.fake.user_text(wa_id, "ayuda")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if running.query("SELECT active FROM subscriber WHERE chat_id = ?",
                         BASE + int(wa_id)) == [(0,)]:
            return
        time.sleep(0.1)
    raise AssertionError("the reader who blocked the number is still subscribed")


def make_due(service: Service, wa_id: str) -> None:
    due = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    service.query("UPDATE subscriber SET next_digest_at = ? WHERE chat_id = ?", due,
                  BASE + int(wa_id))


def test_a_131047_reported_late_sends_the_template_once_and_its_button_the_digest(
    running: Service,
) -> None:
    wa_id = reader()
    running.fake.user_text(wa_id, "hola")
    running.fake.wait_messages(wa_id, 1)
    # WhatsApp takes the digest (200, a message id), then a status says the window was closed.
    running.fake.fail_late(wa_id, 131047)
    make_due(running, wa_id)
    _, digest, template = running.fake.wait_messages(wa_id, 3, timeout=30)
    assert running.fake.failed_late == [digest] and "Maduro anuncia" in digest.body
    assert template.type == "template"
    assert template.payload["template"]["language"] == {"code": "es"}
    count, first = template.body.split(" | ")  # what the template says: the digest it replaces
    assert count.isdigit() and first.split("*")[0] in digest.body
    time.sleep(4)  # long enough for a second template or a repeat of the digest to show
    assert len(running.fake.messages_to(wa_id)) == 3
    rows = running.query("SELECT kind, receipt_status, error FROM delivery WHERE destination = ?"
                         " AND kind IN ('digest', 'template') ORDER BY id", str(BASE + int(wa_id)))
    assert rows[0][0] == "digest" and rows[0][1] == "failed" and "131047" in str(rows[0][2])
    assert [row[0] for row in rows] == ["digest", "template"]
    running.fake.user_template_button(wa_id, template)
    again = running.fake.wait_messages(wa_id, 4, timeout=20)[-1]
    assert again.type in ("text", "interactive") and "Maduro anuncia" in again.body
