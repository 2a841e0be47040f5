"""When a subscriber's next digest is due, and the times of day and zones it is written in."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SCHEDULES = ("daily", "twice", "hourly", "off")


def next_digest_at(
    *, schedule: str, digest_time: str, tz: str | tzinfo, now: datetime
) -> datetime | None:
    """The first digest time strictly after `now`, in UTC; None when the schedule is off.

    `daily` is at `digest_time` (HH:MM, local), `twice` at `digest_time` and twelve hours later,
    `hourly` at `digest_time`'s minute of every hour. Local times are resolved in `tz` each day,
    so a digest stays at 08:00 on both sides of a DST change; a time skipped by the change
    (02:30 on a spring-forward night) happens at the same distance after the gap, a time seen
    twice happens once.
    """
    if schedule == "off":
        return None
    zone = zone_of(tz) if isinstance(tz, str) else tz
    at = parse_clock(digest_time) or time(8, 0)
    now = now.astimezone(UTC)
    if schedule == "hourly":
        local = now.astimezone(zone).replace(minute=at.minute, second=0, microsecond=0)
        candidate = local.astimezone(UTC)
        while candidate <= now:
            candidate += timedelta(hours=1)
        return candidate
    clocks = [at]
    if schedule == "twice":
        clocks.append(time((at.hour + 12) % 24, at.minute))
    today = now.astimezone(zone).date()
    candidates = (
        _local_instant(today + timedelta(days=offset), clock, zone)
        for offset in range(-1, 3)
        for clock in clocks
    )
    return min(candidate for candidate in candidates if candidate > now)


def next_time_at(*, times: tuple[str, ...], tz: str | tzinfo, now: datetime) -> datetime:
    """The first of the local `times` of day (HH:MM) strictly after `now`, in UTC (08:00 when
    none can be read); DST handled as `next_digest_at` does."""
    zone = zone_of(tz) if isinstance(tz, str) else tz
    clocks = [clock for text in times if (clock := parse_clock(text)) is not None] or [time(8, 0)]
    now = now.astimezone(UTC)
    today = now.astimezone(zone).date()
    candidates = (
        _local_instant(today + timedelta(days=offset), clock, zone)
        for offset in range(-1, 3)
        for clock in clocks
    )
    return min(candidate for candidate in candidates if candidate > now)


def parse_clock(text: str) -> time | None:
    """ "08:00", "8:30", "20h", "7" → a time of day; None when it is not one."""
    match = _CLOCK.fullmatch(text.strip().lower())
    if match is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def zone_of(name: str) -> ZoneInfo:
    """The IANA time zone `name`, or UTC when this machine does not know it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _local_instant(day: date, clock: time, zone: tzinfo) -> datetime:
    # fold=0 picks the first of two repeated times; a skipped time maps past the gap.
    local = datetime.combine(day, clock, tzinfo=zone)
    return local.astimezone(UTC)


_CLOCK = re.compile(r"(?P<hour>\d{1,2})(?:(?::|h)(?P<minute>\d{2})?)?")
