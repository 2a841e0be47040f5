"""Settings from the environment, and feeds.toml / actors.toml read and validated with file:line."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.durations import parse_duration
from bot.fold import fold_phrase
from bot.model import Actor, PublishConfig, SourceConfig, Topic
from storage.schedule import is_zone

STEERING_FILES = ("feeds.toml", "actors.toml")


def bundled(name: str) -> Path:
    """The default steering file `name` (feeds.toml, actors.toml) shipped inside the package."""
    return Path(str(files("bot") / "defaults" / name))


class Settings(BaseSettings):
    """Everything an operator sets through `BOT_*` variables or a `.env` file.

    When BOT_FEEDS / BOT_ACTORS are not set and the working folder has no feeds.toml /
    actors.toml, the copies bundled with the package are used (`using_bundled` names them).
    """

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
    log_format: Literal["text", "json"] = "text"  # json: one object a line, for log shippers
    poll_concurrency: int = 16  # sources in flight; their reads are stored together as they land
    # Processes that parse, tag and fingerprint what polls read, beside the bot's own; 0 does
    # that work in the bot's process. On SQLite storing is the bottleneck, and a worker costs
    # ~120 MB: worth it with many sources, a spare core and memory to match.
    prepare_workers: int = 0
    poll_tick: int = 30  # seconds between looks for due sources
    digest_tick: int = 60  # seconds between looks for due digests
    alerts_per_hour: int = 4
    # Seconds a worker holds the deliveries it claimed: a worker that dies mid-send gives them
    # back to the others (or to itself, restarted) this long after.
    delivery_lease: float = 60.0
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
        """Every secret these settings hold, for the log filter to redact."""
        held = (self.token, self.webhook_secret, self.whatsapp_token, self.whatsapp_app_secret,
                self.whatsapp_verify_token)
        return tuple(value.get_secret_value() for value in held
                     if value is not None and value.get_secret_value())

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            return frozenset(int(part) for part in parts if part)
        if isinstance(value, int):
            return frozenset({value})
        return value

    _bundled: tuple[str, ...] = PrivateAttr(default=())

    @property
    def using_bundled(self) -> tuple[str, ...]:
        """The steering files taken from the package because the working folder has none."""
        return self._bundled

    @model_validator(mode="after")
    def _fall_back_to_bundled(self) -> Settings:
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

    @field_validator("telegram_api_url", "telegram_web_url")
    @classmethod
    def _strip_root(cls, value: str) -> str:
        value = value.rstrip("/")
        # DESIGN promises that a root ending in /bot is tolerated.
        return value[: -len("/bot")] if value.endswith("/bot") else value


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a steering file, said with where and what to write instead."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ConfigError(Exception):
    """A steering file with problems; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Catalog:
    """What actors.toml declares."""

    actors: tuple[Actor, ...]
    topics: tuple[Topic, ...]


@dataclass(frozen=True, slots=True)
class Feeds:
    """What feeds.toml declares: the sources read, and the channels Vigía keeps fed."""

    sources: tuple[SourceConfig, ...]
    publish: tuple[PublishConfig, ...] = ()


def load_sources(path: Path) -> tuple[SourceConfig, ...]:
    """Read and validate feeds.toml; raise ConfigError listing every problem."""
    return load_feeds(path).sources


def load_feeds(path: Path) -> Feeds:
    """Read and validate feeds.toml, [[source]] and [[publish]] tables alike; raise ConfigError
    listing every problem."""
    data, lines = _read_toml(path)
    problems: list[Problem] = []
    report = _reporter(path, lines, problems)
    _check_keys(data, {"defaults", "source", "publish"}, "top level", 1, report)

    defaults = data.get("defaults", {})
    defaults_line = _header_line(lines, "[defaults]", 0)
    if not isinstance(defaults, dict):
        report(defaults_line, "[defaults] must be a table")
        defaults = {}
    _check_keys(defaults, _DEFAULT_KEYS, "[defaults]", defaults_line, report)

    tables = data.get("source", [])
    if not isinstance(tables, list):
        report(1, "write each source as a [[source]] table")
        tables = []
    sources: list[SourceConfig] = []
    seen: dict[str, int] = {}
    for index, table in enumerate(tables):
        line = _header_line(lines, "[[source]]", index)
        source = _read_source(table, defaults, line, _block(lines, line), report)
        if source is None:
            continue
        if source.id in seen:
            report(
                line,
                f'duplicate source id "{source.id}" (first at line {seen[source.id]}); '
                "give each source its own id",
            )
            continue
        seen[source.id] = line
        sources.append(source)
    publish: list[PublishConfig] = []
    outputs: dict[str, int] = {}
    for index, table in enumerate(_tables(data, "publish", report)):
        line = _header_line(lines, "[[publish]]", index)
        output = _read_publish(table, line, _block(lines, line), report)
        if output is None:
            continue
        if output.id in outputs:
            report(
                line,
                f'duplicate publish id "{output.id}" (first at line {outputs[output.id]}); '
                "give each [[publish]] its own id",
            )
            continue
        outputs[output.id] = line
        publish.append(output)
    if problems:
        raise ConfigError(problems)
    return Feeds(sources=tuple(sources), publish=tuple(publish))


def check_publish_actors(
    path: Path, publish: tuple[PublishConfig, ...], catalog: Catalog
) -> list[Problem]:
    """The [[publish]] tables naming an actor id that actors.toml does not declare."""
    known = {actor.id for actor in catalog.actors}
    problems = []
    for output in publish:
        for actor_id, line in zip(output.actors, output.actor_lines, strict=True):
            if actor_id not in known:
                close = difflib.get_close_matches(actor_id, sorted(known), n=1)
                hint = f'; did you mean "{close[0]}"?' if close else "; see actors.toml"
                problems.append(
                    Problem(
                        str(path),
                        line,
                        f'[[publish]] "{output.id}" names actor "{actor_id}", '
                        f"which actors.toml does not declare{hint}",
                    )
                )
    return problems


def load_actors(path: Path) -> Catalog:
    """Read and validate actors.toml; raise ConfigError listing every problem."""
    data, lines = _read_toml(path)
    problems: list[Problem] = []
    report = _reporter(path, lines, problems)
    _check_keys(data, {"actor", "topic"}, "top level", 1, report)

    actors: list[Actor] = []
    seen: dict[str, int] = {}
    names = _NameOwners()
    for index, table in enumerate(_tables(data, "actor", report)):
        line = _header_line(lines, "[[actor]]", index)
        block = _block(lines, line)
        actor = _read_actor(table, line, block, report)
        if actor is None:
            continue
        if actor.id in seen:
            report(line, f'duplicate actor id "{actor.id}" (first at line {seen[actor.id]})')
            continue
        seen[actor.id] = line
        names.check(actor, block=block, line=line, report=report)
        actors.append(actor)

    topics: list[Topic] = []
    topic_ids: dict[str, int] = {}
    for index, table in enumerate(_tables(data, "topic", report)):
        line = _header_line(lines, "[[topic]]", index)
        topic = _read_topic(table, line, _block(lines, line), report)
        if topic is None:
            continue
        if topic.id in topic_ids:
            report(line, f'duplicate topic id "{topic.id}" (first at line {topic_ids[topic.id]})')
            continue
        topic_ids[topic.id] = line
        for keyword in topic.keywords:
            if not fold_phrase(keyword):
                report(
                    _block(lines, line).get("keywords", line),
                    f'keyword "{keyword}" of topic "{topic.id}" has no letters or digits to match',
                )
        topics.append(topic)
    if problems:
        raise ConfigError(problems)
    return Catalog(actors=tuple(actors), topics=tuple(topics))


class _NameOwners:
    """Which actor each folded name belongs to, so every clash the tagger would meet is found
    here, with the line it is written on: an alias or a generic name names one actor; a surname
    (or a distinctive name) may be shared, but never with another actor's alias."""

    def __init__(self) -> None:
        self.aliases: dict[str, tuple[str, int]] = {}
        self.surnames: dict[str, tuple[str, int]] = {}
        self.generic: dict[str, tuple[str, int]] = {}

    def check(self, actor: Actor, *, block: dict[str, int], line: int, report: _Report) -> None:
        """Report, at the line of the key that holds it, each name that clashes or folds away."""

        def at(key: str) -> int:
            return block.get(key, line)

        for key_name, phrases in (
            ("aliases", actor.aliases),
            ("surnames", actor.surnames),
            ("distinctive", actor.distinctive),
            ("generic", actor.generic),
            ("exclude", actor.exclude),
        ):
            for phrase in phrases:
                if not fold_phrase(phrase):
                    report(at(key_name), f'"{phrase}" of "{actor.id}" has no letters or digits to match')
        for alias in (actor.name, *actor.aliases):
            where = line  # the actor's own [[actor]] line: where a reader looks for its names
            key = fold_phrase(alias)
            owner = self.aliases.get(key) or self.surnames.get(key) or self.generic.get(key)
            if key and owner is not None and owner[0] != actor.id:
                report(
                    where,
                    f'alias "{alias}" of "{actor.id}" already names "{owner[0]}" (line {owner[1]}); '
                    "an alias must name one actor — use `surnames` for a shared surname",
                )
            self.aliases.setdefault(key, (actor.id, where))
        for name in actor.generic:
            key = fold_phrase(name)
            owner = self.aliases.get(key) or self.generic.get(key)
            if key and owner is not None and owner[0] != actor.id:
                report(
                    line,
                    f'generic name "{name}" of "{actor.id}" already names "{owner[0]}" '
                    f"(line {owner[1]}); a generic name must name one actor",
                )
            self.generic.setdefault(key, (actor.id, line))
        for surname in (*actor.surnames, *actor.distinctive):
            where = line
            key = fold_phrase(surname)
            owner = self.aliases.get(key)
            if key and owner is not None and owner[0] != actor.id:
                report(
                    where,
                    f'surname "{surname}" of "{actor.id}" is an alias of "{owner[0]}" '
                    f"(line {owner[1]}); drop one of them",
                )
            self.surnames.setdefault(key, (actor.id, where))


_Report = Callable[[int, str], None]

_DEFAULT_KEYS = {"interval", "min_interval", "max_interval", "scope", "lang", "enabled"}
_SOURCE_KEYS = _DEFAULT_KEYS | {"id", "name", "kind", "url", "channel"}
_ACTOR_KEYS = {
    "id",
    "name",
    "kind",
    "aliases",
    "surnames",
    "distinctive",
    "generic",
    "titles",
    "exclude",
    "venezuelan",
    "weight",
}
_TOPIC_KEYS = {"id", "name", "keywords"}
_PUBLISH_KEYS = {
    "id",
    "chat",
    "what",
    "min_sources",
    "actors",
    "languages",
    "times",
    "timezone",
}
_PUBLISH_WHAT = {"stories", "digest"}
_CHAT_ID = re.compile(r"^-?[0-9]{1,20}$")
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_KINDS = {"rss", "telegram"}
_SCOPES = {"venezuela", "general"}
_ACTOR_KINDS = {"person", "organisation", "group", "state"}
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_CHANNEL = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_LANG = re.compile(r"^[a-z]{2,3}$")
_PUBLISH_LISTS = (
    ("actors", _ID, '["maduro", "machado"]'),
    ("languages", _LANG, '["es", "en"]'),
    ("times", _CLOCK, '["08:00", "20:00"]'),
)
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def _read_toml(path: Path) -> tuple[dict[str, Any], list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(
            [Problem(str(path), 0, f"cannot read the file: {error.strerror}")]
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ConfigError(
            [Problem(str(path), line, "not UTF-8 text; save the file as UTF-8")]
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = _TOML_POSITION.search(str(error))
        line = int(match.group(1)) if match else 0
        message = _TOML_POSITION.sub("", str(error)).strip()
        raise ConfigError([Problem(str(path), line, f"not valid TOML: {message}")]) from None
    return data, text.splitlines()


def _reporter(path: Path, lines: list[str], problems: list[Problem]) -> _Report:
    def report(line: int, message: str) -> None:
        problems.append(Problem(str(path), line, message))

    return report


def _header_line(lines: list[str], header: str, index: int) -> int:
    """The 1-based line of the index-th `header` table (TOML keeps tables in file order)."""
    count = 0
    for number, line in enumerate(lines, start=1):
        if line.strip().split("#", 1)[0].strip() == header:
            if count == index:
                return number
            count += 1
    return 0


def _block(lines: list[str], start: int) -> dict[str, int]:
    """Where each key of the table starting at `start` is written: key → line."""
    where: dict[str, int] = {}
    for number in range(start + 1, len(lines) + 1):
        text = lines[number - 1].strip()
        if text.startswith("["):
            break
        key, sep, _ = text.partition("=")
        if sep and not text.startswith("#"):
            where.setdefault(key.strip().strip('"'), number)
    return where


def _tables(data: Mapping[str, Any], name: str, report: _Report) -> Iterator[Any]:
    tables = data.get(name, [])
    if not isinstance(tables, list):
        report(1, f"write each {name} as a [[{name}]] table")
        return
    yield from tables


def _check_keys(
    table: Mapping[str, Any],
    allowed: set[str],
    where: str,
    line: int,
    report: _Report,
    block: Mapping[str, int] | None = None,
) -> None:
    for key in table:
        if key in allowed:
            continue
        close = difflib.get_close_matches(key, sorted(allowed), n=1)
        hint = (
            f'; did you mean "{close[0]}"?'
            if close
            else f"; known keys: {', '.join(sorted(allowed))}"
        )
        report((block or {}).get(key, line), f'unknown key "{key}" in {where}{hint}')


def _read_source(
    table: Any, defaults: Mapping[str, Any], line: int, block: dict[str, int], report: _Report
) -> SourceConfig | None:
    if not isinstance(table, dict):
        report(line, "a [[source]] must be a table")
        return None

    def at(key: str) -> int:
        return block.get(key, line)

    _check_keys(table, _SOURCE_KEYS, "[[source]]", line, report, block)
    merged = {**defaults, **table}
    ok = True

    source_id = table.get("id")
    if not isinstance(source_id, str) or not _ID.match(source_id):
        report(
            at("id"),
            'every source needs an id of lowercase letters, digits and "-", '
            'like id = "efecto-cocuyo"',
        )
        return None
    kind = merged.get("kind", "rss")
    if kind not in _KINDS:
        report(at("kind"), f'kind "{kind}" is not known; write kind = "rss" or kind = "telegram"')
        ok = False
    url = merged.get("url", "")
    channel = merged.get("channel")
    if kind == "telegram":
        channel = _channel_name(channel) if isinstance(channel, str) else None
        if channel is None:
            report(
                at("channel"),
                'a telegram source needs channel = "name" (the public channel, '
                "5-32 letters, digits or _; @name and t.me/name work too)",
            )
            ok = False
    if (kind == "rss" or url) and not _is_http_url(url):
        report(
            at("url"),
            f'url "{url}" is not an http(s) address; write the feed\'s full '
            'address, like url = "https://example.com/feed/"',
        )
        ok = False
    scope = merged.get("scope", "general")
    if scope not in _SCOPES:
        report(
            at("scope"),
            f'scope "{scope}" is not known; write "venezuela" (every item counts) '
            'or "general" (only items about Venezuela)',
        )
        ok = False
    lang = merged.get("lang")
    if lang is not None and (not isinstance(lang, str) or not _LANG.match(lang)):
        report(at("lang"), f'lang "{lang}" is not a language code; write "es", "en" or "fr"')
        ok = False
    enabled = merged.get("enabled", True)
    if not isinstance(enabled, bool):
        report(at("enabled"), "enabled must be true or false")
        ok = False
    intervals: dict[str, int] = {}
    for key, fallback in (("interval", 900), ("min_interval", 300), ("max_interval", 21600)):
        try:
            intervals[key] = parse_duration(merged.get(key, fallback))
        except ValueError:
            report(
                at(key),
                f'{key} "{merged.get(key)}" is not a duration; write "90s", "15m", "1h" or "1h30m"',
            )
            ok = False
    if len(intervals) == 3:
        if intervals["min_interval"] < 60:
            report(
                at("min_interval"), "min_interval below 1m would hammer the source; use 1m or more"
            )
            ok = False
        if not intervals["min_interval"] <= intervals["interval"] <= intervals["max_interval"]:
            report(
                at("interval"),
                "interval must lie between min_interval and max_interval "
                f"({intervals['min_interval']}s ≤ {intervals['interval']}s ≤ "
                f"{intervals['max_interval']}s is false)",
            )
            ok = False
    name = table.get("name", source_id)
    if not isinstance(name, str) or not name.strip():
        report(at("name"), "name must be a non-empty string")
        ok = False
    if not ok:
        return None
    return SourceConfig(
        id=source_id,
        name=str(name),
        kind=str(kind),
        url=str(url or ""),
        lang=lang,
        scope=str(scope),
        channel=channel,
        enabled=bool(enabled),
        line=line,
        **intervals,
    )


def _read_publish(
    table: Any, line: int, block: dict[str, int], report: _Report
) -> PublishConfig | None:
    if not isinstance(table, dict):
        report(line, "a [[publish]] must be a table")
        return None

    def at(key: str) -> int:
        return block.get(key, line)

    _check_keys(table, _PUBLISH_KEYS, "[[publish]]", line, report, block)
    output_id = table.get("id")
    if not isinstance(output_id, str) or not _ID.match(output_id):
        report(
            at("id"),
            'every [[publish]] needs an id of lowercase letters, digits and "-", '
            'like id = "canal-principal"',
        )
        return None
    ok = True
    chat = _publish_chat(table.get("chat"))
    if chat is None:
        report(
            at("chat"),
            f'[[publish]] "{output_id}" needs chat = "@channel_name" (a channel or group where '
            'the bot is an admin) or its numeric chat id, like chat = "-1001234567890"',
        )
        ok = False
    what = table.get("what", "stories")
    if what not in _PUBLISH_WHAT:
        report(at("what"), f'what "{what}" is not known; write what = "stories" or "digest"')
        ok = False
    min_sources = table.get("min_sources", 2)
    if isinstance(min_sources, bool) or not isinstance(min_sources, int) or not 1 <= min_sources <= 100:
        report(at("min_sources"), "min_sources must be a whole number from 1 to 100, like 2")
        ok = False
    lists = _publish_lists(table, at, report)
    ok = ok and len(lists) == len(_PUBLISH_LISTS)
    if what == "digest" and "times" in lists and not lists["times"]:
        report(at("times"), 'a digest needs at least one time, like times = ["08:00"]')
        ok = False
    timezone = table.get("timezone", "America/Caracas")
    if not isinstance(timezone, str) or not is_zone(timezone):
        report(
            at("timezone"),
            f'timezone "{timezone}" is not known; write an IANA name like "America/Caracas"',
        )
        ok = False
    if not ok or chat is None:
        return None
    return PublishConfig(
        id=output_id,
        chat=chat,
        what=str(what),
        min_sources=int(min_sources),
        actors=lists["actors"],
        languages=lists["languages"],
        times=lists["times"] or ("08:00", "20:00"),
        timezone=timezone,
        line=line,
        actor_lines=tuple(at("actors") for _ in lists["actors"]),
    )


def _publish_lists(
    table: Mapping[str, Any], at: Callable[[str], int], report: _Report
) -> dict[str, tuple[str, ...]]:
    """The list keys of a [[publish]] that read well (duplicates dropped); the others reported."""
    lists: dict[str, tuple[str, ...]] = {}
    for key, pattern, example in _PUBLISH_LISTS:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(
            isinstance(v, str) and pattern.match(v) for v in value
        ):
            report(at(key), f"{key} must be a list like {key} = {example}")
            continue
        lists[key] = tuple(dict.fromkeys(value))
    return lists


def _publish_chat(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _CHAT_ID.match(text):
        return text
    name = _channel_name(text)
    return f"@{name}" if name is not None else None


def _read_actor(table: Any, line: int, block: dict[str, int], report: _Report) -> Actor | None:
    if not isinstance(table, dict):
        report(line, "an [[actor]] must be a table")
        return None

    def at(key: str) -> int:
        return block.get(key, line)

    _check_keys(table, _ACTOR_KEYS, "[[actor]]", line, report, block)
    actor_id = table.get("id")
    if not isinstance(actor_id, str) or not _ID.match(actor_id):
        report(
            at("id"),
            'every actor needs an id of lowercase letters, digits and "-", like id = "maduro"',
        )
        return None
    ok = True
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        report(at("name"), f'actor "{actor_id}" needs a name, like name = "Nicolás Maduro"')
        ok = False
    kind = table.get("kind", "person")
    if kind not in _ACTOR_KINDS:
        report(
            at("kind"),
            f'kind "{kind}" is not known; write one of: {", ".join(sorted(_ACTOR_KINDS))}',
        )
        ok = False
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("aliases", "surnames", "distinctive", "generic", "titles", "exclude"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            report(at(key), f'{key} must be a list of non-empty strings, like {key} = ["…", "…"]')
            ok = False
            continue
        lists[key] = tuple(v.strip() for v in value)
    venezuelan = table.get("venezuelan", True)
    if not isinstance(venezuelan, bool):
        report(at("venezuelan"), "venezuelan must be true or false")
        ok = False
    weight = table.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
        report(at("weight"), "weight must be a number ≥ 0, like weight = 1.5")
        ok = False
    if not ok:
        return None
    return Actor(
        id=actor_id,
        name=str(name).strip(),
        kind=str(kind),
        venezuelan=bool(venezuelan),
        weight=float(weight),
        line=line,
        **lists,
    )


def _read_topic(table: Any, line: int, block: dict[str, int], report: _Report) -> Topic | None:
    if not isinstance(table, dict):
        report(line, "a [[topic]] must be a table")
        return None

    def at(key: str) -> int:
        return block.get(key, line)

    _check_keys(table, _TOPIC_KEYS, "[[topic]]", line, report, block)
    topic_id = table.get("id")
    if not isinstance(topic_id, str) or not _ID.match(topic_id):
        report(at("id"), 'every topic needs an id, like id = "elections"')
        return None
    name = table.get("name", topic_id)
    keywords = table.get("keywords", [])
    if not isinstance(keywords, list) or not all(
        isinstance(k, str) and k.strip() for k in keywords
    ):
        report(at("keywords"), "keywords must be a list of non-empty strings")
        return None
    return Topic(
        id=topic_id, name=str(name), keywords=tuple(k.strip() for k in keywords), line=line
    )


def _is_http_url(url: object) -> bool:
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme in {"http", "https"} and bool(parts.hostname)
    except ValueError:  # "https://[bad" is not an address either
        return False


def _channel_name(value: str) -> str | None:
    name = value.strip()
    for prefix in ("https://", "http://"):
        name = name.removeprefix(prefix)
    name = name.removeprefix("t.me/").removeprefix("telegram.me/").removeprefix("s/")
    name = name.lstrip("@").strip("/")
    return name if _CHANNEL.match(name) else None
