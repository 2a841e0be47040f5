"""Rank stories: more distinct sources, more recent and weightier actors come first."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from bot.model import StoryView

HALF_LIFE_HOURS = 12.0  # a story loses half its standing every 12 hours without a new item
ACTOR_BONUS = 0.25  # each unit of actor weight adds a quarter of the base score


def score_story(
    *, source_count: int, last_seen: datetime, actor_weight: float, now: datetime
) -> float:
    """The standing of a story at `now`.

        score = log2(1 + sources) × (1 + 0.25 × actor_weight) × 0.5 ^ (age_hours / 12)

    `sources` is the number of distinct sources that carried the story (1 source → 1.0,
    3 sources → 2.0: the tenth copy matters less than the second); `actor_weight` is the weight
    of the weightiest actor the story names (0 when it names none); the age is counted from
    the story's last new item, never negative. Because the decay is exponential, the order of
    two stories does not depend on `now`: only the sizes of the scores do.
    """
    base = math.log2(1 + max(source_count, 1))
    bonus = 1.0 + ACTOR_BONUS * max(actor_weight, 0.0)
    age_hours = max((now - last_seen).total_seconds() / 3600.0, 0.0)
    return float(base * bonus * 0.5 ** (age_hours / HALF_LIFE_HOURS))


def rank_stories(stories: Iterable[StoryView], *, now: datetime) -> list[StoryView]:
    """Stories scored at `now`, best first; ties go to the most recent, then the newest id."""
    scored = [
        replace(
            story,
            score=score_story(
                source_count=story.source_count,
                last_seen=story.last_seen,
                actor_weight=story.actor_weight,
                now=now,
            ),
        )
        for story in stories
    ]
    scored.sort(key=lambda story: (story.score, story.last_seen, story.id), reverse=True)
    return scored
