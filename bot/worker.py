"""This process as one worker of the deployment: its name, its heartbeat, its leases, its stop.

Claims (a source to poll, a delivery to send) carry short leases, renewed while the work goes on
(sources by the heartbeat every `BEAT` seconds, deliveries by the outbox round sending them): a
dead worker's share is free again within `SOURCE_LEASE` / `DELIVERY_LEASE` plus a tick, and at once
when it died on this machine (its pid is gone). On another machine (another host name) its pid
cannot be checked: there the leases lapsing is what frees its work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from storage import workers
from storage.db import Sessions, transaction

logger = logging.getLogger(__name__)

BEAT = 5.0  # seconds between heartbeats
SOURCE_LEASE = timedelta(seconds=25)  # + one poll tick: a dead worker's sources move within 60 s
# Renewed every third of itself by the round sending them; + a claim: deliveries move within
# 30 s. BOT_DELIVERY_LEASE sets it for `run`.
DELIVERY_LEASE = timedelta(seconds=20)
LIVE_WINDOW = timedelta(seconds=20)  # a worker heard from this recently counts for fair shares
SILENT = timedelta(seconds=60)  # a worker unheard for this long is gone, wherever it ran


class Worker:
    """One process's identity and lease book-keeping; `stopping` is set on SIGTERM."""

    def __init__(self, *, host: str | None = None, pid: int | None = None,
                 delivery_lease: timedelta = DELIVERY_LEASE) -> None:
        self.host = host or socket.gethostname()
        self.pid = pid or os.getpid()
        self.name = f"{self.host}:{self.pid}:{uuid.uuid4().hex[:6]}"
        self.stopping = asyncio.Event()
        self.delivery_lease = delivery_lease  # how long a claimed delivery is held unrenewed
        self._stop_at: float | None = None
        # The sources in hand, whose leases the heartbeat renews; dropped work lapses by itself.
        # (Deliveries are renewed by the outbox round sending them.)
        self.sources: set[str] = set()

    def stop(self) -> None:
        """Stop claiming new work; what is in flight gets a grace period to finish."""
        if self._stop_at is None:
            self._stop_at = time.monotonic()
            logger.info("stopping worker=%s", self.name)
        self.stopping.set()

    def stopped_for(self) -> float:
        """Seconds since `stop()`; 0 while running."""
        return 0.0 if self._stop_at is None else time.monotonic() - self._stop_at

    async def beat(self, sessions: Sessions) -> list[str]:
        """One heartbeat: say we live, renew our leases, free the leases of dead workers."""
        now = datetime.now(UTC)
        async with transaction(sessions) as session:
            await workers.beat(
                session=session, worker=self.name, host=self.host, pid=self.pid, now=now,
                source_lease=SOURCE_LEASE, source_ids=set(self.sources),
            )
        async with transaction(sessions) as session:
            dead = await workers.reap_dead(
                session=session, host=self.host, alive=pid_alive, now=now, silent_for=SILENT
            )
        for name in dead:
            logger.warning("worker gone worker=%s: its sources and deliveries are free again", name)
        return dead


@asynccontextmanager
async def working(worker: Worker, sessions: Sessions) -> AsyncIterator[Worker]:
    """Keep `worker`'s heartbeat going while the block runs; leave cleanly after it."""
    await worker.beat(sessions)
    task = asyncio.create_task(_beat_forever(worker, sessions), name="heartbeat")
    try:
        yield worker
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        try:
            async with transaction(sessions) as session:
                await workers.leave(session=session, worker=worker.name)
        except Exception as error:  # the leases lapse by themselves within seconds
            logger.warning("could not release leases worker=%s error=%s", worker.name, error)


async def hold_lease(sessions: Sessions, worker: Worker, name: str, *,
                     ttl: timedelta) -> bool:
    """Take or renew the named lease for this worker; True while it is ours."""
    async with transaction(sessions) as session:
        return await workers.take_lease(
            session=session, name=name, owner=worker.name, now=datetime.now(UTC), ttl=ttl
        )


async def release_lease(sessions: Sessions, worker: Worker,
                        name: str) -> None:
    """Give the named lease back so another worker takes it over at once."""
    async with transaction(sessions) as session:
        await workers.drop_lease(session=session, name=name, owner=worker.name)


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid runs on this machine (a zombie counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


async def _beat_forever(worker: Worker, sessions: Sessions) -> None:
    while True:
        await asyncio.sleep(BEAT)
        try:
            await worker.beat(sessions)
        except Exception as error:  # a missed beat is survivable; the next one tries again
            logger.warning("heartbeat failed worker=%s error=%s", worker.name, _one_line(error))


def _one_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
