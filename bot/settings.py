"""Settings: everything an operator sets through `BOT_*` variables or a `.env` file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.durations import parse_duration
from bot.logs import hide_secrets
from bot.steering.bundled import bundled
from storage.db import database_url_problem, password_of


class SettingError(Exception):
    """A setting that cannot work: which variable, and what to write instead."""

    def __init__(self, variable: str, message: str) -> None:
        super().__init__(f"{variable}: {message}")
        self.variable = variable
        self.message = message


def load_settings() -> Settings:
    """The settings of this environment; SettingError names the first bad variable."""
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] in {"int_parsing", "float_parsing", "bool_parsing"}:
            message = f"not a number; {_EXAMPLES.get(field, 'write a number')}"
        raise SettingError(f"BOT_{field.upper()}", message) from None


class Settings(BaseSettings):
    """Everything an operator sets through `BOT_*` variables or a `.env` file.

    When BOT_FEEDS / BOT_ACTORS are not set and the working folder has no feeds.toml /
    actors.toml, the copies bundled with the package are used (`using_bundled` names them).
    """

    model_config = SettingsConfigDict(env_prefix="BOT_", env_file=".env", extra="ignore")

    token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_web_url: str = "https://t.me"
    # Feeds and channel pages on private, loopback, link-local or reserved addresses are refused
    # unless this is set: a feed URL must not be a way into the operator's own network.
    allow_private_networks: bool = False
    database_url: str = "sqlite+aiosqlite:///data/vigia.db"
    feeds: Path = Path("feeds.toml")
    actors: Path = Path("actors.toml")
    admins: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "America/Caracas"
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one object a line, for log shippers
    poll_concurrency: int = 16  # sources in flight; their reads are stored together as they land
    # Processes that parse, tag and fingerprint what polls read, beside the bot's own; 0 does
    # that work in the bot's process. On SQLite storing is the bottleneck, and a worker costs
    # ~120 MB: worth it with many sources, a spare core and memory to match.
    prepare_workers: int = 0
    poll_tick: int = 30  # seconds between looks for due sources
    digest_tick: int = 60  # seconds between looks for due digests
    alert_tick: int = 60  # seconds between looks for new stories that followers are alerted to
    alerts_per_hour: int = 4
    # Seconds a worker holds the deliveries it claimed, renewed every third of it by the round
    # sending them: a worker that dies mid-send gives them back to the others this long after (at
    # once to a worker restarted on the same machine, which sees the dead one's pid is gone).
    delivery_lease: float = 20.0
    send_rate: float = 30.0  # messages per second, overall
    # Webhook mode (instead of long polling) when webhook_url is set: Telegram posts updates to
    # that public address; a reverse proxy forwards them to webhook_listen:webhook_port.
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: SecretStr | None = None
    # The HTTP surface of `run`: /healthz, /metrics, /whatsapp.
    http_listen: str = "127.0.0.1"
    http_port: int = 8080
    # Durations: seconds, or "90s", "10m", "24h".
    health_tick_age: int = 600  # a poll or delivery tick older than this makes /healthz 503
    failing_after: int = 86400  # a source failing this long is reported to the admins daily
    # WhatsApp Business Cloud API: on when the token and the phone number id are both set.
    whatsapp_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: SecretStr | None = None  # signs the webhooks Meta posts
    whatsapp_verify_token: SecretStr | None = None  # Meta's GET verification of the webhook
    whatsapp_api_url: str = "https://graph.facebook.com/v23.0"
    whatsapp_template: str = "vigia_digest"  # approved template sent outside the 24-hour window
    whatsapp_send_rate: float = 80.0  # messages per second for the number, overall
    # Seconds between two messages to one reader: WhatsApp refuses more (error 131056).
    whatsapp_reader_interval: float = 6.0

    @property
    def whatsapp_enabled(self) -> bool:
        """WhatsApp is served when the token and the phone number id are both set."""
        return self.whatsapp_token is not None and bool(self.whatsapp_phone_number_id)

    def secret_values(self) -> tuple[str, ...]:
        """Every secret these settings hold."""
        held = (self.token, self.webhook_secret, self.whatsapp_token, self.whatsapp_app_secret,
                self.whatsapp_verify_token)
        return tuple(value.get_secret_value() for value in held
                     if value is not None and value.get_secret_value())

    @field_validator("whatsapp_api_url")
    @classmethod
    def _strip_api_root(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("whatsapp_phone_number_id")
    @classmethod
    def _digits_only(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.strip().isdigit():
            raise ValueError("the phone number id is the number Meta shows (digits only)")
        return value.strip()

    @field_validator("whatsapp_send_rate", "whatsapp_reader_interval")
    @classmethod
    def _positive_rate(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be more than 0")
        return value

    _bundled: tuple[str, ...] = PrivateAttr(default=())

    @property
    def using_bundled(self) -> tuple[str, ...]:
        """The steering files taken from the package because the working folder has none."""
        return self._bundled

    @model_validator(mode="after")
    def _fall_back_to_bundled(self) -> Self:
        bundled_now = []
        for name in ("feeds", "actors"):
            path: Path = getattr(self, name)
            if name not in self.model_fields_set and not path.exists():
                setattr(self, name, bundled(path.name))
                bundled_now.append(path.name)
        self._bundled = tuple(bundled_now)
        return self

    @field_validator("health_tick_age", "failing_after", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return parse_duration(value) if isinstance(value, str) else value

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            if not all(part.lstrip("-").isdigit() for part in parts if part):
                raise ValueError(
                    "not a list of Telegram user ids; write numbers separated by commas, "
                    "like BOT_ADMINS=123456789,987654321 (@userinfobot tells a user's id)"
                )
            return frozenset(int(part) for part in parts if part)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("telegram_api_url", "telegram_web_url")
    @classmethod
    def _strip_root(cls, value: str) -> str:
        value = value.rstrip("/")
        # DESIGN promises that a root ending in /bot is tolerated.
        value = value[: -len("/bot")] if value.endswith("/bot") else value
        if not _is_http_url(value):
            raise ValueError(f"not an http(s) address; write one like {_DEFAULT_ROOTS[0]}")
        return value

    @field_validator("token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        # The message never repeats the value: it is a secret even when malformed.
        if value is None:
            return None
        token = value.get_secret_value().strip()
        if not token:
            raise ValueError(
                "set but empty; write the token @BotFather gave you, like "
                "BOT_TOKEN=123456789:AAE…, or remove the line to run the offline demo"
            )
        if not _TOKEN.fullmatch(token):
            raise ValueError(
                "not a bot token (digits, a colon, then letters, digits, - or _); copy it "
                "again from @BotFather, like BOT_TOKEN=123456789:AAE…"
            )
        return SecretStr(token)

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        problem = database_url_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f'"{value}" is not a time zone; write an IANA name like America/Caracas, '
                "Europe/Madrid or UTC"
            ) from None
        return value

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f'"{value}" is not a log level; write one of {", ".join(_LOG_LEVELS)}')
        return level

    @field_validator(
        "poll_concurrency",
        "prepare_workers",
        "poll_tick",
        "digest_tick",
        "alert_tick",
        "alerts_per_hour",
        "send_rate",
        "delivery_lease",
        "webhook_port",
        "http_port",
    )
    @classmethod
    def _check_range(cls, value: float, info: ValidationInfo) -> float:
        low, high = _RANGES[str(info.field_name)]
        if not low <= value <= high:
            raise ValueError(f"{value} is out of range; {_EXAMPLES[str(info.field_name)]}")
        return value

    @model_validator(mode="after")
    def _hide_secrets(self) -> Self:
        """Every secret setting is redacted from every log line and error printed from now on."""
        hide_secrets(
            *self.secret_values(),
            password_of(self.database_url),
        )
        return self


_TOKEN = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{1,100}")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_DEFAULT_ROOTS = ("https://api.telegram.org", "https://t.me")
_RANGES: dict[str, tuple[float, float]] = {
    "poll_concurrency": (1, 1000),
    "prepare_workers": (0, 64),
    "poll_tick": (1, 3600),
    "digest_tick": (1, 3600),
    "alert_tick": (1, 3600),
    "alerts_per_hour": (0, 3600),
    "send_rate": (0.1, 1000),
    "delivery_lease": (10, 3600),  # a renewal every third of it outlasts a slow write
    "webhook_port": (1, 65535),
    "http_port": (0, 65535),
}
_EXAMPLES = {
    "poll_concurrency": "write how many sources are read at once, 1 to 1000, like BOT_POLL_CONCURRENCY=16",
    "prepare_workers": "write 0 (prepare in the bot's process) to 64, like BOT_PREPARE_WORKERS=2",
    "poll_tick": "write seconds between looks for due sources, 1 to 3600, like BOT_POLL_TICK=30",
    "digest_tick": "write seconds between looks for due digests, 1 to 3600, like BOT_DIGEST_TICK=60",
    "alert_tick": "write seconds between looks for alerts, 1 to 3600, like BOT_ALERT_TICK=60",
    "alerts_per_hour": "write 0 to 3600 alerts per subscriber and hour, like BOT_ALERTS_PER_HOUR=4",
    "send_rate": "write messages per second above 0 (Telegram allows about 30), like BOT_SEND_RATE=30",
    "delivery_lease": "write seconds, 10 to 3600, like BOT_DELIVERY_LEASE=20",
    "webhook_port": "write a TCP port, 1 to 65535, like BOT_WEBHOOK_PORT=8443",
    "http_port": "write a TCP port, 1 to 65535 (0: any free one), like BOT_HTTP_PORT=8080",
}


def _is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname)
