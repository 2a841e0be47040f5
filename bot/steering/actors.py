"""actors.toml: the actors and topics the tagger knows, validated with file:line."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.model import Actor, Topic
from bot.steering.toml import (
    ID,
    ConfigError,
    Problem,
    Report,
    check_keys,
    header_line,
    read_toml,
    reporter,
    table_keys,
    tables,
)


@dataclass(frozen=True, slots=True)
class Catalog:
    """What actors.toml declares."""

    actors: tuple[Actor, ...]
    topics: tuple[Topic, ...]


def load_actors(path: Path) -> Catalog:
    """Read and validate actors.toml; raise ConfigError listing every problem."""
    data, lines = read_toml(path)
    problems: list[Problem] = []
    report = reporter(path, lines, problems)
    check_keys(data, {"actor", "topic"}, "top level", 1, report)

    actors: list[Actor] = []
    seen: dict[str, int] = {}
    alias_owner: dict[str, tuple[str, int]] = {}
    for index, table in enumerate(tables(data, "actor", report)):
        line = header_line(lines, "[[actor]]", index)
        actor = _read_actor(table, line, table_keys(lines, line), report)
        if actor is None:
            continue
        if actor.id in seen:
            report(line, f'duplicate actor id "{actor.id}" (first at line {seen[actor.id]})')
            continue
        seen[actor.id] = line
        for alias in (actor.name, *actor.aliases):
            key = fold(alias)
            owner = alias_owner.get(key)
            if owner is not None and owner[0] != actor.id:
                report(
                    line,
                    f'alias "{alias}" of "{actor.id}" is already an alias of '
                    f'"{owner[0]}" (line {owner[1]}); an alias must name one actor — '
                    "use `surnames` for a shared surname",
                )
            alias_owner.setdefault(key, (actor.id, line))
        actors.append(actor)

    topics: list[Topic] = []
    topic_ids: dict[str, int] = {}
    for index, table in enumerate(tables(data, "topic", report)):
        line = header_line(lines, "[[topic]]", index)
        topic = _read_topic(table, line, table_keys(lines, line), report)
        if topic is None:
            continue
        if topic.id in topic_ids:
            report(line, f'duplicate topic id "{topic.id}" (first at line {topic_ids[topic.id]})')
            continue
        topic_ids[topic.id] = line
        topics.append(topic)
    if problems:
        raise ConfigError(problems)
    return Catalog(actors=tuple(actors), topics=tuple(topics))


def fold(text: str) -> str:
    """Lowercase without accents: how aliases are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


_ACTOR_KEYS = {
    "id",
    "name",
    "kind",
    "aliases",
    "surnames",
    "titles",
    "exclude",
    "venezuelan",
    "weight",
}
_TOPIC_KEYS = {"id", "name", "keywords"}
_ACTOR_KINDS = {"person", "organisation", "group", "state"}


def _read_actor(table: Any, line: int, block: dict[str, int], report: Report) -> Actor | None:
    if not isinstance(table, dict):
        report(line, "an [[actor]] must be a table")
        return None

    def at(key: str) -> int:
        return block.get(key, line)

    check_keys(table, _ACTOR_KEYS, "[[actor]]", line, report, block)
    actor_id = table.get("id")
    if not isinstance(actor_id, str) or not ID.match(actor_id):
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
    for key in ("aliases", "surnames", "titles", "exclude"):
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


def _read_topic(table: Any, line: int, block: dict[str, int], report: Report) -> Topic | None:
    if not isinstance(table, dict):
        report(line, "a [[topic]] must be a table")
        return None

    def at(key: str) -> int:
        return block.get(key, line)

    check_keys(table, _TOPIC_KEYS, "[[topic]]", line, report, block)
    topic_id = table.get("id")
    if not isinstance(topic_id, str) or not ID.match(topic_id):
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
