"""A story's byline in the reader's language, composed once and said the same on both transports."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.digest.buttons import more_button
from bot.digest.compose import compose_alert, digest_message, plain_text
from bot.model import StoryView
from bot.telegram.render import render_html
from bot.whatsapp.render import render_texts
from tests.fake_telegram import parse_telegram_html

NOW = datetime(2026, 11, 14, 18, 30, tzinfo=UTC)  # 14:30 in Caracas
CARACAS = ZoneInfo("America/Caracas")


def story(**changes: object) -> StoryView:
    base = StoryView(id=1, title="La ONU pide liberar a los presos políticos",
                     url="https://example.org/onu", source_name="Efecto Cocuyo", source_count=3,
                     first_seen=datetime(2026, 11, 3, 18, 5, tzinfo=UTC), last_seen=NOW,
                     languages=("es", "en"))
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(("language", "line"), [
    ("es", "Efecto Cocuyo +2 fuentes · ES/EN · 3 nov 14:05"),
    ("en", "Efecto Cocuyo +2 sources · ES/EN · 3 Nov 14:05"),
    ("fr", "Efecto Cocuyo +2 sources · ES/EN · 3 nov. 14:05"),
    (None, "Efecto Cocuyo +2 sources · ES/EN · 3 Nov 14:05"),
    ("pt", "Efecto Cocuyo +2 sources · ES/EN · 3 Nov 14:05"),  # a language we do not speak
])
def test_the_byline_speaks_the_readers_language_on_every_transport(
    language: str | None, line: str,
) -> None:
    message = digest_message([story()], heading="Vigía", tz=CARACAS, now=NOW, language=language)
    telegram = parse_telegram_html(render_html(message)[0]).text
    (whatsapp,) = render_texts(message)
    for shown in (telegram, whatsapp, plain_text(message)):
        assert line in shown, shown


@pytest.mark.parametrize(("language", "one", "follow_up", "nobody", "untitled"), [
    ("es", "+1 fuente", "ya lo cuentan 5 fuentes", "fuente desconocida", "(sin título)"),
    ("en", "+1 source", "now reported by 5 sources", "unknown source", "(untitled)"),
    ("fr", "+1 source", "désormais relayé par 5 sources", "source inconnue", "(sans titre)"),
])
def test_counts_follow_ups_and_missing_names(language: str, one: str, follow_up: str,
                                             nobody: str, untitled: str) -> None:
    today = NOW - timedelta(minutes=25)
    cases = [
        (story(source_count=2, first_seen=today), f"Efecto Cocuyo {one} · ES/EN · 14:05"),
        (story(source_count=5, follow_up=True, languages=("es",), first_seen=today),
         f"Efecto Cocuyo · {follow_up} · 14:05"),
        (story(source_name=" ", source_count=1, languages=(), title=""), f"{nobody} · 3 "),
    ]
    for view, expected in cases:
        (text,) = render_texts(digest_message([view], heading="", tz=CARACAS, now=NOW,
                                              language=language))
        assert expected in text, text
    (text,) = render_texts(digest_message([story(title="  ")], heading="", tz=CARACAS, now=NOW,
                                          language=language))
    assert text.startswith(f"*1. {untitled}*")


def test_an_alert_is_said_in_the_readers_language_too() -> None:
    alert = compose_alert(story(), [], tz=CARACAS, now=NOW, language="es")
    (text,) = render_texts(alert)
    assert "un actor que sigues" in text and "+2 fuentes" in text and "3 nov 14:05" in text
    older = story(first_seen=datetime(2025, 12, 31, 12, 0, tzinfo=UTC))
    (text,) = render_texts(compose_alert(older, ["Delcy Rodríguez"], tz=CARACAS, now=NOW,
                                         language="fr"))
    assert "31 déc. 2025 08:00" in text and "*🔔 Delcy Rodríguez*" in text


@pytest.mark.parametrize(("language", "label"), [("es", "Ver más (12)"), ("en", "More (12 left)"),
                                                 ("fr", "Voir plus (12)"), (None, "More (12 left)")])
def test_the_more_button_under_a_page(language: str | None, label: str) -> None:
    assert more_button(12, "dg:1:2:10", language=language).label == label
