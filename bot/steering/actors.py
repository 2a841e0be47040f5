"""actors.toml: the actors and topics the tagger knows, validated with file:line."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.fold import fold_phrase
from bot.model import Actor, Topic
from bot.pipeline.words import FOREIGN_COUNTRIES
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
    names = _NameOwners()
    actor_line = header_lines(lines, "[[actor]]")
    for index, table in enumerate(tables(data, "actor", report)):
        line = actor_line(index)
        actor_id = table.get("id") if isinstance(table, dict) else None
        duplicate = isinstance(actor_id, str) and actor_id in seen
        if duplicate:
            report(line, f'duplicate actor id "{actor_id}" (first at line {seen[str(actor_id)]})')
        elif isinstance(actor_id, str):
            seen[actor_id] = line
        block = table_keys(lines, line)
        actor = _read_actor(table, line, block, report)
        if actor is None or duplicate:
            continue
        names.check(actor, block=block, line=line, report=report)
        actors.append(actor)

    topics: list[Topic] = []
    topic_ids: dict[str, int] = {}
    topic_line = header_lines(lines, "[[topic]]")
    for index, table in enumerate(tables(data, "topic", report)):
        line = topic_line(index)
        topic_id = table.get("id") if isinstance(table, dict) else None
        duplicate = isinstance(topic_id, str) and topic_id in topic_ids
        if duplicate:
            report(line, f'duplicate topic id "{topic_id}" (first at line {topic_ids[str(topic_id)]})')
        elif isinstance(topic_id, str):
            topic_ids[topic_id] = line
        block = table_keys(lines, line)
        topic = _read_topic(table, line, block, report)
        if topic is None or duplicate:
            continue
        for keyword in topic.keywords:
            if not fold_phrase(keyword):
                report(
                    block.get("keywords", line),
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

    def check(self, actor: Actor, *, block: dict[str, int], line: int, report: Report) -> None:
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



def alias_problem(alias: str) -> str | None:
    """Why an alias (tagged wherever it appears) would tag ordinary text; None when it is fine.

    Very short aliases and the common words of es/en/fr are accepted only as acronyms written
    in capitals, which the tagger matches case-sensitively ("UN", "US", "CNE").
    """
    too_long = _length_problem(alias)
    if too_long:
        return too_long
    if alias.isupper():
        return None
    folded = fold_phrase(alias)
    letters = sum(c.isalnum() for c in folded)
    if letters == 0:
        return None  # said by the name check: "has no letters or digits to match"
    if letters <= SHORTEST_ALIAS:
        return (
            f"is too short to tag on sight; only an acronym in capitals (like \"UN\") is "
            f"matched with {SHORTEST_ALIAS} letters or fewer"
        )
    if folded in COMMON_WORDS:
        return (
            "is a common word in Spanish, English or French and would tag ordinary sentences; "
            "write a longer form, or an acronym in capitals"
        )
    return None


MAX_ALIAS = 200  # characters
SHORTEST_ALIAS = 2  # letters; shorter-or-equal aliases must be acronyms in capitals
COMMON_WORDS = frozenset(
    # Spanish
    "el la lo los las un una uno unos unas de del al a ante bajo con contra desde en entre "  # noqa: SIM905
    "hacia hasta para por segun sin sobre tras y e o u ni que se su sus es son fue ser era "
    "ha han hay como mas pero no si ya le les este esta esto estos estas ese esa eso muy "
    "tambien todo todos otro otra cuando donde mi me te tu yo nos dia gobierno presidente "
    "pais ano hoy ayer "
    # English
    "the an and or of to in on at by for with from is are was were be been it its this "
    "that these those as not but if he she they we you i his her their our us him them "
    "who what which new said says will would can has have had do does did one two "
    "president government country today "
    # French
    "le les une des du au aux et ou dans sur par pour avec sans est sont ete etre il elle "
    "ils elles nous vous je ce cet cette ces son sa ses leur leurs qui ne pas plus mais "
    "comme tout tous selon pays jour".split()
)


def _length_problem(phrase: str) -> str | None:
    if len(phrase) <= MAX_ALIAS:
        return None
    return f"is {len(phrase):,} characters long; a name is a few words (at most {MAX_ALIAS})"


def _shown(text: str) -> str:
    return text if len(text) <= 60 else f"{text[:57]}…"


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
    "country",
    "weight",
}
_TOPIC_KEYS = {"id", "name", "keywords"}
_ONE = {
    "aliases": "alias",
    "surnames": "surname",
    "distinctive": "distinctive name",
    "generic": "generic name",
    "titles": "title",
    "exclude": "excluded phrase",
}
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
    name = table.get("name")
    ok = _check_actor_name(name, actor_id=actor_id, at=at, report=report)
    kind = table.get("kind", "person")
    if kind not in _ACTOR_KINDS:
        report(
            at("kind"),
            f'kind "{kind}" is not known; write one of: {", ".join(sorted(_ACTOR_KINDS))}',
        )
        ok = False
    lists, lists_ok = _read_actor_lists(table, actor_id=actor_id, at=at, report=report)
    ok = ok and lists_ok
    venezuelan = table.get("venezuelan", True)
    if not isinstance(venezuelan, bool):
        report(at("venezuelan"), "venezuelan must be true or false")
        ok = False
    country = _read_country(table, venezuelan=venezuelan is not False, at=at, report=report)
    weight = table.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
        report(at("weight"), "weight must be a number ≥ 0, like weight = 1.5")
        ok = False
    if not ok or country is None:
        return None
    return Actor(
        id=actor_id,
        name=str(name).strip(),
        kind=str(kind),
        venezuelan=bool(venezuelan),
        country=country,
        weight=float(weight),
        line=line,
        **lists,
    )



def _read_country(
    table: Mapping[str, object], *, venezuelan: bool, at: Callable[[str], int], report: Report
) -> str | None:
    """The foreign actor's country as FOREIGN_COUNTRIES names it, "" when none; None when the
    key is wrong (reported)."""
    country = table.get("country")
    if country is None:
        return ""
    known = {fold_phrase(name): name for name in FOREIGN_COUNTRIES}
    if not isinstance(country, str) or fold_phrase(country) not in known:
        names = ", ".join(known.values())
        report(at("country"), f'country must be one Vigía knows, like country = "Colombia": {names}')
        return None
    if venezuelan:
        report(at("country"), "country is for foreign actors: add venezuelan = false")
        return None
    return known[fold_phrase(country)]


def _check_actor_name(
    name: object, *, actor_id: str, at: Callable[[str], int], report: Report
) -> bool:
    """Whether the actor's name is one the matcher can read; its problem reported if not."""
    if not isinstance(name, str) or not name.strip():
        report(at("name"), f'actor "{actor_id}" needs a name, like name = "Nicolás Maduro"')
        return False
    if problem := alias_problem(name.strip()):
        report(at("name"), f'name "{_shown(name)}" of "{actor_id}" {problem}')
        return False
    return True


def _read_actor_lists(
    table: Mapping[str, object], *, actor_id: str, at: Callable[[str], int], report: Report
) -> tuple[dict[str, tuple[str, ...]], bool]:
    """The actor's aliases, surnames, distinctive and generic names, titles and exclusions, and
    whether every phrase in them is one the matcher can read."""
    ok = True
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("aliases", "surnames", "distinctive", "generic", "titles", "exclude"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            report(at(key), f'{key} must be a list of non-empty strings, like {key} = ["…", "…"]')
            ok = False
            continue
        lists[key] = tuple(v.strip() for v in value)
        for phrase in lists[key]:
            # Every list reaches the matcher; aliases are also tagged on sight, without context.
            problem = alias_problem(phrase) if key == "aliases" else _length_problem(phrase)
            if problem:
                report(at(key), f'{_ONE[key]} "{_shown(phrase)}" of "{actor_id}" {problem}')
                ok = False
    return lists, ok

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
    problems = [
        f'keyword "{_shown(k)}" of topic "{topic_id}" {problem}'
        for k in keywords
        if (problem := alias_problem(k.strip()))
    ]
    for problem in problems:
        report(at("keywords"), problem)
    if problems:
        return None
    return Topic(
        id=topic_id, name=str(name), keywords=tuple(k.strip() for k in keywords), line=line
    )
