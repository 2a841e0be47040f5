"""A fake platform's sends held unanswered once a count is reached: a crash mid-send, staged."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any


class HeldSends:
    """Once `pause_after(count)` sends are recorded, every further send is held unanswered and
    `paused` is set; `resume` drops the held ones unanswered (as if they never reached the
    platform) or serves them. Shared by the fake Bot API and the fake Cloud API.

    The fake passes its lock and how many sends it has recorded, awaits `hold()` before serving
    a send (False: drop it unanswered), and calls `recorded()` under its lock after recording one.
    """

    def __init__(self, lock: AbstractContextManager[Any], count: Callable[[], int]) -> None:
        self._lock = lock
        self._count = count
        self._pause_at: int | None = None
        self._held: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[bool]]] = []
        self.paused = threading.Event()

    def pause_after(self, count: int) -> None:
        with self._lock:
            self._pause_at = count
            self.recorded()

    def resume(self, *, drop_held: bool = True) -> int:
        """Stop holding; held sends are dropped unanswered (or served when `drop_held` is
        False). Returns how many were held."""
        with self._lock:
            self._pause_at = None
            held, self._held = self._held, []
        self.paused.clear()
        for loop, future in held:
            if not loop.is_closed():
                loop.call_soon_threadsafe(_settle, future, not drop_held)
        return len(held)

    async def hold(self) -> bool:
        """Whether to serve this send: at once while the count is not reached, else once resumed."""
        with self._lock:
            if self._pause_at is None or self._count() < self._pause_at:
                return True
            self.paused.set()
            loop = asyncio.get_running_loop()
            future: asyncio.Future[bool] = loop.create_future()
            self._held.append((loop, future))
        return await future

    def recorded(self) -> None:
        """After a send is recorded (under the fake's lock): the count may be reached now."""
        if self._pause_at is not None and self._count() >= self._pause_at:
            self.paused.set()


def _settle(future: asyncio.Future[bool], value: bool) -> None:
    if not future.done():
        future.set_result(value)
