"""Cloud API bodies within WhatsApp's limits, whatever the labels."""

from __future__ import annotations

from bot.whatsapp.markup import neutralise
from bot.whatsapp.payloads import (
    Offer,
    buttons_message,
    list_message,
    template_message,
    text_message,
)

TO = "33612345678"


def test_buttons_are_at_most_three_with_titles_of_twenty() -> None:
    choices = [Offer(f"actor:a{i}", "Nicolás Maduro Moros, presidente") for i in range(5)]
    body = buttons_message(TO, "¿Cuál?", choices)
    buttons = body["interactive"]["action"]["buttons"]
    assert len(buttons) == 3
    assert all(len(b["reply"]["title"]) <= 20 for b in buttons)
    assert buttons[0]["reply"]["title"].endswith("…")


def test_list_rows_are_at_most_ten_with_titles_of_twentyfour() -> None:
    choices = [Offer(f"actor:x{i}", f"Rodríguez número {i} de la lista larga", "ministra")
               for i in range(14)]
    body = list_message(TO, "Hay varios", "Elegir un actor de la lista", choices)
    action = body["interactive"]["action"]
    rows = action["sections"][0]["rows"]
    assert len(rows) == 10
    assert all(len(row["title"]) <= 24 for row in rows)
    assert len(action["button"]) <= 20


def test_labels_from_feeds_carry_no_markup() -> None:
    body = buttons_message(TO, "x", [Offer("actor:a", "*Ministro* _de_ ~algo~")])
    title = body["interactive"]["action"]["buttons"][0]["reply"]["title"]
    assert not set(title) & set("*_~`")


def test_interactive_bodies_are_cut_to_1024() -> None:
    body = buttons_message(TO, "é" * 3000, [Offer("help:", "Ayuda")])
    assert len(body["interactive"]["body"]["text"]) <= 1024


def test_template_parameters_are_one_line() -> None:
    body = template_message(TO, name="vigia_digest", language="fr", button_payload="open:1",
                            parameters=("3", "Un titre\nsur deux lignes     et des espaces"))
    params = body["template"]["components"][0]["parameters"]
    assert params[1]["text"] == "Un titre sur deux lignes et des espaces"
    assert body["template"]["language"] == {"code": "fr"}


def test_a_text_over_the_limit_is_a_bug_not_a_send() -> None:
    try:
        text_message(TO, "a" * 4097)
    except ValueError as error:
        assert "4096" in str(error)
    else:
        raise AssertionError("a 4,097-character text was accepted")


def test_neutralise_keeps_words_and_drops_markup() -> None:
    assert neutralise("El *CNE* y _la_ ~MUD~ en `código`") == "El ∗CNE∗ y ＿la＿ ∼MUD∼ en ˋcódigoˋ"
    assert neutralise("> cita\nfalsa ") == "› cita falsa "
