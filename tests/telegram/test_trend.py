"""`/trend` answers with a readable PNG chart, or in words when there is nothing to draw."""

from __future__ import annotations

import io
import struct

from PIL import Image

from tests.fake_telegram import SentPhoto
from tests.telegram.harness import ANA, Harness, labels, wait_until

BEA = 1002


async def photo(bot: Harness, chat_id: int, text: str) -> SentPhoto:
    """Send a command and wait for the photo it brings."""
    before = len([p for p in bot.fake.photos() if p.chat_id == chat_id])
    bot.fake.push_message(chat_id, text)
    photos: list[SentPhoto] = await wait_until(
        lambda: (lambda mine: mine if len(mine) > before else None)(
            [p for p in bot.fake.photos() if p.chat_id == chat_id]
        )
    )
    return photos[-1]


def assert_readable_png(data: bytes) -> tuple[int, int]:
    """A real PNG, phone sized, neither empty nor huge; returns its width and height."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert 800 <= width <= 1600 and 450 <= height <= 1000
    assert 15_000 <= len(data) <= 1_000_000
    image = Image.open(io.BytesIO(data))
    image.verify()  # every chunk decodes
    return width, height


async def test_trend_of_one_actor_is_a_png_with_a_caption(bot: Harness) -> None:
    for hours in (1, 2, 26, 27, 28, 24 * 12):
        await bot.seed_story(f"Maduro, hace {hours} h", hours_ago=hours, actors=["maduro"])
    await bot.seed_story("Machado convoca", hours_ago=3, actors=["machado"])
    sent = await photo(bot, ANA, "/trend maduro")
    assert assert_readable_png(sent.data) == (960, 600)
    assert sent.caption_visible.startswith("Nicolás Maduro — stories a day over the last 30 days")
    assert "America/Caracas" in sent.caption_visible
    assert not bot.fake.messages_to(ANA)  # the picture says it all


async def test_trend_of_several_actors_over_ninety_days(bot: Harness) -> None:
    await bot.seed_story("Maduro y Machado", hours_ago=24 * 60, actors=["maduro", "machado"])
    await bot.seed_story("Cabello responde", hours_ago=5, actors=["diosdado-cabello"])
    sent = await photo(bot, BEA, '/trend maduro machado "Diosdado Cabello" 90d')
    assert_readable_png(sent.data)
    assert "Nicolás Maduro · María Corina Machado · Diosdado Cabello" in sent.caption_visible
    assert "90 days" in sent.caption_visible


async def test_trend_alone_charts_the_weeks_most_named(bot: Harness) -> None:
    for n in range(3):
        await bot.seed_story(f"Maduro {n}", hours_ago=n + 1, actors=["maduro"])
    await bot.seed_story("Machado", hours_ago=4, actors=["machado"])
    await bot.seed_story("Hace un mes", hours_ago=24 * 30, actors=["cne"])
    sent = await photo(bot, ANA, "/trend")
    assert_readable_png(sent.data)
    assert sent.caption_visible.startswith("The 2 most-named actors of the last 7 days")


async def test_unknown_and_ambiguous_names_are_answered_as_actor_answers_them(bot: Harness) -> None:
    [unknown] = await bot.ask(ANA, "/trend maduro Zzyzx")
    assert "I don't know “Zzyzx”" in unknown.visible and "/actors" in unknown.visible
    [close] = await bot.ask(ANA, "/trend Madur")
    assert "Nicolás Maduro" in labels(close)
    await bot.seed_story("Jorge Rodríguez en la Asamblea", hours_ago=1, actors=["jorge-rodriguez"])
    [choice] = await bot.ask(ANA, "/trend Rodríguez 7d")
    assert "several actors" in choice.visible
    assert {"Delcy Rodríguez", "Jorge Rodríguez"} <= set(labels(choice))
    before = len(bot.fake.photos())
    bot.fake.push_callback(ANA, next(
        b["callback_data"] for row in (choice.reply_markup or {})["inline_keyboard"] for b in row
        if "Jorge" in b["text"]
    ), choice.message_id)
    chart = await wait_until(lambda: bot.fake.photos()[before:] or None)
    assert chart[0].caption_visible.startswith("Jorge Rodríguez — stories a day over the last 7 days")
    assert_readable_png(chart[0].data)


async def test_what_cannot_be_charted_is_said_in_words(bot: Harness) -> None:
    [none] = await bot.ask(ANA, "/trend machado")
    assert "No stories named María Corina Machado in the last 30 days" in none.visible
    [window] = await bot.ask(ANA, "/trend maduro 12d")
    assert "7, 30 or 90 days" in window.visible and "12d" in window.visible
    [many] = await bot.ask(ANA, "/trend maduro machado cabello padrino")
    assert "up to 3 actors" in many.visible
    [nothing] = await bot.ask(BEA, "/trend")
    assert "nothing to chart" in nothing.visible
    [hostile] = await bot.ask(ANA, "/trend <b>x</b> & y")
    assert "I don't know “&lt;b&gt;x&lt;/b&gt;”" not in hostile.visible  # escaped once, shown as typed
    assert "“<b>x</b>”" in hostile.visible
