"""Assembles the service: the Telegram Application, its Runtime, its handlers and its ticks."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from typing import Any, cast
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.ext import AIORateLimiter, Application, ContextTypes

from bot.config import Settings
from bot.logs import configure_logging
from bot.outbox import Pace, Pacer
from bot.pipeline.ingest import poll_due
from bot.runtime import open_runtime
from bot.scheduler import run_alert_tick, run_delivery_tick, run_digest_tick
from bot.telegram.context import BotData, VigiaApplication, VigiaContext
from bot.telegram.flood import FloodGate
from bot.telegram.handlers import register_handlers
from bot.telegram.texts import COMMANDS
from bot.telegram.transport import TelegramTransport

logger = logging.getLogger(__name__)

DELIVERY_TICK = 2.0  # seconds between looks at the outbox
ALERT_TICK = 60.0  # seconds between looks for alerts to promise
DELIVERY_CONNECTIONS = 32
FIRST_TICK = 1.0  # seconds after start before the first of each tick


def build_application(
    settings: Settings, *, ticks: bool = True, flood: FloodGate | None = None
) -> VigiaApplication:
    """The Telegram Application for these settings.

    `ticks=False` leaves the JobQueue empty; `flood` replaces the default per-chat flood gate.
    """
    if settings.token is None:
        raise ValueError("BOT_TOKEN is not set")
    root = settings.telegram_api_url
    context_types = ContextTypes(context=VigiaContext, bot_data=BotData)
    builder = (
        Application.builder()
        .token(settings.token.get_secret_value())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.send_rate, max_retries=0))
        # Delivery sends to many chats at once; one pooled connection would serialise them.
        .connection_pool_size(DELIVERY_CONNECTIONS)
        .context_types(context_types)
        .post_init(_opener(settings))
        .post_shutdown(close_resources)
    )
    # The builder's generics do not follow context_types into the JobQueue's type.
    application = cast(VigiaApplication, builder.build())
    if flood is not None:
        application.bot_data.flood = flood
    telegram = TelegramTransport(
        application.bot, pace=Pace(global_rate=settings.send_rate, per_destination=1.0)
    )
    application.bot_data.transports = {telegram.name: telegram}
    application.bot_data.pacers = {telegram.name: Pacer.for_pace(telegram.pace)}
    register_handlers(application)
    if ticks:
        schedule_ticks(application, settings)
    return application


def run_bot(settings: Settings) -> None:
    """`python -m bot run`: long polling (or a webhook when BOT_WEBHOOK_URL is set) until
    interrupted, then everything closed."""
    configure_logging(settings.log_level, secrets=settings.secret_values())
    application = build_application(settings)
    logger.info("starting api=%s admins=%d", settings.telegram_api_url, len(settings.admins))
    if settings.webhook_url is None:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
        return
    # Several receivers behind a load balancer must share the secret; one alone may make its own.
    secret = (
        settings.webhook_secret.get_secret_value()
        if settings.webhook_secret is not None
        else secrets.token_urlsafe(32)
    )
    logger.info("webhook listen=%s:%d", settings.webhook_listen, settings.webhook_port)
    application.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
        webhook_url=settings.webhook_url,
        secret_token=secret,
        allowed_updates=ALLOWED_UPDATES,
    )


async def open_resources(application: VigiaApplication, settings: Settings) -> None:
    """post_init: open the Runtime (database migrated, steering files loaded), register commands."""
    stack = AsyncExitStack()
    application.bot_data.runtime = await stack.enter_async_context(open_runtime(settings))
    application.bot_data.resources = stack
    await application.bot.set_my_commands(
        [BotCommand(command, description) for command, description in COMMANDS]
    )
    logger.info(
        "ready sources=%d actors=%d",
        len(application.bot_data.runtime.sources),
        len(application.bot_data.runtime.catalog.actors),
    )


async def close_resources(application: VigiaApplication) -> None:
    """post_shutdown: close what open_resources opened."""
    stack, application.bot_data.resources = application.bot_data.resources, None
    application.bot_data.runtime = None
    if stack is not None:
        await stack.aclose()


def schedule_ticks(application: VigiaApplication, settings: Settings) -> None:
    """The JobQueue drives the ticks; the database says what is due, so a missed tick loses nothing."""
    jobs = application.job_queue
    if jobs is None:
        raise RuntimeError("python-telegram-bot was installed without its job-queue extra")
    ticks: tuple[tuple[str, float, _Tick], ...] = (
        ("poll", settings.poll_tick, _poll),
        ("digests", settings.digest_tick, _digests),
        ("alerts", ALERT_TICK, _alerts),
        ("deliveries", DELIVERY_TICK, _deliveries),
    )
    for name, interval, tick in ticks:
        jobs.run_repeating(
            _guarded(name, tick),
            interval=interval,
            first=FIRST_TICK,
            name=name,
            job_kwargs={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )


ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER,
                   Update.CHANNEL_POST, Update.EDITED_CHANNEL_POST]

_Tick = Callable[[VigiaContext], Coroutine[Any, Any, object]]


def _opener(settings: Settings) -> Callable[[VigiaApplication], Coroutine[Any, Any, None]]:
    async def open_for(application: VigiaApplication) -> None:
        await open_resources(application, settings)

    return open_for


def _guarded(name: str, tick: _Tick) -> Callable[[VigiaContext], Coroutine[Any, Any, None]]:
    """One failed tick is logged; the next one runs as planned."""

    async def run(context: VigiaContext) -> None:
        started = time.monotonic()
        try:
            result = await tick(context)
        except Exception:
            logger.exception("tick=%s failed ms=%d", name, _ms(started))
            return
        logger.debug("tick=%s done ms=%d result=%s", name, _ms(started), _summary(result))

    return run


async def _poll(context: VigiaContext) -> object:
    # An operator's edit of feeds.toml or actors.toml takes effect on the next tick.
    await context.runtime.reload_if_changed()
    reports = await poll_due(context.runtime)
    failed = sum(1 for report in reports if report.error)
    new = sum(report.new for report in reports)
    if reports:
        logger.info("tick=poll sources=%d new=%d failed=%d", len(reports), new, failed)
    return len(reports)


async def _digests(context: VigiaContext) -> object:
    return await run_digest_tick(context.runtime)


async def _alerts(context: VigiaContext) -> object:
    return await run_alert_tick(context.runtime)


async def _deliveries(context: VigiaContext) -> object:
    return await run_delivery_tick(
        context.runtime, context.bot_data.transports, pacers=context.bot_data.pacers
    )


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _summary(result: object) -> str:
    return str(result)[:80]
