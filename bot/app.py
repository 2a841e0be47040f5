"""Assembles the service: the Runtime, the transports (Telegram, WhatsApp), the ticks and the HTTP
surface; with BOT_TOKEN inside the Telegram Application, without it (WhatsApp alone) on its own."""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
import time
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.error import InvalidToken
from telegram.ext import AIORateLimiter, Application, ContextTypes

from bot.http import HttpSurface, build_routes
from bot.logs import configure_logging
from bot.metrics import DeliveryOutcomes
from bot.outbox import Pace, Pacer
from bot.publish import run_publish_tick
from bot.runtime import Runtime, open_runtime
from bot.scheduler import run_alert_tick, run_delivery_tick, run_digest_tick, run_failing_tick
from bot.settings import SettingError, Settings
from bot.telegram.context import BotData, VigiaApplication, VigiaContext
from bot.telegram.flood import FloodGate
from bot.telegram.handlers import register_handlers
from bot.telegram.texts import COMMANDS
from bot.telegram.transport import TelegramTransport
from bot.whatsapp.connect import PATH as WHATSAPP_PATH
from bot.whatsapp.connect import open_transport, webhook_route
from storage.db import transaction
from storage.inbound import forget_inbound

logger = logging.getLogger(__name__)

DELIVERY_TICK = 2.0  # seconds between looks at the outbox
ALERT_TICK = 60.0  # seconds between looks for alerts to promise
PUBLISH_TICK = 30.0  # seconds between looks for channel posts, edits and digests to promise
FAILING_TICK = 3600.0  # seconds between looks for sources to report to the admins
DELIVERY_CONNECTIONS = 32
FIRST_TICK = 1.0  # seconds after start before the first of each tick
FORGET_TICK = 3600.0  # seconds between prunings of the handled WhatsApp message ids
INBOUND_KEPT = timedelta(days=14)  # Meta stops sending a webhook again well before this


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
    telegram = TelegramTransport(
        application.bot, pace=Pace(global_rate=settings.send_rate, per_destination=1.0)
    )
    application.bot_data.transports = {telegram.name: telegram}
    application.bot_data.pacers = {telegram.name: Pacer.for_pace(telegram.pace)}
    register_handlers(application)
    if ticks:
        schedule_ticks(application, settings, opened)
    return application


def run_bot(settings: Settings) -> None:
    """`python -m bot run`: long polling (or a webhook when BOT_WEBHOOK_URL is set) until
    interrupted, then everything closed. Without BOT_TOKEN, WhatsApp alone (`serve_whatsapp`)."""
    configure_logging(settings.log_level, json_lines=settings.log_format == "json")
    if settings.token is None:
        asyncio.run(serve_whatsapp(settings))
        return
    # PTB logs the rejection with a traceback before raising it; the one line below says it.
    logging.getLogger("telegram.ext").addFilter(_not_a_rejected_token)
    application = build_application(settings)
    logger.info("starting api=%s admins=%d", settings.telegram_api_url, len(settings.admins))
    try:
        _serve(application, settings)
    except InvalidToken:
        # PTB's message quotes the token; the traceback would carry it into container logs.
        raise SettingError(
            "BOT_TOKEN",
            "Telegram rejected the token (401 Unauthorized); copy it again from @BotFather "
            "(/mybots → API Token)",
        ) from None


def _not_a_rejected_token(record: logging.LogRecord) -> bool:
    return not (record.exc_info and isinstance(record.exc_info[1], InvalidToken))


def _serve(application: VigiaApplication, settings: Settings) -> None:
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
    what they use, open the other ways in and out (WhatsApp, the HTTP surface), register the
    commands."""
    stack = AsyncExitStack()
    runtime = await stack.enter_async_context(open_runtime(settings))
    opened.runtime, opened.resources = runtime, stack
    data = application.bot_data
    data.settings, data.sessions, data.steering = settings, runtime.sessions, runtime.steering
    data.reload, data.store_posts = runtime.reload, runtime.store_posts
    await open_outputs(data, settings, runtime, stack)
    await application.bot.set_my_commands(
        [BotCommand(command, description) for command, description in COMMANDS]
    )
    logger.info(
        "ready transports=%s sources=%d actors=%d", ",".join(data.transports),
        len(runtime.sources), len(runtime.catalog.actors),
    )


async def serve_whatsapp(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """The service without Telegram (WhatsApp on, BOT_TOKEN unset): the same ticks and HTTP
    surface on this event loop until SIGINT/SIGTERM (or `stop`), then everything closed."""
    if not settings.whatsapp_enabled:
        raise ValueError("neither BOT_TOKEN nor BOT_WHATSAPP_TOKEN + _PHONE_NUMBER_ID is set")
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stop.set)
    data = BotData()
    async with AsyncExitStack() as stack:
        runtime = await stack.enter_async_context(open_runtime(settings))
        data.settings, data.sessions, data.steering = settings, runtime.sessions, runtime.steering
        await open_outputs(data, settings, runtime, stack)
        logger.info("ready transports=%s sources=%d actors=%d", ",".join(data.transports),
                    len(runtime.sources), len(runtime.catalog.actors))
        async with asyncio.TaskGroup() as group:
            for name, interval, tick in _ticks(settings):
                group.create_task(_repeat(name, interval, tick, runtime, data, stop))
        logger.info("stopped")


async def open_outputs(data: BotData, settings: Settings, runtime: Runtime,
                       stack: AsyncExitStack) -> None:
    """Every way in and out besides Telegram itself: WhatsApp when it is configured, and the
    HTTP surface (/healthz, /metrics, /whatsapp). All of it closes with `stack`."""
    routes = build_routes(
        sessions=runtime.sessions,
        metrics=data.metrics,
        max_tick_age=timedelta(seconds=settings.health_tick_age),
    )
    if settings.whatsapp_enabled:
        whatsapp = await open_transport(settings, runtime.sessions, stack)
        data.transports[whatsapp.name] = whatsapp
        data.pacers[whatsapp.name] = Pacer.for_pace(whatsapp.pace)
        routes[WHATSAPP_PATH] = webhook_route(settings, runtime, whatsapp)
    surface = HttpSurface(routes)
    try:
        await surface.start(listen=settings.http_listen, port=settings.http_port)
    except OSError as error:  # the bot still serves its subscribers; the operator must know
        logger.error(
            "http surface off: cannot listen on %s:%d (%s); /healthz, /metrics and /whatsapp "
            "are unavailable — set BOT_HTTP_LISTEN / BOT_HTTP_PORT",
            settings.http_listen, settings.http_port, error.strerror or error,
        )
    else:
        stack.push_async_callback(surface.stop)


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

    for name, interval, tick in _ticks(settings):
        jobs.run_repeating(
            _job(name, tick, opened),
            interval=interval,
            first=FIRST_TICK,
            name=name,
            job_kwargs={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )


ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER,
                   Update.CHANNEL_POST, Update.EDITED_CHANNEL_POST]

_Tick = Callable[[Runtime, BotData], Coroutine[Any, Any, object]]
_Hook = Callable[[VigiaApplication], Coroutine[Any, Any, None]]  # post_init, post_shutdown


def _opener(settings: Settings, opened: Opened) -> _Hook:
    async def open_for(application: VigiaApplication) -> None:
        await open_resources(application, settings, opened)

    return open_for


def _closer(opened: Opened) -> _Hook:
    async def close_for(application: VigiaApplication) -> None:
        await close_resources(application, opened)

    return close_for


def _ticks(settings: Settings) -> tuple[tuple[str, float, _Tick], ...]:
    """Every tick: its name, its interval in seconds, what it runs."""
    ticks: tuple[tuple[str, float, _Tick], ...] = (
        ("poll", settings.poll_tick, _poll),
        ("digests", settings.digest_tick, _digests),
        ("alerts", ALERT_TICK, _alerts),
        ("publish", PUBLISH_TICK, _publish),
        ("deliveries", DELIVERY_TICK, _deliveries),
        ("failing", FAILING_TICK, _failing),
    )
    if settings.whatsapp_enabled:
        ticks += (("inbound", FORGET_TICK, _forget_inbound),)
    return ticks


def _job(name: str, tick: _Tick,
         opened: Opened) -> Callable[[VigiaContext], Coroutine[Any, Any, None]]:
    """A tick as a JobQueue callback."""

    async def run(context: VigiaContext) -> None:
        await _guarded(name, tick, opened.get(), context.bot_data)

    return run


async def _repeat(name: str, interval: float, tick: _Tick, runtime: Runtime, data: BotData,
                  stop: asyncio.Event) -> None:
    """A tick every `interval` seconds until `stop` (the loop of the service without Telegram)."""
    delay = FIRST_TICK
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), delay)
            return
        except TimeoutError:
            pass
        started = time.monotonic()
        await _guarded(name, tick, runtime, data)
        delay = max(0.0, interval - (time.monotonic() - started))


async def _guarded(name: str, tick: _Tick, runtime: Runtime, data: BotData) -> None:
    """One failed tick is logged; the next one runs as planned."""
    started = time.monotonic()
    try:
        result = await tick(runtime, data)
        await data.heartbeats.beat(runtime.sessions, name)
    except Exception:
        logger.exception("tick=%s failed ms=%d", name, _ms(started))
        return
    finally:
        data.metrics.observe_tick(name, time.monotonic() - started)
    logger.debug("tick=%s done ms=%d result=%s", name, _ms(started), _summary(result))


async def _poll(runtime: Runtime, data: BotData) -> object:
    # An operator's edit of feeds.toml or actors.toml takes effect on the next tick.
    await runtime.reload_if_changed()
    reports = await runtime.poll_due()
    failed = sum(1 for report in reports if report.error)
    new = sum(report.new for report in reports)
    data.metrics.count_polls(
        statuses=[report.status for report in reports if not report.error],
        errors=failed,
        new_items=new,
    )
    if reports:
        logger.info("tick=poll sources=%d new=%d failed=%d", len(reports), new, failed)
    return len(reports)


async def _digests(runtime: Runtime, data: BotData) -> object:
    return await run_digest_tick(sessions=runtime.sessions, transports=data.transports)


async def _alerts(runtime: Runtime, data: BotData) -> object:
    return await run_alert_tick(
        sessions=runtime.sessions,
        actors=runtime.catalog.actors,
        timezone=runtime.settings.timezone,
        alerts_per_hour=runtime.settings.alerts_per_hour,
        transports=data.transports,
    )


async def _failing(runtime: Runtime, data: BotData) -> object:
    if "telegram" not in data.transports:
        return None  # the admins are Telegram users
    return await run_failing_tick(
        sessions=runtime.sessions,
        admins=runtime.settings.admins,
        timezone=runtime.settings.timezone,
        failing_after=timedelta(seconds=runtime.settings.failing_after),
    )


async def _publish(runtime: Runtime, data: BotData) -> object:
    telegram = data.transports.get("telegram")
    if not runtime.publish or telegram is None:
        return None  # channels are Telegram's: nothing to publish without it
    return await run_publish_tick(
        sessions=runtime.sessions, targets=runtime.publish, transport=telegram
    )


async def _deliveries(runtime: Runtime, data: BotData) -> object:
    report = await run_delivery_tick(
        sessions=runtime.sessions,
        transports=data.transports,
        pacers=data.pacers,
        lease_seconds=runtime.settings.delivery_lease,
    )
    data.metrics.count_deliveries(
        DeliveryOutcomes(
            delivered=report.sent,
            retry=report.retried,
            blocked=report.deactivated,
            rejected=report.failed - report.deactivated,
            retry_after=report.retry_after,
        ),
        # One call sends through every transport; its report does not split them.
        transport=next(iter(data.transports)) if len(data.transports) == 1 else "all",
    )
    return report


async def _forget_inbound(runtime: Runtime, data: BotData) -> object:
    async with transaction(runtime.sessions) as session:
        return await forget_inbound(session=session, before=datetime.now(UTC) - INBOUND_KEPT)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _summary(result: object) -> str:
    return str(result)[:80]
