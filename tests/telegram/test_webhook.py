"""Webhook mode: `python -m bot run` registers its address and answers updates posted to it,
alone or as several receivers behind a load balancer."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

from bot.steering import bundled
from tests.balancer import Balancer
from tests.fake_telegram import FakeTelegram
from tests.paths import ROOT
from tests.telegram.harness import TOKEN

SECRET = "s3cret-shared-by-every-receiver"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post(url: str, update: dict[str, object], secret: str | None) -> int:
    request = urllib.request.Request(url, data=json.dumps(update).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    if secret is not None:
        request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_updates_posted_to_the_webhook_are_answered(fake: FakeTelegram, tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "feeds.toml").write_text('[[source]]\nid = "x"\nurl = "http://127.0.0.1:9/f"\n')
    env = {
        **os.environ, "BOT_TOKEN": TOKEN, "BOT_TELEGRAM_API_URL": fake.root,
        "BOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'v.db'}",
        "BOT_FEEDS": str(tmp_path / "feeds.toml"), "BOT_ACTORS": str(bundled("actors.toml")),
        "BOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/hook",
        "BOT_WEBHOOK_PORT": str(port), "BOT_WEBHOOK_SECRET": SECRET,
    }
    bot = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while not fake.webhooks and time.monotonic() < deadline:
            time.sleep(0.05)
        (registered,) = fake.webhooks
        assert registered["url"] == env["BOT_WEBHOOK_URL"]
        assert registered["secret_token"] == SECRET

        start = {"update_id": 1, "message": {
            "message_id": 1, "date": int(time.time()), "text": "/start",
            "chat": {"id": 501, "type": "private"},
            "from": {"id": 501, "is_bot": False, "first_name": "Ana"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        }}
        hook = f"http://127.0.0.1:{port}/telegram/hook"
        assert post(hook, start, secret="wrong") == 403  # only Telegram knows the secret
        deadline = time.monotonic() + 10
        while post(hook, start, secret=SECRET) != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        (welcome,) = fake.wait_sent_sync(1, timeout=15)
        assert welcome.chat_id == 501 and "Welcome to Vigía" in welcome.visible
    finally:
        bot.terminate()
        output, _ = bot.communicate(timeout=30)
    assert TOKEN not in output and SECRET not in output


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def command(update_id: int, chat: int, text: str) -> dict[str, object]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "Lector"},
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
    }}


def test_receivers_behind_a_load_balancer_share_one_secret_and_answer_each_command_once(
    fake: FakeTelegram, tmp_path: Path, postgres_url: str
) -> None:
    (tmp_path / "feeds.toml").write_text('[[source]]\nid = "x"\nurl = "http://127.0.0.1:9/f"\n')
    ports = [free_port(), free_port()]
    bots: list[subprocess.Popen[str]] = []
    with Balancer([f"http://127.0.0.1:{port}" for port in ports]) as balancer:
        public = balancer.url("/telegram/hook")
        for index, port in enumerate(ports):
            env = {  # no BOT_WEBHOOK_SECRET: the deployment derives one
                **os.environ, "BOT_TOKEN": TOKEN, "BOT_TELEGRAM_API_URL": fake.root,
                "BOT_DATABASE_URL": postgres_url, "BOT_FEEDS": str(tmp_path / "feeds.toml"),
                "BOT_ACTORS": str(bundled("actors.toml")), "BOT_HTTP_PORT": "0",
                "BOT_WEBHOOK_URL": public, "BOT_WEBHOOK_PORT": str(port),
            }
            env.pop("BOT_WEBHOOK_SECRET", None)
            bots.append(subprocess.Popen(
                [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                stdout=open(tmp_path / f"r{index}.log", "w"),  # noqa: SIM115
                stderr=subprocess.STDOUT, text=True))
        try:
            deadline = time.monotonic() + 60
            while (len(fake.webhooks) < 2 or not all(map(listening, ports))) \
                    and time.monotonic() < deadline:
                time.sleep(0.1)
            secrets = {hook["secret_token"] for hook in fake.webhooks}
            assert len(fake.webhooks) == 2 and len(secrets) == 1  # both registered the same
            (secret,) = secrets
            assert {hook["url"] for hook in fake.webhooks} == {public}
            # What Telegram would post: /start and /help from 12 readers, with the secret.
            statuses = [post(public, command(n, 900 + n, "/start" if n % 2 else "/help"), secret)
                        for n in range(1, 13)]
            assert post(public, command(99, 999, "/help"), "not-the-secret") == 403
            fake.wait_sent_sync(12, timeout=30)
            time.sleep(2)  # a second answer to anyone would have come by now
            answered = Counter(message.chat_id for message in fake.messages())
        finally:
            for bot in bots:
                bot.terminate()
            for bot in bots:
                bot.wait(30)
        hits = dict(balancer.hits)
    logs = [(tmp_path / f"r{index}.log").read_text() for index in range(2)]
    assert statuses == [200] * 12
    assert answered == Counter({900 + n: 1 for n in range(1, 13)})
    assert sorted(hits.values()) == [6, 7]  # both receivers answered their turn
    for log in logs:
        assert secret not in log and TOKEN not in log and "Traceback" not in log, log[-3000:]
