"""Assembles the service: the Telegram Application, its resources, its handlers and its ticks."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.ext import AIORateLimiter, Application, ContextTypes

from bot.config import Settings
from bot.http import HttpSurface, build_routes
from bot.logs import configure_logging
from bot.metrics import DeliveryOutcomes, Metrics
from bot.runtime import Runtime, open_runtime
from bot.scheduler import run_alert_tick, run_delivery_tick, run_digest_tick, run_failing_tick
from bot.telegram.context import BotData, VigiaApplication, VigiaContext
from bot.telegram.deliver import Pacer
from bot.telegram.flood import FloodGate
from bot.telegram.handlers import register_handlers
from bot.telegram.texts import COMMANDS

logger = logging.getLogger(__name__)

DELIVERY_TICK = 2.0  # seconds between looks at the outbox
ALERT_TICK = 60.0  # seconds between looks for alerts to promise
FAILING_TICK = 3600.0  # seconds between looks for sources to report to the admins
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
    opened = Opened()
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
        .post_init(_opener(settings, opened))
        .post_shutdown(_closer(opened))
    )
    # The builder's generics do not follow context_types into the JobQueue's type.
    application = cast(VigiaApplication, builder.build())
    if flood is not None:
        application.bot_data.flood = flood
    application.bot_data.pacer = Pacer(global_rate=settings.send_rate)
    register_handlers(application)
    if ticks:
        schedule_ticks(application, settings, opened)
    return application


def run_bot(settings: Settings) -> None:
    """`python -m bot run`: long polling (or a webhook when BOT_WEBHOOK_URL is set) until
    interrupted, then everything closed."""
    configure_logging(settings.log_level, json_lines=settings.log_format == "json")
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


@dataclass(slots=True)
class Opened:
    """The Runtime of a running Application: opened by post_init, closed by post_shutdown."""

    runtime: Runtime | None = None
    resources: AsyncExitStack | None = None

    def get(self) -> Runtime:
        """The open Runtime (only the assembler's ticks hold it whole)."""
        if self.runtime is None:
            raise RuntimeError("the runtime is not open: post_init has not run")
        return self.runtime


async def open_resources(
    application: VigiaApplication, settings: Settings, opened: Opened
) -> None:
    """post_init: open the Runtime (database migrated, steering files loaded), hand the handlers
    what they use, start the HTTP surface, register the commands."""
    stack = AsyncExitStack()
    runtime = await stack.enter_async_context(open_runtime(settings))
    opened.runtime, opened.resources = runtime, stack
    data = application.bot_data
    data.settings, data.sessions, data.steering = settings, runtime.sessions, runtime.steering
    data.reload, data.store_posts = runtime.reload, runtime.store_posts
    surface = HttpSurface(build_routes(
        sessions=runtime.sessions,
        metrics=data.metrics,
        max_tick_age=timedelta(seconds=settings.health_tick_age),
    ))
    try:
        await surface.start(listen=settings.http_listen, port=settings.http_port)
    except OSError as error:  # the bot still serves its subscribers; the operator must know
        logger.error(
            "http surface off: cannot listen on %s:%d (%s); /healthz and /metrics are "
            "unavailable — set BOT_HTTP_LISTEN / BOT_HTTP_PORT",
            settings.http_listen, settings.http_port, error.strerror or error,
        )
    else:
        stack.push_async_callback(surface.stop)
    await application.bot.set_my_commands(
        [BotCommand(command, description) for command, description in COMMANDS]
    )
    logger.info(
        "ready sources=%d actors=%d", len(runtime.sources), len(runtime.catalog.actors)
    )


async def close_resources(application: VigiaApplication, opened: Opened) -> None:
    """post_shutdown: close what open_resources opened."""
    stack, opened.resources, opened.runtime = opened.resources, None, None
    data = application.bot_data
    data.settings = data.sessions = data.steering = data.reload = data.store_posts = None
    if stack is not None:
        await stack.aclose()


def schedule_ticks(application: VigiaApplication, settings: Settings, opened: Opened) -> None:
    """The JobQueue drives the ticks; the database says what is due, so a missed tick loses nothing."""
    jobs = application.job_queue
    if jobs is None:
        raise RuntimeError("python-telegram-bot was installed without its job-queue extra")

    async def poll(context: VigiaContext) -> object:
        return await _poll(opened.get(), metrics=context.bot_data.metrics)

    ticks: tuple[tuple[str, float, _Tick], ...] = (
        ("poll", settings.poll_tick, poll),
        ("digests", settings.digest_tick, _digests),
        ("alerts", ALERT_TICK, _alerts),
        ("deliveries", DELIVERY_TICK, _deliveries),
        ("failing", FAILING_TICK, _failing),
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
_Hook = Callable[[VigiaApplication], Coroutine[Any, Any, None]]  # post_init, post_shutdown


def _opener(settings: Settings, opened: Opened) -> _Hook:
    async def open_for(application: VigiaApplication) -> None:
        await open_resources(application, settings, opened)

    return open_for


def _closer(opened: Opened) -> _Hook:
    async def close_for(application: VigiaApplication) -> None:
        await close_resources(application, opened)

    return close_for


def _guarded(name: str, tick: _Tick) -> Callable[[VigiaContext], Coroutine[Any, Any, None]]:
    """One failed tick is logged; the next one runs as planned."""

    async def run(context: VigiaContext) -> None:
        started = time.monotonic()
        try:
            result = await tick(context)
            await context.bot_data.heartbeats.beat(context.sessions, name)
        except Exception:
            logger.exception("tick=%s failed ms=%d", name, _ms(started))
            return
        finally:
            context.bot_data.metrics.observe_tick(name, time.monotonic() - started)
        logger.debug("tick=%s done ms=%d result=%s", name, _ms(started), _summary(result))

    return run


async def _poll(runtime: Runtime, *, metrics: Metrics) -> object:
    # An operator's edit of feeds.toml or actors.toml takes effect on the next tick.
    await runtime.reload_if_changed()
    reports = await runtime.poll_due()
    failed = sum(1 for report in reports if report.error)
    new = sum(report.new for report in reports)
    metrics.count_polls(
        statuses=[report.status for report in reports if not report.error],
        errors=failed,
        new_items=new,
    )
    if reports:
        logger.info("tick=poll sources=%d new=%d failed=%d", len(reports), new, failed)
    return len(reports)


async def _digests(context: VigiaContext) -> object:
    return await run_digest_tick(sessions=context.sessions)


async def _alerts(context: VigiaContext) -> object:
    return await run_alert_tick(
        sessions=context.sessions,
        actors=context.actors,
        timezone=context.settings.timezone,
        alerts_per_hour=context.settings.alerts_per_hour,
    )


async def _failing(context: VigiaContext) -> object:
    return await run_failing_tick(
        sessions=context.sessions,
        admins=context.settings.admins,
        timezone=context.settings.timezone,
        failing_after=timedelta(seconds=context.settings.failing_after),
    )


async def _deliveries(context: VigiaContext) -> object:
    report = await run_delivery_tick(
        sessions=context.sessions, bot=context.bot, pacer=context.bot_data.pacer
    )
    context.bot_data.metrics.count_deliveries(
        DeliveryOutcomes(
            delivered=report.sent,
            retry=report.retried,
            blocked=report.deactivated,
            rejected=report.failed - report.deactivated,
            retry_after=report.retry_after,
        ),
        transport="telegram",
    )
    return report


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _summary(result: object) -> str:
    return str(result)[:80]
