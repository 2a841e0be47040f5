"""Settings: everything an operator sets through `BOT_*` variables or a `.env` file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator sets through `BOT_*` variables or a `.env` file."""

    model_config = SettingsConfigDict(env_prefix="BOT_", env_file=".env", extra="ignore")

    token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_web_url: str = "https://t.me"
    database_url: str = "sqlite+aiosqlite:///data/vigia.db"
    feeds: Path = Path("feeds.toml")
    actors: Path = Path("actors.toml")
    admins: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "America/Caracas"
    log_level: str = "INFO"
    poll_concurrency: int = 16  # sources in flight; their reads are stored together as they land
    # Processes that parse, tag and fingerprint what polls read, beside the bot's own; 0 does
    # that work in the bot's process. On SQLite storing is the bottleneck, and a worker costs
    # ~120 MB: worth it with many sources, a spare core and memory to match.
    prepare_workers: int = 0
    poll_tick: int = 30  # seconds between looks for due sources
    digest_tick: int = 60  # seconds between looks for due digests
    alerts_per_hour: int = 4
    send_rate: float = 30.0  # messages per second, overall
    # Webhook mode (instead of long polling) when webhook_url is set: Telegram posts updates to
    # that public address; a reverse proxy forwards them to webhook_listen:webhook_port.
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: SecretStr | None = None

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            return frozenset(int(part) for part in parts if part)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("telegram_api_url", "telegram_web_url")
    @classmethod
    def _strip_root(cls, value: str) -> str:
        value = value.rstrip("/")
        # DESIGN promises that a root ending in /bot is tolerated.
        return value[: -len("/bot")] if value.endswith("/bot") else value
