"""Answers that mean the same on every transport, composed once: an actor's page of stories,
actors to choose among, the list of actors. Each transport passes its own words (labels,
headings, how a command is written) and renders the Message its own way."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.digest.compose import compose_actor_answer, digest_message
from bot.digest.select import DigestPage
from bot.digest.words import Choices, line, listing
from bot.model import Actor, Choice, Message

__all__ = [
    "MAX_PAYLOAD",
    "compose_actor_list",
    "compose_actor_page",
    "describe_window",
    "offer_actors",
]

MAX_PAYLOAD = 64  # bytes of a choice's payload every transport carries back (Telegram's limit)


def compose_actor_page(
    actor: Actor,
    page: DigestPage,
    *,
    offset: int,
    tz: ZoneInfo,
    now: datetime,
    more: Callable[[int, int], Choice],
    later_heading: str,
    language: str | None = None,
) -> Message:
    """A page of the stories naming `actor` (it has stories): the first page says over how long
    a window they came; a later one is headed `later_heading`. `more(left, next_offset)` is
    the transport's "more" choice, offered while stories are left; `language` the reader's,
    for the words around each story."""
    left = page.total - offset - len(page.stories)
    choices: Choices = ((more(left, offset + len(page.stories)),),) if left > 0 else ()
    if offset:
        return digest_message(
            page.stories, heading=later_heading, tz=tz, now=now, start_index=offset + 1,
            choices=choices, language=language,
        )
    oldest = min(story.last_seen for story in page.stories)
    label = describe_window(max(now - oldest, timedelta(hours=1)))
    return compose_actor_answer(
        actor.name, page.stories, tz=tz, now=now, window_label=label, choices=choices,
        language=language,
    )


def offer_actors(
    actors: Sequence[Actor], payload: Callable[[str], str], *, limit: int
) -> Choices:
    """Up to `limit` actors to choose among, one a row; an id whose payload would be too long
    to carry back gets none."""
    rows = ((actor, payload(actor.id)) for actor in actors[:limit])
    return tuple(
        (Choice(actor.name, data),) for actor, data in rows if len(data.encode()) <= MAX_PAYLOAD
    )


def compose_actor_list(
    actors: Sequence[Actor], counts: Mapping[str, int], *, heading: str, command: str
) -> Message | None:
    """Every actor with its count of stories, the most named first; `command` the template
    of how to ask for one (`/actor {id}`); None when there are none."""
    ordered = sorted(actors, key=lambda a: (-counts.get(a.id, 0), a.name))
    if not ordered:
        return None
    lines = [
        line("{name} — {count} · " + command, name=a.name, count=counts.get(a.id, 0), id=a.id)
        for a in ordered
    ]
    return listing(heading, lines)


def describe_window(window: timedelta) -> str:
    """ "6 h", "24 h", "7 days", "45 min": how long a window is, for a heading."""
    minutes = max(1, round(window.total_seconds() / 60))
    if minutes < 90:
        return f"{minutes} min"
    hours = round(minutes / 60)
    if hours <= 48:
        return f"{hours} h"
    return f"{round(hours / 24)} days"
