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

from bot.model import Actor, ActorTag, Topic
from bot.pipeline.fold import FoldedText, fold_phrase, fold_text, fold_titled
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
        """Raise ValueError when an alias is given to two actors, or a phrase folds to nothing."""
        self._actors = tuple(actors)
        self._topics = tuple(topics)
        self._own_titles = tuple(_fold_titles(actor.titles) for actor in self._actors)
        honorifics = _fold_titles(HONORIFICS)
        self._titles = tuple(
            own + honorifics if actor.kind == "person" else own
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

    def tag(self, text: str, *, title: str = "", venezuelan_source: bool = False) -> TagResult:
        """Tag an item: its title, when given, is read first, then its text.

        `venezuelan_source`: the item comes from a source that covers only Venezuela, which is
        context enough for generic names and surnames.
        """
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
        countries: dict[int, str] = {}  # where a country is named → VENEZUELA or its name
        evidence: list[Evidence] = []
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
            if key.place and not _names_a_venue(cased, folded, start, end):
                countries[start] = VENEZUELA
            elif key.country and (key.length > 4 or cased[start + 1].isupper()):
                countries.setdefault(start, key.country)  # "US", not "us"
            elif key.place:
                evidence.append(Evidence("relevance", NOT_VENUE, _words(cased, start, end), 0.0))
            if key.names:
                spans.append((start, end, key))

        chosen = self._choose(spans, cased, excluded, shouting, head_end)

        named_at: dict[int, int] = {}
        for mention in chosen:
            for actor in mention.aliases:
                if actor not in named_at:
                    named_at[actor] = mention.start
                    words = _words(cased, mention.start, mention.stop)
                    evidence.append(Evidence(self._actors[actor].id, RULE_ALIAS, words, 1.0))
        # (confidence, first mention) per actor: those named in full are sure from the first.
        found = {actor: (FULL_MENTION, at) for actor, at in named_at.items()}

        venezuelan_places = [at for at, country in countries.items() if country == VENEZUELA]
        if venezuelan_places:
            at = min(venezuelan_places)
            words = _words(cased, at, folded.index(" ", at + 1))
            evidence.append(Evidence("relevance", SAYS_PLACE, words, 1.0))
        elif venezuelan_source:
            evidence.append(Evidence("relevance", SAYS_SOURCE, "", 1.0))

        ambiguous: list[str] = []
        # Names that license themselves (a full mention, a title, a distinctive name) are read
        # first; then, in an item about Venezuela, the context licenses the rest: the context
        # never rests on a name it licensed.
        surnames = [m for m in chosen if m.surnames and not m.aliases]
        for mention in surnames:
            self._resolve_surname(mention, item, named_at, False, found, ambiguous, evidence)
        context = bool(venezuelan_places) or venezuelan_source
        if not context:
            sure = [a for a in found if a in self._venezuelan and found[a][0] >= CONFIDENT]
            if sure:
                context = True
                evidence.append(Evidence("relevance", SAYS_ACTOR, self._actors[sure[0]].id, 1.0))
        if context:
            for mention in surnames:
                self._resolve_surname(mention, item, named_at, True, found, ambiguous, evidence)
        for mention in chosen:
            if mention.generic and not mention.aliases:
                self._resolve_generic(mention, item, named_at, context, countries, found, evidence)

        ordered = sorted(found.items(), key=lambda item: item[1][1])
        return TagResult(
            actors=tuple([self._actor_tags[a, conf] for a, (conf, _) in ordered]),
            topics=tuple([self._topic_ids[t] for t in sorted(topics)]),
            ambiguous=tuple(dict.fromkeys(ambiguous)),
            about_venezuela=context,
            evidence=tuple(evidence),
        )

    def _choose(
        self,
        spans: list[tuple[int, int, _Key]],
        cased: str,
        excluded: list[tuple[int, int, int]],
        shouting: tuple[bool, bool],
        head_end: int,
    ) -> list[_Mention]:
        """Leftmost-longest: a span that starts inside the last mention chosen is not read."""
        spans.sort(key=lambda span: (span[0], -span[1]))
        chosen: list[_Mention] = []
        reach = -1
        for start, stop, key in spans:
            if start < reach:
                continue
            aliases, generic = key.aliases, key.generic
            if key.acronym and not _fits_acronym(
                cased, start, stop, key, shouting[start >= head_end]
            ):
                aliases = generic = ()
            surnames, misspelt = key.surnames, key.misspelt
            if not cased[start + 1].isupper():
                surnames = misspelt = generic = ()
            if excluded:
                aliases = _unblocked(aliases, start, stop, excluded)
                surnames = _unblocked(surnames, start, stop, excluded)
                generic = _unblocked(generic, start, stop, excluded)
            if misspelt and not surnames:
                surnames = misspelt
            else:
                misspelt = ()
            if aliases or surnames or generic:
                chosen.append(
                    _Mention(start, stop, key, aliases, surnames, generic, bool(misspelt))
                )
                reach = stop
        return chosen

    def _resolve_surname(
        self,
        mention: _Mention,
        item: FoldedText,
        named_at: dict[int, int],
        context: bool,
        found: dict[int, tuple[float, int]],
        ambiguous: list[str],
        evidence: list[Evidence],
    ) -> None:
        """Tag a bare surname: first without the context (read twice), then with it."""
        start, stop = mention.start, mention.stop
        folded = item.folded
        candidates = self._strangers_excluded(mention, item, not context, evidence)
        if not candidates:
            return
        named = [a for a in candidates if named_at.get(a, start) < start]
        if len(candidates) == 1:
            actor = candidates[0]
            if named:
                rule, confidence = RULE_NAMED, FULL_MENTION
            elif _follows_title(folded, start, self._titles[actor]) or _precedes_title(
                folded, stop, self._own_titles[actor]
            ):
                rule, confidence = RULE_TITLE, TITLED
            elif actor in mention.key.distinctive:
                rule, confidence = RULE_DISTINCTIVE, DISTINCTIVE
            elif context:
                rule, confidence = RULE_CONTEXT, IN_CONTEXT
            else:
                return
            if mention.misspelt:
                if not context:
                    return  # a slip is read only in an item about Venezuela
                rule, confidence = RULE_MISSPELT, min(confidence, IN_CONTEXT)
            self._tag(actor, confidence, rule, mention, item, found, evidence)
            return
        # A title of one's own tells shared surnames apart; "M." or "Sr." does not.
        titled = [a for a in candidates if _near_title(folded, start, stop, self._own_titles[a])]
        if len(titled) == 1:
            self._tag(titled[0], TITLED, RULE_TITLE, mention, item, found, evidence)
        elif len(named) == 1:
            self._tag(named[0], FULL_MENTION, RULE_NAMED, mention, item, found, evidence)
        elif named or titled or context or self._follows_any_title(folded, start, candidates):
            ambiguous.append(mention.key.label)

    def _tag(
        self,
        actor: int,
        confidence: float,
        rule: str,
        mention: _Mention,
        item: FoldedText,
        found: dict[int, tuple[float, int]],
        evidence: list[Evidence],
    ) -> None:
        if found.get(actor, (0.0, 0))[0] < confidence:
            words = _words(item.cased, mention.start, mention.stop)
            evidence.append(Evidence(self._actors[actor].id, rule, words, confidence))
        _record(found, actor, confidence, mention.start)

    def _strangers_excluded(
        self, mention: _Mention, item: FoldedText, report: bool, evidence: list[Evidence]
    ) -> tuple[int, ...]:
        """The candidates of a surname, less those another first name before it rules out."""
        start = mention.start
        before = item.folded.rfind(" ", 0, start)
        first = item.folded[before + 1 : start]
        if before < 0 or first not in FIRST_NAMES or not item.cased[before + 1].isupper():
            return mention.surnames
        kept = tuple(a for a in mention.surnames if first in self._own_names[a])
        if report and len(kept) < len(mention.surnames):
            words = _words(item.cased, before, mention.stop)
            evidence.extend(
                Evidence(self._actors[a].id, NOT_OTHER_PERSON, words, 0.0)
                for a in mention.surnames
                if a not in kept
            )
        return kept

    def _resolve_generic(
        self,
        mention: _Mention,
        item: FoldedText,
        named_at: dict[int, int],
        context: bool,
        countries: dict[int, str],
        found: dict[int, tuple[float, int]],
        evidence: list[Evidence],
    ) -> None:
        start, stop = mention.start, mention.stop
        words = _words(item.cased, start, stop)
        beside = _country_beside(item, start, stop, countries)
        for actor in mention.generic:
            actor_id = self._actors[actor].id
            if beside:
                evidence.append(Evidence(actor_id, f"{NOT_OTHER_COUNTRY} ({beside})", words, 0.0))
                continue
            if beside == VENEZUELA or named_at.get(actor, start) < start:
                rule, confidence = RULE_QUALIFIED, FULL_MENTION
                if beside != VENEZUELA:
                    rule = RULE_NAMED
            elif not context:
                evidence.append(Evidence(actor_id, NOT_WITHOUT_CONTEXT, words, 0.0))
                continue
            elif _nearest_country(countries, start) == VENEZUELA:
                rule, confidence = RULE_GENERIC, IN_CONTEXT
            else:
                rule, confidence = RULE_GENERIC_FAR, WEAK
            self._tag(actor, confidence, rule, mention, item, found, evidence)

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
    distinctive: tuple[int, ...] = ()  # those of `surnames` for whom the name alone is enough
    generic: tuple[int, ...] = ()
    misspelt: tuple[int, ...] = ()  # actors whose distinctive name this is one letter off
    excludes: tuple[int, ...] = ()
    topics: tuple[int, ...] = ()  # topic indexes, matched as whole words
    stems: tuple[int, ...] = ()  # topic indexes, matched as word beginnings ("sancion*")
    place: bool = False  # a Venezuela word or place, matched as whole words
    country: str | None = None  # VENEZUELA, or the name of another country or its people
    names: bool = False  # an alias, a surname or a generic name of some actor


class _Mention(NamedTuple):
    start: int  # the space before the first word
    stop: int  # the space after the last word
    key: _Key
    aliases: tuple[int, ...]
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

    def draft_for(phrase: str, owner: str) -> tuple[str, _Draft]:
        key = fold_phrase(phrase)
        if not key:
            raise ValueError(f"{owner}: {phrase!r} has no letters or digits to match")
        return key, drafts.setdefault(key, _Draft())

    for index, actor in enumerate(actors):
        owner = f"actor {actor.id!r} (line {actor.line})"
        for alias in actor.aliases:
            key, draft = draft_for(alias, owner)
            others = [
                actors[a].id for a in draft.aliases + draft.surnames + draft.generic if a != index
            ]
            if others:
                raise ValueError(f"{owner}: alias {alias!r} already names {others[0]!r}")
            if index not in draft.aliases:
                draft.aliases.append(index)
            if alias.isupper():
                draft.acronym = True
                draft.letters = len(key.replace(" ", ""))
        for name in actor.generic:
            key, draft = draft_for(name, owner)
            others = [actors[a].id for a in draft.aliases + draft.generic if a != index]
            if others:
                raise ValueError(f"{owner}: generic name {name!r} already names {others[0]!r}")
            if index not in draft.generic:
                draft.generic.append(index)
            if name.isupper():
                draft.acronym = True
                draft.letters = len(key.replace(" ", ""))
        for surname in (*actor.surnames, *actor.distinctive):
            key, draft = draft_for(surname, owner)
            others = [actors[a].id for a in draft.aliases if a != index]
            if others:
                raise ValueError(f"{owner}: surname {surname!r} is an alias of {others[0]!r}")
            if index not in draft.surnames:
                draft.surnames.append(index)
            draft.label = draft.label or surname
        for name in actor.distinctive:
            drafts[fold_phrase(name)].distinctive.append(index)
        for phrase in actor.exclude:
            _, draft = draft_for(phrase, owner)
            draft.excludes.append(index)
    for index, topic in enumerate(topics):
        for keyword in topic.keywords:
            _, draft = draft_for(keyword, f"topic {topic.id!r} (line {topic.line})")
            (draft.stems if keyword.endswith("*") else draft.topics).append(index)
    for word in places:
        _, draft = draft_for(word, "Venezuela words")
        if word.endswith("*"):
            draft.country_stem = VENEZUELA
        else:
            draft.place = True
    for word in foreign:
        key, draft = draft_for(word, "foreign words")
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


def _fold_titles(titles: Iterable[str]) -> tuple[str, ...]:
    return tuple(" " + folded + " " for folded in map(fold_phrase, titles) if folded)


def _follows_title(folded: str, start: int, titles: tuple[str, ...]) -> bool:
    return any(folded.endswith(title, 0, start + 1) for title in titles)


def _precedes_title(folded: str, stop: int, titles: tuple[str, ...]) -> bool:
    """An apposition: "Saab, fiscal general", "Cabello, ministre de l'Intérieur"."""
    return any(folded.startswith(title, stop) for title in titles)


def _near_title(folded: str, start: int, stop: int, titles: tuple[str, ...]) -> bool:
    """A title right after the name, or within the six words before it."""
    if _precedes_title(folded, stop, titles):
        return True
    window = " " + " ".join(folded[max(0, start - 80) : start].split()[-6:]) + " "
    return any(title in window for title in titles)


def _country_beside(
    item: FoldedText, start: int, stop: int, countries: dict[int, str]
) -> str | None:
    """The country named right beside a name: after it ("(CNE) de Ecuador", "nationale
    française"), or just before it ("Ecuador's CNE", "the Colombian CNE")."""
    if not countries:
        return None
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
    if not countries:
        return VENEZUELA  # the context comes from the source or an actor; no country is named
    return min(countries.items(), key=lambda place: abs(place[0] - at))[1]


def _names_a_venue(cased: str, folded: str, start: int, stop: int) -> bool:
    """A place used as a name: "Caracas Arepa Bar", "Café Caracas", "a restaurant called
    Caracas", "Caracas is a tiny restaurant"."""
    before = folded.rfind(" ", 0, start)
    if before >= 0:
        previous = folded[before + 1 : start]
        if previous in CALLED or (previous in VENUES and cased[before + 1].isupper()):
            return True
    following = folded[stop + 1 : stop + 80].split(" ")[:7]
    capitals = cased[stop + 1 : stop + 80].split(" ")[:7]
    for word, written in zip(following, capitals, strict=False):
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


def _fits_acronym(cased: str, start: int, stop: int, key: _Key, shouting: bool) -> bool:
    written = cased[start + 1 : stop]
    if not written.isupper():
        # "Fanb", "Sebin": the Spanish press writes long acronyms in title case.
        return key.letters >= 4 and written.istitle() and " " not in written
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


def _words(cased: str, start: int, stop: int) -> str:
    return cased[start + 1 : stop]
