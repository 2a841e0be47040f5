"""The channels Vigía keeps fed ([[publish]] in feeds.toml): due posts, edits and digests → outbox.

One tick (`run_publish_tick`) per target, each target its own unit of work:
- what = "stories": every story told by `min_sources` outlets or more (naming one of `actors`,
  in one of `languages`, when given) is posted once, as soon as it qualifies (a channel just
  added starts with the last hour's, not the day's backlog). When more outlets
  or languages join it, the post is edited in place (the "+N sources" line grows), never
  reposted: the first edit may follow the post at once, later ones come `EDIT_GAP` apart, and
  what joins in between is folded into the next edit. An edit needs the post's receipt, so it
  waits until the post is delivered.
- what = "digest": at the target's `times` (in its `timezone`), the best stories since the last
  one, like a subscriber's digest.
The post (or edit) and the record of it are written in one transaction, so a crash, a restart or a
second worker never posts a story twice. A chat that refuses the bot (not an admin, no such chat)
is marked failed by the outbox; it is skipped here until feeds.toml is reloaded.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.digest.compose import compose_story_post, digest_message
from bot.digest.select import load_stories, select_window
from bot.model import PublishConfig, StoryView
from bot.outbox import Transport, promise
from storage.db import transaction
from storage.deliveries import receipt_of
from storage.publish import (
    GrownPost,
    claim_digest_time,
    grown_posts,
    list_targets,
    record_edit,
    record_post,
    stories_to_post,
)
from storage.schedule import next_time_at, zone_of

__all__ = ["EDIT_GAP", "PublishReport", "run_publish_tick"]

logger = logging.getLogger(__name__)

EDIT_GAP = timedelta(minutes=10)  # between two edits of one post (the first may come at once)
FRESH = timedelta(hours=6)  # a story last seen longer ago is not news to post
# A channel just added gets the last hour's stories, not a burst of the whole day's backlog.
BACKLOG = timedelta(hours=1)
EDITABLE = timedelta(hours=72)  # posts older than this are left as they are
POSTS_PER_TICK = 10  # a new channel does not get its whole backlog in one burst
DIGEST_SIZE = 10
DIGEST_LOOKBACK = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class PublishReport:
    """What one tick promised."""

    posts: int = 0
    edits: int = 0
    digests: int = 0


async def run_publish_tick(
    *,
    sessions: async_sessionmaker[AsyncSession],
    targets: Sequence[PublishConfig],
    transport: Transport,
    actor_names: Mapping[str, str],
    now: datetime | None = None,
) -> PublishReport:
    """Promise what every [[publish]] target is due; one target's failure holds back no other.

    `actor_names` maps actor ids to the names stories show (a digest keeps those it names)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    async with sessions() as session:
        state = {row.id: row for row in await list_targets(session=session)}
    posts = edits = digests = 0
    for target in targets:
        row = state.get(target.id)
        if row is None or row.failed_reason is not None or row.chat != target.chat:
            continue
        try:
            if target.what == "digest":
                digests += await _promise_digest(
                    sessions, transport, target, actor_names, row.next_digest_at, now
                )
                continue
            added = row.watermark or now  # when this output was added (or turned to stories)
            since = max(now - FRESH, added - BACKLOG)
            posted, edited = await _promise_stories(sessions, transport, target, since, now)
            posts += posted
            edits += edited
        except Exception:
            # Isolation point: one target's trouble must not starve the others.
            logger.exception("event=publish_failed target=%s chat=%s", target.id, target.chat)
    if posts or edits or digests:
        logger.info("event=publish posts=%d edits=%d digests=%d", posts, edits, digests)
    return PublishReport(posts, edits, digests)


async def _promise_stories(
    sessions: async_sessionmaker[AsyncSession],
    transport: Transport,
    target: PublishConfig,
    since: datetime,
    now: datetime,
) -> tuple[int, int]:
    zone = zone_of(target.timezone)
    async with transaction(sessions) as session:
        story_ids = await stories_to_post(
            session=session,
            target_id=target.id,
            since=since,
            min_sources=target.min_sources,
            actors=target.actors,
            languages=target.languages,
            limit=POSTS_PER_TICK,
        )
        for story in await load_stories(session=session, story_ids=story_ids):
            key = f"publish:{target.id}:{story.id}"
            await promise(
                session=session,
                transport=transport,
                destination=target.chat,
                message=compose_story_post(story, tz=zone, now=now),
                kind="post",
                dedup_key=key,
                now=now,
            )
            await record_post(
                session=session,
                target_id=target.id,
                story_id=story.id,
                source_count=story.source_count,
                languages=story.languages,
                post_key=key,
                now=now,
            )
    edited = 0
    async with transaction(sessions) as session:
        grown = await grown_posts(
            session=session,
            target_id=target.id,
            posted_since=now - EDITABLE,
            quiet_since=now - EDIT_GAP,
        )
        loaded = await load_stories(session=session, story_ids=[g.story_id for g in grown])
        views = {view.id: view for view in loaded}
        for post in grown:
            view = views.get(post.story_id)
            if view is not None:
                edited += await _promise_edit(session, transport, target, post, view, now)
    return len(story_ids), edited


async def _promise_edit(
    session: AsyncSession,
    transport: Transport,
    target: PublishConfig,
    post: GrownPost,
    story: StoryView,
    now: datetime,
) -> int:
    said = (post.source_count, set(post.languages))
    now_says = (story.source_count, set(story.languages))
    if now_says == said or story.source_count < post.source_count:
        return 0  # an item joined, but the post would say the same thing
    receipt = await receipt_of(session=session, dedup_key=f"{post.post_key}#0")
    if receipt is None:
        return 0  # the post is not delivered yet: the edit waits for its message id
    await promise(
        session=session,
        transport=transport,
        destination=target.chat,
        message=compose_story_post(story, tz=zone_of(target.timezone), now=now, replaces=receipt),
        kind="edit",
        dedup_key=f"{post.post_key}:edit:{post.edits + 1}",
        now=now,
    )
    await record_edit(
        session=session,
        target_id=target.id,
        story_id=story.id,
        source_count=story.source_count,
        languages=story.languages,
        now=now,
    )
    return 1


async def _promise_digest(
    sessions: async_sessionmaker[AsyncSession],
    transport: Transport,
    target: PublishConfig,
    actor_names: Mapping[str, str],
    scheduled: datetime | None,
    now: datetime,
) -> int:
    if scheduled is None or scheduled.astimezone(UTC) > now:
        return 0
    zone = zone_of(target.timezone)
    following = next_time_at(times=target.times, tz=zone, now=now)
    async with transaction(sessions) as session:
        watermark = await claim_digest_time(
            session=session, target_id=target.id, scheduled=scheduled, following=following, now=now
        )
        if watermark is None:
            return 0  # another worker took it
        page = await select_window(
            session=session,
            since=max(watermark, now - DIGEST_LOOKBACK),
            until=now,
            languages=frozenset(target.languages),
            limit=DIGEST_SIZE * 3 if target.actors else DIGEST_SIZE,
        )
        stories = _naming(page.stories, target, actor_names)[:DIGEST_SIZE]
        if not stories:
            return 0
        local = scheduled.astimezone(zone)
        heading = f"Vigía · Venezuela — {local:%d %b, %H:%M}"
        await promise(
            session=session,
            transport=transport,
            destination=target.chat,
            message=digest_message(stories, heading=heading, tz=zone, now=now),
            kind="digest",
            dedup_key=f"publish:{target.id}:digest:{scheduled.astimezone(UTC).isoformat()}",
            now=now,
        )
    return 1


def _naming(
    stories: Sequence[StoryView], target: PublishConfig, names: Mapping[str, str]
) -> list[StoryView]:
    if not target.actors:
        return list(stories)
    wanted = {names[actor_id] for actor_id in target.actors if actor_id in names}
    return [story for story in stories if wanted & set(story.actors)]
