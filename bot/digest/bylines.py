"""The words a story block says around its feed text (outlets, time, "untitled"), and the "more"
button under a page of stories, in the reader's language: es, en or fr, English for any other."""

from __future__ import annotations

__all__ = ["month", "word"]

_WORDS: dict[str, dict[str, str]] = {
    "en": {"source": "+{n} source", "sources": "+{n} sources",
           "follow_up": "now reported by {n} sources", "unknown": "unknown source",
           "untitled": "(untitled)", "followed": "an actor you follow",
           "more": "More ({n} left)"},
    "es": {"source": "+{n} fuente", "sources": "+{n} fuentes",
           "follow_up": "ya lo cuentan {n} fuentes", "unknown": "fuente desconocida",
           "untitled": "(sin título)", "followed": "un actor que sigues",
           "more": "Ver más ({n})"},
    "fr": {"source": "+{n} source", "sources": "+{n} sources",
           "follow_up": "désormais relayé par {n} sources", "unknown": "source inconnue",
           "untitled": "(sans titre)", "followed": "un acteur que vous suivez",
           "more": "Voir plus ({n})"},
}
_MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc."),
}


def word(key: str, language: str | None, **values: object) -> str:
    """The words for `key` in `language`, filled in."""
    return _WORDS.get(language or "en", _WORDS["en"])[key].format(**values)


def month(number: int, language: str | None) -> str:
    """The short name of month `number` (1–12) in `language`."""
    return _MONTHS.get(language or "en", _MONTHS["en"])[number - 1]
