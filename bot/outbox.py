"""The one seam for everything Vigía sends, and the outbox sender behind it.

How a new output plugs in (a WhatsApp sender, a Telegram channel, …):

1. Compose a transport-neutral `bot.model.Message` (story blocks, paragraphs, choices, an optional
   picture) — bot/digest/compose.py does it for digests, alerts, answers and channel posts.
2. A `Transport` turns it into payloads and sends them:

       class Transport(Protocol):
           name: str                                   # "telegram": the outbox rows' `transport`
           pace: Pace                                   # its platform's limits
           def render(self, message: Message) -> list[str]: ...            # pure; in send order
           async def send(self, destination: str, payload: str) -> Outcome: ...

   `render` escapes untrusted text its own way and splits under its own limit; a payload is an
   opaque string the outbox stores as is. `send` answers one `Outcome`: DELIVERED (with a
   receipt), RETRY (after `retry_after` seconds, or the outbox's back-off; `flood=True` when the
   platform paced us, which is not a failed attempt), BLOCKED (the destination is gone: its
   subscriber or publish target is stopped and its open rows failed), REJECTED (this payload
   never goes; the destination stays) or UNKNOWN (it left but no answer came: it may have been
   shown, so it is never sent again — a copy is worse than a gap). `send` never raises for a platform's answer; an
   exception is a bug or a dead credential, and the row goes back unsent.
3. `promise(...)` renders a Message with a transport and writes the rows (idempotent by key);
   `deliver_due(transports, maker, pacers=…)` sends what is due through the transport each row
   names. Register a transport by putting it in the `transports` mapping the app builds.

Lease, retry, pacing and exactly-once live here once, for every transport:

What a crash costs: a row committed as `sent` is never sent again; a row still `sending` when its
worker dies goes back to be sent once its lease expires. So nothing promised is lost, and the only
window for a duplicate is between the platform's answer (or a send whose answer timed out) and the
commit of `sent` — at-least-once there, exactly-once everywhere else.

A round renews the lease of every row it holds (queued, in flight, or waiting for its `sent` to
commit) every third of a lease, so a slow answer never lets another worker take the row and send
it again. With a `worker` (bot/worker.py), leases are short and claims name the worker. Once the
worker is stopping nothing more is claimed or started: rows not yet sent go back unsent in one transaction, sends in flight get `SEND_GRACE` seconds to be answered, then
become `unknown`. So a SIGTERM never makes a copy.

Per delivery decisions (from the transport's Outcome):
- RETRY with flood: due again after `retry_after` however long; not a failed attempt.
- RETRY otherwise (network errors, timeouts, 5xx): `retry_after` if given, else exponential
  back-off (5 s doubling, capped at 1 h); failed after `MAX_ATTEMPTS`.
- BLOCKED: the destination's subscriber deactivated (or its publish target marked failed) and
  every open delivery of it failed.
- REJECTED: failed at once and logged with the delivery id and destination; never retried.
- UNKNOWN: marked `unknown`, logged, never sent again; the destination's later parts go on.
When a part must wait, the later parts of that destination wait with it: part 2 never overtakes 1.

Pacing, per transport (one `Pacer` each, kept per process and passed to every call): at most one
message each `pace.per_destination` seconds to a destination and `pace.global_rate` a second
overall (evenly spaced, or drawn from the deployment's shared `SharedBudget` when several
processes send), different destinations concurrently (at most `concurrency` in flight).
Across processes (PostgreSQL) a destination's rows are never in flight at two workers at once
(see `claim_due`), and a claim reads each destination's last send from the outbox (`sent_at`), so
the per-destination distance holds for the deployment when its rows pass from one worker to
another. One process on SQLite knows its own sends and reads nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.budget import SharedBudget
from bot.model import Message, Outcome, Status
from bot.worker import Worker
from storage.db import Session, Sessions, serialises_writes, transaction
from storage.deliveries import (
    block_destination,
    claim_due,
    enqueue,
    last_sends,
    mark_failed,
    mark_retry,
    mark_sent,
    mark_unknown,
    release,
    renew,
)
from storage.models import Delivery
from storage.times import as_utc

__all__ = [
    "MAX_ATTEMPTS",
    "DeliveryReport",
    "Pace",
    "Pacer",
    "Transport",
    "backoff_seconds",
    "deliver_due",
    "promise",
]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 25  # with the 1 h cap: about a day of trying before a delivery is given up
SEND_GRACE = 10.0  # seconds a send in flight may still take once the worker is stopping
BACKOFF_FIRST = 5.0
BACKOFF_CAP = 3600.0


@dataclass(frozen=True, slots=True)
class Pace:
    """A platform's sending limits: messages a second overall, seconds between two to one
    destination, and how long after a destination last wrote it may be sent free-form messages
    (None: any time)."""

    global_rate: float = 30.0
    per_destination: float = 1.0
    reply_window: timedelta | None = None


class Transport(Protocol):
    """One way out: renders Messages into payloads and sends one payload to one destination."""

    @property
    def name(self) -> str: ...

    @property
    def pace(self) -> Pace: ...

    def render(self, message: Message) -> list[str]: ...

    async def send(self, destination: str, payload: str) -> Outcome: ...


async def promise(
    *,
    session: Session,
    transport: Transport,
    destination: str,
    message: Message,
    kind: str,
    dedup_key: str,
    now: datetime,
) -> int:
    """Render `message` for `transport` and write it to the outbox for `destination`, in the
    caller's unit of work. Idempotent by `dedup_key`. Returns how many rows were written."""
    return await enqueue(
        session=session,
        transport=transport.name,
        destination=destination,
        kind=kind,
        dedup_key=dedup_key,
        payloads=transport.render(message),
        now=now,
    )


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one `deliver_due` call did, in all; `by_transport` splits it by the rows' transport."""

    sent: int = 0
    retried: int = 0  # sent back to wait (flood wait, network error, or behind such a part)
    failed: int = 0
    deactivated: int = 0  # destinations blocked (blocked the bot, chat gone, not an admin)
    retry_after: int = 0  # of the retried, those the platform paced (429 retry_after)
    by_transport: Mapping[str, DeliveryReport] = field(default_factory=dict, hash=False)


@dataclass(slots=True)
class _Tally:
    """One transport's counts in a round."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    deactivated: int = 0
    retry_after: int = 0

    def report(self) -> DeliveryReport:
        return DeliveryReport(
            self.sent, self.retried, self.failed, self.deactivated, self.retry_after
        )


class Pacer:
    """Spacing of sends: evenly spaced slots at `global_rate` a second (or drawn from the
    deployment's shared `budget`), `chat_interval` seconds between two messages to one
    destination. Keep one per transport per process and reuse it."""

    def __init__(self, *, global_rate: float = 30.0, chat_interval: float = 1.0,
                 budget: SharedBudget | None = None) -> None:
        self.global_rate = global_rate
        self.chat_interval = chat_interval
        self.budget = budget  # the deployment's slots, when several processes share the rate
        self._next_slot = 0.0
        self._chat_ready: dict[str, float] = {}

    @staticmethod
    def for_pace(pace: Pace) -> Pacer:
        """A pacer keeping to a transport's limits."""
        return Pacer(global_rate=pace.global_rate, chat_interval=pace.per_destination)

    async def wait_chat(self, destination: str) -> None:
        """Sleep until `destination` may get its next message."""
        delay = self._chat_ready.get(destination, 0.0) - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    async def wait_slot(self, destination: str) -> None:
        """Take the next global slot for a message to `destination` and sleep until it comes."""
        now = time.monotonic()
        if self.budget is not None:
            slot = max(now, await self.budget.next_slot())
            now = time.monotonic()
        else:
            slot = max(now, self._next_slot)
            self._next_slot = slot + 1.0 / self.global_rate
        self._chat_ready[destination] = slot + self.chat_interval
        if len(self._chat_ready) > 50_000:
            self._forget(now)
        if slot > now:
            await asyncio.sleep(slot - now)

    def hold_chat(self, destination: str, seconds: float) -> None:
        """The platform asked to wait: nothing more to this destination for `seconds`."""
        self._chat_ready[destination] = max(
            self._chat_ready.get(destination, 0.0), time.monotonic() + seconds
        )

    def sent_before(self, destination: str, seconds_ago: float) -> None:
        """A message went to `destination` `seconds_ago` (from another worker, or before this
        process started): the next keeps its distance from it."""
        self._chat_ready[destination] = max(
            self._chat_ready.get(destination, 0.0),
            time.monotonic() - seconds_ago + self.chat_interval,
        )

    def _forget(self, now: float) -> None:
        for key in [c for c, ready in self._chat_ready.items() if ready <= now]:
            del self._chat_ready[key]


async def deliver_due(
    transports: Mapping[str, Transport],
    maker: Sessions,
    *,
    now: datetime | None = None,
    limit: int = 500,
    pacers: Mapping[str, Pacer] | None = None,
    lease_seconds: float = 60.0,
    concurrency: int = 32,
    batch: int | None = None,
    worker: Worker | None = None,
) -> DeliveryReport:
    """Send up to `limit` due deliveries through their transports and return what happened.

    Claims `batch` rows at a time (default: about five seconds' worth of sends), the next batch
    while the last is still going, until nothing is due; the leases of the rows it holds are
    renewed every third of `lease_seconds` until each is settled.
    A row whose transport is not in `transports` (this process does not run it) goes back
    untouched for a process that does. `now` (tests) shifts the clock: it stands for the moment
    of the call and advances with real time. With a `worker`, claims carry its name and its
    `delivery_lease` (BOT_DELIVERY_LEASE), and its stop ends the round cleanly (see the module's docstring).
    """
    if worker is not None:
        lease_seconds = worker.delivery_lease.total_seconds()
    paced = {
        name: (pacers or {}).get(name) or Pacer.for_pace(transport.pace)
        for name, transport in transports.items()
    }
    run = _DeliveryRound(
        transports, paced, maker, _clock(now), lease_seconds, asyncio.Semaphore(concurrency)
    )
    run.serialize_writes = serialises_writes(maker)
    run.worker = worker
    run.owner = worker.name if worker is not None else f"outbox:{uuid.uuid4().hex[:8]}"
    fastest = max((pacer.global_rate for pacer in paced.values()), default=30.0)
    chunk = batch or max(10, int(fastest * 5))
    claimed = 0
    renewing = asyncio.create_task(run.keep_leases(lease_seconds), name="delivery-leases")
    try:
        async with asyncio.TaskGroup() as group:
            while claimed < limit and not run.stopping():
                await run.wait_below(chunk // 2)
                if run.stopping():
                    break
                rows = await run.claim(
                    limit=min(chunk, limit - claimed), lease_seconds=lease_seconds
                )
                if not rows:
                    if run.in_flight == 0:
                        break
                    await run.wait_below(1)  # finished parts may free a destination's next part
                    continue
                claimed += len(rows)
                for destination_rows in _by_destination(rows):
                    run.in_flight += len(destination_rows)
                    group.create_task(run.deliver_destination(destination_rows))
        # Stopping: what was claimed but never started goes back unsent, in one transaction.
        await run._give_back(run.unstarted, at=run.clock())
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
    return run.report()


def backoff_seconds(attempts: int) -> float:
    """Wait before retry number `attempts` (1-based) after a network error: 5 s doubling, ≤ 1 h."""
    return min(BACKOFF_CAP, BACKOFF_FIRST * 2.0 ** min(max(0, attempts - 1), 30))


class _DeliveryRound:
    """One `deliver_due` call: its clock, counters and the sending of each destination's rows."""

    def __init__(
        self,
        transports: Mapping[str, Transport],
        pacers: Mapping[str, Pacer],
        maker: Sessions,
        clock: Callable[[], datetime],
        lease_seconds: float,
        sending: asyncio.Semaphore,
    ) -> None:
        self.transports = transports
        self.pacers = pacers
        self.maker = maker
        self.clock = clock
        self.margin = timedelta(seconds=min(5.0, lease_seconds / 4))
        self.sending = sending
        self.in_flight = 0
        self.tallies: dict[str, _Tally] = {}
        self._progress = asyncio.Event()
        self.serialize_writes = False
        self._writing = asyncio.Lock()
        self._sent_queue: list[tuple[int, str | None, datetime, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.worker: Worker | None = None
        self.owner: str | None = None  # the name claims carry: the worker's, or this round's
        self.unstarted: list[Delivery] = []
        # Rows claimed and not yet settled, with the end of their lease as last renewed.
        self.held: dict[int, datetime] = {}

    def stopping(self) -> bool:
        return self.worker is not None and self.worker.stopping.is_set()

    async def claim(self, *, limit: int, lease_seconds: float) -> Sequence[Delivery]:
        """The next due rows under this round's lease, named after its owner. With several
        processes (PostgreSQL), each claimed destination's last send, by whichever worker, is
        read in the same transaction, so its next message keeps its distance deployment-wide."""
        async with self._write() as session:
            rows = await claim_due(
                session=session,
                now=self.clock(),
                limit=limit,
                lease_seconds=lease_seconds,
                owner=self.owner,
            )
            if rows and not self.serialize_writes:
                await self._keep_distance(session, rows)
        for row in rows:
            if row.id is not None and row.lease_until is not None:
                self.held[row.id] = as_utc(row.lease_until)
        return rows

    async def _keep_distance(self, session: Session, rows: Sequence[Delivery]) -> None:
        """Tell the pacers when each claimed destination was last sent to, by any worker.

        A destination's rows are never in flight at two workers at once (`claim_due` leaves a
        row while an earlier one of its destination is open elsewhere), so the only way two
        workers come close is a hand-over: one sent, committed, and another claims the next."""
        by_transport: dict[str, set[str]] = {}
        for row in rows:
            by_transport.setdefault(row.transport, set()).add(row.destination)
        now = self.clock()
        for transport, destinations in by_transport.items():
            pacer = self.pacers.get(transport)
            if pacer is None:
                continue
            last = await last_sends(
                session=session, transport=transport, destinations=destinations,
                since=now - timedelta(seconds=pacer.chat_interval),
            )
            for destination, at in last.items():
                pacer.sent_before(destination, (now - at).total_seconds())

    async def keep_leases(self, lease_seconds: float) -> None:
        """Renew the lease of every row this round holds (queued, being sent, or waiting for its
        `sent` to commit) every third of a lease, so a slow send never outlives its lease and
        another worker never sends it a second time."""
        while True:
            await asyncio.sleep(lease_seconds / 3)
            if not self.held:
                continue
            now = self.clock()
            try:
                async with self._write() as session:
                    renewed = await renew(
                        session=session, delivery_ids=list(self.held), owner=self.owner,
                        now=now, lease_seconds=lease_seconds,
                    )
            except Exception as error:  # not renewed: the rows are not sent past their lease
                logger.warning("event=delivery_lease_not_renewed error=%s", error)
                continue
            until = now + timedelta(seconds=lease_seconds)
            for delivery_id in renewed:
                if delivery_id in self.held:
                    self.held[delivery_id] = until

    async def _unless_stopping(self, waiting: Coroutine[Any, Any, None]) -> None:
        """Wait for the pacer, but no longer once the worker is stopping."""
        if self.worker is None:
            await waiting
            return
        wait = asyncio.ensure_future(waiting)
        stop = asyncio.ensure_future(self.worker.stopping.wait())
        await asyncio.wait({wait, stop}, return_when=asyncio.FIRST_COMPLETED)
        for task in (wait, stop):
            task.cancel()

    async def _send(self, transport: Transport, row: Delivery) -> Outcome:
        """Send one row; once the worker is stopping, give up waiting after SEND_GRACE."""
        send = asyncio.ensure_future(transport.send(row.destination, row.payload))
        if self.worker is None:
            return await send
        deadline = asyncio.ensure_future(_grace_over(self.worker))
        try:
            done, _ = await asyncio.wait({send, deadline}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            deadline.cancel()
        if send in done:
            return send.result()
        send.cancel()
        return Outcome(Status.UNKNOWN, reason="no answer before shutdown")

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

    def tally(self, row: Delivery) -> _Tally:
        """The counts of the row's transport."""
        return self.tallies.setdefault(row.transport, _Tally())

    def report(self) -> DeliveryReport:
        by_transport = {name: tally.report() for name, tally in self.tallies.items()}
        parts = by_transport.values()
        return DeliveryReport(
            sent=sum(p.sent for p in parts),
            retried=sum(p.retried for p in parts),
            failed=sum(p.failed for p in parts),
            deactivated=sum(p.deactivated for p in parts),
            retry_after=sum(p.retry_after for p in parts),
            by_transport=by_transport,
        )

    async def wait_below(self, count: int) -> None:
        while self.in_flight >= count and self.in_flight > 0:
            self._progress.clear()
            await self._progress.wait()

    def _done(self, rows: int = 1) -> None:
        self.in_flight -= rows
        self._progress.set()

    async def deliver_destination(self, rows: Sequence[Delivery]) -> None:
        """Send one destination's claimed rows in order; stop at the first that must wait."""
        left = len(rows)
        try:
            transport = self.transports.get(rows[0].transport)
            if transport is None:
                # Another process runs this transport; the rows wait for it.
                await self._give_back(rows, at=self.clock())
                return
            for index, row in enumerate(rows):
                go_on = await self._deliver_one(transport, row, rows[index + 1 :])
                left -= 1
                self._done()
                if not go_on:
                    self._done(left)  # the rest were given back (or failed) with it
                    left = 0
                    return
        except Exception:
            # Isolation point: the rows stay `sending` and go back out when their lease expires.
            logger.exception(
                "event=deliver_error transport=%s destination=%s",
                rows[0].transport,
                rows[0].destination,
            )
        finally:
            for row in rows:  # settled, or dropped: no longer renewed either way
                if row.id is not None:
                    self.held.pop(row.id, None)
            if left:
                self._done(left)

    async def _deliver_one(
        self, transport: Transport, row: Delivery, rest: Sequence[Delivery]
    ) -> bool:
        """Send one row and record the outcome; False when the destination's later rows must wait."""
        assert row.id is not None
        pacer = self.pacers[row.transport]
        await self._unless_stopping(pacer.wait_chat(row.destination))
        async with self.sending:
            await self._unless_stopping(pacer.wait_slot(row.destination))
            if self.stopping():
                self.unstarted += [row, *rest]  # given back together when the round ends
                return False
            valid_until = self.held.get(row.id)
            if valid_until is not None and self.clock() >= valid_until - self.margin:
                # Too late to send under our lease: another worker may already own the row.
                await self._give_back([row, *rest], at=self.clock())
                return False
            try:
                outcome = await self._send(transport, row)
            except Exception:
                await self._give_back([row, *rest], at=self.clock())
                raise
            # The platform counts from when it took the message, which may be later than the
            # slot: the destination's next message keeps its distance from the answer too.
            pacer.sent_before(row.destination, 0.0)
        if outcome.status is Status.DELIVERED:
            await self._mark_sent(row.id, outcome.receipt)
            self.tally(row).sent += 1
            return True
        if outcome.status is Status.RETRY and outcome.flood:
            return await self._flood_wait(pacer, row, rest, outcome)
        if outcome.status is Status.RETRY:
            return await self._retry_later(row, rest, outcome)
        if outcome.status is Status.BLOCKED:
            await self._block(row, outcome.reason)
            return False
        if outcome.status is Status.UNKNOWN:
            await self._unknown(row, rest, outcome.reason)
            return False
        logger.warning(
            "event=delivery_failed delivery=%s transport=%s destination=%s error=%r",
            row.id,
            row.transport,
            row.destination,
            outcome.reason,
        )
        async with self._write() as session:
            await mark_failed(session=session, delivery_id=row.id, error=outcome.reason)
        self.tally(row).failed += 1
        return True

    async def _flood_wait(
        self, pacer: Pacer, row: Delivery, rest: Sequence[Delivery], outcome: Outcome
    ) -> bool:
        assert row.id is not None
        wait = max(1.0, outcome.retry_after or 1.0)
        pacer.hold_chat(row.destination, wait)
        at = self.clock() + timedelta(seconds=wait)
        logger.warning(
            "event=delivery_flood_wait delivery=%s transport=%s destination=%s retry_after=%s",
            row.id,
            row.transport,
            row.destination,
            wait,
        )
        async with self._write() as session:
            await mark_retry(
                session=session,
                delivery_id=row.id,
                at=at,
                error=outcome.reason or f"flood wait {wait}",
                count_attempt=False,
            )
        await self._give_back(rest, at=at)
        self.tally(row).retried += 1
        self.tally(row).retry_after += 1
        return False

    async def _mark_sent(self, delivery_id: int, receipt: str | None) -> None:
        """Commit `sent` and return once it is committed. Marks that arrive while a commit is
        under way share the next one (a group commit): the same guarantee, far fewer commits."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sent_queue.append((delivery_id, receipt, self.clock(), done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_sent())
        await done

    async def _flush_sent(self) -> None:
        while self._sent_queue:
            batch, self._sent_queue = self._sent_queue, []
            try:
                async with self._write() as session:
                    for delivery_id, receipt, at, _ in batch:
                        await mark_sent(
                            session=session, delivery_id=delivery_id, receipt=receipt, now=at
                        )
            except Exception as error:
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(error)
            else:
                for *_, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def _retry_later(self, row: Delivery, rest: Sequence[Delivery], outcome: Outcome) -> bool:
        assert row.id is not None
        attempts = row.attempts + 1
        error = outcome.reason
        if attempts >= MAX_ATTEMPTS:
            logger.warning(
                "event=delivery_failed delivery=%s transport=%s destination=%s attempts=%s "
                "error=%r",
                row.id,
                row.transport,
                row.destination,
                attempts,
                error,
            )
            async with self._write() as session:
                await mark_failed(session=session, delivery_id=row.id, error=error)
            self.tally(row).failed += 1
            return True
        wait = outcome.retry_after if outcome.retry_after is not None else backoff_seconds(attempts)
        at = self.clock() + timedelta(seconds=wait)
        logger.warning(
            "event=delivery_retry delivery=%s transport=%s destination=%s attempts=%s at=%s "
            "error=%r",
            row.id,
            row.transport,
            row.destination,
            attempts,
            at.isoformat(timespec="seconds"),
            error,
        )
        async with self._write() as session:
            await mark_retry(session=session, delivery_id=row.id, at=at, error=error)
        await self._give_back(rest, at=at)
        self.tally(row).retried += 1
        return False

    async def _unknown(self, row: Delivery, rest: Sequence[Delivery], reason: str) -> None:
        """The request left but no answer came: never sent again; the destination's later parts
        wait a moment and then go on."""
        assert row.id is not None
        logger.warning(
            "event=delivery_unknown delivery=%s transport=%s destination=%s error=%r: it may "
            "have been shown, so it is not sent again",
            row.id,
            row.transport,
            row.destination,
            reason,
        )
        async with self._write() as session:
            await mark_unknown(
                session=session, delivery_id=row.id, error=reason, now=self.clock()
            )
        await self._give_back(rest, at=self.clock())
        self.tally(row).failed += 1

    async def _block(self, row: Delivery, reason: str) -> None:
        logger.warning(
            "event=destination_blocked transport=%s destination=%s delivery=%s reason=%r",
            row.transport,
            row.destination,
            row.id,
            reason,
        )
        async with self._write() as session:
            await block_destination(
                session=session,
                transport=row.transport,
                destination=row.destination,
                reason=reason,
                now=self.clock(),
            )
        self.tally(row).deactivated += 1
        self.tally(row).failed += 1

    async def _give_back(self, rows: Sequence[Delivery], *, at: datetime) -> None:
        if not rows:
            return
        async with self._write() as session:
            await release(
                session=session, delivery_ids=[r.id for r in rows if r.id is not None], at=at
            )
        for row in rows:
            self.tally(row).retried += 1


async def _grace_over(worker: Worker) -> None:
    await worker.stopping.wait()
    await asyncio.sleep(max(0.0, SEND_GRACE - worker.stopped_for()))


def _by_destination(rows: Sequence[Delivery]) -> list[list[Delivery]]:
    """Rows grouped per destination, each group in id (part) order, groups by first row."""
    groups: dict[tuple[str, str], list[Delivery]] = {}
    for row in sorted(rows, key=lambda r: r.id or 0):
        groups.setdefault((row.transport, row.destination), []).append(row)
    return list(groups.values())


def _clock(now: datetime | None) -> Callable[[], datetime]:
    if now is None:
        return lambda: datetime.now(UTC)
    start = time.monotonic()
    base = as_utc(now)
    return lambda: base + timedelta(seconds=time.monotonic() - start)

