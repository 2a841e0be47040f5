"""WhatsApp words: es/en/fr, accents and case ignored, the argument kept as the reader typed it."""

from __future__ import annotations

import pytest

from bot.whatsapp.words import Command, read_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hola", Command("start", "", "es")),
        ("hi!", Command("start", "", "en")),
        ("BONJOUR", Command("start", "", "fr")),
        ("start", Command("start", "", "en")),
        ("Resumen", Command("digest", "", "es")),
        ("resumen 6h", Command("digest", "6h", "es")),
        ("Digest 7d", Command("digest", "7d", "en")),
        ("RÉSUMÉ 24h", Command("digest", "24h", "fr")),
        ("resume", Command("digest", "", "fr")),
        ("actor Delcy Rodríguez", Command("actor", "Delcy Rodríguez", None)),
        ("Acteur: Machado", Command("actor", "Machado", "fr")),
        ("seguir María Corina", Command("follow", "María Corina", "es")),
        ("Follow cabello", Command("follow", "cabello", "en")),
        ("suivre González", Command("follow", "González", "fr")),
        ("dejar maduro", Command("unfollow", "maduro", "es")),
        ("Dejar de seguir a Padrino", Command("unfollow", "a Padrino", "es")),
        ("unfollow Machado", Command("unfollow", "Machado", "en")),
        ("ne plus suivre Cabello", Command("unfollow", "Cabello", "fr")),
        ("temas", Command("actors", "", "es")),
        ("Actors", Command("actors", "", "en")),
        ("acteurs", Command("actors", "", "fr")),
        ("¿Ayuda?", Command("help", "", "es")),
        ("HELP", Command("help", "", "en")),
        ("aide", Command("help", "", "fr")),
        ("baja", Command("stop", "", "es")),
        ("Stop", Command("stop", "", None)),
        ("arrêt", Command("stop", "", "fr")),
        ("ARRET", Command("stop", "", "fr")),
    ],
)
def test_words_in_three_languages(text: str, expected: Command) -> None:
    assert read_words(text) == expected


@pytest.mark.parametrize("text", ["¿qué hay de nuevo?", "merci", "holanda", "actores123", ""])
def test_anything_else_is_unknown(text: str) -> None:
    assert read_words(text).verb == "unknown"


def test_a_word_must_stand_alone() -> None:
    # "seguirá" is not "seguir"; "stopping" is not "stop".
    assert read_words("seguirá la crisis").verb == "unknown"
    assert read_words("stopping by").verb == "unknown"
