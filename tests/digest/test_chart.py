"""`/trend`'s counts land on the reader's days, and the pictures are PNGs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.digest.chart import daily_trend, draw_top, draw_trend

CARACAS = ZoneInfo("America/Caracas")  # UTC-4
MADRID = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 3, 18, 30, tzinfo=UTC)  # 14:30 in Caracas, 19:30 in Madrid


def test_hours_fold_into_the_readers_days() -> None:
    hourly = {
        "maduro": {
            datetime(2026, 11, 3, 2, tzinfo=UTC): 3,  # 22:00 on 2 Nov in Caracas, 3 Nov in Madrid
            datetime(2026, 11, 3, 5, tzinfo=UTC): 2,  # 01:00 on 3 Nov in Caracas
            datetime(2026, 11, 1, 12, tzinfo=UTC): 1,
            datetime(2026, 9, 1, 12, tzinfo=UTC): 50,  # outside the window: left out
        }
    }
    names = {"maduro": "Nicolás Maduro", "machado": "María Corina Machado"}
    caracas = daily_trend(hourly, names, days=7, tz=CARACAS, now=NOW)
    assert caracas.days[0] == date(2026, 10, 28) and caracas.days[-1] == date(2026, 11, 3)
    assert caracas.series[0] == ("Nicolás Maduro", (0, 0, 0, 0, 1, 3, 2))
    assert caracas.series[1] == ("María Corina Machado", (0,) * 7)
    madrid = daily_trend(hourly, names, days=7, tz=MADRID, now=NOW)
    assert madrid.series[0][1][-3:] == (1, 0, 5)
    assert caracas.total == madrid.total == 6


def test_pictures_are_pngs_whatever_the_names() -> None:
    trend = daily_trend(
        {"a": {datetime(2026, 11, 3, 12, tzinfo=UTC): 4}},
        {"a": "Tren de Aragua <b>&</b> 🇻🇪", "b": "Edmundo González Urrutia", "c": "Delcy Rodríguez"},
        days=90,
        tz=CARACAS,
        now=NOW,
    )
    for png in (
        draw_trend(trend, title="Stories a day · last 90 days"),
        draw_top([("Nicolás Maduro", 12), ("Consejo Nacional Electoral", 3)], title="Most named"),
    ):
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
