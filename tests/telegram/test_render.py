"""Rendered digests are valid Telegram HTML, show feed text literally and split under 4096."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digest.compose import digest_message, plain_text
from bot.model import StoryView
from bot.telegram.render import (
    format_time,
    render_actor_answer,
    render_alert,
    render_digest,
    render_empty_window,
    render_story_line,
    safe_link,
    utf16_len,
)
from tests.fake_telegram import parse_telegram_html
from tests.fake_telegram import utf16_len as telegram_utf16_len

CARACAS = ZoneInfo("America/Caracas")
NOW = datetime(2026, 11, 3, 18, 30, tzinfo=UTC)  # 14:30 in Caracas
NASTY = "Maduro <b>dice</b> <script>alert(\"x\")</script> & 'Machado' &amp; 🇻🇪😀 > fin"


def story(
    title: str = "Elecciones en Venezuela",
    *,
    id: int = 1,
    url: str | None = "https://efectococuyo.com/politica/elecciones?a=1&b=2",
    sources: int = 1,
    seen: datetime = NOW - timedelta(minutes=25),
    actors: tuple[str, ...] = (),
    topics: tuple[str, ...] = (),
) -> StoryView:
    return StoryView(
        id=id,
        title=title,
        url=url,
        source_name="Efecto Cocuyo",
        source_count=sources,
        first_seen=seen,
        last_seen=seen,
        actors=actors,
        topics=topics,
    )


def test_feed_text_is_shown_literally_never_as_markup() -> None:
    nasty = story(NASTY, actors=("Nicolás <Maduro>",), topics=("oil & gas",), sources=3)
    [message] = render_digest([nasty], heading="Digest <6 h> & more", tz=CARACAS, now=NOW)
    parsed = parse_telegram_html(message)
    assert NASTY in parsed.text
    assert "Digest <6 h> & more" in parsed.text
    assert "Nicolás <Maduro>" in parsed.text
    assert "Efecto Cocuyo +2 sources · 14:05" in parsed.text
    assert "#oil_gas" in parsed.text
    assert parsed.links == ("https://efectococuyo.com/politica/elecciones?a=1&b=2",)
    bold = [e for e in parsed.entities if e.type == "bold"]
    assert {parsed.text[e.offset : e.offset + e.length] for e in bold} >= {"Digest <6 h> & more"}


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<b>x</b>",
        "/relative/path",
        "https://e.org/a b",
        'https://e.org/"onclick="x',
        "",
        None,
    ],
)
def test_only_http_links_are_linked(url: str | None) -> None:
    message = render_story_line(story(url=url), tz=CARACAS, now=NOW, index=1)
    parsed = parse_telegram_html(message)
    if url and url.startswith('https://e.org/"'):
        assert parsed.links == ('https://e.org/"onclick="x',)  # quoted, so still one attribute
    else:
        assert parsed.links == ()
        assert safe_link(url) is None
    assert "Elecciones en Venezuela" in parsed.text


def test_sixty_long_stories_split_at_story_boundaries_in_order() -> None:
    stories = [
        story(f"{i:02d} " + "Crisis política y económica 🇻🇪 " * 12, id=i, actors=("Maduro",))
        for i in range(60)
    ]
    messages = render_digest(stories, heading="Vigía — last 24 h", tz=CARACAS, now=NOW)
    assert len(messages) > 3
    seen: list[str] = []
    for message in messages:
        parsed = parse_telegram_html(message)
        assert telegram_utf16_len(parsed.text) <= 4096
        titles = [line for line in parsed.text.split("\n") if re.match(r"\d+\. ", line)]
        seen.extend(titles)
    expected = [f"{i + 1}. {i:02d} " for i in range(60)]
    assert [t[: len(expected[n])] for n, t in enumerate(seen)] == expected
    assert messages[0].startswith("<b>Vigía — last 24 h</b>")


def test_messages_are_filled_before_splitting() -> None:
    stories = [story(f"Story {i} " + "x" * 300, id=i) for i in range(60)]
    messages = render_digest(stories, heading="h", tz=CARACAS, now=NOW)
    sizes = [telegram_utf16_len(parse_telegram_html(m).text) for m in messages]
    assert all(size > 4096 - 400 for size in sizes[:-1])


def test_astral_characters_count_twice() -> None:
    assert utf16_len("😀") == 2 == telegram_utf16_len("😀")
    assert utf16_len("🇻🇪 ñ") == 6
    stories = [story("😀" * 300, id=i) for i in range(30)]
    for message in render_digest(stories, heading="h", tz=CARACAS, now=NOW):
        assert telegram_utf16_len(parse_telegram_html(message).text) <= 4096


def test_a_story_longer_than_a_message_is_shortened_whole() -> None:
    huge = story("<&> 😀 " * 2000, actors=tuple(f"Actor {i}" for i in range(500)))
    messages = render_digest([huge, story(id=2)], heading="h", tz=CARACAS, now=NOW)
    first = parse_telegram_html(messages[0])
    assert telegram_utf16_len(first.text) <= 4096
    assert first.text.startswith("h\n\n1. <&> 😀")
    assert "…" in first.text and first.links
    assert "2. Elecciones en Venezuela" in parse_telegram_html(messages[-1]).text


@settings(max_examples=60, deadline=None)
@given(
    titles=st.lists(st.text(min_size=0, max_size=1500), min_size=1, max_size=12),
    urls=st.lists(st.one_of(st.none(), st.text(max_size=60)), min_size=1, max_size=12),
)
def test_any_feed_text_renders_to_valid_html(titles: list[str], urls: list[str | None]) -> None:
    stories = [
        story(title, id=i, url=urls[i % len(urls)], actors=(title[:20],), topics=(title[:10],))
        for i, title in enumerate(titles)
    ]
    messages = render_digest(stories, heading="Vigía", tz=CARACAS, now=NOW)
    for message in messages:
        parsed = parse_telegram_html(message)
        assert telegram_utf16_len(parsed.text) <= 4096
        for link in parsed.links:
            assert link.startswith(("http://", "https://", "HTTP", "Http", "hTTP"))


def test_times_are_in_the_subscribers_zone() -> None:
    assert format_time(NOW - timedelta(minutes=25), tz=CARACAS, now=NOW) == "14:05"
    assert (
        format_time(datetime(2026, 11, 3, 3, 0, tzinfo=UTC), tz=CARACAS, now=NOW) == "2 Nov 23:00"
    )
    madrid = ZoneInfo("Europe/Madrid")
    assert format_time(datetime(2026, 11, 3, 3, 0, tzinfo=UTC), tz=madrid, now=NOW) == "04:00"
    assert format_time(datetime(2025, 12, 31, 12, 0, tzinfo=UTC), tz=CARACAS, now=NOW) == (
        "31 Dec 2025 08:00"
    )


def test_one_source_has_no_count_and_tags_follow() -> None:
    line = render_story_line(
        story(actors=("Nicolás Maduro", "María Corina Machado"), topics=("elections",)),
        tz=CARACAS,
        now=NOW,
        index=4,
    )
    assert parse_telegram_html(line).text == (
        "4. Elecciones en Venezuela\n"
        "Efecto Cocuyo · 14:05\n"
        "Nicolás Maduro, María Corina Machado · #elections"
    )
    two = render_story_line(replace(story(), source_count=2), tz=CARACAS, now=NOW)
    assert "Efecto Cocuyo +1 source · 14:05" in parse_telegram_html(two).text


def test_start_index_continues_numbering() -> None:
    [message] = render_digest(
        [story(), story(id=2)], heading="", tz=CARACAS, now=NOW, start_index=11
    )
    text = parse_telegram_html(message).text
    assert text.startswith("11. ") and "\n\n12. " in text


def test_actor_answer_alert_and_empty_window() -> None:
    [answer] = render_actor_answer("Nicolás Maduro", [story()], tz=CARACAS, now=NOW)
    assert parse_telegram_html(answer).text.startswith("Nicolás Maduro — 1 story in the last 24 h")
    [none] = render_actor_answer("Tren de <Aragua>", [], tz=CARACAS, now=NOW, window_label="7 d")
    assert parse_telegram_html(none).text == "No stories about Tren de <Aragua> in the last 7 d."
    alert = render_alert(story(NASTY), ["Nicolás Maduro"], tz=CARACAS, now=NOW)
    assert parse_telegram_html(alert).text.startswith("🔔 Nicolás Maduro\n\n" + NASTY)
    huge_alert = render_alert(story("x" * 9000), ["Cabello"], tz=CARACAS, now=NOW)
    assert telegram_utf16_len(parse_telegram_html(huge_alert).text) <= 4096
    empty = render_empty_window("6 h", NOW - timedelta(hours=9), tz=CARACAS, now=NOW)
    assert parse_telegram_html(empty).text == (
        "No new stories in the last 6 h; the last item came in at 05:30."
    )
    never = render_empty_window("6 h", None, tz=CARACAS, now=NOW)
    assert "nothing has come in yet" in parse_telegram_html(never).text


def test_plain_text_digest_for_the_terminal() -> None:
    text = plain_text(
        digest_message(
            [story(NASTY, sources=2, actors=("Maduro",)), story(url="javascript:x", id=2)],
            heading="Vigía — last 24 h",
            tz=CARACAS,
            now=NOW,
        )
    )
    assert text == (
        "Vigía — last 24 h\n\n"
        f"1. {NASTY}\n"
        "   Efecto Cocuyo +1 source · 14:05\n"
        "   Maduro\n"
        "   https://efectococuyo.com/politica/elecciones?a=1&b=2\n\n"
        "2. Elecciones en Venezuela\n"
        "   Efecto Cocuyo · 14:05"
    )


def test_a_follow_up_says_how_many_sources_carry_it_now() -> None:
    again = replace(story(sources=5), follow_up=True)
    visible = parse_telegram_html(render_story_line(again, tz=CARACAS, now=NOW)).text
    assert "now reported by 5 sources" in visible and "+4 sources" not in visible
    first = parse_telegram_html(render_story_line(story(sources=5), tz=CARACAS, now=NOW)).text
    assert "+4 sources" in first and "now reported" not in first


def test_bidirectional_and_invisible_controls_cannot_rearrange_a_digest_line() -> None:
    # An unterminated right-to-left override in a source name would reverse the rest of the
    # line; the title carries isolates, marks and zero-width characters from a feed.
    tricky = replace(
        story("Machado\u2067 convoca\u200b una marcha\u200f en Caracas\ufeff", sources=2),
        source_name="El Pitazo \u202eoicinuM",
    )
    [message] = render_digest([tricky], heading="Resumen \u2066de hoy", tz=CARACAS, now=NOW)
    text = parse_telegram_html(message).text
    assert not set(text) & {"\u202e", "\u2066", "\u2067", "\u200b", "\u200f", "\ufeff"}
    assert "Machado convoca una marcha en Caracas" in text
    assert "El Pitazo oicinuM +1 source" in text


def test_a_story_reported_in_several_languages_says_which() -> None:
    told = replace(story(sources=3), languages=("es", "en", "fr"))
    [message] = render_digest([told], heading="", tz=CARACAS, now=NOW)
    assert "Efecto Cocuyo +2 sources · ES/EN/FR ·" in parse_telegram_html(message).text
    # One language needs no saying.
    [single] = render_digest([replace(told, languages=("es",))], heading="", tz=CARACAS, now=NOW)
    assert "· ES ·" not in parse_telegram_html(single).text
