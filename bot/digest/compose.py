"""Compose one page of a digest: the window's best stories, rendered, and what is left after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.digest.render import render_digest
from bot.digest.select import DigestPage, select_window
from storage.db import Session

PAGE = 10  # stories a digest page shows; the "more" button pages on


@dataclass(frozen=True, slots=True)
class Digest:
    """One page of a digest window: its messages (none when the window is empty), its stories,
    and where the next page starts."""

    since: datetime
    until: datetime
    offset: int
    page: DigestPage
    texts: tuple[str, ...]

    @property
    def left(self) -> int:
        """Stories of the window after this page."""
        return max(0, self.page.total - self.offset - len(self.page.stories))

    @property
    def next_offset(self) -> int:
        """Where the next page of the window starts."""
        return self.offset + len(self.page.stories)


async def compose_digest(
    *,
    session: Session,
    since: datetime,
    until: datetime,
    heading: str,
    tz: ZoneInfo,
    now: datetime,
    languages: frozenset[str] = frozenset(),
    offset: int = 0,
    limit: int = PAGE,
    exclude_sent_to: int | None = None,
) -> Digest:
    """The best stories last seen in (since, until], from `offset`, as Telegram HTML messages.

    Both the scheduled digest and `/digest` are this page; `exclude_sent_to` leaves out what a
    chat was already sent (unless more sources reported it since).
    """
    page = await select_window(
        session=session,
        since=since,
        until=until,
        languages=languages,
        limit=limit,
        offset=offset,
        exclude_sent_to=exclude_sent_to,
    )
    texts = (
        render_digest(page.stories, heading=heading, tz=tz, now=now, start_index=offset + 1)
        if page.stories
        else []
    )
    return Digest(since=since, until=until, offset=offset, page=page, texts=tuple(texts))
