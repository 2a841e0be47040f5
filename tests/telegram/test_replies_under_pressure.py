"""Replies under pressure: paced by 429s, forged buttons, broken text, commands for other bots."""

from __future__ import annotations

import asyncio

from tests.fake_telegram import FakeTelegram
from tests.telegram.harness import ANA, Harness


async def test_a_reply_that_meets_a_429_waits_it_out_and_arrives(bot: Harness) -> None:
    for n, command in enumerate(("/help", "/sources", "/actors")):
        chat_id = ANA + n
        bot.fake.fail_next(chat_id, 429, retry_after=1)
        [answer] = await bot.ask(chat_id, command)
        assert answer.visible.strip()
    assert bot.fake.errors[429] == 3


async def test_forged_button_data_gets_the_expired_answer_not_an_apology(bot: Harness) -> None:
    for chat_id, data in enumerate(("dg:1:2:²", "dg:١:2:0", "ac:maduro:٣", "dg:1:2:" + "9" * 40), start=ANA):
        [first] = await bot.ask(chat_id, "/help")
        [answer] = await bot.press_data(chat_id, data, first.message_id)
        assert "expired" in answer.visible
        assert "went wrong" not in answer.visible.lower()


async def test_a_lone_surrogate_in_an_argument_still_gets_an_answer(bot: Harness) -> None:
    for chat_id, command in enumerate(
        ("/digest \ud800", "/settings tz \udfff", "/search Maduro \ud83d"), start=ANA
    ):
        [answer] = await bot.ask(chat_id, command)
        assert answer.visible.strip()
        assert "went wrong" not in answer.visible.lower()


async def test_a_command_for_another_bot_gets_no_answer(bot: Harness, fake: FakeTelegram) -> None:
    group = -100_200
    fake.push_message(group, "/digest@otro_bot", user_id=ANA)
    fake.push_message(group, "/frobnicate@otro_bot", user_id=ANA)
    fake.push_message(group, "/frobnicate@vigia_test_bot", user_id=ANA)
    [answer] = await bot.wait_for(group, 1)
    assert "/help" in answer.visible  # only the unknown command addressed to us is answered
    await asyncio.sleep(1.0)
    assert len(fake.messages_to(group)) == 1
