"""The tagger's matcher: what each folded phrase of actors.toml and the word lists means."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

from bot.fold import fold_phrase
from bot.model import Actor, Topic
from bot.pipeline.tag_evidence import VENEZUELA


@dataclass(frozen=True, slots=True)
class Key:
    """Everything one folded phrase means: it may be an alias, a surname, a keyword, at once.

    A phrase is in the automaton twice when it is read both as a word beginning ("sancion*") and
    as whole words: then once without and once with the space that ends the last word.
    """

    whole: bool  # the key ends with the space after its last word
    length: int  # of the phrase, its leading space included
    label: str = ""  # the surname as actors.toml spells it, for `ambiguous`
    aliases: tuple[int, ...] = ()  # actor indexes
    acronym: bool = False  # the alias is written in capitals: it matches only capitals
    letters: int = 0  # how many letters and digits the acronym has
    surnames: tuple[int, ...] = ()
    distinctive: tuple[int, ...] = ()  # those of `surnames` for whom the name alone is enough
    generic: tuple[int, ...] = ()
    misspelt: tuple[int, ...] = ()  # actors whose distinctive name this is one letter off
    excludes: tuple[int, ...] = ()
    topics: int = 0  # topic indexes as bits (1 << index), matched as whole words
    stems: int = 0  # topic indexes as bits, matched as word beginnings ("sancion*")
    place: bool = False  # a Venezuela word or place, matched as whole words
    country: str | None = None  # VENEZUELA, or the name of another country or its people
    names: bool = False  # an alias, a surname or a generic name of some actor
    simple: bool = False  # only an alias, and not an acronym: nothing to check
    capital: bool = False  # a generic name written with a capital: it needs one in the text
    only_names: bool = False  # whole words that name someone and mean nothing else
    bare_surname: bool = False  # only a surname (or several): no alias, generic name or slip
    bare_generic: bool = False  # only a generic name, not an acronym: no alias, surname or slip


@dataclass(slots=True)
class _Draft:
    label: str = ""
    aliases: list[int] = field(default_factory=list)
    acronym: bool = False
    letters: int = 0
    surnames: list[int] = field(default_factory=list)
    distinctive: list[int] = field(default_factory=list)
    generic: list[int] = field(default_factory=list)
    misspelt: list[int] = field(default_factory=list)
    capital: bool = False
    excludes: list[int] = field(default_factory=list)
    topics: list[int] = field(default_factory=list)
    stems: list[int] = field(default_factory=list)
    place: bool = False
    place_stem: bool = False
    country: str | None = None
    country_stem: str | None = None


def build_automaton(
    actors: tuple[Actor, ...],
    topics: tuple[Topic, ...],
    places: Iterable[str],
    foreign: Mapping[str, Iterable[str]],
) -> Any:
    drafts: dict[str, _Draft] = {}
    _draft_actors(actors, drafts)
    _draft_words(topics, places, foreign, drafts)
    _add_slips(actors, drafts)
    automaton = ahocorasick.Automaton()
    for key, draft in drafts.items():
        for phrase, meaning in _keys(key, draft):
            automaton.add_word(phrase, meaning)
    automaton.make_automaton()
    return automaton


def _draft_for(drafts: dict[str, _Draft], phrase: str) -> tuple[str, _Draft]:
    """The folded phrase and its draft; a phrase with nothing to match gets a draft left out.

    actors.toml was checked when it was read (bot.steering.actors): every phrase folds to something,
    and no alias names two actors.
    """
    key = fold_phrase(phrase)
    return key, drafts.setdefault(key, _Draft()) if key else _Draft()


def _draft_actors(actors: tuple[Actor, ...], drafts: dict[str, _Draft]) -> None:
    """What each actor's aliases, generic names, surnames and exclusions mean."""
    for index, actor in enumerate(actors):
        for alias in actor.aliases:
            key, draft = _draft_for(drafts, alias)
            if index not in draft.aliases:
                draft.aliases.append(index)
            if alias.isupper():
                draft.acronym = True
                draft.letters = len(key.replace(" ", ""))
        for name in actor.generic:
            key, draft = _draft_for(drafts, name)
            if index not in draft.generic:
                draft.generic.append(index)
            draft.capital = draft.capital or name[0].isupper()
            if name.isupper():
                draft.acronym = True
                draft.letters = len(key.replace(" ", ""))
        for surname in (*actor.surnames, *actor.distinctive):
            key, draft = _draft_for(drafts, surname)
            if index not in draft.surnames:
                draft.surnames.append(index)
            draft.label = draft.label or surname
        for name in actor.distinctive:
            _draft_for(drafts, name)[1].distinctive.append(index)
        for phrase in actor.exclude:
            _draft_for(drafts, phrase)[1].excludes.append(index)


def _draft_words(
    topics: tuple[Topic, ...],
    places: Iterable[str],
    foreign: Mapping[str, Iterable[str]],
    drafts: dict[str, _Draft],
) -> None:
    """What topic keywords, Venezuela words and places, and other countries' names mean."""
    for index, topic in enumerate(topics):
        for keyword in topic.keywords:
            _, draft = _draft_for(drafts, keyword)
            (draft.stems if keyword.endswith("*") else draft.topics).append(index)
    for word in places:
        _, draft = _draft_for(drafts, word)
        if word.endswith("*"):
            draft.country_stem = VENEZUELA
        else:
            draft.place = True
    for label, words in foreign.items():  # the country's name labels each of its words
        for word in words:
            _draft_country(drafts, word, label)


def _draft_country(drafts: dict[str, _Draft], word: str, label: str) -> None:
    _, draft = _draft_for(drafts, word)
    if word.endswith("*"):
        draft.country_stem = draft.country_stem if draft.country_stem is not None else label
    elif not draft.place:
        draft.country = label


def _keys(key: str, draft: _Draft) -> Iterable[tuple[str, Key]]:
    """The automaton's entries for one folded phrase: as a word beginning, as whole words."""
    if draft.stems or draft.country_stem is not None:
        yield (
            " " + key,
            Key(
                whole=False,
                length=len(key) + 1,
                stems=_bits(draft.stems),
                country=draft.country_stem,
            ),
        )
    names = bool(draft.aliases or draft.surnames or draft.generic or draft.misspelt)
    other = bool(draft.excludes or draft.topics or draft.place or draft.country is not None)
    if names or other:
        yield (
            " " + key + " ",
            Key(
                whole=True,
                length=len(key) + 1,
                label=draft.label,
                aliases=tuple(draft.aliases),
                acronym=draft.acronym,
                letters=draft.letters,
                surnames=tuple(draft.surnames),
                distinctive=tuple(draft.distinctive),
                generic=tuple(draft.generic),
                misspelt=tuple(draft.misspelt),
                excludes=tuple(draft.excludes),
                topics=_bits(draft.topics),
                place=draft.place,
                country=draft.country,
                names=names,
                capital=draft.capital,
                simple=bool(draft.aliases)
                and not (draft.acronym or draft.surnames or draft.generic or draft.misspelt),
                only_names=names and not other,
                bare_surname=bool(draft.surnames)
                and not (draft.aliases or draft.generic or draft.misspelt or draft.acronym),
                bare_generic=bool(draft.generic)
                and not (draft.aliases or draft.surnames or draft.misspelt or draft.acronym),
            ),
        )


def _bits(indexes: Iterable[int]) -> int:
    """Topic indexes as the bits of one int: an item's topics are gathered by `|`."""
    bits = 0
    for index in indexes:
        bits |= 1 << index
    return bits


def _add_slips(actors: tuple[Actor, ...], drafts: dict[str, _Draft]) -> None:
    """One-letter slips (a letter wrong, missing, extra or two swapped) of distinctive names of
    seven letters or more, unless the slip is itself a phrase Vigía knows."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    for index, actor in enumerate(actors):
        for name in actor.distinctive:
            word = fold_phrase(name)
            if len(word) < 7 or " " in word:
                continue
            slips: set[str] = set()
            for i in range(len(word) + 1):
                head, tail = word[:i], word[i:]
                slips.update(head + c + tail for c in letters)
                if tail:
                    slips.add(head + tail[1:])
                    slips.update(head + c + tail[1:] for c in letters)
                if len(tail) > 1:
                    slips.add(head + tail[1] + tail[0] + tail[2:])
            slips.discard(word)
            for slip in slips:
                if slip not in drafts or drafts[slip].misspelt:
                    drafts.setdefault(slip, _Draft(label=name)).misspelt.append(index)
