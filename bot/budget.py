"""The deployment's one send budget: N processes together send at most BOT_SEND_RATE a second.

Kept in PostgreSQL (one row, no new server): each process reserves a few evenly spaced slots at
a time and sends in them. One process on SQLite has no one to share with and uses none of this.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from datetime import UTC, datetime, timedelta

from storage import workers
from storage.db import Sessions, transaction

BLOCK_SECONDS = 0.2  # slots reserved per trip to the database, in seconds of sending


class SharedBudget:
    """Send slots drawn from the database; `next_slot()` is the monotonic moment of the next."""

    def __init__(self, sessions: Sessions, *, rate: float,
                 name: str = "telegram") -> None:
        self._sessions = sessions
        self._spacing = timedelta(seconds=1.0 / rate)
        self._block = max(1, int(rate * BLOCK_SECONDS))
        self._name = name
        self._slots: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def next_slot(self) -> float:
        """The next moment (time.monotonic) this process may send one message."""
        async with self._lock:
            if not self._slots:
                now = datetime.now(UTC)
                async with transaction(self._sessions) as session:
                    first = await workers.reserve_sends(
                        session=session, name=self._name, count=self._block,
                        spacing=self._spacing, now=now,
                    )
                start = time.monotonic() + (first - now).total_seconds()
                step = self._spacing.total_seconds()
                self._slots.extend(start + index * step for index in range(self._block))
            return self._slots.popleft()
