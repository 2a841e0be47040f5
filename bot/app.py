"""Assembles the service: the Runtime, the transports (Telegram, WhatsApp), the ticks and the HTTP
surface; with BOT_TOKEN inside the Telegram Application, without it (WhatsApp alone) on its own."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import signal
import sys
import time
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

import telegram
from telegram import BotCommand, Update
from telegram.error import InvalidToken, NetworkError, TimedOut
from telegram.ext import Application, ContextTypes
from telegram.request import HTTPXRequest

from bot.budget import SharedBudget
from bot.http import HttpSurface, build_routes
from bot.logs import configure_logging
from bot.metrics import DeliveryOutcomes
from bot.outbox import DeliveryReport, Pace, Pacer
from bot.publish import run_publish_tick
from bot.runtime import Runtime, open_runtime, worker_of
from bot.scheduler import run_alert_tick, run_delivery_tick, run_digest_tick, run_failing_tick
from bot.settings import SettingError, Settings
from bot.telegram.context import BotData, VigiaApplication, VigiaContext
from bot.telegram.flood import FloodGate
from bot.telegram.handlers import register_handlers
from bot.telegram.texts import COMMANDS
from bot.telegram.transport import TelegramTransport
from bot.telegram.updates import ChatOrdered
from bot.whatsapp.connect import PATH as WHATSAPP_PATH
from bot.whatsapp.connect import open_transport, webhook_route
from bot.worker import Worker, hold_lease, release_lease
from storage.db import FileBusy, is_busy, is_disk_full, is_postgres, only_process, transaction
from storage.inbound import forget_inbound

logger = logging.getLogger(__name__)

DELIVERY_TICK = 2.0  # seconds between looks at the outbox
PUBLISH_TICK = 30.0  # seconds between looks for channel posts, edits and digests to promise
FAILING_TICK = 3600.0  # seconds between looks for sources to report to the admins
DELIVERY_CONNECTIONS = 32
FIRST_TICK = 1.0  # seconds after start before the first of each tick
# A send that takes long may still arrive: wait generously rather than send a copy.
SEND_TIMEOUT = 30.0
REPLY_TIMEOUT = 20.0
STOP_GRACE = 11.0  # seconds running ticks get after SIGTERM (sends in flight get SEND_GRACE)
RETRY_FIRST, RETRY_CAP = 2, 60  # seconds between tries to reach Telegram at start
RECEIVER = "telegram-updates"  # the lease of the one process that long-polls getUpdates
RECEIVER_BEAT = 5.0
RECEIVER_LEASE = timedelta(seconds=20)  # a dead receiver is replaced within this + one beat
LONG_POLL = 10  # seconds getUpdates waits for updates
FORGET_TICK = 3600.0  # seconds between prunings of the handled WhatsApp message ids
INBOUND_KEPT = timedelta(days=14)  # Meta stops sending a webhook again well before this


def build_application(
    settings: Settings, *, ticks: bool = True, flood: FloodGate | None = None
) -> VigiaApplication:
    """The Telegram Application for these settings.

    `ticks=False` leaves the JobQueue empty; `flood` replaces the default per-chat flood gate.
    Replies use the Application's bot; the fan-out its own (`bot_data.sender`, opened by
    `serve`), so a long fan-out never makes a reply wait for a connection.
    """
    application, _ = _build(settings, ticks=ticks, flood=flood)
    return application


def _build(
    settings: Settings, *, ticks: bool = True, flood: FloodGate | None = None
) -> tuple[VigiaApplication, Opened]:
    """The Application, and where its Runtime will be held once opened."""
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
        # No rate limiter here: the outbox's pacer is the one limiter of what Vigía sends.
        # Replies and, outside `serve`, deliveries share this pool; `serve` gives the fan-out its own.
        .connection_pool_size(DELIVERY_CONNECTIONS)
        .read_timeout(REPLY_TIMEOUT)
        .write_timeout(REPLY_TIMEOUT)
        .concurrent_updates(ChatOrdered())
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
    return application, opened


def run_bot(settings: Settings) -> int:
    """`python -m bot run`: the service until SIGTERM or Ctrl-C, then a clean stop within
    `STOP_GRACE` seconds. Refuses a second process on one SQLite file. Without BOT_TOKEN,
    WhatsApp alone (`serve_whatsapp`)."""
    configure_logging(settings.log_level, json_lines=settings.log_format == "json")
    if settings.token is None:
        asyncio.run(serve_whatsapp(settings))
        return 0
    # PTB logs the rejection with a traceback before raising it; the one line below says it.
    logging.getLogger("telegram.ext").addFilter(_not_a_rejected_token)
    try:
        with only_process(settings.database_url):
            asyncio.run(serve(settings))
    except FileBusy as error:
        print(f"Vigía cannot start: {error}", file=sys.stderr)
        return 1
    except InvalidToken:
        # PTB's message quotes the token; the traceback would carry it into container logs.
        raise SettingError(
            "BOT_TOKEN",
            "Telegram rejected the token (401 Unauthorized); copy it again from @BotFather "
            "(/mybots → API Token)",
        ) from None
    return 0


def _not_a_rejected_token(record: logging.LogRecord) -> bool:
    return not (record.exc_info and isinstance(record.exc_info[1], InvalidToken))


async def serve(settings: Settings) -> None:
    """Open the database and the steering files, start the ticks (sources are polled even while
    Telegram is unreachable), connect to Telegram with back-off, receive updates (one process
    at a time by long polling, or every process by webhook), and stop cleanly on a signal."""
    application, opened = _build(settings)
    worker = worker_of(settings)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, worker.stop)
    logger.info("starting api=%s admins=%d worker=%s", settings.telegram_api_url,
                len(settings.admins), worker.name)
    data = application.bot_data
    async with AsyncExitStack() as stack:
        opened.runtime = runtime = await stack.enter_async_context(
            open_runtime(settings, worker=worker)
        )
        _hand_over(application, settings, runtime)
        await open_outputs(data, settings, runtime, stack)
        data.sender = sender = telegram.Bot(
            settings.token.get_secret_value() if settings.token else "",
            base_url=f"{settings.telegram_api_url}/bot",
            request=HTTPXRequest(
                connection_pool_size=DELIVERY_CONNECTIONS + 4,
                read_timeout=SEND_TIMEOUT, write_timeout=SEND_TIMEOUT, connect_timeout=10.0,
                pool_timeout=SEND_TIMEOUT,
            ),
        )
        fan_out = TelegramTransport(sender, pace=data.transports["telegram"].pace)
        data.transports = {**data.transports, fan_out.name: fan_out}
        if is_postgres(runtime.engine):
            # Several processes may share this database: they share Telegram's rate too.
            data.pacers = {**data.pacers, fan_out.name: Pacer(
                global_rate=settings.send_rate, chat_interval=fan_out.pace.per_destination,
                budget=SharedBudget(runtime.sessions, rate=settings.send_rate),
            )}
        jobs = application.job_queue
        assert jobs is not None
        await jobs.start()
        logger.info("ready transports=%s sources=%d actors=%d", ",".join(data.transports),
                    len(runtime.sources), len(runtime.catalog.actors))
        try:
            if await _connect(application, sender, worker):
                await application.start()
                await _receive(application, settings, runtime, worker)
        finally:
            await _stop_ticks(application)
            if application.running:
                await application.stop()
            if application._initialized:
                await application.shutdown()
            if data.telegram_up:
                await sender.shutdown()
            _hand_back(application)
            opened.runtime = None
    logger.info("stopped worker=%s after %.1f s", worker.name, worker.stopped_for())


async def _connect(application: VigiaApplication, sender: telegram.Bot, worker: Worker) -> bool:
    """Reach Telegram, retrying with back-off (one line each time) until it answers or the worker
    stops. False when stopped first."""
    delay = RETRY_FIRST
    while not worker.stopping.is_set():
        try:
            await application.initialize()
            await sender.initialize()
            await application.bot.set_my_commands(
                [BotCommand(command, description) for command, description in COMMANDS]
            )
        except InvalidToken:
            raise
        except (NetworkError, TimedOut) as error:
            logger.warning("telegram unreachable (%s); retrying in %d s, sources are still polled",
                           _reason(error), delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(worker.stopping.wait(), delay)
            delay = min(RETRY_CAP, delay * 2)
            continue
        application.bot_data.telegram_up = True
        logger.info("telegram connected bot=@%s", application.bot.username)
        return True
    return False


async def _receive(application: VigiaApplication, settings: Settings, runtime: Runtime,
                   worker: Worker) -> None:
    """Receive updates until the worker stops: behind a webhook every process does; by long
    polling only the holder of the receiver lease, and another takes over when it lapses."""
    updater = application.updater
    assert updater is not None
    if settings.webhook_url is not None:
        logger.info("webhook listen=%s:%d", settings.webhook_listen, settings.webhook_port)
        await updater.start_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=webhook_secret(settings),
            allowed_updates=ALLOWED_UPDATES,
        )
        await worker.stopping.wait()
        await updater.stop()
        return
    receiving = False
    while not worker.stopping.is_set():
        try:
            mine = await hold_lease(runtime.sessions, worker, RECEIVER, ttl=RECEIVER_LEASE)
        except Exception as error:  # the database is away: keep what we have until it is back
            logger.warning("receiver lease unknown error=%s", _reason(error))
            mine = receiving
        if mine and not receiving:
            await updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=LONG_POLL,
                                        drop_pending_updates=False)
            logger.info("receiving updates worker=%s", worker.name)
            receiving = True
        elif receiving and not mine:
            await updater.stop()
            logger.warning("receiver lease lost: another worker receives updates now")
            receiving = False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(worker.stopping.wait(), RECEIVER_BEAT)
    if receiving:
        await updater.stop()
        await release_lease(runtime.sessions, worker, RECEIVER)


def webhook_secret(settings: Settings) -> str:
    """BOT_WEBHOOK_SECRET, or one derived from the token: every receiver behind a load balancer
    derives the same, so they agree without extra configuration."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    assert settings.token is not None
    token = settings.token.get_secret_value().encode()
    return hmac.new(token, b"vigia webhook secret", hashlib.sha256).hexdigest()


async def _stop_ticks(application: VigiaApplication) -> None:
    """Let the running ticks finish (`_finish_ticks`), then stop the JobQueue."""
    await _finish_ticks(application.bot_data.ticks)
    jobs = application.job_queue
    if jobs is not None and jobs.scheduler.running:
        await jobs.stop(wait=False)


async def _finish_ticks(ticks: set[asyncio.Task[Any]]) -> None:
    """Give running ticks STOP_GRACE seconds (they stop claiming at once), then cancel them."""
    running = [task for task in ticks if not task.done()]
    if running:
        _, late = await asyncio.wait(running, timeout=STOP_GRACE)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=2.0)


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
    _hand_over(application, settings, runtime)
    await open_outputs(application.bot_data, settings, runtime, stack)
    await application.bot.set_my_commands(
        [BotCommand(command, description) for command, description in COMMANDS]
    )
    logger.info(
        "ready transports=%s sources=%d actors=%d", ",".join(application.bot_data.transports),
        len(runtime.sources), len(runtime.catalog.actors),
    )


async def serve_whatsapp(settings: Settings) -> None:
    """The service without Telegram (WhatsApp on, BOT_TOKEN unset): the same ticks and HTTP
    surface on this event loop until SIGINT/SIGTERM, then the same clean stop as with Telegram:
    nothing more is claimed, rows claimed but not sent go back, sends in flight get their grace."""
    if not settings.whatsapp_enabled:
        raise ValueError("neither BOT_TOKEN nor BOT_WHATSAPP_TOKEN + _PHONE_NUMBER_ID is set")
    worker = worker_of(settings)
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, worker.stop)
    data = BotData()
    async with AsyncExitStack() as stack:
        runtime = await stack.enter_async_context(open_runtime(settings, worker=worker))
        data.settings, data.sessions, data.steering = settings, runtime.sessions, runtime.steering
        data.worker = worker
        await open_outputs(data, settings, runtime, stack)
        logger.info("ready transports=%s sources=%d actors=%d worker=%s", ",".join(data.transports),
                    len(runtime.sources), len(runtime.catalog.actors), worker.name)
        loops = [asyncio.create_task(_repeat(name, interval, tick, runtime, data), name=name)
                 for name, interval, tick in _ticks(settings)]
        await worker.stopping.wait()
        await _finish_ticks(data.ticks)
        await asyncio.gather(*loops, return_exceptions=True)
    logger.info("stopped worker=%s after %.1f s", worker.name, worker.stopped_for())


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
    _hand_back(application)
    if stack is not None:
        await stack.aclose()


def _hand_over(application: VigiaApplication, settings: Settings, runtime: Runtime) -> None:
    """Give the handlers and ticks the few resources they use."""
    data = application.bot_data
    data.settings, data.sessions, data.steering = settings, runtime.sessions, runtime.steering
    data.reload, data.store_posts = runtime.reload, runtime.store_posts
    data.worker = runtime.worker


def _hand_back(application: VigiaApplication) -> None:
    data = application.bot_data
    data.settings = data.sessions = data.steering = data.reload = data.store_posts = None
    data.worker = None


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
        ("alerts", settings.alert_tick, _alerts),
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


async def _repeat(name: str, interval: float, tick: _Tick, runtime: Runtime,
                  data: BotData) -> None:
    """A tick every `interval` seconds until the worker stops (the loop of the service without
    Telegram)."""
    stopping = runtime.worker.stopping
    delay = FIRST_TICK
    while not stopping.is_set():
        try:
            await asyncio.wait_for(stopping.wait(), delay)
            return
        except TimeoutError:
            pass
        started = time.monotonic()
        await _guarded(name, tick, runtime, data)
        delay = max(0.0, interval - (time.monotonic() - started))


async def _guarded(name: str, tick: _Tick, runtime: Runtime, data: BotData) -> None:
    """One failed tick is logged in one line (a full disk says so); the next one runs as planned.
    Nothing new starts once the worker is stopping."""
    if runtime.worker.stopping.is_set():
        return
    task = asyncio.current_task()
    if task is not None:
        data.ticks.add(task)
        task.add_done_callback(data.ticks.discard)
    started = time.monotonic()
    try:
        result = await tick(runtime, data)
        await data.heartbeats.beat(runtime.sessions, name)
    except asyncio.CancelledError:
        if not runtime.worker.stopping.is_set():
            raise
        # The stop gave it STOP_GRACE seconds and cut it short: what it held is given back.
        logger.info("tick=%s cut short by the stop ms=%d", name, _ms(started))
        return
    except Exception as error:
        if is_disk_full(error):
            logger.error("tick=%s failed: disk full (%s)", name, _reason(error))
        elif is_busy(error):
            logger.warning("tick=%s: database busy, trying again next tick", name)
        else:
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
    return await run_digest_tick(sessions=runtime.sessions, transports=data.transports,
                                 worker=runtime.worker)


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
    if data.sender is not None and not data.telegram_up:
        return 0  # Telegram not reached yet: the outbox waits, nothing is lost
    report = await run_delivery_tick(
        sessions=runtime.sessions,
        transports=data.transports,
        pacers=data.pacers,
        lease_seconds=runtime.settings.delivery_lease,
        worker=runtime.worker,
    )
    for name in data.transports:
        part = report.by_transport.get(name, DeliveryReport())
        data.metrics.count_deliveries(
            DeliveryOutcomes(
                delivered=part.sent,
                retry=part.retried,
                blocked=part.deactivated,
                rejected=part.failed - part.deactivated,
                retry_after=part.retry_after,
            ),
            transport=name,  # each row's own: channel posts go out through Telegram's
        )
    return report


async def _forget_inbound(runtime: Runtime, data: BotData) -> object:
    async with transaction(runtime.sessions) as session:
        return await forget_inbound(session=session, before=datetime.now(UTC) - INBOUND_KEPT)


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:200]


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _summary(result: object) -> str:
    return str(result)[:80]
