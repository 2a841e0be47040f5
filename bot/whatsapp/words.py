"""The words a WhatsApp reader types, in es/en/fr, read into one command (accents and case ignored)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.digest.bylines import LANGUAGES
from bot.fold import fold_phrase

__all__ = ["LANGUAGES", "Command", "read_words"]

MAX_WORDS = 300  # characters of a message that are read; the rest is not a command


@dataclass(frozen=True, slots=True)
class Command:
    """What a message asks for: a verb, the words after it, and the language it was asked in.

    `language` is None when the words fit several languages ("actor", "stop" are also French
    or Spanish words): the reader's last known language is kept then.
    """

    verb: str  # start | digest | actor | follow | unfollow | actors | help | stop | unknown
    argument: str = ""
    language: str | None = None


def read_words(text: str) -> Command:
    """The command a text message carries; `unknown` (with the text) when it carries none."""
    raw = " ".join(text[:MAX_WORDS].split())
    folded = fold_phrase(raw)
    if not folded:
        return Command("unknown")
    for phrase, verb, language in _PHRASES:
        if folded == phrase or folded.startswith(phrase + " "):
            return Command(verb, _after(raw, phrase), language)
    return Command("unknown", raw, None)


def _after(raw: str, phrase: str) -> str:
    """The words of `raw` after the ones that fold to `phrase`, as the reader typed them."""
    count = len(phrase.split())
    words = raw.split()
    # A word with punctuation ("resumen," or "actor:") folds to more than one word.
    taken = 0
    for index, word in enumerate(words):
        taken += len(fold_phrase(word).split()) or 1
        if taken >= count:
            return " ".join(words[index + 1 :]).strip(" :,.!¡?¿")
    return ""


# Longer phrases first, so "dejar de seguir" is not read as "dejar" + "de seguir".
_TABLE: tuple[tuple[str, str, str | None], ...] = (
    ("dejar de seguir", "unfollow", "es"),
    ("ne plus suivre", "unfollow", "fr"),
    ("darme de baja", "stop", "es"),
    ("dar de baja", "stop", "es"),
    ("hola", "start", "es"),
    ("buenas", "start", "es"),
    ("empezar", "start", "es"),
    ("hi", "start", "en"),
    ("hello", "start", "en"),
    ("start", "start", "en"),
    ("bonjour", "start", "fr"),
    ("salut", "start", "fr"),
    ("resumen", "digest", "es"),
    ("digest", "digest", "en"),
    ("resume", "digest", "fr"),  # résumé
    ("actor", "actor", None),  # es and en
    ("acteur", "actor", "fr"),
    ("seguir", "follow", "es"),
    ("follow", "follow", "en"),
    ("suivre", "follow", "fr"),
    ("dejar", "unfollow", "es"),
    ("unfollow", "unfollow", "en"),
    ("temas", "actors", "es"),
    ("actores", "actors", "es"),
    ("actors", "actors", "en"),
    ("acteurs", "actors", "fr"),
    ("ayuda", "help", "es"),
    ("help", "help", "en"),
    ("aide", "help", "fr"),
    ("baja", "stop", "es"),
    ("stop", "stop", None),  # en and fr
    ("arret", "stop", "fr"),  # arrêt
)
_PHRASES = tuple(sorted(_TABLE, key=lambda row: -len(row[0].split())))
