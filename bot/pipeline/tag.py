"""Tag the actors and topics an item names, in one Aho-Corasick pass over its folded text.

How an actor is recognised, and how sure Vigía is (the confidence of its `ActorTag`):

- an alias (full name, acronym, unambiguous form) is tagged on sight: FULL_MENTION (1.0);
- a bare surname is tagged only when it is capitalised in the text and licensed, by
  - a full mention of the same actor earlier in the item (the actor then stands at 1.0 already),
  - one of the actor's titles right before it ("ministre Gil", "M. Maduro"): TITLED (0.8),
  - an item about Venezuela (a Venezuela word or place, or a Venezuelan actor named in full):
    IN_CONTEXT (0.6);
- a surname that several actors share ("Rodríguez") goes to one of them only when one of its own
  titles stands right before it, or when exactly one of them was named in full earlier; otherwise it
  is reported in `ambiguous` and tags no one;
- an alias written in capitals in actors.toml ("CNE", "ONU") matches only capitals in the text, and
  a two-letter one ("UN", "US") not at all in an all-capitals headline or body;
- an exclusion phrase ("Machado de Assis", "CNE de Colombia") hides its actor wherever it covers a
  mention of it, and leaves the other actors it names alone.

Matches are leftmost-longest: "Vladimir Padrino López" is Padrino López, neither Putin nor Leopoldo
López. An actor's confidence is the best of its mentions; actors come in order of first mention.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import ahocorasick

from bot.fold import FoldedText, fold_phrase, fold_text, fold_titled
from bot.model import Actor, ActorTag, Topic

FULL_MENTION = 1.0
TITLED = 0.8
IN_CONTEXT = 0.6

# Words and places that make an item about Venezuela, in Spanish, English and French. A trailing
# "*" matches any word that starts so. Left out on purpose, because they name other places as
# often: Valencia, Mérida, Sucre, Miranda, San Cristóbal, Bolívar (the man and the Colombian
# department), Amazonas.
VENEZUELA_WORDS: tuple[str, ...] = (
    "Venezuela",
    "venezolan*",
    "vénézuélien*",
    "venezuelan*",
    "Vinotinto",
    "Caracas",
    "caraqueñ*",
    "Maracaibo",
    "maracuch*",
    "Miraflores",
    "chavismo",
    "chavisme",
    "chavism",
    "chavist*",
    "chaviste*",
    "madurismo",
    "madurista*",
    "bolivarian*",
    "bolivarien*",
    "bolívares",
    "bolívar digital",
    "bolívar soberano",
    "bolívar fuerte",
    "Zulia",
    "Táchira",
    "Esequibo",
    "Essequibo",
    "Apure",
    "Barinas",
    "Carabobo",
    "Anzoátegui",
    "Monagas",
    "Guárico",
    "Cojedes",
    "Yaracuy",
    "Delta Amacuro",
    "Nueva Esparta",
    "isla de Margarita",
    "Barquisimeto",
    "Maracay",
    "Puerto Cabello",
    "Puerto Ordaz",
    "Ciudad Guayana",
    "Petare",
    "La Guaira",
    "Maiquetía",
    "Tocorón",
    "El Helicoide",
    "Fuerte Tiuna",
    "Arco Minero",
    "Faja del Orinoco",
    "Faja Petrolífera del Orinoco",
)

# Forms of address that license the bare surname of any person ("M. Maduro", "Sr. Cabello").
HONORIFICS: tuple[str, ...] = (
    "M.",
    "MM.",
    "Mr",
    "Mrs",
    "Ms",
    "Mme",
    "Sr",
    "Sra",
    "Srta",
    "señor",
    "señora",
    "monsieur",
    "madame",
    "Dr",
    "Dra",
    "don",
    "doña",
)


@dataclass(frozen=True, slots=True)
class TagResult:
    """What the tagger finds in one item."""

    actors: tuple[ActorTag, ...] = ()
    topics: tuple[str, ...] = ()  # topic ids, in the order actors.toml declares them
    ambiguous: tuple[str, ...] = ()  # surnames that fit several actors, left untagged
    about_venezuela: bool = False  # a Venezuela word or place, or a Venezuelan actor, is named


class Tagger:
    """Built once from the actors and topics of actors.toml; then tags any number of items."""

    __slots__ = (
        "_actor_tags",
        "_actors",
        "_automaton",
        "_own_titles",
        "_titles",
        "_topic_ids",
        "_topics",
        "_venezuelan",
    )

    def __init__(
        self,
        actors: Sequence[Actor],
        topics: Sequence[Topic] = (),
        *,
        places: Iterable[str] = VENEZUELA_WORDS,
    ) -> None:
        """Build the matcher for actors and topics as a checked actors.toml declares them."""
        self._actors = tuple(actors)
        self._topics = tuple(topics)
        self._own_titles = tuple(_fold_titles(actor.titles) for actor in self._actors)
        honorifics = _fold_titles(HONORIFICS)
        self._titles = tuple(
            own + honorifics if actor.kind == "person" else own
            for actor, own in zip(self._actors, self._own_titles, strict=True)
        )
        self._automaton = _build_automaton(self._actors, self._topics, places)
        self._topic_ids = tuple(topic.id for topic in self._topics)
        self._venezuelan = frozenset(i for i, actor in enumerate(self._actors) if actor.venezuelan)
        # Tags are immutable: one per actor and confidence serves every item.
        self._actor_tags = {
            (index, confidence): ActorTag(actor.id, actor.name, confidence)
            for index, actor in enumerate(self._actors)
            for confidence in (FULL_MENTION, TITLED, IN_CONTEXT)
        }

    @property
    def actors(self) -> tuple[Actor, ...]:
        """The actors this tagger knows, in the order of actors.toml."""
        return self._actors

    def tag(self, text: str, *, title: str = "") -> TagResult:
        """Tag an item: its title, when given, is read first, then its text."""
        if title:
            item, head_end = fold_titled(title, text)  # the space they share starts the body
            shouting = (_is_shouting(item, 0, head_end + 1), _is_shouting(item, head_end))
        else:
            item, head_end = fold_text(text), 0
            shouting = (False, _is_shouting(item, 0))
        cased, folded = item.cased, item.folded

        topics: set[int] = set()
        excluded: list[tuple[int, int, int]] = []
        spans: list[tuple[int, int, _Key]] = []
        about_venezuela = False
        for end, key in self._automaton.iter(folded):
            if not key.whole:  # a word beginning ("sancion*")
                if key.stems:
                    topics.update(key.stems)
                if key.place_stem:
                    about_venezuela = True
                continue
            start = end - key.length  # `end` is the space after the phrase
            if key.topics:
                topics.update(key.topics)
            if key.excludes:
                excluded.extend((start, end, actor) for actor in key.excludes)
            if key.place:
                about_venezuela = True
            if key.names:
                spans.append((start, end, key))

        # Leftmost-longest: a span that starts inside the last mention chosen is not read at all.
        spans.sort(key=lambda span: (span[0], -span[1]))
        chosen: list[_Mention] = []
        reach = -1
        for start, stop, key in spans:
            if start < reach:
                continue
            aliases = key.aliases
            if key.acronym and not _fits_acronym(
                cased, start, stop, key, shouting[start >= head_end]
            ):
                aliases = ()
            surnames = key.surnames
            if surnames and not cased[start + 1].isupper():
                surnames = ()
            if excluded:
                aliases = _unblocked(aliases, start, stop, excluded)
                surnames = _unblocked(surnames, start, stop, excluded)
            if aliases or surnames:
                chosen.append(_Mention(start, stop, key, aliases, surnames))
                reach = stop

        named_at: dict[int, int] = {}
        for mention in chosen:
            for actor in mention.aliases:
                named_at.setdefault(actor, mention.start)
        # (confidence, first mention) per actor: those named in full are sure from the first.
        found = {actor: (FULL_MENTION, at) for actor, at in named_at.items()}
        about_venezuela = about_venezuela or not self._venezuelan.isdisjoint(named_at)

        ambiguous: list[str] = []
        for mention in chosen:
            if mention.surnames and not mention.aliases:
                self._resolve_surname(mention, folded, named_at, about_venezuela, found, ambiguous)

        ordered = sorted(found.items(), key=lambda item: item[1][1])
        return TagResult(
            actors=tuple([self._actor_tags[a, conf] for a, (conf, _) in ordered]),
            topics=tuple([self._topic_ids[t] for t in sorted(topics)]),
            ambiguous=tuple(dict.fromkeys(ambiguous)),
            about_venezuela=about_venezuela or not self._venezuelan.isdisjoint(found),
        )

    def _resolve_surname(
        self,
        mention: _Mention,
        folded: str,
        named_at: dict[int, int],
        context: bool,
        found: dict[int, tuple[float, int]],
        ambiguous: list[str],
    ) -> None:
        start = mention.start
        candidates = mention.surnames
        named = [a for a in candidates if named_at.get(a, start) < start]
        if len(candidates) == 1:
            actor = candidates[0]
            if named:
                _record(found, actor, FULL_MENTION, start)
            elif _follows_title(folded, start, self._titles[actor]):
                _record(found, actor, TITLED, start)
            elif context:
                _record(found, actor, IN_CONTEXT, start)
            return
        # A title of one's own tells shared surnames apart; "M." or "Sr." does not.
        titled = [a for a in candidates if _follows_title(folded, start, self._own_titles[a])]
        if len(titled) == 1:
            _record(found, titled[0], TITLED, start)
        elif len(named) == 1:
            _record(found, named[0], FULL_MENTION, start)
        elif named or titled or context or self._follows_any_title(folded, start, candidates):
            ambiguous.append(mention.key.label)

    def _follows_any_title(self, folded: str, start: int, candidates: tuple[int, ...]) -> bool:
        return any(_follows_title(folded, start, self._titles[a]) for a in candidates)


@dataclass(frozen=True, slots=True)
class _Key:
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
    excludes: tuple[int, ...] = ()
    topics: tuple[int, ...] = ()  # topic indexes, matched as whole words
    stems: tuple[int, ...] = ()  # topic indexes, matched as word beginnings ("sancion*")
    place: bool = False  # a Venezuela word or place, matched as whole words
    place_stem: bool = False  # a Venezuela word matched as a word beginning ("venezolan*")
    names: bool = False  # an alias or a surname of some actor


class _Mention(NamedTuple):
    start: int  # the space before the first word
    stop: int  # the space after the last word
    key: _Key
    aliases: tuple[int, ...]
    surnames: tuple[int, ...]


@dataclass(slots=True)
class _Draft:
    label: str = ""
    aliases: list[int] = field(default_factory=list)
    acronym: bool = False
    letters: int = 0
    surnames: list[int] = field(default_factory=list)
    excludes: list[int] = field(default_factory=list)
    topics: list[int] = field(default_factory=list)
    stems: list[int] = field(default_factory=list)
    place: bool = False
    place_stem: bool = False


def _build_automaton(
    actors: tuple[Actor, ...], topics: tuple[Topic, ...], places: Iterable[str]
) -> Any:
    drafts: dict[str, _Draft] = {}

    # actors.toml was checked when it was read (bot.config): every phrase folds to something,
    # and no alias names two actors. A phrase with nothing to match is left out.
    def draft_for(phrase: str) -> tuple[str, _Draft]:
        key = fold_phrase(phrase)
        return key, drafts.setdefault(key, _Draft()) if key else _Draft()

    for index, actor in enumerate(actors):
        for alias in actor.aliases:
            key, draft = draft_for(alias)
            if index not in draft.aliases:
                draft.aliases.append(index)
            if alias.isupper():
                draft.acronym = True
                draft.letters = len(key.replace(" ", ""))
        for surname in actor.surnames:
            key, draft = draft_for(surname)
            if index not in draft.surnames:
                draft.surnames.append(index)
            draft.label = draft.label or surname
        for phrase in actor.exclude:
            _, draft = draft_for(phrase)
            draft.excludes.append(index)
    for index, topic in enumerate(topics):
        for keyword in topic.keywords:
            _, draft = draft_for(keyword)
            (draft.stems if keyword.endswith("*") else draft.topics).append(index)
    for word in places:
        _, draft = draft_for(word)
        if word.endswith("*"):
            draft.place_stem = True
        else:
            draft.place = True

    automaton = ahocorasick.Automaton()
    for key, draft in drafts.items():
        if draft.stems or draft.place_stem:
            automaton.add_word(
                " " + key,
                _Key(
                    whole=False,
                    length=len(key) + 1,
                    stems=tuple(dict.fromkeys(draft.stems)),
                    place_stem=draft.place_stem,
                ),
            )
        if draft.aliases or draft.surnames or draft.excludes or draft.topics or draft.place:
            automaton.add_word(
                " " + key + " ",
                _Key(
                    whole=True,
                    length=len(key) + 1,
                    label=draft.label,
                    aliases=tuple(draft.aliases),
                    acronym=draft.acronym,
                    letters=draft.letters,
                    surnames=tuple(draft.surnames),
                    excludes=tuple(draft.excludes),
                    topics=tuple(dict.fromkeys(draft.topics)),
                    place=draft.place,
                    names=bool(draft.aliases or draft.surnames),
                ),
            )
    automaton.make_automaton()
    return automaton


def _fold_titles(titles: Iterable[str]) -> tuple[str, ...]:
    return tuple(" " + folded + " " for folded in map(fold_phrase, titles) if folded)


def _follows_title(folded: str, start: int, titles: tuple[str, ...]) -> bool:
    return any(folded.endswith(title, 0, start + 1) for title in titles)


def _is_shouting(text: FoldedText, start: int, stop: int | None = None) -> bool:
    """True when a headline or a post is written all in capitals, so capitals say nothing."""
    cased = text.cased[start:stop]
    if cased.isascii():  # then the same test, without building the upper-case copy
        return cased.isupper()
    return cased.upper() == cased and text.folded[start:stop] != cased


def _fits_acronym(cased: str, start: int, stop: int, key: _Key, shouting: bool) -> bool:
    if not cased[start + 1 : stop].isupper():
        return False
    return key.letters > 2 or not shouting


def _unblocked(
    actors: tuple[int, ...], start: int, stop: int, excluded: list[tuple[int, int, int]]
) -> tuple[int, ...]:
    if not actors:
        return actors
    return tuple(
        actor
        for actor in actors
        if not any(a == actor and s <= start and stop <= e for s, e, a in excluded)
    )


def _record(found: dict[int, tuple[float, int]], actor: int, confidence: float, at: int) -> None:
    best, first = found.get(actor, (0.0, at))
    found[actor] = (max(best, confidence), min(first, at))
