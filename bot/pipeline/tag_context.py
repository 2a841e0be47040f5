"""What stands around a name in an item: titles, countries named near it, venues, capitals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from bot.fold import FoldedText, fold_phrase
from bot.pipeline.tag_evidence import NOT_ABROAD, NOT_VENUE, VENEZUELA, Evidence
from bot.pipeline.words import CALLED, COPULAS, VENUES

if TYPE_CHECKING:
    from bot.pipeline.tag_reading import Mention

_COPULA_HEADS = frozenset(copula[0][:3].ljust(3) for copula in COPULAS)
_ARTICLES = frozenset(("the", "el", "la", "le", "l", "a", "an", "un", "una", "une"))
_CONNECTORS = frozenset(
    ("de", "del", "la", "el", "los", "las", "of", "the", "du", "des", "d", "l", "en", "in", "s")
)


class Titles(NamedTuple):
    """Folded titles (" fiscal general "), indexed by their last and their first word."""

    all: tuple[str, ...]
    by_last: dict[str, tuple[str, ...]]
    by_first: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, titles: Iterable[str]) -> Titles:
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


def follows_title(folded: str, mention: Mention, titles: Titles) -> bool:
    """A title right before the name: "el ministro Gil", "M. Maduro"."""
    candidates = titles.by_last.get(mention.previous)
    start = mention.start
    return candidates is not None and any(
        folded.endswith(title, 0, start + 1) for title in candidates
    )


def precedes_title(folded: str, stop: int, titles: Titles) -> bool:
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


def words_before(folded: str, start: int) -> str:
    """The six words before a name, between spaces."""
    return " " + " ".join(folded[max(0, start - 80) : start].split()[-6:]) + " "


def near_title(folded: str, window: str, stop: int, titles: Titles) -> bool:
    """A title right after the name, or within the window of words before it."""
    if precedes_title(folded, stop, titles):
        return True
    return any(map(window.__contains__, titles.all))  # no generator: it costs more than the search


def country_beside(
    item: FoldedText, start: int, stop: int, before: int, countries: dict[int, str]
) -> str | None:
    """The country named right beside the name between `start` and `stop` (`before`: the space
    before the word before it): after it ("(CNE) de Ecuador", "nationale française"), or just
    before it ("Ecuador's CNE", "the Colombian CNE", "Lima's Miraflores").

    One function, not three: it runs for every generic name, and on a busy machine each
    function called is memory to fetch again.
    """
    at = stop
    high = at + 30  # the walk after the name reaches no further: five short words at most
    for place in countries:
        if at <= place <= high:
            folded = item.folded
            for step in range(5):
                if at in countries:
                    return countries[at]
                after = folded.find(" ", at + 1)
                if after < 0:
                    break
                # A parenthesised acronym first ("(CNE)", "(Ceni)": two to six characters from a
                # capital, all capitals past five), then only linking words.
                if folded[at + 1 : after] not in _CONNECTORS and not (
                    step == 0
                    and 3 <= after - at <= 7
                    and item.cased[at + 1].isupper()
                    and (after - at <= 6 or item.cased[at + 1 : after].isupper())
                ):
                    break
                at = after
            break
    # Just before: the word before the name, or the one before "s" ("Ecuador's" folds to
    # "ecuador s").
    if before in countries:
        return countries[before]
    if before > 0 and item.folded[before + 1 : start] == "s":
        before = item.folded.rfind(" ", 0, before)
        if before in countries:
            return countries[before]
    return None


def nearest_country(countries: dict[int, str], at: int) -> str:
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


def in_capitals(item: FoldedText, head_end: int) -> tuple[bool, bool]:
    """Whether the title, and the text, are written all in capitals."""
    if head_end:
        return _is_shouting(item, 0, head_end + 1), _is_shouting(item, head_end)
    return False, _is_shouting(item, 0)


def countries_named(
    item: FoldedText, marks: list[tuple[int, int, str | None]], evidence: list[Evidence] | None
) -> dict[int, str]:
    """Where a country is named → VENEZUELA or its name, from the marks of `Tagger._scan`:
    (start, stop, None) for a Venezuela word or place, which counts unless it names a venue or
    another country is named right beside it ("Lima's Miraflores"); (start, 0, name) for a
    country, which counts unless something was named there before."""
    cased, folded = item.cased, item.folded
    countries: dict[int, str] = {}
    for start, stop, country in marks:
        if country is not None:
            countries.setdefault(start, country)
        elif _names_a_venue(cased, folded, start, stop):
            if evidence is not None:
                evidence.append(Evidence("relevance", NOT_VENUE, cased[start + 1 : stop], 0.0))
        elif (abroad := _abroad(item, start, stop, marks)) is not None:
            if evidence is not None:
                rule = f"{NOT_ABROAD} ({abroad})"
                evidence.append(Evidence("relevance", rule, cased[start + 1 : stop], 0.0))
        else:
            countries[start] = VENEZUELA
    return countries


def names_venezuela(item: FoldedText, marks: list[tuple[int, int, str | None]]) -> bool:
    """Whether `countries_named` would name Venezuela somewhere, testing as few venues as it can."""
    cased, folded = item.cased, item.folded
    for start, stop, country in marks:
        if (
            country is None
            and not _names_a_venue(cased, folded, start, stop)
            and _abroad(item, start, stop, marks) is None
        ):
            return True
    # No place counts: only a Venezuela word beginning ("venezolan*") is left, where nothing was
    # named before it.
    first: dict[int, str] = {}
    for start, _, country in marks:
        if country is not None:
            first.setdefault(start, country)
    return VENEZUELA in first.values()


def _abroad(
    item: FoldedText, start: int, stop: int, marks: list[tuple[int, int, str | None]]
) -> str | None:
    """The other country named right beside a Venezuela place: a town of the same name abroad."""
    low, high = start - 50, stop + 30  # as far as country_beside looks, with a margin
    for at, _, country in marks:
        if country and low <= at <= high:  # VENEZUELA, "", is no other country
            foreign: dict[int, str] = {}
            for place, _, name in marks:
                if name:
                    foreign.setdefault(place, name)
            return country_beside(item, start, stop, item.folded.rfind(" ", 0, start), foreign)
    return None  # the common case: no other country named within reach
