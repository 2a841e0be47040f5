"""Webhook mode: `python -m bot run` registers its address and answers updates posted to it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bot.steering import bundled
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
