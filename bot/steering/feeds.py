"""feeds.toml: the sources read and the channels fed, validated with file:line."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.durations import parse_duration
from bot.model import PublishConfig, SourceConfig
from bot.steering.publish import read_publish
from bot.steering.toml import (
    ID,
    ConfigError,
    Problem,
    Report,
    check_keys,
    header_lines,
    read_toml,
    reporter,
    table_keys,
    tables,
)
from bot.text import neutralise_controls

SHORTEST_INTERVAL = 60  # seconds: more often would hammer a publisher
LONGEST_INTERVAL = 7 * 86400  # seconds: a source polled more rarely is as good as forgotten


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
    data, lines = read_toml(path)
    problems: list[Problem] = []
    report = reporter(path, lines, problems)
    check_keys(data, {"defaults", "source", "publish"}, "top level", 1, report)

    defaults = data.get("defaults", {})
    defaults_line = header_lines(lines, "[defaults]")(0)
    if not isinstance(defaults, dict):
        report(defaults_line, "[defaults] must be a table")
        defaults = {}
    check_keys(defaults, _DEFAULT_KEYS, "[defaults]", defaults_line, report)

    tables = data.get("source", [])
    if not isinstance(tables, list):
        report(1, "write each source as a [[source]] table")
        tables = []
    sources: list[SourceConfig] = []
    seen: dict[str, int] = {}
    line_of = header_lines(lines, "[[source]]")
    for index, table in enumerate(tables):
        line = line_of(index)
        # A duplicate id is said even when the same source has other problems too.
        source_id = table.get("id") if isinstance(table, dict) else None
        duplicate = isinstance(source_id, str) and source_id in seen
        if duplicate:
            report(
                line,
                f'duplicate source id "{source_id}" (first at line {seen[str(source_id)]}); '
                "give each source its own id",
            )
        elif isinstance(source_id, str):
            seen[source_id] = line
        source = _read_source(table, defaults, line, table_keys(lines, line), report)
        if source is not None and not duplicate:
            sources.append(source)
    publish = _read_outputs(data, lines, report)
    if not sources and not publish and not problems:
        # An empty or truncated file would silently stop every poll: refuse it like a broken one.
        report(1, "no [[source]] table: Vigía would poll nothing; add at least one source")
    if problems:
        raise ConfigError(problems)
    return Feeds(sources=tuple(sources), publish=publish)


def _read_outputs(data: Mapping[str, Any], lines: list[str], report: Report) -> tuple[PublishConfig, ...]:
    publish: list[PublishConfig] = []
    outputs: dict[str, int] = {}
    line_of = header_lines(lines, "[[publish]]")
    for index, table in enumerate(tables(data, "publish", report)):
        line = line_of(index)
        output = read_publish(table, line, table_keys(lines, line), report, channel_name=_channel_name)
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
    return tuple(publish)


_DEFAULT_KEYS = {"interval", "min_interval", "max_interval", "scope", "lang", "enabled"}
_SOURCE_KEYS = _DEFAULT_KEYS | {"id", "name", "kind", "url", "channel"}
_KINDS = {"rss", "telegram"}
_SCOPES = {"venezuela", "general"}
_CHANNEL = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_LANG = re.compile(r"^[a-z]{2,3}$")


def _read_source(
    table: Any, defaults: Mapping[str, Any], line: int, block: dict[str, int], report: Report
) -> SourceConfig | None:
    if not isinstance(table, dict):
        report(line, "a [[source]] must be a table")
        return None

    def at(key: str) -> int:
        return block.get(key, line)

    check_keys(table, _SOURCE_KEYS, "[[source]]", line, report, block)
    merged = {**defaults, **table}
    source_id = table.get("id")
    if not isinstance(source_id, str) or not ID.match(source_id):
        report(
            at("id"),
            'every source needs an id of lowercase letters, digits and "-", '
            'like id = "efecto-cocuyo"',
        )
        return None
    # Every check runs, so that one reading reports every problem of the source.
    kind, url, channel, address_ok = _read_address(merged, at=at, report=report)
    scope, lang, enabled, labels_ok = _read_labels(merged, at=at, report=report)
    intervals, intervals_ok = _read_intervals(merged, at=at, report=report)
    name = table.get("name", source_id)
    name_ok = isinstance(name, str) and bool(name.strip())
    if not name_ok:
        report(at("name"), "name must be a non-empty string")
    if not (address_ok and labels_ok and intervals_ok and name_ok):
        return None
    return SourceConfig(
        id=source_id,
        name=neutralise_controls(str(name)),
        kind=str(kind),
        url=str(url or ""),
        lang=lang,
        scope=str(scope),
        channel=channel,
        enabled=bool(enabled),
        line=line,
        **intervals,
    )


def _read_address(
    merged: Mapping[str, Any], *, at: Callable[[str], int], report: Report
) -> tuple[object, object, str | None, bool]:
    """The source's kind, url and channel, and whether they are good."""
    ok = True
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
    return kind, url, channel, ok


def _read_labels(
    merged: Mapping[str, object], *, at: Callable[[str], int], report: Report
) -> tuple[object, str | None, object, bool]:
    """The source's scope, language and whether it is enabled, and whether they are good."""
    ok = True
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
        ok, lang = False, None
    enabled = merged.get("enabled", True)
    if not isinstance(enabled, bool):
        report(at("enabled"), "enabled must be true or false")
        ok = False
    return scope, lang, enabled, ok


def _read_intervals(
    merged: Mapping[str, object], *, at: Callable[[str], int], report: Report
) -> tuple[dict[str, int], bool]:
    """The source's interval, min_interval and max_interval in seconds, and whether they are
    good: durations, within bounds, and in order."""
    ok = True
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
    in_bounds = True
    for key, seconds in intervals.items():
        if seconds < SHORTEST_INTERVAL:
            report(at(key), f"{key} below 1m would hammer the source; use 1m or more")
            in_bounds = False
        elif seconds > LONGEST_INTERVAL:
            report(at(key), f"{key} above 7d would forget the source; use 7d or less")
            in_bounds = False
    ok = ok and in_bounds
    if len(intervals) == 3 and in_bounds:  # noqa: SIM102 - one check per problem
        if not intervals["min_interval"] <= intervals["interval"] <= intervals["max_interval"]:
            report(
                at("interval"),
                "interval must lie between min_interval and max_interval "
                f"({intervals['min_interval']}s ≤ {intervals['interval']}s ≤ "
                f"{intervals['max_interval']}s is false)",
            )
            ok = False
    return intervals, ok


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
