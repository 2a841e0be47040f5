"""`/trend` counts on the reader's days, and the pictures are PNGs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from bot.digest.chart import Trend, draw_top, draw_trend, midnights, reader_days

CARACAS = ZoneInfo("America/Caracas")  # UTC-4
MADRID = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 3, 18, 30, tzinfo=UTC)  # 14:30 in Caracas, 19:30 in Madrid


def test_the_readers_days_and_where_they_begin() -> None:
    caracas = reader_days(days=7, tz=CARACAS, now=NOW)
    assert caracas[0] == date(2026, 10, 28) and caracas[-1] == date(2026, 11, 3)
    assert midnights(caracas, CARACAS) == tuple(
        datetime(2026, 10, 28, 4, tzinfo=UTC) + timedelta(days=n) for n in range(8)
    )
    late = datetime(2026, 11, 3, 23, 30, tzinfo=UTC)  # 19:30 in Caracas, already the 4th in Madrid
    assert reader_days(days=1, tz=CARACAS, now=late) == (date(2026, 11, 3),)
    assert reader_days(days=1, tz=MADRID, now=late) == (date(2026, 11, 4),)
    # Summer time ends on 25 Oct in Madrid: that day lasts 25 hours.
    madrid = midnights((date(2026, 10, 24), date(2026, 10, 25)), MADRID)
    assert [b - a for a, b in pairwise(madrid)] == [timedelta(hours=24), timedelta(hours=25)]


def test_pictures_are_pngs_whatever_the_names() -> None:
    days = reader_days(days=90, tz=CARACAS, now=NOW)
    quiet = (0,) * len(days)
    trend = Trend(
        days=days,
        series=(
            ("Tren de Aragua <b>&</b> 🇻🇪", (*quiet[:-1], 4)),
            ("Edmundo González Urrutia", quiet),
            ("Delcy Rodríguez", quiet),
        ),
    )
    for png in (
        draw_trend(trend, title="Stories a day · last 90 days"),
        draw_top([("Nicolás Maduro", 12), ("Consejo Nacional Electoral", 3)], title="Most named"),
    ):
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


def test_busiest_days_shared_by_everyone_are_all_labelled() -> None:
    # One event for all three (an election day): the same day, even the same count; some
    # counts make label heights whose sums land a hair off in floats.
    days = reader_days(days=30, tz=CARACAS, now=NOW)
    for busiest in (4, 39, 40):
        peak = (*[(1, 3)[n % 2] for n in range(20)], busiest, *[2] * 9)
        trend = Trend(
            days=days,
            series=(("Nicolás Maduro", peak), ("María Corina Machado", peak), ("CNE", peak[::-1])),
        )
        png = draw_trend(trend, title="Stories a day · last 30 days")
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
