"""The channels Vigía keeps fed: their state, the stories due to be posted, the posts due an edit.

Every function takes a keyword-only `session` and never commits: the caller owns the unit of work
(a post's outbox row and its `published_story` row are written together, so a crash or a second
worker never posts a story twice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Delivery, Item, PublishedStory, PublishTarget, Story, StoryActor
from storage.times import as_utc

__all__ = [
    "GrownPost",
    "TargetWanted",
    "claim_digest_time",
    "grown_posts",
    "list_targets",
    "record_edit",
    "record_post",
    "stories_to_post",
    "sync_targets",
    "unanswered_posts",
]

_TARGET: Table = PublishTarget.__table__  # type: ignore[attr-defined]
_PUBLISHED: Table = PublishedStory.__table__  # type: ignore[attr-defined]
_STORY: Table = Story.__table__  # type: ignore[attr-defined]
_ITEM: Table = Item.__table__  # type: ignore[attr-defined]
_STORY_ACTOR: Table = StoryActor.__table__  # type: ignore[attr-defined]
_DELIVERY: Table = Delivery.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class TargetWanted:
    """A [[publish]] table as the database keeps it: id, chat, what, the next digest time."""

    id: str
    chat: str
    what: str
    next_digest_at: datetime | None


@dataclass(frozen=True, slots=True)
class GrownPost:
    """A posted story that more outlets joined since it was last posted or edited."""

    story_id: int
    post_key: str
    source_count: int  # as last posted or edited
    languages: tuple[str, ...]
    edits: int


async def sync_targets(
    *, session: AsyncSession, targets: Sequence[TargetWanted], now: datetime
) -> None:
    """Make publish_target say what feeds.toml says; a removed output is kept, not fed.

    Every sync (start, reload, edited feeds.toml) clears a failure: the operator may have made
    the bot an admin meanwhile, so the next post tries once more. A chat changed to another
    forgets what was posted to the old one. A due digest time is kept; a future one follows the
    new times.
    """
    rows = {row.id: row for row in (await session.scalars(select(PublishTarget))).all()}
    for wanted in targets:
        row = rows.pop(wanted.id, None)
        if row is None:
            session.add(
                PublishTarget(
                    id=wanted.id,
                    chat=wanted.chat,
                    what=wanted.what,
                    next_digest_at=wanted.next_digest_at,
                    watermark=as_utc(now),
                )
            )
            continue
        if row.chat != wanted.chat:
            await session.execute(_PUBLISHED.delete().where(_PUBLISHED.c.target_id == row.id))
        if row.next_digest_at is None or as_utc(row.next_digest_at) > as_utc(now):
            row.next_digest_at = wanted.next_digest_at
        if wanted.what != row.what or row.watermark is None:
            row.watermark = as_utc(now)
        row.chat, row.what, row.in_config = wanted.chat, wanted.what, True
        row.failed_reason = row.failed_at = None
    for row in rows.values():
        row.in_config = False


async def list_targets(*, session: AsyncSession) -> list[PublishTarget]:
    """Every output in feeds.toml with its state (failed ones say why), by id."""
    return list(
        (
            await session.scalars(
                select(PublishTarget)
                .where(_TARGET.c.in_config)
                .order_by(_TARGET.c.id)
            )
        ).all()
    )


async def stories_to_post(
    *,
    session: AsyncSession,
    target_id: str,
    since: datetime,
    min_sources: int,
    actors: Sequence[str],
    languages: Sequence[str],
    limit: int,
) -> list[int]:
    """Stories last seen after `since`, told by `min_sources` outlets or more, naming one of
    `actors` and told in one of `languages` (empty: any), never posted to this target; oldest
    first."""
    story = _STORY.c
    posted = exists().where(_PUBLISHED.c.target_id == target_id, _PUBLISHED.c.story_id == story.id)
    query = select(story.id).where(
        story.source_count >= min_sources, story.last_seen > as_utc(since), ~posted
    )
    if actors:
        query = query.where(
            exists().where(
                _STORY_ACTOR.c.story_id == story.id, _STORY_ACTOR.c.actor_id.in_(sorted(actors))
            )
        )
    if languages:
        query = query.where(
            exists().where(_ITEM.c.story_id == story.id, _ITEM.c.lang.in_(sorted(languages)))
        )
    query = query.order_by(story.first_seen, story.id).limit(limit)
    return list((await session.scalars(query)).all())


async def record_post(
    *,
    session: AsyncSession,
    target_id: str,
    story_id: int,
    source_count: int,
    languages: Sequence[str],
    post_key: str,
    now: datetime,
) -> None:
    """The story is promised to the target (its post is in the outbox under `post_key`)."""
    session.add(
        PublishedStory(
            target_id=target_id,
            story_id=story_id,
            source_count=source_count,
            languages=",".join(languages),
            post_key=post_key,
            posted_at=as_utc(now),
        )
    )


async def grown_posts(
    *, session: AsyncSession, target_id: str, posted_since: datetime, quiet_since: datetime
) -> list[GrownPost]:
    """Posts of this target (posted after `posted_since`) whose story is now told by more
    outlets than the post says (a new language comes with a new outlet), and not edited after
    `quiet_since` (edits come at most so often)."""
    published, story = _PUBLISHED.c, _STORY.c
    rows = await session.execute(
        select(
            published.story_id,
            published.post_key,
            published.source_count,
            published.languages,
            published.edits,
        )
        .join(_STORY, story.id == published.story_id)
        .where(
            published.target_id == target_id,
            published.posted_at > as_utc(posted_since),
            story.source_count > published.source_count,
            or_(published.edited_at.is_(None), published.edited_at <= as_utc(quiet_since)),
        )
        .order_by(published.posted_at)
    )
    return [
        GrownPost(
            story_id=story_id,
            post_key=post_key,
            source_count=count,
            languages=tuple(code for code in languages.split(",") if code),
            edits=edits,
        )
        for story_id, post_key, count, languages, edits in rows
    ]


async def record_edit(
    *,
    session: AsyncSession,
    target_id: str,
    story_id: int,
    source_count: int,
    languages: Sequence[str],
    now: datetime,
) -> None:
    """The post now says this (its edit is in the outbox, or nothing needed saying), or what
    it would say is settled (it cannot be edited): not due again until the story grows again."""
    await session.execute(
        update(PublishedStory)
        .where(_PUBLISHED.c.target_id == target_id, _PUBLISHED.c.story_id == story_id)
        .values(
            source_count=source_count,
            languages=",".join(languages),
            edited_at=as_utc(now),
            edits=_PUBLISHED.c.edits + 1,
        )
    )


async def claim_digest_time(
    *,
    session: AsyncSession,
    target_id: str,
    scheduled: datetime,
    following: datetime,
    now: datetime,
) -> datetime | None:
    """Take the target's due digest time (another worker taking it first wins); move it to
    `following` and the watermark to `now`. Returns the old watermark (None: not claimed)."""
    row = await session.get(PublishTarget, target_id)
    if row is None or row.watermark is None:
        return None
    watermark = as_utc(row.watermark)
    claimed = await session.execute(
        update(PublishTarget)
        .where(
            _TARGET.c.id == target_id,
            _TARGET.c.next_digest_at == as_utc(scheduled),
            _TARGET.c.failed_reason.is_(None),
        )
        .values(next_digest_at=as_utc(following), watermark=as_utc(now))
    )
    return watermark if getattr(claimed, "rowcount", 0) else None




async def unanswered_posts(*, session: AsyncSession) -> dict[str, int]:
    """Per target, the posts whose send got no answer (`unknown`): they may be on the channel,
    with no message id to edit them by."""
    published, delivery = _PUBLISHED.c, _DELIVERY.c
    rows = await session.execute(
        select(published.target_id, func.count())
        .join(_DELIVERY, delivery.dedup_key == published.post_key + "#0")
        .where(delivery.status == "unknown")
        .group_by(published.target_id)
    )
    return {target_id: int(count) for target_id, count in rows}
