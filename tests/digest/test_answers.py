"""Answers composed once for every transport: an actor's pages and the actors offered to choose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.digest.answers import compose_actor_list, compose_actor_page, offer_actors
from bot.digest.compose import plain_text
from bot.digest.select import DigestPage
from bot.model import Actor, Choice, StoryView

NOW = datetime(2026, 5, 4, 15, 0, tzinfo=UTC)
CARACAS = ZoneInfo("America/Caracas")
MADURO = Actor(id="maduro", name="Nicolás Maduro", kind="person")


def story(n: int, hours_ago: float) -> StoryView:
    seen = NOW - timedelta(hours=hours_ago)
    return StoryView(id=n, title=f"Noticia {n}", url=None, source_name="Efecto Cocuyo",
                     source_count=1, first_seen=seen, last_seen=seen)


def more(left: int, next_offset: int) -> Choice:
    return Choice(f"Más ({left})", f"ac:maduro:{next_offset}")


def test_the_first_page_says_its_window_and_offers_the_rest() -> None:
    page = DigestPage(stories=(story(1, 2), story(2, 30)), total=5, last_item_at=NOW)
    message = compose_actor_page(MADURO, page, offset=0, tz=CARACAS, now=NOW, more=more,
                                 later_heading="Nicolás Maduro (…)")
    assert plain_text(message).startswith("Nicolás Maduro — 2 stories in the last 30 h")
    assert message.choices == ((Choice("Más (3)", "ac:maduro:2"),),)


def test_a_later_page_numbers_on_and_the_last_offers_nothing() -> None:
    page = DigestPage(stories=(story(3, 40),), total=3, last_item_at=NOW)
    message = compose_actor_page(MADURO, page, offset=2, tz=CARACAS, now=NOW, more=more,
                                 later_heading="Nicolás Maduro, more")
    text = plain_text(message)
    assert text.startswith("Nicolás Maduro, more") and "3. Noticia 3" in text
    assert message.choices == ()


def test_actors_offered_are_capped_and_a_payload_too_long_to_carry_back_is_left_out() -> None:
    actors = [Actor(id=f"a{n}", name=f"Actor {n}", kind="person") for n in range(12)]
    actors.insert(1, Actor(id="x" * 70, name="Too long", kind="person"))
    rows = offer_actors(actors, lambda actor_id: f"fo:{actor_id}", limit=8)
    assert [row[0].label for row in rows] == [f"Actor {n}" for n in range(7)]
    assert all(len(row) == 1 and len(row[0].data.encode()) <= 64 for row in rows)


def test_the_actor_list_puts_the_most_named_first_in_each_transports_words() -> None:
    actors = [MADURO, Actor(id="cne", name="Consejo Nacional Electoral", kind="organisation")]
    listed = compose_actor_list(actors, {"cne": 4}, heading="*Actores*", command="actor {id}")
    assert listed is not None
    assert plain_text(listed) == (
        "Actores\nConsejo Nacional Electoral — 4 · actor cne\nNicolás Maduro — 0 · actor maduro"
    )
    assert compose_actor_list([], {}, heading="*Actors*", command="/actor {id}") is None
