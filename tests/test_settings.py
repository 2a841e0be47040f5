"""Settings from the outside: a bad value is one line and exit 2; no secret reaches any output."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.steering import bundled
from tests.commands import run_cli
from tests.fake_telegram import FakeTelegram


def env_for(tmp_path: Path, **changes: str) -> dict[str, str]:
    env = {
        "BOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'v.db'}",
        "BOT_FEEDS": str(bundled("feeds.toml")),
        "BOT_ACTORS": str(bundled("actors.toml")),
        "BOT_LOG_LEVEL": "INFO",
    }
    return {**env, **changes}


@pytest.mark.parametrize(
    "token",
    ["123456:TEST", "1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_-leaked"],
    ids=["short", "long"],
)
def test_a_rejected_token_never_appears_in_any_output(tmp_path: Path, token: str) -> None:
    with FakeTelegram(token="987654:the-right-one") as api:
        done = run_cli(
            "run",
            env=env_for(
                tmp_path,
                BOT_TOKEN=token,
                BOT_TELEGRAM_API_URL=api.root,
                BOT_LOG_LEVEL="DEBUG",  # PTB's DEBUG lines print the Bot API URL
            ),
        )
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert token not in output and token.split(":")[1] not in output
    assert "Traceback" not in output
    last = done.stderr.strip().splitlines()[-1]
    assert "BOT_TOKEN" in last and "rejected" in last and "@BotFather" in last


@pytest.mark.parametrize(
    ("variable", "value", "hint"),
    [
        ("BOT_DATABASE_URL", "banana", "sqlite+aiosqlite:///"),
        ("BOT_DATABASE_URL", "mysql://root@localhost/vigia", "not supported"),
        ("BOT_DATABASE_URL", "sqlite+aiosqlite:///{tmp}", "is a directory"),
        ("BOT_TIMEZONE", "Mars/Olympus", "America/Caracas"),
        ("BOT_ADMINS", "abc", "BOT_ADMINS=123456789"),
        ("BOT_TOKEN", "", "@BotFather"),
        ("BOT_TOKEN", "not a token at all", "@BotFather"),
        ("BOT_LOG_LEVEL", "banana", "DEBUG"),
        ("BOT_POLL_CONCURRENCY", "-1", "BOT_POLL_CONCURRENCY=16"),
        ("BOT_SEND_RATE", "0", "BOT_SEND_RATE=30"),
        ("BOT_DELIVERY_LEASE", "3", "BOT_DELIVERY_LEASE=20"),
        ("BOT_POLL_TICK", "soon", "BOT_POLL_TICK=30"),
        ("BOT_TELEGRAM_API_URL", "api.telegram.org", "https://"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it_and_exit_2(
    tmp_path: Path, variable: str, value: str, hint: str
) -> None:
    done = run_cli("db", "upgrade", env=env_for(tmp_path, **{variable: value.format(tmp=tmp_path)}))
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert variable in lines[0] and hint in lines[0]
    assert done.stdout == ""


def test_an_unwritable_database_and_an_unreachable_postgresql_are_one_line(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "notes.txt"  # unwritable whoever runs the test, root included
    not_a_folder.write_text("a file, not a folder")
    unreachable = "postgresql+asyncpg://vigia:s3cr3t-pass@127.0.0.1:1/vigia"
    for url in (f"sqlite+aiosqlite:///{not_a_folder / 'v.db'}", unreachable):
        done = run_cli("db", "upgrade", env=env_for(tmp_path, BOT_DATABASE_URL=url))
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "BOT_DATABASE_URL" in lines[0], done.stderr
        assert "s3cr3t-pass" not in done.stderr
