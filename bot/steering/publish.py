"""The [[publish]] tables of feeds.toml: the channels Vigía keeps fed, validated with file:line."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bot.model import PublishConfig
from bot.steering.actors import Catalog
from bot.steering.toml import ID, Problem, Report, check_keys
from storage.schedule import is_zone


def read_publish(
    table: Any, line: int, block: dict[str, int], report: Report, *, channel_name: Callable[[str], str | None]
) -> PublishConfig | None:
    """One [[publish]] table; None (its problems reported) when it cannot be used."""
    if not isinstance(table, dict):
        report(line, "a [[publish]] must be a table")
        return None

    def at(key: str) -> int:
        return block.get(key, line)

    check_keys(table, _PUBLISH_KEYS, "[[publish]]", line, report, block)
    output_id = table.get("id")
    if not isinstance(output_id, str) or not ID.match(output_id):
        report(
            at("id"),
            'every [[publish]] needs an id of lowercase letters, digits and "-", '
            'like id = "canal-principal"',
        )
        return None
    ok = True
    chat = _publish_chat(table.get("chat"), channel_name)
    if chat is None:
        report(
            at("chat"),
            f'[[publish]] "{output_id}" needs chat = "@channel_name" (a channel or group where '
            'the bot is an admin) or its numeric chat id, like chat = "-1001234567890"',
        )
        ok = False
    what, min_sources, kinds_ok = _read_what(table, at=at, report=report)
    lists = _publish_lists(table, at, report)
    ok = ok and kinds_ok and len(lists) == len(_PUBLISH_LISTS)
    timezone, schedule_ok = _read_schedule(table, what=what, lists=lists, at=at, report=report)
    ok = ok and schedule_ok
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



def _read_what(
    table: Mapping[str, object], *, at: Callable[[str], int], report: Report
) -> tuple[object, int, bool]:
    """What the output publishes (stories or a digest), from how many sources a story counts,
    and whether both are good."""
    ok = True
    what = table.get("what", "stories")
    if what not in _PUBLISH_WHAT:
        report(at("what"), f'what "{what}" is not known; write what = "stories" or "digest"')
        ok = False
    min_sources = table.get("min_sources", 2)
    if isinstance(min_sources, bool) or not isinstance(min_sources, int) or not 1 <= min_sources <= 100:
        report(at("min_sources"), "min_sources must be a whole number from 1 to 100, like 2")
        return what, 0, False
    return what, min_sources, ok


def _read_schedule(
    table: Mapping[str, object],
    *,
    what: object,
    lists: Mapping[str, tuple[str, ...]],
    at: Callable[[str], int],
    report: Report,
) -> tuple[str, bool]:
    """The output's time zone, and whether it and a digest's times are good."""
    ok = True
    if what == "digest" and "times" in lists and not lists["times"]:
        report(at("times"), 'a digest needs at least one time, like times = ["08:00"]')
        ok = False
    timezone = table.get("timezone", "America/Caracas")
    if not isinstance(timezone, str) or not is_zone(timezone):
        report(
            at("timezone"),
            f'timezone "{timezone}" is not known; write an IANA name like "America/Caracas"',
        )
        return "", False
    return timezone, ok

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


def _publish_lists(
    table: Mapping[str, Any], at: Callable[[str], int], report: Report
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


def _publish_chat(value: object, channel_name: Callable[[str], str | None]) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _CHAT_ID.match(text):
        return text
    name = channel_name(text)
    return f"@{name}" if name is not None else None


_PUBLISH_KEYS = {"id", "chat", "what", "min_sources", "actors", "languages", "times", "timezone"}
_PUBLISH_WHAT = {"stories", "digest"}
_CHAT_ID = re.compile(r"^-?[0-9]{1,20}$")
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_LANG = re.compile(r"^[a-z]{2,3}$")
_PUBLISH_LISTS = (
    ("actors", ID, '["maduro", "machado"]'),
    ("languages", _LANG, '["es", "en"]'),
    ("times", _CLOCK, '["08:00", "20:00"]'),
)
