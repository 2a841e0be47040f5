"""Ranking: more sources, fresher and weightier stories come first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.digest.rank import rank_stories, score_story
from bot.model import StoryView

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def view(
    story_id: int, *, sources: int = 1, hours_ago: float = 0.0, weight: float = 0.0
) -> StoryView:
    seen = NOW - timedelta(hours=hours_ago)
    return StoryView(
        id=story_id,
        title=f"Story {story_id}",
        url=None,
        source_name="Wire",
        source_count=sources,
        first_seen=seen,
        last_seen=seen,
        actor_weight=weight,
    )


def test_a_story_many_sources_carry_outranks_a_lone_report() -> None:
    ranked = rank_stories([view(1, sources=1), view(2, sources=5)], now=NOW)

    assert [story.id for story in ranked] == [2, 1]


def test_a_fresh_story_outranks_the_same_story_a_day_old() -> None:
    ranked = rank_stories([view(1, sources=2, hours_ago=24), view(2, sources=2)], now=NOW)

    assert [story.id for story in ranked] == [2, 1]


def test_a_weighty_actor_lifts_a_story_but_does_not_beat_wide_coverage() -> None:
    ranked = rank_stories([view(1), view(2, weight=2.0), view(3, sources=3, hours_ago=3)], now=NOW)

    assert [story.id for story in ranked] == [3, 2, 1]


def test_score_halves_every_twelve_hours() -> None:
    fresh = score_story(source_count=3, last_seen=NOW, actor_weight=1.0, now=NOW)
    older = score_story(
        source_count=3, last_seen=NOW - timedelta(hours=12), actor_weight=1.0, now=NOW
    )

    assert older == fresh / 2


def test_ties_go_to_the_most_recent_then_the_newest_story() -> None:
    ranked = rank_stories([view(1), view(3), view(2)], now=NOW)

    assert [story.id for story in ranked] == [3, 2, 1]


@given(
    st.integers(1, 50), st.integers(1, 50), st.floats(0, 72), st.floats(0, 3), st.floats(0, 24 * 30)
)
def test_more_sources_never_rank_lower(
    fewer: int, more: int, hours: float, weight: float, later: float
) -> None:
    low, high = sorted((fewer, more))
    seen = NOW - timedelta(hours=hours)
    now = NOW + timedelta(hours=later)

    assert score_story(
        source_count=high, last_seen=seen, actor_weight=weight, now=now
    ) >= score_story(source_count=low, last_seen=seen, actor_weight=weight, now=now)


def test_a_story_seen_in_the_future_counts_as_fresh_not_fresher() -> None:
    ahead = score_story(source_count=1, last_seen=NOW + timedelta(hours=5), actor_weight=0, now=NOW)

    assert ahead == score_story(source_count=1, last_seen=NOW, actor_weight=0, now=NOW) == 1.0
