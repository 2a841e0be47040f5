"""Messages as a WhatsApp reader gets them: markup of our own only, split between stories."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.digest.answers import compose_actor_list
from bot.digest.compose import compose_alert, digest_message
from bot.digest.words import paragraphs
from bot.model import Actor, Choice, Message, Paragraph, Span, StoryView
from bot.whatsapp.render import render_payloads, render_texts

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CARACAS = ZoneInfo("America/Caracas")


def story(i: int, title: str, *, url: str | None = None) -> StoryView:
    return StoryView(id=i, title=title, url=url or f"https://example.org/n/{i}",
                     source_name="El Pitazo", source_count=1 + i % 3,
                     first_seen=NOW - timedelta(minutes=i), last_seen=NOW,
                     actors=("Delcy Rodríguez",), topics=("economía",))


def bodies(message: Message) -> list[dict[str, object]]:
    return [json.loads(payload)["body"] for payload in render_payloads(message)]


def test_a_long_digest_splits_only_between_stories() -> None:
    stories = [story(i, f"Noticia {i}: " + "la Asamblea Nacional debate el presupuesto " * 6)
               for i in range(40)]
    message = digest_message(stories, heading="Vigía · Venezuela", tz=CARACAS, now=NOW)
    texts = render_texts(message)
    assert len(texts) > 1
    assert all(len(text) <= 4096 for text in texts)
    for i in range(40):
        holders = [text for text in texts if f"*{i + 1}. Noticia {i}:" in text]
        assert len(holders) == 1
        assert f"https://example.org/n/{i}" in holders[0]  # the story's lines stay together
    assert texts[0].startswith("*Vigía · Venezuela*")


def test_feed_text_cannot_format_the_message() -> None:
    hostile = story(1, "*Última hora* _exclusiva_ ~falso~ `código` > cita",
                    url="https://example.org/a_b*c~d")
    [text] = render_texts(digest_message([hostile], heading="x", tz=CARACAS, now=NOW))
    title_line = text.splitlines()[2]
    assert title_line == "*1. ∗Última hora∗ ＿exclusiva＿ ∼falso∼ ˋcódigoˋ > cita*"
    assert "https://example.org/a%5Fb%2Ac%7Ed" in text
    assert "javascript" not in render_texts(digest_message(
        [story(2, "t", url="javascript:alert(1)")], heading="x", tz=CARACAS, now=NOW))[0]


def test_styles_of_our_own_become_whatsapp_markup() -> None:
    message = Message(blocks=(Paragraph(spans=(Span("Sigues a "), Span("Delcy", "bold"),
                                               Span(" ahora", "italic"))),), now=NOW)
    assert render_texts(message) == ["Sigues a *Delcy* _ahora_"]


def test_a_long_listing_splits_between_its_lines_and_loses_none() -> None:
    actors = [Actor(id=f"actor-{i}", name=f"Dirigente *número* {i} de la Asamblea Nacional",
                    kind="person") for i in range(150)]
    listed = compose_actor_list(actors, {}, heading="*Actores* · 7 días", command="actor {id}")
    assert listed is not None
    texts = render_texts(listed)
    assert len(texts) > 1 and all(len(text) <= 4096 for text in texts)
    assert texts[0].startswith("*Actores* · 7 días\n")
    lines = [line for text in texts for line in text.split("\n")]
    for i in range(150):
        assert lines.count(f"Dirigente ∗número∗ {i} de la Asamblea Nacional — 0 · actor actor-{i}") == 1


def test_lines_of_one_paragraph_and_paragraphs_read_as_they_did() -> None:
    message = Message(blocks=paragraphs("Escribe:\n*resumen* — lo más importante\n"
                                        "*baja* — no recibir nada más\n\nFin."), now=NOW)
    assert render_texts(message) == [
        "Escribe:\n*resumen* — lo más importante\n*baja* — no recibir nada más\nFin."
    ]


def test_up_to_three_choices_are_buttons_more_are_a_list_of_ten() -> None:
    three = Message(blocks=(Paragraph.of("¿Cuál?"),), now=NOW, choices=tuple(
        (Choice(f"Rodríguez número {i} con nombre largo", f"ac:r{i}:0"),) for i in range(3)))
    [body] = bodies(three)
    buttons = body["interactive"]["action"]["buttons"]  # type: ignore[index]
    assert [b["reply"]["id"] for b in buttons] == ["ac:r0:0", "ac:r1:0", "ac:r2:0"]
    assert all(len(b["reply"]["title"]) <= 20 for b in buttons)
    many = Message(blocks=(Paragraph.of("¿Cuál?"),), now=NOW, choices=tuple(
        (Choice(f"Actor {i}", f"ac:a{i}:0"),) for i in range(14)))
    [body] = bodies(many)
    rows = body["interactive"]["action"]["sections"][0]["rows"]  # type: ignore[index]
    assert len(rows) == 10


def test_choices_under_a_long_text_come_in_a_message_of_their_own() -> None:
    stories = [story(i, f"Titular {i} " + "x" * 150) for i in range(10)]
    message = digest_message(stories, heading="h", tz=CARACAS, now=NOW,
                             choices=((Choice("More (5)", "dg:1:2:10"),),))
    kinds = [body["type"] for body in bodies(message)]
    assert kinds[-1] == "interactive" and kinds[:-1] == ["text"] * (len(kinds) - 1)


def test_only_a_digest_can_become_the_template() -> None:
    digest = digest_message([story(1, "a"), story(2, "b")], heading="h", tz=CARACAS, now=NOW)
    payloads = [json.loads(p) for p in render_payloads(digest)]
    assert payloads[0]["reopen"] == {"count": 2, "first": "a", "at": int(NOW.timestamp())}
    assert all(p["reopen"] is None for p in payloads[1:])
    alert = compose_alert(story(3, "c"), ["Delcy Rodríguez"], tz=CARACAS, now=NOW)
    assert all(json.loads(p)["reopen"] is None for p in render_payloads(alert))
