"""The fake Bot API refuses, limits and records what Telegram would, driven by a real telegram.Bot."""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.fake_telegram import FakeTelegram, HtmlError, parse_telegram_html

TOKEN = "123456:TEST-token_abc"


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=TOKEN, global_rate=None, chat_rate=None) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(TOKEN, base_url=fake.bot_base_url) as client:
        yield client


def retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value if isinstance(value, int) else value.total_seconds()


HTML_REFUSED = [
    ("a & b", "Character entity expected"),
    ("1 < 2", "Unclosed start tag"),
    ("2 > 1", "Unexpected end of name token"),
    ("<script>alert(1)</script>", 'Unsupported start tag "script"'),
    ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b><i>x</b></i>", "Unmatched end tag"),
    ("x</b>", "Unexpected end tag"),
    ('<span class="red">x</span>', "tg-spoiler"),
    ("&nbsp;", "Character entity expected"),
]

HTML_ACCEPTED = [
    ("a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; &#x1F600;", "a & b <c> \"d\" 'e' 😀"),
    ("<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins>", "bsieun"),
    ("<s>s</s><strike>k</strike><del>d</del><tg-spoiler>t</tg-spoiler>", "skdt"),
    ('<span class="tg-spoiler">x</span><code>c</code><pre>p</pre>', "xcp"),
    ("<blockquote>q</blockquote>", "q"),
    ('<a href="https://e.org/?a=1&amp;b=&quot;2&quot;">link</a>', "link"),
    ("<b>x <i>y</i></b>", "x y"),
]


@pytest.mark.parametrize(("html", "reason"), HTML_REFUSED)
async def test_html_that_telegram_refuses_gets_400(
    bot: telegram.Bot, fake: FakeTelegram, html: str, reason: str
) -> None:
    with pytest.raises(BadRequest, match="parse entities") as caught:
        await bot.send_message(1, html, parse_mode="HTML")
    assert reason.lower() in str(caught.value).lower()
    assert fake.messages() == []
    assert fake.errors[400] == 1


@pytest.mark.parametrize(("html", "visible"), HTML_ACCEPTED)
async def test_html_that_telegram_accepts_is_recorded_as_seen(
    bot: telegram.Bot, fake: FakeTelegram, html: str, visible: str
) -> None:
    message = await bot.send_message(1, html, parse_mode="HTML")
    assert message.text == visible
    [recorded] = fake.messages()
    assert (recorded.text, recorded.visible, recorded.parse_mode) == (html, visible, "HTML")


def test_link_targets_are_unescaped() -> None:
    parsed = parse_telegram_html('<a href="https://e.org/?a=1&amp;b=&quot;2&quot;">x</a>')
    assert parsed.links == ('https://e.org/?a=1&b="2"',)
    with pytest.raises(HtmlError):
        parse_telegram_html('<a href="https://e.org/?a=1&b=2">x</a>')


async def test_length_counts_utf16_units_after_entities(bot: telegram.Bot) -> None:
    await bot.send_message(1, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(1, "😀" * 2048)
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(1, "😀" * 2048 + "x")
    await bot.send_message(1, "&amp;" * 4096, parse_mode="HTML")


@pytest.mark.parametrize("text", ["", "   ", "<b> </b>"])
async def test_empty_text_is_refused(bot: telegram.Bot, text: str) -> None:
    with pytest.raises(BadRequest, match="empty"):
        await bot.send_message(1, text, parse_mode="HTML")


async def test_markup_and_link_preview_are_recorded(bot: telegram.Bot, fake: FakeTelegram) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:1")]])
    sent = await bot.send_message(
        9, "hi", reply_markup=markup, link_preview_options=LinkPreviewOptions(is_disabled=True)
    )
    [recorded] = fake.messages()
    assert recorded.reply_markup == {
        "inline_keyboard": [[{"text": "More", "callback_data": "more:1"}]]
    }
    assert recorded.link_preview_disabled
    assert recorded.message_id == sent.message_id == 1
    await bot.edit_message_text("hi again", chat_id=9, message_id=1)
    await bot.edit_message_reply_markup(chat_id=9, message_id=1, reply_markup=markup)
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("hi again", chat_id=9, message_id=1, reply_markup=markup)
    with pytest.raises(BadRequest, match="not found"):
        await bot.edit_message_text("x", chat_id=9, message_id=77)
    assert [(e.text, e.reply_markup is None) for e in fake.edits()] == [
        ("hi again", True),
        (None, False),
    ]


async def test_blocked_and_unknown_chats(bot: telegram.Bot, fake: FakeTelegram) -> None:
    fake.set_options(strict_chats=True)
    fake.add_chats(1, 2)
    fake.block(2)
    await bot.send_message(1, "ok")
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(2, "x")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(3, "x")
    assert (fake.errors[403], fake.errors[400]) == (1, 1)


async def test_per_chat_limit_allows_a_small_burst_then_429(
    bot: telegram.Bot, fake: FakeTelegram
) -> None:
    fake.set_options(chat_rate=1.0, chat_burst=3)
    for _ in range(3):
        await bot.send_message(1, "x")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1, "x")
    assert retry_seconds(caught.value) == 1
    await bot.send_message(2, "another chat is not limited")
    assert fake.errors[429] == 1


async def test_global_limit_gives_retry_after(bot: telegram.Bot, fake: FakeTelegram) -> None:
    fake.set_options(global_rate=5.0, global_burst=5)
    results = await asyncio.gather(
        *(bot.send_message(chat, "x") for chat in range(1, 11)), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, RetryAfter)]
    assert len(refused) == 5 and len(fake.messages()) == 5, results


async def test_injected_failures(bot: telegram.Bot, fake: FakeTelegram) -> None:
    fake.fail_next(1, 429, retry_after=3600)
    fake.fail_next(1, 502, times=2)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1, "x")
    assert retry_seconds(caught.value) == 3600
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(1, "x")
    await bot.send_message(1, "x")
    assert len(fake.messages()) == 1


async def test_wrong_token_is_unauthorized(fake: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with telegram.Bot("999:WRONG", base_url=fake.bot_base_url):
            pass


async def test_json_bodies_are_accepted_too(fake: FakeTelegram) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"{fake.root}/bot{TOKEN}/sendMessage",
            json={"chat_id": 4, "text": "<i>x</i>", "parse_mode": "HTML"},
        )
        refused = await client.post(
            f"{fake.root}/bot{TOKEN}/sendMessage", json={"chat_id": 4, "text": "<x>"}
        )
    assert answer.json()["result"]["text"] == "x"
    assert refused.status_code == 200  # without parse_mode the text is literal
    assert [m.visible for m in fake.messages()] == ["x", "<x>"]


async def test_get_updates_long_polls_and_confirms(bot: telegram.Bot, fake: FakeTelegram) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=0.3) == ()
    assert time.monotonic() - started >= 0.25
    waiting = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    fake.push_message(42, "/actor maduro", user_id=7)
    [update] = await waiting
    assert update.message is not None and update.message.text == "/actor maduro"
    assert update.message.from_user is not None and update.message.from_user.id == 7
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
    assert fake.pending_updates() == 0


async def test_an_application_answers_commands_and_callbacks(fake: FakeTelegram) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id,
            "welcome",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("go", callback_data="go")]]),
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("done")

    app = Application.builder().token(TOKEN).base_url(fake.bot_base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        fake.push_message(5, "/start")
        [welcome] = await fake.wait_sent(1)
        fake.push_callback(5, "go", welcome.message_id)
        for _ in range(200):
            if fake.callback_answers():
                break
            await asyncio.sleep(0.01)
        await app.updater.stop()
        await app.stop()
    assert welcome.visible == "welcome"
    assert [a["text"] for a in fake.callback_answers()] == ["done"]


def test_pause_holds_messages_unrecorded_until_resumed(fake: FakeTelegram) -> None:
    fake.pause_after(1)
    url = f"{fake.root}/bot{TOKEN}/sendMessage"
    with httpx.Client() as client:
        assert client.post(url, data={"chat_id": "1", "text": "a"}).status_code == 200
        assert fake.paused.is_set()
        with pytest.raises(httpx.ReadTimeout):
            client.post(url, data={"chat_id": "1", "text": "b"}, timeout=0.3)
    assert fake.resume(drop_held=True) == 1
    assert [m.visible for m in fake.messages()] == ["a"]


async def test_channels_by_username_and_the_bots_rights_there(
    bot: telegram.Bot, fake: FakeTelegram
) -> None:
    fake.add_channel("@Canal_Abierto", -1001)
    fake.add_channel("canal_sin_derechos", -1002, admin=False)
    fake.add_channel("canal_ajeno", -1003, member=False)
    sent = await bot.send_message("@canal_abierto", "<b>hola</b>", parse_mode="HTML")
    assert (sent.chat.id, fake.messages_to(-1001)[0].visible) == (-1001, "hola")
    with pytest.raises(BadRequest, match=r"(?i)need administrator rights"):
        await bot.send_message("@canal_sin_derechos", "x")
    with pytest.raises(Forbidden, match="not a member of the channel chat"):
        await bot.send_message(-1003, "x")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message("@nadie_aqui", "x")
    with pytest.raises(BadRequest, match=r"(?i)need administrator rights"):
        await bot.edit_message_text("y", chat_id="@canal_sin_derechos", message_id=1)
    await bot.edit_message_text("<i>editado</i>", chat_id="@canal_abierto",
                                message_id=sent.message_id, parse_mode="HTML")
    assert [(e.chat_id, e.text) for e in fake.edits()] == [(-1001, "editado")]


async def test_photos_are_uploads_of_real_images_with_checked_captions(
    bot: telegram.Bot, fake: FakeTelegram
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    sent = await bot.send_photo(9, photo=png, caption="<b>Tendencia</b> &amp; más", parse_mode="HTML")
    [photo] = fake.photos()
    assert (photo.chat_id, photo.message_id, photo.data) == (9, sent.message_id, png)
    assert photo.caption_visible == "Tendencia & más" and sent.caption == "Tendencia & más"
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(9, photo=b"GIF89a not a png")
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(9, photo=png, caption="x" * 1025)
    with pytest.raises(BadRequest, match=r"(?i)unclosed start tag"):
        await bot.send_photo(9, photo=png, caption="1 < 2", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(9, photo="AgACAgEAAxkBAAIB")
    assert len(fake.photos()) == 1
