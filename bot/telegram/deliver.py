"""The outbox sender: due deliveries → Bot API, paced, each one committed as sent right after.

`deliver_due(bot, maker, *, now=None, limit=500, pacer=None, lease_seconds=60, concurrency=32,
batch=None)`
claims due rows (committed as `sending` with a lease before anything is sent), sends them and
commits each one as `sent` as soon as Telegram answers (marks arriving together share a commit;
a chat's next part is sent only once the previous one is committed). Keep one `Pacer` per process and pass it to
every call so the pacing holds across calls.

What a crash costs: a row committed as `sent` is never sent again; a row still `sending` when its
worker dies goes back to be sent once its lease expires. So nothing promised is lost, and the only
window for a duplicate is between Telegram's answer (or a send whose answer timed out) and the
commit of `sent` — at-least-once there, exactly-once everywhere else.

Per delivery decisions:
- 429 RetryAfter: due again after `retry_after` however long; not a failed attempt.
- network errors, timeouts, 5xx: retried with exponential back-off (5 s doubling, capped at 1 h),
  failed after `MAX_ATTEMPTS`.
- 403 Forbidden (blocked, kicked, deactivated) and 400 "chat not found": the subscriber is
  deactivated and every open delivery of the chat failed.
- other 400 BadRequest: failed at once and logged with the delivery id and chat; never retried.
When a part must wait, the later parts of that chat wait with it: part 2 never overtakes part 1.

Pacing: at most one message a second per chat and `global_rate` messages a second overall
(evenly spaced), different chats concurrently (at most `concurrency` sends in flight).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import warnings
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import telegram
from telegram import InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter

from storage.db import Session, Sessions, serialises_writes, transaction
from storage.deliveries import (
    claim_due,
    deactivate_subscriber,
    mark_failed,
    mark_retry,
    mark_sent,
    release,
)
from storage.models import Delivery
from storage.times import as_utc

__all__ = ["MAX_ATTEMPTS", "DeliveryReport", "Pacer", "backoff_seconds", "deliver_due"]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 25  # with the 1 h cap: about a day of trying before a delivery is given up
BACKOFF_FIRST = 5.0
BACKOFF_CAP = 3600.0


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one `deliver_due` call did."""

    sent: int = 0
    retried: int = 0  # sent back to wait (flood wait, network error, or behind such a part)
    failed: int = 0
    deactivated: int = 0  # subscribers deactivated (blocked the bot, chat gone)
    retry_after: int = 0  # of the retried, those Telegram answered with 429 retry_after


class Pacer:
    """Spacing of sends: evenly spaced slots at `global_rate` a second, `chat_interval` seconds
    between two messages to one chat. In memory, per process: keep one and reuse it."""

    def __init__(self, *, global_rate: float = 30.0, chat_interval: float = 1.0) -> None:
        self.global_rate = global_rate
        self.chat_interval = chat_interval
        self._next_slot = 0.0
        self._chat_ready: dict[int, float] = {}

    async def wait_chat(self, chat_id: int) -> None:
        """Sleep until `chat_id` may get its next message."""
        delay = self._chat_ready.get(chat_id, 0.0) - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    async def wait_slot(self, chat_id: int) -> None:
        """Take the next global slot for a message to `chat_id` and sleep until it comes."""
        now = time.monotonic()
        slot = max(now, self._next_slot)
        self._next_slot = slot + 1.0 / self.global_rate
        self._chat_ready[chat_id] = slot + self.chat_interval
        if len(self._chat_ready) > 50_000:
            self._forget(now)
        if slot > now:
            await asyncio.sleep(slot - now)

    def hold_chat(self, chat_id: int, seconds: float) -> None:
        """Telegram asked to wait: nothing more to this chat for `seconds`."""
        self._chat_ready[chat_id] = max(
            self._chat_ready.get(chat_id, 0.0), time.monotonic() + seconds
        )

    def _forget(self, now: float) -> None:
        for chat_id in [c for c, ready in self._chat_ready.items() if ready <= now]:
            del self._chat_ready[chat_id]


async def deliver_due(
    bot: telegram.Bot,
    maker: Sessions,
    *,
    now: datetime | None = None,
    limit: int = 500,
    pacer: Pacer | None = None,
    lease_seconds: float = 60.0,
    concurrency: int = 32,
    batch: int | None = None,
) -> DeliveryReport:
    """Send up to `limit` due deliveries and return what happened.

    Claims `batch` rows at a time (default: about five seconds' worth of sends, so leases never
    run out in the queue), the next batch while the last is still going, until nothing is due.
    The bot's connection pool should allow `concurrency` requests at once. `now` (tests) shifts the clock: it stands for the moment
    of the call and advances with real time.
    """
    pacer = pacer or Pacer()
    run = _DeliveryRound(bot, maker, pacer, _clock(now), lease_seconds, asyncio.Semaphore(concurrency))
    run.serialize_writes = serialises_writes(maker)
    chunk = batch or max(10, int(pacer.global_rate * 5))
    claimed = 0
    async with asyncio.TaskGroup() as group:
        while claimed < limit:
            await run.wait_below(chunk // 2)
            async with run._write() as session:
                rows = await claim_due(
                    session=session,
                    now=run.clock(),
                    limit=min(chunk, limit - claimed),
                    lease_seconds=lease_seconds,
                )
            if not rows:
                if run.in_flight == 0:
                    break
                await run.wait_below(1)  # finished parts may free a chat's next part
                continue
            claimed += len(rows)
            for chat_rows in _by_chat(rows):
                run.in_flight += len(chat_rows)
                group.create_task(run.deliver_chat(chat_rows))
    return run.report()


def backoff_seconds(attempts: int) -> float:
    """Wait before retry number `attempts` (1-based) after a network error: 5 s doubling, ≤ 1 h."""
    return min(BACKOFF_CAP, BACKOFF_FIRST * 2.0 ** min(max(0, attempts - 1), 30))


class _DeliveryRound:
    """One `deliver_due` call: its clock, counters and the sending of each chat's rows."""

    def __init__(
        self,
        bot: telegram.Bot,
        maker: Sessions,
        pacer: Pacer,
        clock: Callable[[], datetime],
        lease_seconds: float,
        sending: asyncio.Semaphore,
    ) -> None:
        self.bot = bot
        self.maker = maker
        self.pacer = pacer
        self.clock = clock
        self.margin = timedelta(seconds=min(5.0, lease_seconds / 4))
        self.sending = sending
        self.in_flight = 0
        self.sent = self.retried = self.failed = self.deactivated = self.retry_after = 0
        self._progress = asyncio.Event()
        self.serialize_writes = False
        self._writing = asyncio.Lock()
        self._sent_queue: list[tuple[int, int, datetime, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[Session]:
        """One committed unit of work. On SQLite the process's writes queue here: the database
        takes one writer at a time, and waiting in its busy handler is far slower."""
        if not self.serialize_writes:
            async with transaction(self.maker) as session:
                yield session
            return
        async with self._writing, transaction(self.maker) as session:
            yield session

    def report(self) -> DeliveryReport:
        return DeliveryReport(
            self.sent, self.retried, self.failed, self.deactivated, self.retry_after
        )

    async def wait_below(self, count: int) -> None:
        while self.in_flight >= count and self.in_flight > 0:
            self._progress.clear()
            await self._progress.wait()

    def _done(self, rows: int = 1) -> None:
        self.in_flight -= rows
        self._progress.set()

    async def deliver_chat(self, rows: Sequence[Delivery]) -> None:
        """Send one chat's claimed rows in order; stop at the first that must wait."""
        left = len(rows)
        try:
            for index, row in enumerate(rows):
                go_on = await self._deliver_one(row, rows[index + 1 :])
                left -= 1
                self._done()
                if not go_on:
                    self._done(left)  # the rest were given back (or failed) with it
                    left = 0
                    return
        except Exception:
            # Isolation point: the rows stay `sending` and go back out when their lease expires.
            logger.exception("event=deliver_error chat=%s", rows[0].chat_id)
        finally:
            if left:
                self._done(left)

    async def _deliver_one(self, row: Delivery, rest: Sequence[Delivery]) -> bool:
        """Send one row and record the outcome; False when the chat's later rows must wait."""
        assert row.id is not None
        await self.pacer.wait_chat(row.chat_id)
        async with self.sending:
            await self.pacer.wait_slot(row.chat_id)
            if (
                row.lease_until is not None
                and self.clock() >= as_utc(row.lease_until) - self.margin
            ):
                # Too late to send under our lease: another worker may already own the row.
                await self._give_back([row, *rest], at=self.clock())
                return False
            try:
                message = await self.bot.send_message(
                    chat_id=row.chat_id,
                    text=row.text,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                    reply_markup=_markup(row.markup),
                )
            except RetryAfter as error:
                await self._wait_flood(row, rest, _retry_seconds(error))
                return False
            except Forbidden as error:
                await self._deactivate(row, f"403 {error.message}")
                return False
            except BadRequest as error:
                return await self._rejected(row, error.message)
            except InvalidToken:
                await self._give_back([row, *rest], at=self.clock())
                raise
            except NetworkError as error:  # also TimedOut and 5xx answers
                return await self._retry_later(
                    row, rest, f"{type(error).__name__}: {error.message}"
                )
        await self._mark_sent(row.id, message.message_id)
        self.sent += 1
        return True

    async def _wait_flood(self, row: Delivery, rest: Sequence[Delivery], wait: float) -> None:
        """Telegram said 429: the chat's rows wait `wait` seconds, without counting an attempt."""
        assert row.id is not None
        self.pacer.hold_chat(row.chat_id, wait)
        at = self.clock() + timedelta(seconds=wait)
        logger.warning(
            "event=delivery_flood_wait delivery=%s chat=%s retry_after=%s", row.id, row.chat_id, wait
        )
        async with self._write() as session:
            await mark_retry(
                session=session,
                delivery_id=row.id,
                at=at,
                error=f"429 retry after {wait}",
                count_attempt=False,
            )
        await self._give_back(rest, at=at)
        self.retried += 1
        self.retry_after += 1

    async def _rejected(self, row: Delivery, message: str) -> bool:
        """Telegram refused the message (400): a chat gone is deactivated, anything else failed
        for good; True when the chat's later rows may still go."""
        assert row.id is not None
        if "chat not found" in message.lower():
            await self._deactivate(row, f"400 {message}")
            return False
        logger.warning(
            "event=delivery_failed delivery=%s chat=%s status=400 error=%r",
            row.id,
            row.chat_id,
            message,
        )
        async with self._write() as session:
            await mark_failed(session=session, delivery_id=row.id, error=f"400 {message}")
        self.failed += 1
        return True

    async def _mark_sent(self, delivery_id: int, message_id: int) -> None:
        """Commit `sent` and return once it is committed. Marks that arrive while a commit is
        under way share the next one (a group commit): the same guarantee, far fewer commits."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sent_queue.append((delivery_id, message_id, self.clock(), done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_sent())
        await done

    async def _flush_sent(self) -> None:
        while self._sent_queue:
            batch, self._sent_queue = self._sent_queue, []
            try:
                async with self._write() as session:
                    for delivery_id, message_id, at, _ in batch:
                        await mark_sent(
                            session=session, delivery_id=delivery_id, message_id=message_id, now=at
                        )
            except Exception as error:
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(error)
            else:
                for *_, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def _retry_later(self, row: Delivery, rest: Sequence[Delivery], error: str) -> bool:
        assert row.id is not None
        attempts = row.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            logger.warning(
                "event=delivery_failed delivery=%s chat=%s attempts=%s error=%r",
                row.id,
                row.chat_id,
                attempts,
                error,
            )
            async with self._write() as session:
                await mark_failed(session=session, delivery_id=row.id, error=error)
            self.failed += 1
            return True
        at = self.clock() + timedelta(seconds=backoff_seconds(attempts))
        logger.warning(
            "event=delivery_retry delivery=%s chat=%s attempts=%s at=%s error=%r",
            row.id,
            row.chat_id,
            attempts,
            at.isoformat(timespec="seconds"),
            error,
        )
        async with self._write() as session:
            await mark_retry(session=session, delivery_id=row.id, at=at, error=error)
        await self._give_back(rest, at=at)
        self.retried += 1
        return False

    async def _deactivate(self, row: Delivery, reason: str) -> None:
        logger.info(
            "event=subscriber_deactivated chat=%s delivery=%s reason=%r",
            row.chat_id,
            row.id,
            reason,
        )
        async with self._write() as session:
            await deactivate_subscriber(session=session, chat_id=row.chat_id, reason=reason)
        self.deactivated += 1
        self.failed += 1

    async def _give_back(self, rows: Sequence[Delivery], *, at: datetime) -> None:
        if not rows:
            return
        async with self._write() as session:
            await release(
                session=session, delivery_ids=[r.id for r in rows if r.id is not None], at=at
            )
        self.retried += len(rows)


def _by_chat(rows: Sequence[Delivery]) -> list[list[Delivery]]:
    """Rows grouped per chat, each group in id (part) order, groups in order of first row."""
    groups: dict[int, list[Delivery]] = {}
    for row in sorted(rows, key=lambda r: r.id or 0):
        groups.setdefault(row.chat_id, []).append(row)
    return list(groups.values())


def _markup(markup: str | None) -> InlineKeyboardMarkup | None:
    if not markup:
        return None
    return InlineKeyboardMarkup.de_json(json.loads(markup), None)


def _retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 deprecates the int form; both forms are handled
        value = error.retry_after
    seconds = float(value.total_seconds() if isinstance(value, timedelta) else value)
    return max(1.0, seconds)


def _clock(now: datetime | None) -> Callable[[], datetime]:
    if now is None:
        return lambda: datetime.now(UTC)
    start = time.monotonic()
    base = as_utc(now)
    return lambda: base + timedelta(seconds=time.monotonic() - start)
