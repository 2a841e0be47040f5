"""Find the actor a user means by a name: accents, case and quotes ignored; choices when ambiguous."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.fold import fold_phrase
from bot.model import Actor

MAX_SUGGESTIONS = 3
MAX_QUERY = 200  # characters of a query that are looked at


@dataclass(frozen=True, slots=True)
class ActorLookup:
    """What a name means: one actor, a choice between several, or the closest known names."""

    actor: Actor | None
    choices: tuple[Actor, ...] = ()
    suggestions: tuple[Actor, ...] = ()


def actor_by_id(actors: Sequence[Actor], actor_id: str) -> Actor | None:
    """The configured actor with this id, if any (a button's id may be from an older file)."""
    return next((actor for actor in actors if actor.id == actor_id), None)


def find_actor(actors: Sequence[Actor], query: str) -> ActorLookup:
    """The actor `query` names.

    An id, a name or an alias names one actor. Otherwise a surname, a first name or any other
    word of a name ("delcy", "Padrino") names the actors that have it: one is an answer, several
    are choices ("Rodríguez", "López"). Nothing known: up to three close spellings.
    """
    folded = fold_phrase(query[:MAX_QUERY])
    if not folded:
        return ActorLookup(actor=None)
    exact = [actor for actor in actors if folded in _full_names(actor)]
    if len(exact) == 1:
        return ActorLookup(actor=exact[0])
    if exact:
        return ActorLookup(actor=None, choices=_ordered(exact))
    words = set(folded.split())
    partial = [
        actor for actor in actors if folded in _surnames(actor) or words <= _name_words(actor)
    ]
    if len(partial) == 1:
        return ActorLookup(actor=partial[0])
    if partial:
        return ActorLookup(actor=None, choices=_ordered(partial))
    return ActorLookup(actor=None, suggestions=_closest(actors, folded))


def _full_names(actor: Actor) -> set[str]:
    # A generic name ("CNE") names one actor in actors.toml, whatever it means in a text.
    names = (actor.name, *actor.aliases, *actor.generic)
    return {actor.id, *(fold_phrase(name) for name in names)}


def _surnames(actor: Actor) -> set[str]:
    return {fold_phrase(surname) for surname in (*actor.surnames, *actor.distinctive)}


def _name_words(actor: Actor) -> set[str]:
    words: set[str] = set()
    for name in (actor.name, *actor.aliases, *actor.generic, *actor.surnames, *actor.distinctive):
        words.update(
            word for word in fold_phrase(name).split() if len(word) > 2 and word not in _LINK_WORDS
        )
    return words


def _closest(actors: Sequence[Actor], folded: str) -> tuple[Actor, ...]:
    keys: dict[str, list[Actor]] = {}
    for actor in actors:
        for key in _full_names(actor) | _surnames(actor) | _name_words(actor):
            keys.setdefault(key, []).append(actor)
    found: list[Actor] = []
    for key in difflib.get_close_matches(folded, list(keys), n=10, cutoff=0.6):
        for actor in keys[key]:
            if actor not in found:
                found.append(actor)
    return tuple(found[:MAX_SUGGESTIONS])


def _ordered(actors: Iterable[Actor]) -> tuple[Actor, ...]:
    return tuple(sorted(actors, key=lambda actor: (-actor.weight, actor.name)))


# Words that join the parts of a name and name nobody on their own.
_LINK_WORDS = frozenset(
    {
        "and",
        "del",
        "des",
        "las",
        "los",
        "the",
        "van",
        "von",
        "und",
        "por",
        "para",
    }
)
