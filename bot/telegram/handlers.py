"""The Telegram callbacks: each parses its update, calls one answer function, sends the Reply."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any

from telegram import ChatMember, ChatMemberUpdated, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.digest.buttons import (
    ActorMore,
    DigestMore,
    FollowChoice,
    SettingChoice,
    TrendChoice,
    parse_pressed,
)
from bot.digest.words import said
from bot.model import Status
from bot.telegram import admin, following, reading, settings_menu, subscription, texts, trend
from bot.telegram.context import VigiaApplication, VigiaContext
from bot.telegram.flood import Verdict
from bot.telegram.posts import entry_from_post
from bot.telegram.reply import Reply, reply_with, send_message
from storage.db import is_busy

logger = logging.getLogger(__name__)

_Callback = Callable[[Update, VigiaContext], Coroutine[Any, Any, None]]


def register_handlers(application: VigiaApplication) -> None:
    """Wire every command, button and the error handler; flood control runs first (group -1)."""
    application.add_handler(TypeHandler(Update, check_flood), group=-1)
    only_new = filters.UpdateType.MESSAGE  # an edited command is not a new request
    for name, callback in _COMMANDS.items():
        application.add_handler(CommandHandler(name, callback, filters=only_new))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POSTS, on_channel_post))
    application.add_handler(MessageHandler(only_new & filters.COMMAND, on_unknown))
    application.add_handler(MessageHandler(only_new & filters.ChatType.PRIVATE, on_plain))
    application.add_error_handler(on_error)


async def check_flood(update: Update, context: VigiaContext) -> None:
    """Serve a chat at most a few updates per window; tell it once, then ignore the rest."""
    chat = update.effective_chat
    if chat is None or (update.message is None and update.callback_query is None):
        return
    verdict = context.bot_data.flood.admit(chat.id)
    if verdict is Verdict.SERVE:
        return
    if verdict is Verdict.WARN:
        logger.info("flood chat=%s limit=%s", chat.id, context.bot_data.flood.limit)
        if update.callback_query is not None:
            await update.callback_query.answer(texts.SLOW_DOWN)
        else:
            await send_reply(update, context, reply_with(texts.SLOW_DOWN))
    raise ApplicationHandlerStop


async def on_start(update: Update, context: VigiaContext) -> None:
    reply = await subscription.answer_start(
        sessions=context.sessions, timezone=context.settings.timezone, chat_id=_chat(update)
    )
    await send_reply(update, context, reply)


async def on_stop(update: Update, context: VigiaContext) -> None:
    reply = await subscription.answer_stop(sessions=context.sessions, chat_id=_chat(update))
    await send_reply(update, context, reply)


async def on_help(update: Update, context: VigiaContext) -> None:
    reply = subscription.answer_help(admins=context.settings.admins, user_id=_user(update))
    await send_reply(update, context, reply)


async def on_digest(update: Update, context: VigiaContext) -> None:
    reply = await reading.answer_digest(
        sessions=context.sessions,
        timezone=context.settings.timezone,
        chat_id=_chat(update),
        argument=_argument(update),
    )
    await send_reply(update, context, reply)


async def on_actor(update: Update, context: VigiaContext) -> None:
    reply = await reading.answer_actor(
        sessions=context.sessions,
        timezone=context.settings.timezone,
        actors=context.actors,
        chat_id=_chat(update),
        argument=_argument(update),
    )
    await send_reply(update, context, reply)


async def on_actors(update: Update, context: VigiaContext) -> None:
    reply = await reading.answer_actors(sessions=context.sessions, actors=context.actors)
    await send_reply(update, context, reply)


async def on_search(update: Update, context: VigiaContext) -> None:
    reply = await reading.answer_search(
        sessions=context.sessions,
        timezone=context.settings.timezone,
        chat_id=_chat(update),
        argument=_argument(update),
    )
    await send_reply(update, context, reply)


async def on_trend(update: Update, context: VigiaContext) -> None:
    reply = await trend.answer_trend(
        sessions=context.sessions,
        timezone=context.settings.timezone,
        actors=context.actors,
        chat_id=_chat(update),
        argument=_argument(update),
    )
    await send_reply(update, context, reply)


async def on_sources(update: Update, context: VigiaContext) -> None:
    await send_reply(update, context, await reading.answer_sources(sessions=context.sessions))


async def on_follow(update: Update, context: VigiaContext) -> None:
    reply = await following.answer_follow(
        sessions=context.sessions,
        actors=context.actors,
        alerts_per_hour=context.settings.alerts_per_hour,
        chat_id=_chat(update),
        argument=_argument(update),
    )
    await send_reply(update, context, reply)


async def on_unfollow(update: Update, context: VigiaContext) -> None:
    reply = await following.answer_unfollow(
        sessions=context.sessions,
        actors=context.actors,
        chat_id=_chat(update),
        argument=_argument(update),
    )
    await send_reply(update, context, reply)


async def on_settings(update: Update, context: VigiaContext) -> None:
    reply = await settings_menu.answer_settings(
        sessions=context.sessions, chat_id=_chat(update), argument=_argument(update)
    )
    await send_reply(update, context, reply)


async def on_stats(update: Update, context: VigiaContext) -> None:
    reply = await admin.answer_stats(
        sessions=context.sessions, admins=context.settings.admins, user_id=_user(update)
    )
    await send_reply(update, context, reply)


async def on_reload(update: Update, context: VigiaContext) -> None:
    reply = await admin.answer_reload(
        reload=context.reload,
        steering=context.steering,
        admins=context.settings.admins,
        user_id=_user(update),
    )
    await send_reply(update, context, reply)


async def on_feeds(update: Update, context: VigiaContext) -> None:
    reply = await admin.answer_feeds(
        sessions=context.sessions, admins=context.settings.admins, user_id=_user(update),
        timezone=context.settings.timezone,
    )
    await send_reply(update, context, reply)


async def on_unknown(update: Update, context: VigiaContext) -> None:
    if _for_another_bot(update, context):
        return  # /digest@otherbot in a group is that bot's business, not ours
    await send_reply(update, context, reply_with(texts.UNKNOWN))


async def on_channel_post(update: Update, context: VigiaContext) -> None:
    """A post (or an edit) in a channel the bot administers: ingested at once, no reply."""
    message = update.effective_message
    entry = entry_from_post(message) if message is not None else None
    if entry is None or message is None or message.chat.username is None:
        return
    report = await context.store_posts(message.chat.username, [entry])
    if report is not None:
        logger.info("channel_post source=%s new=%d updated=%d", report.source_id, report.new,
                    report.updated)


async def on_plain(update: Update, context: VigiaContext) -> None:
    await send_reply(update, context, reply_with(texts.PLAIN_TEXT))


async def on_button(update: Update, context: VigiaContext) -> None:
    """A pressed inline button: answer it, then rewrite its message or send the next page."""
    query = update.callback_query
    if query is None:
        return
    reply = await answer_pressed(context, chat_id=_chat(update), data=query.data)
    await query.answer(reply.notice)
    if reply.replace and query.message is not None:
        rewrite = replace(reply.message, replaces=str(query.message.message_id))
        await send_reply(update, context, Reply(rewrite))
        return
    if query.message is not None:
        # The pressed choice or "more" button has done its job; take it away.
        try:
            await query.edit_message_reply_markup(reply_markup=None)
        except BadRequest as error:
            logger.info("button not removed chat=%s error=%s", _chat(update), error.message)
    await send_reply(update, context, reply)


async def answer_pressed(context: VigiaContext, *, chat_id: int, data: str | None) -> Reply:
    """The Reply to a pressed button's payload; an expired or forged one says so."""
    pressed = parse_pressed(data)
    sessions, timezone, actors = context.sessions, context.settings.timezone, context.actors
    if isinstance(pressed, DigestMore):
        return await reading.answer_digest_page(
            sessions=sessions,
            timezone=timezone,
            chat_id=chat_id,
            since=pressed.since,
            until=pressed.until,
            offset=pressed.offset,
        )
    if isinstance(pressed, ActorMore):
        return await reading.answer_actor_page(
            sessions=sessions,
            timezone=timezone,
            actors=actors,
            chat_id=chat_id,
            actor_id=pressed.actor_id,
            offset=pressed.offset,
        )
    if isinstance(pressed, FollowChoice) and pressed.follow:
        return await following.follow_actor(
            sessions=sessions,
            actors=actors,
            alerts_per_hour=context.settings.alerts_per_hour,
            chat_id=chat_id,
            actor_id=pressed.actor_id,
        )
    if isinstance(pressed, FollowChoice):
        return await following.unfollow_actor(
            sessions=sessions, actors=actors, chat_id=chat_id, actor_id=pressed.actor_id
        )
    if isinstance(pressed, TrendChoice):
        return await trend.chart_actors(
            sessions=sessions,
            timezone=timezone,
            actors=actors,
            chat_id=chat_id,
            actor_ids=[pressed.actor_id],
            days=pressed.days,
        )
    if isinstance(pressed, SettingChoice):
        return await settings_menu.press_setting(sessions=sessions, chat_id=chat_id, choice=pressed)
    return Reply(said(texts.EXPIRED_BUTTON), notice=texts.EXPIRED_BUTTON)


async def on_membership(update: Update, context: VigiaContext) -> None:
    """A user who blocks Vigía (or removes it from a group) is unsubscribed at once."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None:
        return
    if change.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT):
        await subscription.deactivate_chat(
            sessions=context.sessions, chat_id=change.chat.id, reason="blocked"
        )
        logger.info("chat left chat=%s status=%s", change.chat.id, change.new_chat_member.status)


async def on_error(update: object, context: VigiaContext) -> None:
    """The one error handler: a blocked chat is unsubscribed; anything else is logged and the
    user, when there is one, is told to try again."""
    error = context.error
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(error, Forbidden) and chat is not None:
        await subscription.deactivate_chat(
            sessions=context.sessions, chat_id=chat.id, reason="blocked"
        )
        logger.info("chat blocked chat=%s subscriber=deactivated", chat.id)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, RetryAfter):
        logger.info("flood wait update=%s chat=%s retry_after=%s", update_id,
                    chat.id if chat else None, error.retry_after)
        return  # Telegram asked us to wait; an apology would be refused the same way
    if error is not None and is_busy(error):
        logger.warning("database busy update=%s chat=%s", update_id, chat.id if chat else None)
        if chat is not None:
            await _apologise(context, chat.id, texts.BUSY)
        return
    logger.error(
        "update failed update=%s chat=%s error=%s",
        update_id,
        chat.id if chat else None,
        type(error).__name__,
        exc_info=error,
    )
    if chat is None or isinstance(error, RetryAfter | NetworkError):
        return  # Telegram is pacing us or unreachable: an apology would fail the same way
    await _apologise(context, chat.id, texts.SOMETHING_WRONG)


async def _apologise(context: VigiaContext, chat_id: int, text: str) -> None:
    try:
        await send_message(context.bot, chat_id, said(text))
    except TelegramError as second:  # a refused token: nothing can be sent
        logger.warning("apology failed chat=%s error=%s", chat_id, type(second).__name__)


async def send_reply(update: Update, context: VigiaContext, reply: Reply) -> None:
    """Send the Reply's message to the update's chat; a chat that blocked Vigía is unsubscribed."""
    chat = update.effective_chat
    if chat is None:
        return
    status = await send_message(context.bot, chat.id, reply.message)
    if status is Status.BLOCKED:
        await subscription.deactivate_chat(
            sessions=context.sessions, chat_id=chat.id, reason="blocked"
        )
        logger.info("chat blocked chat=%s subscriber=deactivated", chat.id)


def _argument(update: Update) -> str:
    """Everything after the command word, as typed; lone surrogates (which no answer could
    be sent with) become U+FFFD."""
    message = update.effective_message
    text = message.text if message is not None and message.text else ""
    parts = _SURROGATE.sub("\ufffd", text).split(None, 1)
    return parts[1] if len(parts) > 1 else ""


def _for_another_bot(update: Update, context: VigiaContext) -> bool:
    message = update.effective_message
    word = (message.text or "").split(None, 1)[0] if message is not None and message.text else ""
    _, at, name = word.partition("@")
    return bool(at) and name.lower() != (context.bot.username or "").lower()


def _chat(update: Update) -> int:
    chat = update.effective_chat
    if chat is None:
        raise ValueError("an update without a chat reached a chat command")
    return chat.id


def _user(update: Update) -> int | None:
    user = update.effective_user
    return user.id if user is not None else None


_SURROGATE = re.compile("[\ud800-\udfff]")
_COMMANDS: dict[str, _Callback] = {
    "start": on_start,
    "stop": on_stop,
    "help": on_help,
    "digest": on_digest,
    "actor": on_actor,
    "actors": on_actors,
    "follow": on_follow,
    "unfollow": on_unfollow,
    "settings": on_settings,
    "search": on_search,
    "trend": on_trend,
    "sources": on_sources,
    "stats": on_stats,
    "reload": on_reload,
    "feeds": on_feeds,
}
