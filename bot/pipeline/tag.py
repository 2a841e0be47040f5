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


class Tagger:
    """Built once from the actors and topics of actors.toml; then tags any number of items."""

    __slots__ = (
        "_actor_tags",
        "_actors",
        "_automaton",
        "_own_names",
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
        self._actor_tags = {
            (index, confidence): ActorTag(actor.id, actor.name, confidence)
            for index, actor in enumerate(self._actors)
            for confidence in (FULL_MENTION, TITLED, DISTINCTIVE, IN_CONTEXT, WEAK)
        }

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
        cased, folded = item.cased, item.folded
        evidence: list[Evidence] | None = [] if explain else None

        topics: set[int] = set()
        excluded: list[tuple[int, int, int]] = []
        spans: list[tuple[int, int, _Key]] = []  # (start, -stop, key): sorted leftmost-longest
        countries: dict[int, str] = {}  # where a country is named → VENEZUELA or its name
        for end, key in self._automaton.iter(folded):
            if not key.whole:  # a word beginning ("sancion*")
                if key.stems:
                    topics.update(key.stems)
                if key.country is not None:
                    countries.setdefault(end - key.length + 1, key.country)
                continue
            start = end - key.length  # `end` is the space after the phrase
            if key.topics:
                topics.update(key.topics)
            if key.excludes:
                excluded.extend((start, end, actor) for actor in key.excludes)
            if key.place:
                if not _names_a_venue(cased, folded, start, end):
                    countries[start] = VENEZUELA
                elif evidence is not None:
                    evidence.append(Evidence("relevance", NOT_VENUE, cased[start + 1 : end], 0.0))
            elif key.country and (key.length > 4 or cased[start + 1].isupper()):
                countries.setdefault(start, key.country)  # "US", not "us"
            if key.names:
                spans.append((start, -end, key))

        named_at: dict[int, int] = {}  # actor → where an alias first names it
        # Surnames and generic names, read once every alias is known.
        pending = self._choose(spans, item, excluded, head_end, named_at, evidence)
        found = {actor: (FULL_MENTION, at) for actor, at in named_at.items()}

        context = venezuelan_source or VENEZUELA in countries.values()
        ambiguous: list[str] = []
        if pending or evidence is not None:
            reading = _Reading(self, item, evidence, countries, named_at, found, head_end)
            context = reading.resolve(pending, venezuelan_source=venezuelan_source)
            ambiguous = reading.ambiguous
        elif not context:
            context = not self._venezuelan.isdisjoint(found)

        ordered = sorted(found.items(), key=_first_mention) if len(found) > 1 else found.items()
        return TagResult(
            actors=tuple([self._actor_tags[a, conf] for a, (conf, _) in ordered]),
            topics=tuple([self._topic_ids[t] for t in sorted(topics)]) if topics else (),
            ambiguous=tuple(dict.fromkeys(ambiguous)) if ambiguous else (),
            about_venezuela=context,
            evidence=tuple(evidence) if evidence else (),
        )

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
        cased = item.cased
        shouting: tuple[bool, bool] | None = None  # worked out only when an acronym needs it
        chosen: list[_Mention] = []
        reach = -1
        for start, negative_stop, key in spans:
            stop = -negative_stop
            if start < reach:
                continue
            if key.simple and not excluded:
                reach = stop
                self._name(key.aliases, start, stop, named_at, cased, evidence)
                continue
            aliases, generic = key.aliases, key.generic
            if key.acronym:
                written = cased[start + 1 : stop]
                if not written.isupper():
                    # "Fanb", "Sebin": the Spanish press writes long acronyms in title case.
                    if key.letters < 4 or not written.istitle() or " " in written:
                        aliases = generic = ()
                elif key.letters <= 2:  # "UN", "US": not in a headline all in capitals
                    if shouting is None:
                        shouting = _shouting(item, head_end)
                    if shouting[start >= head_end]:
                        aliases = generic = ()
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
                surnames = misspelt
            else:
                misspelt = ()
            if aliases:
                reach = stop
                self._name(aliases, start, stop, named_at, cased, evidence)
            elif surnames or generic:
                reach = stop
                if (
                    generic
                    or len(surnames) > 1
                    or surnames[0] not in named_at
                    or evidence is not None
                ):
                    chosen.append(_Mention(start, stop, key, surnames, generic, bool(misspelt)))
                # else: "Maduro" after "Nicolás Maduro": already named in full, nothing to add
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

    def _follows_any_title(self, folded: str, start: int, candidates: tuple[int, ...]) -> bool:
        return any(_follows_title(folded, start, self._titles[a]) for a in candidates)


class _Reading:
    """What the tagger has found so far in one item, and why."""

    __slots__ = (
        "ambiguous",
        "countries",
        "evidence",
        "found",
        "head_end",
        "item",
        "mentioned",
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
        self.mentioned: dict[int, int] = {}  # actor → where a generic name may first name it
        self.item = item
        self.evidence = evidence  # None unless asked for: building it costs time
        self.countries = countries  # where a country is named → VENEZUELA or its name
        self.named_at = named_at  # actor → where an alias first names it
        self.found = found  # actor → (confidence, first mention)
        self.ambiguous: list[str] = []

    def resolve(self, pending: list[_Mention], *, venezuelan_source: bool) -> bool:
        """Read the surnames and generic names; True when the item is about Venezuela.

        Names that license themselves (a full mention, a title, a distinctive name, a generic
        name beside Venezuela) are read first; then, in an item about Venezuela, the context
        licenses the rest: the context never rests on a name it licensed.
        """
        tagger, found, countries = self.tagger, self.found, self.countries
        context = venezuelan_source or VENEZUELA in countries.values()
        if self.evidence is not None:
            places = [at for at, country in countries.items() if country == VENEZUELA]
            if places:
                at = min(places)
                self.say("relevance", SAYS_PLACE, at, self.item.folded.index(" ", at + 1), 1.0)
            elif venezuelan_source:
                self.say("relevance", SAYS_SOURCE, 0, 0, 1.0, "scope = venezuela")
        generic = [m for m in pending if m.generic]
        for mention in generic:  # where a generic name might name someone, for shared surnames
            for actor in mention.generic:
                self.mentioned.setdefault(actor, mention.start)
        unsettled = [
            m
            for m in pending
            if m.surnames and not self._settled(m.surnames) and not self.resolve_surname(m)
        ]
        left = [(m, self.resolve_generic(m)) for m in generic]
        if not context:
            sure = [a for a in found if a in tagger._venezuelan and found[a][0] >= CONFIDENT]
            if sure:
                context = True
                self.say("relevance", SAYS_ACTOR, 0, 0, 1.0, tagger._actors[sure[0]].id)
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

    def _settled(self, actors: tuple[int, ...]) -> bool:
        """True when the one actor a name may be is already tagged past anything it could add
        (a title at most: a full mention came first or never)."""
        if len(actors) != 1:
            return False
        found = self.found.get(actors[0])
        return found is not None and found[0] >= TITLED

    def resolve_surname(self, mention: _Mention) -> bool:
        """Tag a bare surname that licenses itself; False when only the context could."""
        folded = self.item.folded
        start, stop = mention.start, mention.stop
        candidates = self._candidates(mention, report=True)
        if not candidates:
            return True
        tagger = self.tagger
        if len(candidates) == 1:
            actor = candidates[0]
            if self.named_at.get(actor, start) < start:
                rule, confidence = RULE_NAMED, FULL_MENTION
            elif _follows_title(folded, start, tagger._titles[actor]) or _precedes_title(
                folded, stop, tagger._own_titles[actor]
            ):
                rule, confidence = RULE_TITLE, TITLED
            elif actor in mention.key.distinctive and not self._shouting_at(start):
                rule, confidence = RULE_DISTINCTIVE, DISTINCTIVE
            else:
                return False
            if mention.misspelt:
                return False  # a slip is read only in an item about Venezuela
            self.tag(actor, confidence, rule, mention)
            return True
        # A title of one's own tells shared surnames apart; "M." or "Sr." does not.
        named = [a for a in candidates if self.named_at.get(a, start) < start]
        if any(self.mentioned.get(a, start) < start for a in candidates if a not in named):
            return False  # "Jorge Rodríguez" before it: wait to know whether that is him
        window = _window(folded, start)
        titled = [a for a in candidates if _near_title(folded, window, stop, tagger._own_titles[a])]
        if len(titled) == 1:
            self.tag(titled[0], TITLED, RULE_TITLE, mention)
        elif len(named) == 1:
            self.tag(named[0], FULL_MENTION, RULE_NAMED, mention)
        elif named or titled or tagger._follows_any_title(folded, start, candidates):
            self.ambiguous.append(mention.key.label)
        else:
            return False
        return True

    def resolve_in_context(self, mention: _Mention, *, context: bool) -> None:
        """Tag a surname that `resolve_surname` left, once every other name is read and
        whether the item is about Venezuela is known."""
        candidates = self._candidates(mention, report=False)
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

    def _shouting_at(self, start: int) -> bool:
        """Whether the title or the text around `start` is all in capitals."""
        if self.shouting is None:
            self.shouting = _shouting(self.item, self.head_end)
        return self.shouting[start >= self.head_end]

    def _candidates(self, mention: _Mention, *, report: bool) -> tuple[int, ...]:
        """The actors a surname may name, less those another first name before it rules out."""
        item, start = self.item, mention.start
        before = item.folded.rfind(" ", 0, start)
        first = item.folded[before + 1 : start]
        if first not in FIRST_NAMES or before < 0 or not item.cased[before + 1].isupper():
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
                _follows_title(folded, start, titles) or _precedes_title(folded, stop, titles)
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


class _Mention(NamedTuple):
    start: int  # the space before the first word
    stop: int  # the space after the last word
    key: _Key
    surnames: tuple[int, ...]
    generic: tuple[int, ...]
    misspelt: bool


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
        for name in actor.generic:
            key, draft = draft_for(name)
            if index not in draft.generic:
                draft.generic.append(index)
            draft.capital = draft.capital or name[0].isupper()
            if name.isupper():
                draft.acronym = True
                draft.letters = len(key.replace(" ", ""))
        for surname in (*actor.surnames, *actor.distinctive):
            key, draft = draft_for(surname)
            if index not in draft.surnames:
                draft.surnames.append(index)
            draft.label = draft.label or surname
        for name in actor.distinctive:
            draft_for(name)[1].distinctive.append(index)
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
            draft.country_stem = VENEZUELA
        else:
            draft.place = True
    for word in foreign:
        key, draft = draft_for(word)
        label = key.rstrip("*").strip()
        if word.endswith("*"):
            draft.country_stem = draft.country_stem if draft.country_stem is not None else label
        elif not draft.place:
            draft.country = label
    _add_slips(actors, drafts)

    automaton = ahocorasick.Automaton()
    for key, draft in drafts.items():
        if draft.stems or draft.country_stem is not None:
            automaton.add_word(
                " " + key,
                _Key(
                    whole=False,
                    length=len(key) + 1,
                    stems=tuple(dict.fromkeys(draft.stems)),
                    country=draft.country_stem,
                ),
            )
        names = bool(draft.aliases or draft.surnames or draft.generic or draft.misspelt)
        if names or draft.excludes or draft.topics or draft.place or draft.country is not None:
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
                ),
            )
    automaton.make_automaton()
    return automaton


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


def _follows_title(folded: str, start: int, titles: _Titles) -> bool:
    """A title right before the name: "el ministro Gil", "M. Maduro"."""
    candidates = titles.by_last.get(folded[folded.rfind(" ", 0, start) + 1 : start])
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
    return any(title in window for title in titles.all)


def _country_beside(
    item: FoldedText, start: int, stop: int, countries: dict[int, str]
) -> str | None:
    """The country named right beside a name: after it ("(CNE) de Ecuador", "nationale
    française"), or just before it ("Ecuador's CNE", "the Colombian CNE")."""
    if not any(start - 40 <= at <= stop + 60 for at in countries):
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
    return min(countries.items(), key=lambda place: abs(place[0] - at))[1]


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
