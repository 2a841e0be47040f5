"""Durations as people write them: feeds.toml intervals and the windows of /digest and the CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.durations import MAX_WINDOW, parse_duration, parse_window


@pytest.mark.parametrize(("text", "seconds"), [
    ("90s", 90), ("15m", 900), ("1h30m", 5400), ("2d", 172800), (600, 600), ("600", 600),
])
def test_durations(text: object, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["often", "", "0m", "-5m", "5 minutes", True, 1.5])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("6h", timedelta(hours=6)),
        ("24h", timedelta(hours=24)),
        ("7d", timedelta(days=7)),
        ("90m", timedelta(minutes=90)),
        ("1h30m", timedelta(minutes=90)),
        (" 2W ", timedelta(weeks=2)),
        ("400d", timedelta(days=30)),
        ("99999h", timedelta(days=30)),
    ],
)
def test_windows_users_write_are_read(text: str, window: timedelta) -> None:
    assert parse_window(text) == window


@pytest.mark.parametrize(
    "text", ["", "h", "6", "0h", "-6h", "6x", "six hours", "6h;DROP", "1" * 50 + "h"]
)
def test_anything_else_is_not_a_window(text: str) -> None:
    assert parse_window(text) is None


@pytest.mark.parametrize("text", ["99999999999d", "1" * 10, 10**12, "9999999h9999999m"])
def test_numbers_too_long_to_mean_anything_are_refused(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@given(st.text(max_size=30))
def test_any_text_is_a_window_within_bounds_or_none(text: str) -> None:
    window = parse_window(text)
    assert window is None or timedelta(0) < window <= MAX_WINDOW


@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(), st.booleans()))
def test_any_value_is_a_positive_duration_or_refused(value: object) -> None:
    try:
        seconds = parse_duration(value)
    except ValueError:
        return
    assert 0 < seconds < 10**9 * 604_800
