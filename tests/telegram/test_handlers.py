"""Every command, as a user sees it: the real Application against the fake Bot API on loopback."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.settings import Settings
from bot.telegram.flood import FloodGate
from storage.db import transaction
from storage.models import Source
from tests.fake_telegram import FakeTelegram
from tests.telegram.harness import (
    ADMIN,
    ANA,
    FEEDS,
    Harness,
    labels,
    running,
)

# ---- start, stop, help ---------------------------------------------------------------------


async def test_commands_are_registered_at_start(bot: Harness) -> None:
    names = {command["command"] for command in bot.fake.commands}
    assert {
        "start",
        "stop",
        "help",
        "digest",
        "actor",
        "actors",
        "follow",
        "unfollow",
        "settings",
        "search",
        "sources",
    } <= names
    assert not names & {"stats", "reload", "feeds"}  # operators' commands stay unlisted


async def test_start_subscribes_and_says_when_the_next_digest_comes(bot: Harness) -> None:
    [welcome] = await bot.ask(ANA, "/start")
    assert "Welcome to Vigía" in welcome.visible
    assert "next digest comes" in welcome.visible and "America/Caracas" in welcome.visible
    assert "/digest" in welcome.visible and "/actor maduro" in welcome.visible
    assert welcome.parse_mode == "HTML" and welcome.link_preview_disabled
    subscriber = await bot.subscriber(ANA)
    assert subscriber is not None and subscriber.active


async def test_stop_unsubscribes_and_says_so_twice_over(bot: Harness) -> None:
    await bot.ask(ANA, "/start")
    [stopped] = await bot.ask(ANA, "/stop")
    assert "Unsubscribed" in stopped.visible
    [again] = await bot.ask(ANA, "/stop")
    assert "not subscribed" in again.visible
    subscriber = await bot.subscriber(ANA)
    assert subscriber is not None and not subscriber.active


async def test_help_explains_every_command_with_an_example(bot: Harness) -> None:
    [help_text] = await bot.ask(ANA, "/help")
    for example in (
        "/digest 6h",
        "/actor maduro",
        "/actors",
        "/follow machado",
        "/unfollow machado",
        "/search elecciones",
        "/sources",
        "/settings",
        "/start",
        "/stop",
    ):
        assert example in help_text.visible
    assert "/stats" not in help_text.visible
    [admin_help] = await bot.ask(ADMIN, "/help")
    assert "/stats" in admin_help.visible and "/reload" in admin_help.visible


async def test_unknown_commands_and_plain_text_point_to_help(bot: Harness) -> None:
    [unknown] = await bot.ask(ANA, "/frobnicate now")
    assert "/help" in unknown.visible
    [plain] = await bot.ask(ANA, "hola, ¿qué pasó hoy?")
    assert "/help" in plain.visible


# ---- digest --------------------------------------------------------------------------------


async def test_feed_markup_in_a_title_reaches_the_user_as_literal_text(bot: Harness) -> None:
    title = """<b>Maduro</b> <script>alert("x")</script> & 'comillas' "dobles" """.strip()
    await bot.seed_story(title, hours_ago=1, url="https://efectococuyo.com/a?x=1&y=2")
    [digest] = await bot.ask(ANA, "/digest")
    assert title in digest.visible
    assert digest.links == ("https://efectococuyo.com/a?x=1&y=2",)
    assert "Efecto Cocuyo" in digest.visible


async def test_digest_windows_choose_what_is_shown(bot: Harness) -> None:
    await bot.seed_story("Fresh news from Caracas", hours_ago=2)
    await bot.seed_story("Yesterday's news", hours_ago=30)
    [six] = await bot.ask(ANA, "/digest 6h")
    assert "Fresh news" in six.visible and "Yesterday" not in six.visible
    assert "6 h" in six.visible
    [week] = await bot.ask(ANA, "/digest 7d")
    assert "Fresh news" in week.visible and "Yesterday's news" in week.visible
    [default] = await bot.ask(ANA, "/digest")
    assert "Fresh news" in default.visible and "Yesterday" not in default.visible


async def test_empty_window_says_so_and_when_the_last_item_came(bot: Harness) -> None:
    [nothing] = await bot.ask(ANA, "/digest")
    assert "No new stories" in nothing.visible and "nothing has come in yet" in nothing.visible
    await bot.seed_story("Old news", hours_ago=30)
    [old] = await bot.ask(ANA, "/digest 6h")
    assert "No new stories in the last 6 h" in old.visible
    assert "the last item came in at" in old.visible


async def test_digest_refuses_a_window_it_cannot_read(bot: Harness) -> None:
    [bad] = await bot.ask(ANA, "/digest <i>soon</i> 🇻🇪")
    assert "can't read" in bad.visible and "<i>soon</i> 🇻🇪" in bad.visible
    assert "/digest 6h" in bad.visible


async def test_more_button_pages_on_and_goes_away(bot: Harness) -> None:
    for n in range(13):
        await bot.seed_story(f"Story number {n:02d}", hours_ago=1 + n / 10)
    [first] = await bot.ask(ANA, "/digest 24h")
    assert first.visible.count("Story number") == 10
    assert labels(first) == ["More (3 left)"]
    [second] = await bot.press(first, "More")
    assert second.visible.count("Story number") == 3
    assert "11. " in second.visible and "13. " in second.visible
    assert not labels(second)
    assert any(
        e.message_id == first.message_id and e.reply_markup is None for e in bot.fake.edits()
    )


async def test_forged_or_stale_buttons_are_refused_politely(bot: Harness) -> None:
    for chat_id, data in enumerate(
        ("dg:9:1:0", "dg:1:2:99999", "ac:../etc:0", "st:tz:Mars/Olympus", "zz", "x" * 64), start=ANA
    ):
        [first] = await bot.ask(chat_id, "/help")
        [answer] = await bot.press_data(chat_id, data, first.message_id)
        assert "expired" in answer.visible


# ---- actors --------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["maduro", "MADURO", "Nicolas Maduro", '"Nicolás Maduro"'])
async def test_actor_finds_stories_whatever_the_accents_and_case(bot: Harness, query: str) -> None:
    await bot.seed_story("Maduro habla en cadena nacional", hours_ago=1, actors=["maduro"])
    await bot.seed_story("Machado convoca", hours_ago=1, actors=["machado"])
    [answer] = await bot.ask(ANA, f"/actor {query}")
    assert "Nicolás Maduro" in answer.visible and "cadena nacional" in answer.visible
    assert "Machado convoca" not in answer.visible


@pytest.mark.parametrize(
    ("query", "actor_id", "name"),
    [
        ('"Delcy Rodríguez"', "delcy-rodriguez", "Delcy Rodríguez"),
        ("delcy", "delcy-rodriguez", "Delcy Rodríguez"),
        ("Padrino", "padrino-lopez", "Vladimir Padrino López"),
    ],
)
async def test_actor_by_full_name_first_name_or_surname(
    bot: Harness, query: str, actor_id: str, name: str
) -> None:
    await bot.seed_story("Declaraciones de hoy", hours_ago=1, actors=[actor_id])
    [answer] = await bot.ask(ANA, f"/actor {query}")
    assert name in answer.visible and "Declaraciones de hoy" in answer.visible


async def test_ambiguous_name_offers_a_choice_that_answers(bot: Harness) -> None:
    await bot.seed_story("Jorge Rodríguez en la Asamblea", hours_ago=1, actors=["jorge-rodriguez"])
    [choice] = await bot.ask(ANA, "/actor Rodríguez")
    assert "several actors" in choice.visible
    assert {"Delcy Rodríguez", "Jorge Rodríguez"} <= set(labels(choice))
    [answer] = await bot.press(choice, "Jorge")
    assert "Jorge Rodríguez en la Asamblea" in answer.visible


async def test_actor_without_stories_says_so(bot: Harness) -> None:
    [answer] = await bot.ask(ANA, "/actor machado")
    assert "No stories about María Corina Machado" in answer.visible


async def test_unknown_actor_gets_the_closest_names(bot: Harness) -> None:
    [close] = await bot.ask(ANA, "/actor Madur")
    assert "Nicolás Maduro" in labels(close)
    [unknown] = await bot.ask(ANA, "/actor Zzyzx")
    assert "I don't know “Zzyzx”" in unknown.visible and "/actors" in unknown.visible


async def test_actor_bad_inputs_are_answered(bot: Harness) -> None:
    [usage] = await bot.ask(ANA, "/actor")
    assert "/actor maduro" in usage.visible
    [long] = await bot.ask(ANA, "/actor " + "x" * 3000)
    assert "too long" in long.visible and len(long.visible) < 300
    [markup] = await bot.ask(ANA, "/actor <b>Chávez</b> & 🇻🇪")
    assert "<b>Chávez</b> & 🇻🇪" in markup.visible


async def test_actors_lists_known_actors_with_week_counts(bot: Harness) -> None:
    await bot.seed_story("Uno", hours_ago=1, actors=["maduro"])
    await bot.seed_story("Dos", hours_ago=2, actors=["maduro"])
    await bot.seed_story("Tres", hours_ago=24 * 9, actors=["machado"])
    [listing, *more] = await bot.ask(ANA, "/actors")
    assert "Nicolás Maduro — 2" in listing.visible
    assert "María Corina Machado — 0" in listing.visible + "".join(m.visible for m in more)
    assert listing.visible.index("Nicolás Maduro") < listing.visible.index("Tren de Aragua")


# ---- follows -------------------------------------------------------------------------------


async def test_follow_unfollow_and_list(bot: Harness) -> None:
    await bot.ask(ANA, "/start")
    [empty] = await bot.ask(ANA, "/follow")
    assert "You follow nobody yet" in empty.visible
    [followed] = await bot.ask(ANA, "/follow machado")
    assert "Following María Corina Machado" in followed.visible
    [again] = await bot.ask(ANA, "/follow María Corina Machado")
    assert "already follow" in again.visible
    [listing] = await bot.ask(ANA, "/unfollow")
    assert "María Corina Machado" in listing.visible
    [dropped] = await bot.ask(ANA, "/unfollow machado")
    assert "No more alerts about María Corina Machado" in dropped.visible
    [gone] = await bot.ask(ANA, "/unfollow machado")
    assert "were not following" in gone.visible


async def test_follow_an_ambiguous_name_through_its_buttons(bot: Harness) -> None:
    [choice] = await bot.ask(ANA, "/follow López")
    assert {"Leopoldo López", "Vladimir Padrino López"} <= set(labels(choice))
    [followed] = await bot.press(choice, "Leopoldo")
    assert "Following Leopoldo López" in followed.visible
    assert "send /start" in followed.visible  # not subscribed yet: alerts need /start


async def test_follow_bad_inputs(bot: Harness) -> None:
    [unknown] = await bot.ask(ANA, "/follow <script>x</script>")
    assert "<script>x</script>" in unknown.visible
    [long] = await bot.ask(ANA, "/follow " + "é" * 500)
    assert "too long" in long.visible


# ---- settings ------------------------------------------------------------------------------


async def test_settings_need_a_subscription(bot: Harness) -> None:
    [answer] = await bot.ask(ANA, "/settings")
    assert "/start" in answer.visible


async def test_settings_buttons_change_and_redraw(bot: Harness) -> None:
    await bot.ask(ANA, "/start")
    [menu] = await bot.ask(ANA, "/settings")
    assert "daily at 08:00 (America/Caracas)" in menu.visible
    assert {"✓ Daily", "Hourly", "Off", "Madrid", "✓ es", "✓ en", "✓ fr"} <= set(labels(menu))
    edited = await bot.press_edit(menu, "Hourly")
    assert "hourly at 08:00" in edited
    edited = await bot.press_edit(menu, "Madrid")
    assert "(Europe/Madrid)" in edited
    edited = await bot.press_edit(menu, "fr")
    assert "Languages of sources: en, es" in edited
    edited = await bot.press_edit(menu, "Off")
    assert "Scheduled digests are off" in edited
    subscriber = await bot.subscriber(ANA)
    assert subscriber is not None
    assert (subscriber.schedule, subscriber.timezone, subscriber.languages) == (
        "off",
        "Europe/Madrid",
        "en,es",
    )


async def test_settings_by_command_and_bad_values(bot: Harness) -> None:
    await bot.ask(ANA, "/start")
    [timed] = await bot.ask(ANA, "/settings time 07:30")
    assert "at 07:30" in timed.visible
    [zoned] = await bot.ask(ANA, "/settings tz America/Bogota")
    assert "(America/Bogota)" in zoned.visible
    [bad_zone] = await bot.ask(ANA, "/settings tz Mars/<b>Olympus</b>")
    assert "don't know the time zone “Mars/<b>Olympus</b>”" in bad_zone.visible
    [bad_time] = await bot.ask(ANA, "/settings time 25:99")
    assert "can't read “25:99”" in bad_time.visible
    [bad_field] = await bot.ask(ANA, "/settings colour blue")
    assert "don't know the setting" in bad_field.visible
    [languages] = await bot.ask(ANA, "/settings languages es fr")
    assert "Languages of sources: es, fr" in languages.visible


async def test_settings_are_remembered_across_restarts(
    fake: FakeTelegram, settings: Settings
) -> None:
    async with running(settings, fake) as first:
        await first.ask(ANA, "/start")
        await first.ask(ANA, "/settings time 06:45")
        await first.ask(ANA, "/settings schedule twice")
    async with running(settings, fake) as second:
        [menu] = await second.ask(ANA, "/settings")
        assert "twice a day at 06:45" in menu.visible


# ---- search and sources --------------------------------------------------------------------


async def test_search_finds_words_and_answers_bad_input(bot: Harness) -> None:
    await bot.seed_story(
        "El CNE anuncia resultados",
        hours_ago=1,
        text="El Consejo Nacional Electoral publicó las actas.",
    )
    await bot.seed_story("Lluvias en Mérida", hours_ago=1)
    [found] = await bot.ask(ANA, "/search actas electoral")
    assert "El CNE anuncia resultados" in found.visible and "Mérida" not in found.visible
    [none] = await bot.ask(ANA, "/search <b>petróleo</b> 🛢️")
    assert "No stories with “<b>petróleo</b> 🛢️”" in none.visible
    [usage] = await bot.ask(ANA, "/search")
    assert "/search elecciones" in usage.visible
    [long] = await bot.ask(ANA, "/search " + "palabra " * 100)
    assert "too long" in long.visible


async def test_sources_lists_what_is_read(bot: Harness) -> None:
    [listing] = await bot.ask(ANA, "/sources")
    assert "Efecto Cocuyo (rss, es) — ok" in listing.visible
    assert "Wire & Co (rss, en)" in listing.visible


# ---- operators -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/stats", "/reload", "/feeds"])
async def test_admin_commands_refuse_everyone_else(bot: Harness, command: str) -> None:
    [refusal] = await bot.ask(ANA, command)
    assert "for Vigía's operators only" in refusal.visible


async def test_stats_for_an_admin(bot: Harness) -> None:
    await bot.ask(ANA, "/start")
    await bot.seed_story("Algo", hours_ago=1)
    [stats] = await bot.ask(ADMIN, "/stats")
    assert "Sources: 2 ok, 0 failing" in stats.visible
    assert "Items in the last 24 h: 1" in stats.visible
    assert "Subscribers: 1" in stats.visible


async def test_feeds_shows_failing_sources_with_their_error(bot: Harness) -> None:
    [fine] = await bot.ask(ADMIN, "/feeds")
    assert "Every source reads fine" in fine.visible
    read_at = (datetime.now(UTC) - timedelta(days=2)).replace(second=0, microsecond=0)
    async with transaction(bot.runtime.sessions) as session:
        source = await session.get(Source, "wire")
        assert source is not None
        source.error_count, source.last_status = 3, 503
        source.last_error = "HTTP 503 <html>Service Unavailable</html>"
        source.last_success_at = read_at
    [failing] = await bot.ask(ADMIN, "/feeds")
    local = read_at.astimezone(ZoneInfo(bot.settings.timezone))
    assert (f"Wire & Co (wire) — 3 errors, HTTP 503, last read {local.day} "
            f"{local:%b} {local:%H:%M}") in failing.visible
    assert "<html>Service Unavailable</html>" in failing.visible


async def test_reload_reports_counts_or_problems(bot: Harness) -> None:
    [ok] = await bot.ask(ADMIN, "/reload")
    assert "Reloaded: 2 sources, " in ok.visible and " actors." in ok.visible
    bot.settings.feeds.write_text(
        FEEDS + '\n[[source]]\nid = "Bad Id"\nkind = "rss"\n', encoding="utf-8"
    )
    [refused] = await bot.ask(ADMIN, "/reload")
    assert "Reload refused" in refused.visible and "feeds.toml:" in refused.visible
    assert "2 sources" in refused.visible  # the last good file stays in use


async def test_a_truncated_feeds_file_is_refused_and_dropped_sources_are_named(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.settings.feeds.write_text("[defaults]\ninterval = \"15m\"\n", encoding="utf-8")
    [refused] = await bot.ask(ADMIN, "/reload")
    assert "Reload refused" in refused.visible and "no [[source]]" in refused.visible
    assert "2 sources" in refused.visible
    # Cut after the first source: accepted, but the answer and the log say what stops.
    bot.settings.feeds.write_text(FEEDS.split("[[source]]\nid = \"wire\"")[0], encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        [dropped] = await bot.ask(ADMIN, "/reload")
    assert "Reloaded: 1 sources" in dropped.visible
    assert "No longer polled (1)" in dropped.visible and "wire" in dropped.visible
    assert any("wire" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


async def test_a_flood_wait_on_a_reply_is_one_info_line(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.fail_next(ANA, 429, "Too Many Requests: retry after 3", retry_after=3)
    with caplog.at_level(logging.INFO):
        bot.fake.push_message(ANA, "/help")
        await bot.settle()
    waits = [r for r in caplog.records if "reply paced" in r.getMessage()]
    assert len(waits) == 1 and waits[0].levelno == logging.INFO
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    [answer] = bot.fake.messages_to(ANA)  # waited out, then answered once
    assert "/digest" in answer.visible


# ---- abuse and failures --------------------------------------------------------------------


async def test_a_flood_is_slowed_down_not_served(fake: FakeTelegram, settings: Settings) -> None:
    gate = FloodGate()  # the default gate, as `run` builds it
    async with running(settings, fake, flood=gate) as bot:
        for _ in range(gate.limit + 20):
            bot.fake.push_message(ANA, "/help")
        await bot.settle()
        answers = bot.fake.messages_to(ANA)
        assert len(answers) == gate.limit + 1
        assert [m.visible.startswith("Slow down") for m in answers] == [False] * gate.limit + [True]
        [other] = await bot.ask(ANA + 1, "/help")  # other chats are served as usual
        assert "/digest" in other.visible


async def test_a_blocked_chat_is_unsubscribed_and_the_bot_goes_on(bot: Harness) -> None:
    await bot.ask(ANA, "/start")
    bot.fake.block(ANA)
    bot.fake.push_message(ANA, "/digest")
    await bot.settle()
    subscriber = await bot.subscriber(ANA)
    assert subscriber is not None and not subscriber.active
    assert subscriber.deactivated_reason == "blocked"
    [answer] = await bot.ask(ANA + 1, "/help")
    assert "/digest" in answer.visible


# ---- answers through the one send path -----------------------------------------------------


async def test_a_readers_stars_and_backticks_come_back_as_they_typed_them(bot: Harness) -> None:
    # Our templates mark *bold* and `code`; what a reader types is filled in after, as words.
    [search] = await bot.ask(ANA, "/search *petróleo* `PDVSA`")
    assert search.visible == "No stories with “*petróleo* `PDVSA`”."
    assert search.entities == ()
    [actor] = await bot.ask(ANA, "/actor l'*acteur* {0}")
    assert "“l'*acteur* {0}”" in actor.visible and not actor.entities


async def test_pressing_the_choice_already_shown_is_not_an_error(bot: Harness) -> None:
    await bot.ask(ANA, "/start")
    [menu] = await bot.ask(ANA, "/settings")
    assert "saved" in await bot.press_edit(menu, "Hourly")
    edits = len(bot.fake.edits())
    bot.fake.push_callback(ANA, "st:schedule:hourly", menu.message_id)  # the same menu again
    await bot.settle()
    assert len(bot.fake.edits()) == edits  # Telegram said "not modified": nothing to do
    assert len(bot.fake.messages_to(ANA)) == 2  # no apology either


async def test_a_long_list_answer_is_split_between_its_lines(bot: Harness) -> None:
    names = [f"Radio Comunitaria número {n:03d} de los Andes venezolanos" for n in range(150)]
    async with transaction(bot.runtime.sessions) as session:
        for n, name in enumerate(names):
            session.add(Source(id=f"radio-{n:03d}", name=name, url=f"https://r{n}.example/f"))
    before = len(bot.fake.messages_to(ANA))
    bot.fake.push_message(ANA, "/sources")
    await bot.settle()
    parts = bot.fake.messages_to(ANA)[before:]
    assert len(parts) >= 3
    assert all(len(part.visible.encode("utf-16-le")) // 2 <= 4096 for part in parts)
    assert parts[0].visible.startswith("Sources · 152")
    assert all(part.visible.startswith("• ") for part in parts[1:])  # never inside a line
    shown = "\n".join(part.visible for part in parts)
    assert all(shown.count(name) == 1 for name in names)
