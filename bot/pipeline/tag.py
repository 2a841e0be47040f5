"""Tag the actors and topics an item names, in one Aho-Corasick pass over its folded text.

How an actor is recognised, and how sure Vigía is (the confidence of its `ActorTag`):

- an alias (full name, acronym, unambiguous form) is tagged on sight: FULL_MENTION (1.0); an
  acronym written in capitals in actors.toml matches capitals ("FANB") and, from four letters,
  the title case the Spanish press writes ("Fanb", "Sebin");
- a bare surname is tagged only when it is capitalised in the text, no other first name stands
  right before it ("Ricardo Maduro", "Luisa González"), and it is licensed, by
  - a full mention of the same actor earlier in the item (the actor then stands at 1.0),
  - one of the actor's titles right before it or right after it ("ministre Gil", "Saab, fiscal
    general"): TITLED (0.8),
  - a distinctive name (one nobody else in the news bears, "Maduro") needs no more: DISTINCTIVE,
  - an item about Venezuela: IN_CONTEXT;
- a generic name (one other countries' bodies or other people share: "CNE", "Assemblée
  nationale", "la Fuerza Armada", "Jorge Rodríguez") is never tagged when another country is
  named right beside it ("el CNE (CNE) de Ecuador", "Colombia's CNE"), is sure when Venezuela is
  ("Consejo Electoral de Venezuela"), and otherwise needs an item about Venezuela: IN_CONTEXT when
  Venezuela is the country named nearest to it, WEAK when another country is;
- a surname that several actors share ("Rodríguez", "Saab") goes to one of them only when one of
  its own titles stands near it, or when exactly one of them was named in full earlier; otherwise
  it is reported in `ambiguous` and tags no one;
- a one-letter slip in a distinctive name of seven letters or more ("Pedrino") counts as a
  surname;
- an exclusion phrase ("Machado de Assis") hides its actor wherever it covers a mention of it.

An item is about Venezuela when it names a Venezuela word or place that is not the name of a
venue ("Caracas Arepa Bar"), or a Venezuelan actor by an alias, a title or a distinctive name, or
when its source covers only Venezuela. Only that licenses context: a generic body or a surname
tagged by context never makes the context for another (no chains of wrong evidence).

Matches are leftmost-longest: "Vladimir Padrino López" is Padrino López, neither Putin nor Leopoldo
López. An actor's confidence is the best of its mentions; actors come in order of first mention.
Tags below CONFIDENT are kept with the item for the record, but digests, `/actor` and alerts
leave them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.fold import FoldedText, fold_phrase, fold_text, fold_titled
from bot.model import Actor, ActorTag, Topic
from bot.pipeline.tag_context import Titles, countries_named, follows_title, names_venezuela
from bot.pipeline.tag_evidence import (
    CONFIDENT,
    DISTINCTIVE,
    FULL_MENTION,
    IN_CONTEXT,
    RULE_ALIAS,
    TITLED,
    VENEZUELA,
    WEAK,
    Evidence,
)
from bot.pipeline.tag_phrases import Key, build_automaton
from bot.pipeline.tag_reading import Mention, Reading, mention_at, what_it_names
from bot.pipeline.words import FIRST_NAMES, FOREIGN_COUNTRIES, HONORIFICS, VENEZUELA_WORDS

__all__ = [
    "CONFIDENT",
    "DISTINCTIVE",
    "FULL_MENTION",
    "IN_CONTEXT",
    "TITLED",
    "WEAK",
    "Evidence",
    "TagResult",
    "Tagger",
]


@dataclass(frozen=True, slots=True)
class TagResult:
    """What the tagger finds in one item."""

    actors: tuple[ActorTag, ...] = ()
    topics: tuple[str, ...] = ()  # topic ids, in the order actors.toml declares them
    ambiguous: tuple[str, ...] = ()  # surnames that fit several actors, left untagged
    about_venezuela: bool = False  # a Venezuela word or place, or a Venezuelan actor, is named
    evidence: tuple[Evidence, ...] = ()


# TagResult is frozen: its generated __init__ sets each field through object.__setattr__, which
# costs about a µs an item. The tagger fills the slots with their own setters (Tagger._result).
_SET_ACTORS, _SET_TOPICS, _SET_AMBIGUOUS, _SET_ABOUT, _SET_EVIDENCE = (
    getattr(TagResult, name).__set__
    for name in ("actors", "topics", "ambiguous", "about_venezuela", "evidence")
)


class Tagger:
    """Built once from the actors and topics of actors.toml; then tags any number of items."""

    __slots__ = (
        "_actors",
        "_automaton",
        "_country_of",
        "_full_tags",
        "_own_names",
        "_own_titles",
        "_tags_at",
        "_titles",
        "_topic_ids",
        "_topics",
        "_topics_of",
        "_venezuelan",
    )

    def __init__(
        self,
        actors: Sequence[Actor],
        topics: Sequence[Topic] = (),
        *,
        places: Iterable[str] = VENEZUELA_WORDS,
        foreign: Mapping[str, Iterable[str]] = FOREIGN_COUNTRIES,
    ) -> None:
        """Build the matcher for actors and topics as a checked actors.toml declares them."""
        self._actors = tuple(actors)
        self._topics = tuple(topics)
        honorifics = tuple(HONORIFICS)
        self._own_titles = tuple(Titles.of(actor.titles) for actor in self._actors)
        self._titles = tuple(
            Titles.of((*actor.titles, *honorifics)) if actor.kind == "person" else own
            for actor, own in zip(self._actors, self._own_titles, strict=True)
        )
        self._own_names = tuple(
            frozenset(
                word
                for phrase in (*actor.aliases, *actor.generic, actor.name)
                for word in fold_phrase(phrase).split()
            )
            for actor in self._actors
        )
        self._automaton = build_automaton(self._actors, self._topics, places, foreign)
        self._topic_ids = tuple(topic.id for topic in self._topics)
        # The topic ids of each set of topics found (as bits, see `_scan`), made when first
        # found: at most one entry per set of topics actors.toml declares.
        self._topics_of: dict[int, tuple[str, ...]] = {0: ()}
        self._venezuelan = frozenset(i for i, actor in enumerate(self._actors) if actor.venezuelan)
        # Foreign actors' countries, by actor index.
        self._country_of = {i: actor.country for i, actor in enumerate(self._actors) if actor.country}
        # Tags are immutable: one per actor and confidence serves every item.
        self._tags_at = {
            confidence: tuple(ActorTag(a.id, a.name, confidence) for a in self._actors)
            for confidence in (FULL_MENTION, TITLED, DISTINCTIVE, IN_CONTEXT, WEAK)
        }
        self._full_tags = self._tags_at[FULL_MENTION]

    @property
    def actors(self) -> tuple[Actor, ...]:
        """The actors this tagger knows, in the order of actors.toml."""
        return self._actors

    def tag(
        self,
        text: str,
        *,
        title: str = "",
        venezuelan_source: bool = False,
        explain: bool = False,
    ) -> TagResult:
        """Tag an item: its title, when given, is read first, then its text.

        `venezuelan_source`: the item comes from a source that covers only Venezuela, which is
        context enough for generic names and surnames. `explain`: fill `evidence` (slower).
        """
        if title:
            item, head_end = fold_titled(title, text)  # the space they share starts the body
        else:
            item, head_end = fold_text(text), 0
        evidence: list[Evidence] | None = [] if explain else None
        topics, excluded, spans, marks = self._scan(item)
        # Where countries are named is worked out only when it is needed: the venue test of
        # each place costs more than the rest of an item's scan.
        countries = None if evidence is None else countries_named(item, marks, evidence)
        named_at: dict[int, int] = {}  # actor → where an alias first names it, in that order
        # Surnames and generic names, read once every alias is known.
        pending, generic = self._choose(spans, item, excluded, head_end, named_at, evidence)
        if countries is None and generic:  # only generic names ask where countries are named
            countries = countries_named(item, marks, None)
        if countries is not None:
            context = venezuelan_source or VENEZUELA in countries.values()
            self._name_countries(countries, named_at, pending)
        else:
            context = (
                venezuelan_source
                or not self._venezuelan.isdisjoint(named_at)
                or names_venezuela(item, marks)
            )
        if not pending and evidence is None:  # only aliases: every tag is a full mention
            return self._result(
                tuple(map(self._full_tags.__getitem__, named_at)), topics, context
            )
        found = {actor: (FULL_MENTION, at) for actor, at in named_at.items()}
        reading = Reading(self, item, evidence, countries, marks, named_at, found, head_end)
        context = reading.resolve(pending, context=context, venezuelan_source=venezuelan_source)
        ordered = sorted(found.items(), key=_first_mention) if len(found) > 1 else found.items()
        actors = tuple([self._tags_at[conf][a] for a, (conf, _) in ordered])
        return self._result(actors, topics, context, reading.ambiguous, evidence)

    def _scan(self, item: FoldedText) -> _Scan:
        """One pass of the automaton: the topics; the (start, stop, actor) an exclusion phrase
        covers; the (start, -stop, key) of every name; the marks of places and countries, in
        the order they are read (see `countries_named`). A plain tuple: this runs for every
        item."""
        cased = item.cased
        topics = 0  # topic indexes as bits: `|` costs less than set.update
        excluded: list[tuple[int, int, int]] = []
        spans: list[tuple[int, int, Key]] = []  # (start, -stop, key): sorted leftmost-longest
        marks: list[tuple[int, int, str | None]] = []
        for end, key in self._automaton.iter(item.folded):
            if key.only_names:  # the common case: a name and nothing else
                spans.append((end - key.length, -end, key))
                continue
            if not key.whole:  # a word beginning ("sancion*")
                if key.stems:
                    topics |= key.stems
                if key.country is not None:
                    marks.append((end - key.length + 1, 0, key.country))
                continue
            start = end - key.length  # `end` is the space after the phrase
            if key.topics:
                topics |= key.topics
            if key.excludes:
                excluded.extend((start, end, actor) for actor in key.excludes)
            if key.place:
                marks.append((start, end, None))
            elif key.country and (key.length > 4 or cased[start + 1].isupper()):
                marks.append((start, 0, key.country))  # "US", not "us"
            if key.names:
                spans.append((start, -end, key))
        return topics, excluded, spans, marks

    def _result(
        self,
        actors: tuple[ActorTag, ...],
        topics: int,
        context: bool,
        ambiguous: list[str] | None = None,
        evidence: list[Evidence] | None = None,
    ) -> TagResult:
        """TagResult(actors, topics, ambiguous, context, evidence), built faster (and called
        with positional arguments, which cost less than keywords)."""
        result: TagResult = object.__new__(TagResult)
        _SET_ACTORS(result, actors)
        names = self._topics_of.get(topics)
        if names is None:
            ids = self._topic_ids
            names = self._topics_of[topics] = tuple(
                ids[index] for index in range(len(ids)) if topics >> index & 1
            )
        _SET_TOPICS(result, names)
        _SET_AMBIGUOUS(result, tuple(dict.fromkeys(ambiguous)) if ambiguous else ())
        _SET_ABOUT(result, context)
        _SET_EVIDENCE(result, tuple(evidence) if evidence else ())
        return result

    def _choose(
        self,
        spans: list[tuple[int, int, Key]],
        item: FoldedText,
        excluded: list[tuple[int, int, int]],
        head_end: int,
        named_at: dict[int, int],
        evidence: list[Evidence] | None,
    ) -> tuple[list[Mention], bool]:
        """Leftmost-longest: a span that starts inside the last mention chosen is not read.

        Actors named by an alias go into `named_at`; the mentions that are no alias come back,
        and whether one of them is a generic name.
        """
        spans.sort()  # no two spans share a start and a stop, so keys are never compared
        cased, folded = item.cased, item.folded
        chosen: list[Mention] = []
        any_generic = False
        reach = -1
        for start, negative_stop, key in spans:
            stop = -negative_stop
            if start < reach:
                continue
            if key.simple and not excluded:
                reach = stop
                if evidence is None:
                    for actor in key.aliases:
                        named_at.setdefault(actor, start)
                else:
                    self._name(key.aliases, start, stop, named_at, cased, evidence)
                continue
            if key.bare_surname and not excluded:  # the common case, read in short
                if cased[start + 1].isupper():
                    reach = stop
                    surnames = key.surnames
                    if len(surnames) > 1 or surnames[0] not in named_at or evidence is not None:
                        chosen.append(mention_at(folded, start, stop, key, surnames, (), False))
                continue
            if key.bare_generic and not excluded:  # "la Fuerza Armada": read in short too
                if not key.capital or cased[start + 1].isupper():
                    reach = stop
                    generic = key.generic
                    if evidence is not None or not all(map(named_at.__contains__, generic)):
                        chosen.append(mention_at(folded, start, stop, key, (), generic, False))
                        any_generic = True
                continue
            if key.acronym and not cased[start + 1].isupper():
                continue  # "un", "us": a common word, neither the acronym nor a name
            aliases, surnames, generic, misspelt = what_it_names(
                key, start, stop, item, head_end, excluded
            )
            if aliases:
                reach = stop
                self._name(aliases, start, stop, named_at, cased, evidence)
            elif surnames or generic:
                reach = stop
                # "Maduro" after "Nicolás Maduro", "el CNE" after "Consejo Nacional Electoral":
                # already named in full, nothing to add (several surnames all named in full
                # are still read: they make the name ambiguous).
                if surnames:
                    adds = bool(generic) or len(surnames) > 1 or surnames[0] not in named_at
                else:
                    adds = not all(map(named_at.__contains__, generic))
                if adds or evidence is not None:
                    chosen.append(mention_at(folded, start, stop, key, surnames, generic, misspelt))
                    any_generic = any_generic or bool(generic)
        return chosen, any_generic

    def _name(
        self,
        aliases: tuple[int, ...],
        start: int,
        stop: int,
        named_at: dict[int, int],
        cased: str,
        evidence: list[Evidence] | None,
    ) -> None:
        for actor in aliases:
            if actor not in named_at:
                named_at[actor] = start
                if evidence is not None:
                    words = cased[start + 1 : stop]
                    evidence.append(Evidence(self._actors[actor].id, RULE_ALIAS, words, 1.0))

    def _name_countries(
        self, countries: dict[int, str], named_at: dict[int, int], pending: list[Mention]
    ) -> None:
        """A foreign actor named by an alias or a distinctive name names its country too ("Petro
        y el CNE": Colombia's), where no country was named already."""
        country_of = self._country_of
        # A plain loop over the few actors named, not `named_at.keys() & country_of.keys()`:
        # two views and a set for every item would cost more. (No two of them share a start.)
        for actor, at in named_at.items():
            if (country := country_of.get(actor)) is not None:
                countries.setdefault(at, country)
        for mention in pending:
            surnames = mention.surnames
            if (
                len(surnames) == 1
                and (country := country_of.get(surnames[0])) is not None
                and surnames[0] in mention.key.distinctive
                and not mention.misspelt
                and mention.previous not in FIRST_NAMES
            ):
                countries.setdefault(mention.start, country)

    def _follows_any_title(
        self, folded: str, mention: Mention, candidates: tuple[int, ...]
    ) -> bool:
        return any(follows_title(folded, mention, self._titles[a]) for a in candidates)


# What one pass of the automaton finds in an item (Tagger._scan).
_Scan = tuple[
    int,
    list[tuple[int, int, int]],
    list[tuple[int, int, "Key"]],
    list[tuple[int, int, str | None]],
]


def _first_mention(found: tuple[int, tuple[float, int]]) -> int:
    return found[1][1]
