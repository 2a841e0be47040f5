"""Digest times in the subscriber's zone, across DST changes; windows users may ask for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage.schedule import next_digest_at, parse_clock

CARACAS = "America/Caracas"  # UTC-4, no DST


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "now", "expected"),
    [
        ("daily", at(2026, 3, 10, 11, 0), at(2026, 3, 10, 12, 0)),  # 07:00 local → 08:00 today
        ("daily", at(2026, 3, 10, 12, 0), at(2026, 3, 11, 12, 0)),  # at 08:00 sharp → tomorrow
        ("daily", at(2026, 3, 10, 13, 0), at(2026, 3, 11, 12, 0)),
        ("twice", at(2026, 3, 10, 13, 0), at(2026, 3, 11, 0, 0)),  # 20:00 local
        ("twice", at(2026, 3, 11, 1, 0), at(2026, 3, 11, 12, 0)),
        ("hourly", at(2026, 3, 10, 13, 0), at(2026, 3, 10, 14, 0)),
        ("hourly", at(2026, 3, 10, 13, 59), at(2026, 3, 10, 14, 0)),
    ],
)
def test_next_digest_is_the_first_planned_time_after_now(
    schedule: str, now: datetime, expected: datetime
) -> None:
    assert next_digest_at(schedule=schedule, digest_time="08:00", tz=CARACAS, now=now) == expected


def test_off_means_no_digest() -> None:
    assert (
        next_digest_at(schedule="off", digest_time="08:00", tz=CARACAS, now=at(2026, 1, 1)) is None
    )


@pytest.mark.parametrize("zone", ["Europe/Madrid", "America/New_York", "Australia/Sydney"])
def test_a_daily_digest_stays_at_the_local_hour_across_dst(zone: str) -> None:
    tz = ZoneInfo(zone)
    moment = at(2026, 1, 1)
    hours = set()
    for _ in range(400):
        moment = next_digest_at(schedule="daily", digest_time="08:00", tz=zone, now=moment)  # type: ignore[assignment]
        local = moment.astimezone(tz)
        hours.add((local.hour, local.minute))
    assert hours == {(8, 0)}
    assert moment > at(2027, 2, 1)  # one digest a day: 400 days walked, none skipped or doubled


def test_a_time_skipped_by_spring_forward_still_happens_that_day() -> None:
    # Madrid jumps from 02:00 to 03:00 on 2026-03-29.
    now = at(2026, 3, 28, 12, 0)
    planned = next_digest_at(schedule="daily", digest_time="02:30", tz="Europe/Madrid", now=now)
    assert planned is not None
    assert planned.astimezone(ZoneInfo("Europe/Madrid")).date().isoformat() == "2026-03-29"


def test_a_time_repeated_by_fall_back_happens_once() -> None:
    # New York repeats 01:00–02:00 on 2026-11-01.
    first = next_digest_at(
        schedule="daily", digest_time="01:30", tz="America/New_York", now=at(2026, 10, 31, 12, 0)
    )
    assert first is not None
    following = next_digest_at(
        schedule="daily", digest_time="01:30", tz="America/New_York", now=first
    )
    assert following is not None and following - first > timedelta(hours=23)


def test_hourly_follows_a_half_hour_zone() -> None:
    planned = next_digest_at(
        schedule="hourly", digest_time="09:15", tz="Asia/Kolkata", now=at(2026, 3, 10, 13, 0)
    )
    assert planned == at(2026, 3, 10, 13, 45)  # 19:15 in Kolkata


def test_an_unknown_zone_falls_back_to_utc() -> None:
    planned = next_digest_at(
        schedule="daily", digest_time="08:00", tz="Mars/Olympus", now=at(2026, 3, 10, 0, 0)
    )
    assert planned == at(2026, 3, 10, 8, 0)


@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("08:00", (8, 0)),
        ("8:30", (8, 30)),
        ("20h", (20, 0)),
        ("7", (7, 0)),
        ("24:00", None),
        ("8:61", None),
        ("noon", None),
    ],
)
def test_digest_times_are_read(text: str, clock: tuple[int, int] | None) -> None:
    parsed = parse_clock(text)
    assert (None if parsed is None else (parsed.hour, parsed.minute)) == clock
