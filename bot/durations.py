"""Durations people write ("90s", "15m", "1h30m", "2d", "1w"), read one way everywhere."""

from __future__ import annotations

import re
from datetime import timedelta

MAX_WINDOW = timedelta(days=30)  # the longest window a command reads back


def parse_duration(value: object) -> int:
    """Seconds in "90s", "15m", "1h30m", "2d", "1w" or a bare number of seconds.

    ValueError for anything else, for zero, and for numbers too long to mean anything
    (each part has at most six digits, so no duration overflows a date).
    """
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        if not 0 < value < 10**9:
            raise ValueError(value)
        return value
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.strip().lower().replace(" ", "")
    if text.isdigit():
        return parse_duration(int(text)) if len(text) <= 9 else _refuse(value)
    seconds = _seconds(text)
    return seconds if seconds else _refuse(value)


def parse_window(text: str) -> timedelta | None:
    """ "90m", "6h", "24h", "7d", "2w", "1h30m" → a window; None when unreadable or zero.

    A window needs its unit (a bare "6" is not one); longer than 30 days is cut to 30 days.
    """
    seconds = _seconds(text.strip().lower().replace(" ", ""))
    return min(timedelta(seconds=seconds), MAX_WINDOW) if seconds else None


def _seconds(compact: str) -> int:
    """The seconds of a run of number-unit parts written without spaces; 0 when it is not one."""
    parts = _PART.findall(compact)
    if not compact or len(compact) > 20 or "".join(n + u for n, u in parts) != compact:
        return 0
    return sum(int(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def _refuse(value: object) -> int:
    raise ValueError(value)


_PART = re.compile(r"(\d{1,6})(s|m|h|d|w)")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}
