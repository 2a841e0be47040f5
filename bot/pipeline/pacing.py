"""When to poll a source next: adaptive intervals, server hints, back-off on errors."""

from __future__ import annotations

import random

from bot.steering.feeds import LONGEST_INTERVAL, SHORTEST_INTERVAL

RETRY_AFTER_DEFAULT = 25 * 60  # a 429 without Retry-After: wait as long as mature readers do
RETRY_AFTER_CAP = 48 * 3600
BACKOFF_CAP = 24 * 3600


def interval_after_success(*, interval: int, min_interval: int, max_interval: int,
                           new_items: int, ttl: int | None = None,
                           max_age: int | None = None) -> int:
    """The next interval: shorter while a source keeps bringing news, longer while it is quiet.

    A feed's <ttl> and Cache-Control max-age raise the floor, up to `max_interval` and no
    further: the publisher may ask for fewer polls, not for silence. Whatever the database or
    a publisher holds, the result lies between 1 minute and 7 days.
    """
    ceiling = _bounded(max_interval)
    interval = int(interval * 0.75) if new_items > 0 else int(interval * 1.25) + 1
    floor = min(ceiling, max(min_interval, ttl or 0, max_age or 0))
    return _bounded(max(floor, min(ceiling, interval)))


def delay_after_error(*, interval: int, error_count: int, max_interval: int,
                      retry_after: float | None = None, status: int | None = None) -> int:
    """Seconds to wait after the `error_count`-th error in a row (1 for the first)."""
    if retry_after is not None or status in (429, 503):
        wait = RETRY_AFTER_DEFAULT if retry_after is None else retry_after
        return int(min(RETRY_AFTER_CAP, max(60.0, wait)))
    cap = max(_bounded(max_interval), BACKOFF_CAP)
    return int(min(cap, _bounded(interval) * 2 ** min(max(error_count, 0), 16)))


def _bounded(seconds: int) -> int:
    return min(LONGEST_INTERVAL, max(SHORTEST_INTERVAL, seconds))


def jitter(seconds: int, *, spread: float = 0.1) -> int:
    """Spread polls so sources with equal intervals do not all fall due at once."""
    return max(1, int(seconds * random.uniform(1 - spread, 1 + spread)))
