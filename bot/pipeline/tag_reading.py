"""Read the surnames and generic names of one item, once the aliases it names are known."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from bot.fold import FoldedText
from bot.pipeline.tag_context import (
    countries_named,
    country_beside,
    follows_title,
    in_capitals,
    near_title,
    nearest_country,
    precedes_title,
    words_before,
)
from bot.pipeline.tag_evidence import (
    CONFIDENT,
    DISTINCTIVE,
    FULL_MENTION,
    IN_CONTEXT,
    NOT_NAMESAKE,
    NOT_OTHER_COUNTRY,
    NOT_OTHER_PERSON,
    NOT_WITHOUT_CONTEXT,
    RULE_CONTEXT,
    RULE_COUNTRY,
    RULE_DISTINCTIVE,
    RULE_GENERIC,
    RULE_GENERIC_FAR,
    RULE_MISSPELT,
    RULE_NAMED,
    RULE_QUALIFIED,
    RULE_TITLE,
    SAYS_ACTOR,
    SAYS_PLACE,
    SAYS_SOURCE,
    TITLED,
    VENEZUELA,
    WEAK,
    Evidence,
)
from bot.pipeline.words import FIRST_NAMES

if TYPE_CHECKING:
    from bot.pipeline.tag import Tagger
    from bot.pipeline.tag_phrases import Key

_NOT_FOUND = (0.0, 0)  # (confidence, first mention) of an actor not tagged yet


class Mention(NamedTuple):
    start: int  # the space before the first word
    stop: int  # the space after the last word
    key: Key
    surnames: tuple[int, ...]
    generic: tuple[int, ...]
    misspelt: bool
    before: int  # the space before the word before it, or -1
    previous: str  # the word before it, folded


class Reading:
    """What the tagger has found so far in one item, and why."""

    __slots__ = (
        "ambiguous",
        "countries",
        "evidence",
        "found",
        "generic",
        "head_end",
        "item",
        "marks",
        "named_at",
        "namesakes",
        "pending",
        "shouting",
        "tagger",
    )

    def __init__(
        self,
        tagger: Tagger,
        item: FoldedText,
        evidence: list[Evidence] | None,
        countries: dict[int, str] | None,
        marks: list[tuple[int, int, str | None]],
        named_at: dict[int, int],
        found: dict[int, tuple[float, int]],
        head_end: int,
    ) -> None:
        self.tagger = tagger
        self.head_end = head_end
        self.shouting: tuple[bool, bool] | None = None  # worked out when a capital matters
        self.item = item
        self.evidence = evidence  # None unless asked for: building it costs time
        # Where a country is named → VENEZUELA or its name; None until a name asks.
        self.countries = countries
        self.marks = marks  # of places and countries, by Tagger._scan
        self.named_at = named_at  # actor → where an alias first names it
        # Actor → where another first name ruled it out: made when one first does.
        self.namesakes: dict[int, int] | None = None
        self.found = found  # actor → (confidence, first mention)
        self.ambiguous: list[str] = []

    def resolve(self, pending: list[Mention], *, context: bool, venezuelan_source: bool) -> bool:
        """Read the surnames and generic names; True when the item is about Venezuela.

        Names that license themselves (a full mention, a title, a distinctive name, a generic
        name beside Venezuela) are read first; then, in an item about Venezuela, the context
        licenses the rest: the context never rests on a name it licensed. `context`: a Venezuela
        word or place is named, or the source covers only Venezuela.
        """
        tagger, found = self.tagger, self.found
        self.pending = pending
        if self.evidence is not None:
            countries = self.where_countries()
            places = [at for at, country in countries.items() if country == VENEZUELA]
            if places:
                at = min(places)
                self.say("relevance", SAYS_PLACE, at, self.item.folded.index(" ", at + 1), 1.0)
            elif venezuelan_source:
                self.say("relevance", SAYS_SOURCE, 0, 0, 1.0, "scope = venezuela")
        # Plain loops rather than comprehensions: this runs for every item that names someone
        # by a surname or a generic name, and each comprehension is one more call.
        generic: list[Mention] = []
        self.generic = generic  # so far: a surname asks only about the names before it
        # (set here, not in __init__: read only from here on)
        unsettled: list[Mention] = []
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
        left: list[tuple[Mention, list[int]]] = []
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

    def tag(self, actor: int, confidence: float, rule: str, mention: Mention) -> None:
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

    def resolve_surname(self, mention: Mention) -> bool:
        """Tag a bare surname that licenses itself; False when only the context could."""
        folded = self.item.folded
        start, stop = mention.start, mention.stop
        candidates = (
            self._candidates(mention, report=True)
            if mention.previous in FIRST_NAMES or self.namesakes
            else mention.surnames
        )
        if not candidates:
            return True
        tagger = self.tagger
        if len(candidates) == 1:
            actor = candidates[0]
            if self.named_at.get(actor, start) < start:
                rule, confidence = RULE_NAMED, FULL_MENTION
            elif follows_title(folded, mention, tagger._titles[actor]) or precedes_title(
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
        window = words_before(folded, start)
        titled = [a for a in candidates if near_title(folded, window, stop, tagger._own_titles[a])]
        if len(titled) == 1:
            self.tag(titled[0], TITLED, RULE_TITLE, mention)
        elif len(named) == 1:
            self.tag(named[0], FULL_MENTION, RULE_NAMED, mention)
        elif named or titled or tagger._follows_any_title(folded, mention, candidates):
            self.ambiguous.append(mention.key.label)
        else:
            return False
        return True

    def resolve_in_context(self, mention: Mention, *, context: bool) -> None:
        """Tag a surname that `resolve_surname` left, once every other name is read and
        whether the item is about Venezuela is known."""
        candidates = (
            self._candidates(mention, report=False)
            if mention.previous in FIRST_NAMES or self.namesakes
            else mention.surnames
        )
        start = mention.start
        if len(candidates) == 1:
            actor = candidates[0]
            if context:
                rule = RULE_MISSPELT if mention.misspelt else RULE_CONTEXT
                self.tag(actor, IN_CONTEXT, rule, mention)
            elif (
                (country := self.tagger._country_of.get(actor)) is not None
                and not mention.misspelt
                and country in self.where_countries().values()
            ):
                # "Rubio" where the United States are named: its country is its context.
                self.tag(actor, IN_CONTEXT, f"{RULE_COUNTRY} ({country})", mention)
            return
        named = [a for a in candidates if a in self.found and self.found[a][1] < start]
        if len(named) == 1:
            self.tag(named[0], self.found[named[0]][0], RULE_NAMED, mention)
        elif named or context:
            self.ambiguous.append(mention.key.label)

    def where_countries(self) -> dict[int, str]:
        """Where a country is named (see `countries_named`), foreign actors counting for theirs."""
        countries = self.countries
        if countries is None:
            countries = self.countries = countries_named(self.item, self.marks, None)
            self.tagger._name_countries(countries, self.named_at, self.pending)
        return countries

    def first_generic(self, actor: int, default: int) -> int:
        """Where a generic name read so far may first name the actor, else `default`."""
        for mention in self.generic:
            if actor in mention.generic:
                return mention.start
        return default

    def _shouting(self) -> tuple[bool, bool]:
        """Whether the title, and the text, are all in capitals: worked out once, if asked."""
        self.shouting = in_capitals(self.item, self.head_end)
        return self.shouting

    def _candidates(self, mention: Mention, *, report: bool) -> tuple[int, ...]:
        """The actors a surname may name, less those another first name rules out: before it
        ("Ricky Rubio"), or before the same surname earlier in the item ("Ricky Rubio ... Rubio"),
        unless the actor was named in full before."""
        before, first, start = mention.before, mention.previous, mention.start
        if first in FIRST_NAMES and before >= 0 and self.item.cased[before + 1].isupper():
            own_names = self.tagger._own_names
            kept = tuple(a for a in mention.surnames if first in own_names[a])
            for actor in mention.surnames:
                if actor not in kept:
                    if self.namesakes is None:
                        self.namesakes = {}
                    self.namesakes.setdefault(actor, start)
                    if report:
                        actor_id = self.tagger._actors[actor].id
                        self.say(actor_id, NOT_OTHER_PERSON, before, mention.stop, 0.0)
            return kept
        namesakes, named_at = self.namesakes, self.named_at
        if namesakes is None:
            return mention.surnames
        kept = tuple(
            a
            for a in mention.surnames
            if namesakes.get(a, start) >= start or named_at.get(a, start) < start
        )
        if report:
            for actor in mention.surnames:
                if actor not in kept:
                    self.say(self.tagger._actors[actor].id, NOT_NAMESAKE, start, mention.stop, 0.0)
        return kept

    def resolve_generic(self, mention: Mention) -> list[int]:
        """Tag a generic name that licenses itself (Venezuela beside it, a full mention earlier,
        a title); the actors only the context could license."""
        tagger, folded = self.tagger, self.item.folded
        start, stop = mention.start, mention.stop
        beside = country_beside(
            self.item, start, stop, mention.before, self.where_countries()
        )
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
                follows_title(folded, mention, titles) or precedes_title(folded, stop, titles)
            ):
                self.tag(actor, TITLED, RULE_TITLE, mention)
            else:
                left.append(actor)
        return left

    def generic_in_context(self, mention: Mention, actors: list[int], *, context: bool) -> None:
        """Tag what `resolve_generic` left: in an item about Venezuela, surely only when
        Venezuela is the country named nearest."""
        start, stop = mention.start, mention.stop
        if not context:
            for actor in actors:
                self.say(self.tagger._actors[actor].id, NOT_WITHOUT_CONTEXT, start, stop, 0.0)
            return
        if nearest_country(self.where_countries(), start) == VENEZUELA:
            confidence, rule = IN_CONTEXT, RULE_GENERIC
        else:
            confidence, rule = WEAK, RULE_GENERIC_FAR
        for actor in actors:
            self.tag(actor, confidence, rule, mention)


def what_it_names(
    key: Key,
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
        elif key.letters <= 2 and in_capitals(item, head_end)[start >= head_end]:
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


def mention_at(
    folded: str,
    start: int,
    stop: int,
    key: Key,
    surnames: tuple[int, ...],
    generic: tuple[int, ...],
    misspelt: bool,
) -> Mention:
    before = folded.rfind(" ", 0, start)
    # Mention(...) goes through the named tuple's __new__, a Python function: twice as slow.
    return _new_tuple(
        Mention, (start, stop, key, surnames, generic, misspelt, before, folded[before + 1 : start])
    )


_new_tuple = tuple.__new__


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
