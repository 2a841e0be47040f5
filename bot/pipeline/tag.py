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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import ahocorasick

from bot.fold import FoldedText, fold_phrase, fold_text, fold_titled
from bot.model import Actor, ActorTag, Topic
from bot.pipeline.words import (
    CALLED,
    COPULAS,
    FIRST_NAMES,
    FOREIGN_WORDS,
    HONORIFICS,
    VENEZUELA_WORDS,
    VENUES,
)

FULL_MENTION = 1.0
TITLED = 0.8
DISTINCTIVE = 0.7
IN_CONTEXT = 0.6
WEAK = 0.4
# Digests, `/actor` and alerts use the tags at or above this confidence (bench/tagging.py).
CONFIDENT = 0.5

VENEZUELA = ""  # the country label of a Venezuela word, beside foreign countries' names
_NOT_FOUND = (0.0, 0)  # (confidence, first mention) of an actor not tagged yet

# What an explanation calls each piece of evidence.
RULE_ALIAS = "alias"
RULE_NAMED = "surname after a full mention"
RULE_TITLE = "title beside the surname"
RULE_DISTINCTIVE = "distinctive name"
RULE_CONTEXT = "surname in an item about Venezuela"
RULE_QUALIFIED = "generic name beside Venezuela"
RULE_GENERIC = "generic name in an item about Venezuela"
RULE_GENERIC_FAR = "generic name, another country named nearer"
RULE_MISSPELT = "misspelt name"
NOT_OTHER_PERSON = "not tagged: another first name before it"
NOT_OTHER_COUNTRY = "not tagged: another country's"
NOT_WITHOUT_CONTEXT = "not tagged: generic name in an item not about Venezuela"
NOT_VENUE = "not Venezuela: the name of a venue"
SAYS_PLACE = "Venezuela word or place"
SAYS_ACTOR = "Venezuelan actor"
SAYS_SOURCE = "the source covers only Venezuela"

_COPULA_HEADS = frozenset(copula[0][:3].ljust(3) for copula in COPULAS)
_ARTICLES = frozenset(("the", "el", "la", "le", "l", "a", "an", "un", "una", "une"))
_CONNECTORS = frozenset(
    ("de", "del", "la", "el", "los", "las", "of", "the", "du", "des", "d", "l", "en", "in", "s")
)


class Evidence(NamedTuple):
    """Why an actor was tagged or left out, or why the item is about Venezuela."""

    subject: str  # an actor id, or "relevance"
    rule: str
    words: str  # as the text writes them, accents dropped
    confidence: float  # 0.0 when the evidence was refused


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
        "_full_tags",
        "_own_names",
        "_own_titles",
        "_tags_at",
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
        foreign: Iterable[str] = FOREIGN_WORDS,
    ) -> None:
        """Build the matcher for actors and topics as a checked actors.toml declares them."""
        self._actors = tuple(actors)
        self._topics = tuple(topics)
        honorifics = tuple(HONORIFICS)
        self._own_titles = tuple(_Titles.of(actor.titles) for actor in self._actors)
        self._titles = tuple(
            _Titles.of((*actor.titles, *honorifics)) if actor.kind == "person" else own
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
        self._automaton = _build_automaton(self._actors, self._topics, places, foreign)
        self._topic_ids = tuple(topic.id for topic in self._topics)
        self._venezuelan = frozenset(i for i, actor in enumerate(self._actors) if actor.venezuelan)
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
        countries = None if evidence is None else _countries(item, marks, evidence)
        named_at: dict[int, int] = {}  # actor → where an alias first names it, in that order
        # Surnames and generic names, read once every alias is known.
        pending = self._choose(spans, item, excluded, head_end, named_at, evidence)
        if venezuelan_source:
            context = True
        elif countries is None:
            context = _names_venezuela(item, marks)
        else:
            context = VENEZUELA in countries.values()
        if not pending and evidence is None:  # only aliases: every tag is a full mention
            return self._result(
                actors=tuple(map(self._full_tags.__getitem__, named_at)),
                topics=topics,
                context=context or not self._venezuelan.isdisjoint(named_at),
            )
        if countries is None:  # only generic names ask where countries are named
            countries = {}
            for mention in pending:
                if mention.generic:
                    countries = _countries(item, marks, None)
                    break
        found = {actor: (FULL_MENTION, at) for actor, at in named_at.items()}
        reading = _Reading(self, item, evidence, countries, named_at, found, head_end)
        context = reading.resolve(pending, context=context, venezuelan_source=venezuelan_source)
        ordered = sorted(found.items(), key=_first_mention) if len(found) > 1 else found.items()
        return self._result(
            actors=tuple([self._tags_at[conf][a] for a, (conf, _) in ordered]),
            topics=topics,
            context=context,
            ambiguous=reading.ambiguous,
            evidence=evidence,
        )

    def _scan(self, item: FoldedText) -> _Scan:
        """One pass of the automaton: the topics; the (start, stop, actor) an exclusion phrase
        covers; the (start, -stop, key) of every name; the marks of places and countries, in
        the order they are read (see `_countries`). A plain tuple: this runs for every item."""
        cased = item.cased
        topics: set[int] = set()
        excluded: list[tuple[int, int, int]] = []
        spans: list[tuple[int, int, _Key]] = []  # (start, -stop, key): sorted leftmost-longest
        marks: list[tuple[int, int, str | None]] = []
        for end, key in self._automaton.iter(item.folded):
            if key.only_names:  # the common case: a name and nothing else
                spans.append((end - key.length, -end, key))
                continue
            if not key.whole:  # a word beginning ("sancion*")
                if key.stems:
                    topics.update(key.stems)
                if key.country is not None:
                    marks.append((end - key.length + 1, 0, key.country))
                continue
            start = end - key.length  # `end` is the space after the phrase
            if key.topics:
                topics.update(key.topics)
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
        *,
        actors: tuple[ActorTag, ...],
        topics: set[int],
        context: bool,
        ambiguous: list[str] | None = None,
        evidence: list[Evidence] | None = None,
    ) -> TagResult:
        """TagResult(actors, topics, ambiguous, context, evidence), built faster."""
        result: TagResult = object.__new__(TagResult)
        _SET_ACTORS(result, actors)
        _SET_TOPICS(
            result, tuple(map(self._topic_ids.__getitem__, sorted(topics))) if topics else ()
        )
        _SET_AMBIGUOUS(result, tuple(dict.fromkeys(ambiguous)) if ambiguous else ())
        _SET_ABOUT(result, context)
        _SET_EVIDENCE(result, tuple(evidence) if evidence else ())
        return result

    def _choose(
        self,
        spans: list[tuple[int, int, _Key]],
        item: FoldedText,
        excluded: list[tuple[int, int, int]],
        head_end: int,
        named_at: dict[int, int],
        evidence: list[Evidence] | None,
    ) -> list[_Mention]:
        """Leftmost-longest: a span that starts inside the last mention chosen is not read.

        Actors named by an alias go into `named_at`; the mentions that are no alias come back.
        """
        spans.sort()  # no two spans share a start and a stop, so keys are never compared
        cased, folded = item.cased, item.folded
        chosen: list[_Mention] = []
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
                        chosen.append(_mention(folded, start, stop, key, surnames, (), False))
                continue
            aliases, surnames, generic, misspelt = _what_it_names(
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
                    chosen.append(_mention(folded, start, stop, key, surnames, generic, misspelt))
        return chosen

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

    def _follows_any_title(
        self, folded: str, mention: _Mention, candidates: tuple[int, ...]
    ) -> bool:
        return any(_follows_title(folded, mention, self._titles[a]) for a in candidates)


class _Reading:
    """What the tagger has found so far in one item, and why."""

    __slots__ = (
        "ambiguous",
        "countries",
        "evidence",
        "found",
        "generic",
        "head_end",
        "item",
        "named_at",
        "shouting",
        "tagger",
    )

    def __init__(
        self,
        tagger: Tagger,
        item: FoldedText,
        evidence: list[Evidence] | None,
        countries: dict[int, str],
        named_at: dict[int, int],
        found: dict[int, tuple[float, int]],
        head_end: int,
    ) -> None:
        self.tagger = tagger
        self.head_end = head_end
        self.shouting: tuple[bool, bool] | None = None  # worked out when a capital matters
        self.generic: list[_Mention] = []
        self.item = item
        self.evidence = evidence  # None unless asked for: building it costs time
        self.countries = countries  # where a country is named → VENEZUELA or its name
        self.named_at = named_at  # actor → where an alias first names it
        self.found = found  # actor → (confidence, first mention)
        self.ambiguous: list[str] = []

    def resolve(self, pending: list[_Mention], *, context: bool, venezuelan_source: bool) -> bool:
        """Read the surnames and generic names; True when the item is about Venezuela.

        Names that license themselves (a full mention, a title, a distinctive name, a generic
        name beside Venezuela) are read first; then, in an item about Venezuela, the context
        licenses the rest: the context never rests on a name it licensed. `context`: a Venezuela
        word or place is named, or the source covers only Venezuela.
        """
        tagger, found, countries = self.tagger, self.found, self.countries
        if self.evidence is not None:
            places = [at for at, country in countries.items() if country == VENEZUELA]
            if places:
                at = min(places)
                self.say("relevance", SAYS_PLACE, at, self.item.folded.index(" ", at + 1), 1.0)
            elif venezuelan_source:
                self.say("relevance", SAYS_SOURCE, 0, 0, 1.0, "scope = venezuela")
        # Plain loops rather than comprehensions: this runs for every item that names someone
        # by a surname or a generic name, and each comprehension is one more call.
        generic: list[_Mention] = []
        self.generic = generic  # so far: a surname asks only about the names before it
        unsettled: list[_Mention] = []
        for mention in pending:
            if mention.generic:
                generic.append(mention)
            surnames = mention.surnames
            if not surnames:
                continue
            # Settled: the one actor it may be is already tagged past anything it could add
            # (a title at most: a full mention came first or never).
            if len(surnames) == 1 and found.get(surnames[0], _NOT_FOUND)[0] >= TITLED:
                continue
            if not self.resolve_surname(mention):
                unsettled.append(mention)
        left: list[tuple[_Mention, list[int]]] = []
        for mention in generic:
            left.append((mention, self.resolve_generic(mention)))
        if not context:
            for actor, (confidence, _) in found.items():
                if confidence >= CONFIDENT and actor in tagger._venezuelan:
                    context = True
                    self.say("relevance", SAYS_ACTOR, 0, 0, 1.0, tagger._actors[actor].id)
                    break
        for mention, actors in left:
            if actors:
                self.generic_in_context(mention, actors, context=context)
        for mention in unsettled:
            self.resolve_in_context(mention, context=context)
        return context

    def say(
        self, subject: str, rule: str, start: int, stop: int, confidence: float, words: str = ""
    ) -> None:
        if self.evidence is not None:
            words = words or self.item.cased[start + 1 : stop]
            self.evidence.append(Evidence(subject, rule, words, confidence))

    def tag(self, actor: int, confidence: float, rule: str, mention: _Mention) -> None:
        start = mention.start
        best, first = self.found.get(actor, (0.0, start))
        if best < confidence:
            self.found[actor] = (confidence, first if first < start else start)
            if self.evidence is not None:
                words = self.item.cased[start + 1 : mention.stop]
                actor_id = self.tagger._actors[actor].id
                self.evidence.append(Evidence(actor_id, rule, words, confidence))
        elif start < first:
            self.found[actor] = (best, start)

    def resolve_surname(self, mention: _Mention) -> bool:
        """Tag a bare surname that licenses itself; False when only the context could."""
        folded = self.item.folded
        start, stop = mention.start, mention.stop
        candidates = (
            self._candidates(mention, report=True)
            if mention.previous in FIRST_NAMES
            else mention.surnames
        )
        if not candidates:
            return True
        tagger = self.tagger
        if len(candidates) == 1:
            actor = candidates[0]
            if self.named_at.get(actor, start) < start:
                rule, confidence = RULE_NAMED, FULL_MENTION
            elif _follows_title(folded, mention, tagger._titles[actor]) or _precedes_title(
                folded, stop, tagger._own_titles[actor]
            ):
                rule, confidence = RULE_TITLE, TITLED
            elif (
                actor in mention.key.distinctive
                and not (self.shouting or self._shouting())[start >= self.head_end]
            ):
                rule, confidence = RULE_DISTINCTIVE, DISTINCTIVE
            else:
                return False
            if mention.misspelt:
                return False  # a slip is read only in an item about Venezuela
            self.tag(actor, confidence, rule, mention)
            return True
        # A title of one's own tells shared surnames apart; "M." or "Sr." does not.
        named = [a for a in candidates if self.named_at.get(a, start) < start]
        if any(self.first_generic(a, start) < start for a in candidates if a not in named):
            return False  # "Jorge Rodríguez" before it: wait to know whether that is him
        window = _window(folded, start)
        titled = [a for a in candidates if _near_title(folded, window, stop, tagger._own_titles[a])]
        if len(titled) == 1:
            self.tag(titled[0], TITLED, RULE_TITLE, mention)
        elif len(named) == 1:
            self.tag(named[0], FULL_MENTION, RULE_NAMED, mention)
        elif named or titled or tagger._follows_any_title(folded, mention, candidates):
            self.ambiguous.append(mention.key.label)
        else:
            return False
        return True

    def resolve_in_context(self, mention: _Mention, *, context: bool) -> None:
        """Tag a surname that `resolve_surname` left, once every other name is read and
        whether the item is about Venezuela is known."""
        candidates = (
            self._candidates(mention, report=False)
            if mention.previous in FIRST_NAMES
            else mention.surnames
        )
        start = mention.start
        if len(candidates) == 1:
            if context:
                rule = RULE_MISSPELT if mention.misspelt else RULE_CONTEXT
                self.tag(candidates[0], IN_CONTEXT, rule, mention)
            return
        named = [a for a in candidates if a in self.found and self.found[a][1] < start]
        if len(named) == 1:
            self.tag(named[0], self.found[named[0]][0], RULE_NAMED, mention)
        elif named or context:
            self.ambiguous.append(mention.key.label)

    def first_generic(self, actor: int, default: int) -> int:
        """Where a generic name read so far may first name the actor, else `default`."""
        for mention in self.generic:
            if actor in mention.generic:
                return mention.start
        return default

    def _shouting(self) -> tuple[bool, bool]:
        """Whether the title, and the text, are all in capitals: worked out once, if asked."""
        self.shouting = _shouting(self.item, self.head_end)
        return self.shouting

    def _candidates(self, mention: _Mention, *, report: bool) -> tuple[int, ...]:
        """The actors a surname may name, less those another first name before it rules out."""
        before, first = mention.before, mention.previous
        if first not in FIRST_NAMES or before < 0 or not self.item.cased[before + 1].isupper():
            return mention.surnames
        own_names = self.tagger._own_names
        kept = tuple(a for a in mention.surnames if first in own_names[a])
        if report:
            for actor in mention.surnames:
                if actor not in kept:
                    actor_id = self.tagger._actors[actor].id
                    self.say(actor_id, NOT_OTHER_PERSON, before, mention.stop, 0.0)
        return kept

    def resolve_generic(self, mention: _Mention) -> list[int]:
        """Tag a generic name that licenses itself (Venezuela beside it, a full mention earlier,
        a title); the actors only the context could license."""
        tagger, folded = self.tagger, self.item.folded
        start, stop = mention.start, mention.stop
        beside = _country_beside(self.item, start, stop, self.countries)
        if beside:
            for actor in mention.generic:
                rule = f"{NOT_OTHER_COUNTRY} ({beside})"
                self.say(tagger._actors[actor].id, rule, start, stop, 0.0)
            return []
        left = []
        for actor in mention.generic:
            if beside == VENEZUELA:
                self.tag(actor, FULL_MENTION, RULE_QUALIFIED, mention)
            elif self.named_at.get(actor, start) < start:
                self.tag(actor, FULL_MENTION, RULE_NAMED, mention)
            elif (titles := tagger._own_titles[actor]).all and (
                _follows_title(folded, mention, titles) or _precedes_title(folded, stop, titles)
            ):
                self.tag(actor, TITLED, RULE_TITLE, mention)
            else:
                left.append(actor)
        return left

    def generic_in_context(self, mention: _Mention, actors: list[int], *, context: bool) -> None:
        """Tag what `resolve_generic` left: in an item about Venezuela, surely only when
        Venezuela is the country named nearest."""
        start, stop = mention.start, mention.stop
        if not context:
            for actor in actors:
                self.say(self.tagger._actors[actor].id, NOT_WITHOUT_CONTEXT, start, stop, 0.0)
            return
        if _nearest_country(self.countries, start) == VENEZUELA:
            confidence, rule = IN_CONTEXT, RULE_GENERIC
        else:
            confidence, rule = WEAK, RULE_GENERIC_FAR
        for actor in actors:
            self.tag(actor, confidence, rule, mention)


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
    distinctive: tuple[int, ...] = ()  # those of `surnames` for whom the name alone is enough
    generic: tuple[int, ...] = ()
    misspelt: tuple[int, ...] = ()  # actors whose distinctive name this is one letter off
    excludes: tuple[int, ...] = ()
    topics: tuple[int, ...] = ()  # topic indexes, matched as whole words
    stems: tuple[int, ...] = ()  # topic indexes, matched as word beginnings ("sancion*")
    place: bool = False  # a Venezuela word or place, matched as whole words
    country: str | None = None  # VENEZUELA, or the name of another country or its people
    names: bool = False  # an alias, a surname or a generic name of some actor
    simple: bool = False  # only an alias, and not an acronym: nothing to check
    capital: bool = False  # a generic name written with a capital: it needs one in the text
    only_names: bool = False  # whole words that name someone and mean nothing else
    bare_surname: bool = False  # only a surname (or several): no alias, generic name or slip


# What one pass of the automaton finds in an item (Tagger._scan).
_Scan = tuple[
    set[int],
    list[tuple[int, int, int]],
    list[tuple[int, int, "_Key"]],
    list[tuple[int, int, str | None]],
]


def _countries(
    item: FoldedText, marks: list[tuple[int, int, str | None]], evidence: list[Evidence] | None
) -> dict[int, str]:
    """Where a country is named → VENEZUELA or its name, from the marks of `Tagger._scan`:
    (start, stop, None) for a Venezuela word or place, which counts unless it names a venue;
    (start, 0, name) for a country, which counts unless something was named there before."""
    cased, folded = item.cased, item.folded
    countries: dict[int, str] = {}
    for start, stop, country in marks:
        if country is not None:
            countries.setdefault(start, country)
        elif not _names_a_venue(cased, folded, start, stop):
            countries[start] = VENEZUELA
        elif evidence is not None:
            evidence.append(Evidence("relevance", NOT_VENUE, cased[start + 1 : stop], 0.0))
    return countries


def _names_venezuela(item: FoldedText, marks: list[tuple[int, int, str | None]]) -> bool:
    """Whether `_countries` would name Venezuela somewhere, testing as few venues as it can."""
    cased, folded = item.cased, item.folded
    for start, stop, country in marks:
        if country is None and not _names_a_venue(cased, folded, start, stop):
            return True
    # Every place names a venue: only a Venezuela word beginning ("venezolan*") is left, where
    # nothing was named before it.
    first: dict[int, str] = {}
    for start, _, country in marks:
        if country is not None:
            first.setdefault(start, country)
    return VENEZUELA in first.values()


class _Mention(NamedTuple):
    start: int  # the space before the first word
    stop: int  # the space after the last word
    key: _Key
    surnames: tuple[int, ...]
    generic: tuple[int, ...]
    misspelt: bool
    before: int  # the space before the word before it, or -1
    previous: str  # the word before it, folded


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


def _build_automaton(
    actors: tuple[Actor, ...],
    topics: tuple[Topic, ...],
    places: Iterable[str],
    foreign: Iterable[str],
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

    actors.toml was checked when it was read (bot.config): every phrase folds to something,
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
    foreign: Iterable[str],
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
    for word in foreign:
        key, draft = _draft_for(drafts, word)
        label = key.rstrip("*").strip()
        if word.endswith("*"):
            draft.country_stem = draft.country_stem if draft.country_stem is not None else label
        elif not draft.place:
            draft.country = label


def _keys(key: str, draft: _Draft) -> Iterable[tuple[str, _Key]]:
    """The automaton's entries for one folded phrase: as a word beginning, as whole words."""
    if draft.stems or draft.country_stem is not None:
        stems = tuple(dict.fromkeys(draft.stems))
        yield (
            " " + key,
            _Key(whole=False, length=len(key) + 1, stems=stems, country=draft.country_stem),
        )
    names = bool(draft.aliases or draft.surnames or draft.generic or draft.misspelt)
    other = bool(draft.excludes or draft.topics or draft.place or draft.country is not None)
    if names or other:
        yield (
            " " + key + " ",
            _Key(
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
                topics=tuple(dict.fromkeys(draft.topics)),
                place=draft.place,
                country=draft.country,
                names=names,
                capital=draft.capital,
                simple=bool(draft.aliases)
                and not (draft.acronym or draft.surnames or draft.generic or draft.misspelt),
                only_names=names and not other,
                bare_surname=bool(draft.surnames)
                and not (draft.aliases or draft.generic or draft.misspelt or draft.acronym),
            ),
        )


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


def _what_it_names(
    key: _Key,
    start: int,
    stop: int,
    item: FoldedText,
    head_end: int,
    excluded: list[tuple[int, int, int]],
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], bool]:
    """The aliases, surnames and generic names a span may stand for as the text writes it, and
    whether the surnames are a slip: acronyms and surnames need their capitals, and an
    exclusion phrase hides its actor."""
    cased = item.cased
    aliases, generic = key.aliases, key.generic
    if key.acronym:
        written = cased[start + 1 : stop]
        if not written.isupper():
            # "Fanb", "Sebin": the Spanish press writes long acronyms in title case.
            if key.letters < 4 or not written.istitle() or " " in written:
                aliases = generic = ()
        elif key.letters <= 2 and _shouting(item, head_end)[start >= head_end]:
            aliases = generic = ()  # "UN", "US": not in a headline all in capitals
    surnames, misspelt = key.surnames, key.misspelt
    if not cased[start + 1].isupper():
        surnames = misspelt = ()
        if key.capital:
            generic = ()
    if excluded:
        aliases = _unblocked(aliases, start, stop, excluded)
        surnames = _unblocked(surnames, start, stop, excluded)
        generic = _unblocked(generic, start, stop, excluded)
    if misspelt and not surnames:
        return aliases, misspelt, generic, True
    return aliases, surnames, generic, False


def _mention(
    folded: str,
    start: int,
    stop: int,
    key: _Key,
    surnames: tuple[int, ...],
    generic: tuple[int, ...],
    misspelt: bool,
) -> _Mention:
    before = folded.rfind(" ", 0, start)
    return _Mention(
        start, stop, key, surnames, generic, misspelt, before, folded[before + 1 : start]
    )


class _Titles(NamedTuple):
    """Folded titles (" fiscal general "), indexed by their last and their first word."""

    all: tuple[str, ...]
    by_last: dict[str, tuple[str, ...]]
    by_first: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, titles: Iterable[str]) -> _Titles:
        folded = tuple(dict.fromkeys(" " + f + " " for f in map(fold_phrase, titles) if f))
        by_last: dict[str, list[str]] = {}
        by_first: dict[str, list[str]] = {}
        for title in folded:
            words = title.split()
            by_last.setdefault(words[-1], []).append(title)
            by_first.setdefault(words[0], []).append(title)
        return cls(
            folded,
            {word: tuple(found) for word, found in by_last.items()},
            {word: tuple(found) for word, found in by_first.items()},
        )


def _follows_title(folded: str, mention: _Mention, titles: _Titles) -> bool:
    """A title right before the name: "el ministro Gil", "M. Maduro"."""
    candidates = titles.by_last.get(mention.previous)
    start = mention.start
    return candidates is not None and any(
        folded.endswith(title, 0, start + 1) for title in candidates
    )


def _precedes_title(folded: str, stop: int, titles: _Titles) -> bool:
    """An apposition: "Saab, fiscal general", "Saab, the attorney general", "Cabello, le
    ministre de l'Intérieur"."""
    after = folded.find(" ", stop + 1)
    if after < 0:
        return False
    word = folded[stop + 1 : after]
    if word in _ARTICLES:
        stop, after = after, folded.find(" ", after + 1)
        word = folded[stop + 1 : after]
    candidates = titles.by_first.get(word)
    return candidates is not None and any(folded.startswith(title, stop) for title in candidates)


def _window(folded: str, start: int) -> str:
    """The six words before a name, between spaces."""
    return " " + " ".join(folded[max(0, start - 80) : start].split()[-6:]) + " "


def _near_title(folded: str, window: str, stop: int, titles: _Titles) -> bool:
    """A title right after the name, or within the window of words before it."""
    if _precedes_title(folded, stop, titles):
        return True
    return any(map(window.__contains__, titles.all))  # no generator: it costs more than the search


def _country_beside(
    item: FoldedText, start: int, stop: int, countries: dict[int, str]
) -> str | None:
    """The country named right beside a name: after it ("(CNE) de Ecuador", "nationale
    française"), or just before it ("Ecuador's CNE", "the Colombian CNE")."""
    low, high = start - 40, stop + 60
    for at in countries:
        if low <= at <= high:
            break
    else:
        return None  # none within reach: the common case
    folded, cased = item.folded, item.cased
    at = stop
    for step in range(5):
        if at in countries:
            return countries[at]
        after = folded.find(" ", at + 1)
        if after < 0:
            break
        word = folded[at + 1 : after]
        # A parenthesised acronym first ("(CNE)", "(Ceni)"), then only linking words.
        if word not in _CONNECTORS and not (
            step == 0 and _looks_like_acronym(cased[at + 1 : after])
        ):
            break
        at = after
    at = start
    for _ in range(2):
        before = folded.rfind(" ", 0, at)
        if before < 0:
            break
        if before in countries:
            return countries[before]
        if folded[before + 1 : at] != "s":  # "Ecuador's" folds to "ecuador s"
            break
        at = before
    return None


def _looks_like_acronym(word: str) -> bool:
    return 2 <= len(word) <= 6 and word[0].isupper() and (word.isupper() or len(word) <= 5)


def _nearest_country(countries: dict[int, str], at: int) -> str:
    if len(countries) < 2:  # none: the context comes from the source or an actor
        return next(iter(countries.values()), VENEZUELA)
    nearest, distance = VENEZUELA, -1
    for place, country in countries.items():  # the first of the nearest, as min() gives
        if distance < 0 or abs(place - at) < distance:
            nearest, distance = country, abs(place - at)
    return nearest


def _names_a_venue(cased: str, folded: str, start: int, stop: int) -> bool:
    """A place used as a name: "Caracas Arepa Bar", "Café Caracas", "a restaurant called
    Caracas", "Caracas is a tiny restaurant"."""
    before = folded.rfind(" ", 0, start)
    if before >= 0:
        previous = folded[before + 1 : start]
        if previous in CALLED or (previous in VENUES and cased[before + 1].isupper()):
            return True
    if stop + 1 >= len(folded):
        return False
    capital = cased[stop + 1].isupper()
    if not capital and folded[stop + 1 : stop + 4] not in _COPULA_HEADS:
        return False  # the common case: "Caracas" followed by a small word
    following = folded[stop + 1 : stop + 80].split(" ")[:7]
    if capital:
        for word, written in zip(following, cased[stop + 1 : stop + 80].split(" "), strict=False):
            if not written[:1].isupper():
                break
            if word in VENUES:
                return True
    return tuple(following[:2]) in COPULAS and any(word in VENUES for word in following[2:])


def _is_shouting(text: FoldedText, start: int, stop: int | None = None) -> bool:
    """True when a headline or a post is written all in capitals, so capitals say nothing."""
    cased = text.cased[start:stop]
    if cased.isascii():  # then the same test, without building the upper-case copy
        return cased.isupper()
    return cased.upper() == cased and text.folded[start:stop] != cased


def _shouting(item: FoldedText, head_end: int) -> tuple[bool, bool]:
    """Whether the title, and the text, are written all in capitals."""
    if head_end:
        return _is_shouting(item, 0, head_end + 1), _is_shouting(item, head_end)
    return False, _is_shouting(item, 0)


def _first_mention(found: tuple[int, tuple[float, int]]) -> int:
    return found[1][1]


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
