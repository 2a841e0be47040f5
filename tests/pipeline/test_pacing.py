"""pacing: busy sources are polled more often, quiet ones less, failing ones back off."""

from __future__ import annotations

from bot.pipeline.pacing import (
    RETRY_AFTER_CAP,
    RETRY_AFTER_DEFAULT,
    delay_after_error,
    interval_after_success,
    jitter,
)


def test_news_shortens_and_quiet_lengthens_within_bounds() -> None:
    assert interval_after_success(interval=900, min_interval=300, max_interval=3600,
                                  new_items=5) == 675
    assert interval_after_success(interval=900, min_interval=300, max_interval=3600,
                                  new_items=0) == 1126
    assert interval_after_success(interval=310, min_interval=300, max_interval=3600,
                                  new_items=5) == 300
    assert interval_after_success(interval=3500, min_interval=300, max_interval=3600,
                                  new_items=0) == 3600


def test_ttl_and_max_age_raise_the_floor_up_to_max_interval() -> None:
    assert interval_after_success(interval=300, min_interval=300, max_interval=3600,
                                  new_items=3, ttl=1800) == 1800
    # A publisher may ask for fewer polls, never for silence: max_interval still holds.
    assert interval_after_success(interval=300, min_interval=300, max_interval=3600,
                                  new_items=3, max_age=7200) == 3600
    assert interval_after_success(interval=300, min_interval=300, max_interval=21600,
                                  new_items=0, max_age=3_153_600_000) == 21600


def test_errors_back_off_exponentially() -> None:
    delays = [delay_after_error(interval=600, error_count=n, max_interval=3600) for n in (1, 2, 3)]
    assert delays == [1200, 2400, 4800]
    assert delay_after_error(interval=600, error_count=30, max_interval=3600) == 24 * 3600


def test_retry_after_is_honoured_with_a_default_and_a_cap() -> None:
    assert delay_after_error(interval=600, error_count=1, max_interval=3600,
                             retry_after=7200, status=429) == 7200
    assert delay_after_error(interval=600, error_count=1, max_interval=3600,
                             status=429) == RETRY_AFTER_DEFAULT
    assert delay_after_error(interval=600, error_count=1, max_interval=3600,
                             retry_after=10**7, status=429) == RETRY_AFTER_CAP


def test_jitter_stays_within_ten_percent() -> None:
    values = {jitter(1000) for _ in range(200)}
    assert min(values) >= 900 and max(values) <= 1100 and len(values) > 20
