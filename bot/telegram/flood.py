"""Per-chat flood control: a few updates per window, one "slow down", then silence until it passes.

Kept in memory on purpose: only the one process that receives updates needs it, and forgetting it
on restart costs nothing. Everything a user was promised lives in the database instead.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import Enum


class Verdict(Enum):
    """What to do with one update from a chat."""

    SERVE = "serve"
    WARN = "warn"  # over the limit for the first time in this window: say so once
    DROP = "drop"  # over the limit and already told


class FloodGate:
    """At most `limit` updates per `window` seconds for each chat."""

    def __init__(
        self, *, limit: int = 8, window: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._served: dict[int, deque[float]] = {}
        self._warned_until: dict[int, float] = {}

    def admit(self, chat_id: int) -> Verdict:
        """Record an update from `chat_id` and say whether to serve it."""
        now = self._clock()
        served = self._served.setdefault(chat_id, deque())
        while served and served[0] <= now - self.window:
            served.popleft()
        if len(served) < self.limit:
            served.append(now)
            self._warned_until.pop(chat_id, None)
            return Verdict.SERVE
        if self._warned_until.get(chat_id, 0.0) > now:
            return Verdict.DROP
        self._warned_until[chat_id] = served[0] + self.window
        self._forget_idle(now)
        return Verdict.WARN

    def _forget_idle(self, now: float) -> None:
        """Drop chats with nothing in the window, so the map stays as small as the live flood."""
        if len(self._served) < 1024:
            return
        for chat_id in [
            c for c, times in self._served.items() if not times or times[-1] <= now - self.window
        ]:
            del self._served[chat_id]
            self._warned_until.pop(chat_id, None)
