"""The channels Vigía keeps fed ([[publish]] in feeds.toml): due posts, edits and digests → outbox.

One tick (`run_publish_tick`) per target, each target its own unit of work:
- what = "stories": every story told by `min_sources` outlets or more (naming one of `actors`,
  in one of `languages`, when given) is posted once, as soon as it qualifies (a channel just
  added starts with the last hour's, not the day's backlog). When more outlets
  or languages join it, the post is edited in place (the "+N sources" line grows), never
  reposted: the first edit may follow the post at once, later ones come `EDIT_GAP` apart, and
  what joins in between is folded into the next edit. An edit needs the post's receipt, so it
  waits until the post is delivered; a post whose send got no answer (`unknown`: it may be on
  the channel, with no message id) is left as it is, never posted again, and the log and
  `/feeds` say so.
- what = "digest": at the target's `times` (in its `timezone`), the best stories since the last
  one, like a subscriber's digest.
The post (or edit) and the record of it are written in one transaction, so a crash, a restart or a
second worker never posts a story twice. A chat that refuses the bot (not an admin, no such chat)
is marked failed by the outbox; it is skipped here until feeds.toml is reloaded.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.digest.compose import compose_digest, compose_story_post
from bot.digest.select import load_stories
from bot.model import PublishConfig, StoryView
from bot.outbox import Transport, promise
from storage.db import Session, Sessions, transaction
from storage.deliveries import OPEN, post_state
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
    sessions: Sessions,
    targets: Sequence[PublishConfig],
    transport: Transport,
    now: datetime | None = None,
) -> PublishReport:
    """Promise what every [[publish]] target is due; one target's failure holds back no other."""
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
                    sessions, transport, target, row.next_digest_at, now
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
    sessions: Sessions,
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
    session: Session,
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
    state = await post_state(session=session, dedup_key=f"{post.post_key}#0")
    if state is None or state[0] in OPEN:
        return 0  # the post is not delivered yet: the edit waits for its message id
    status, receipt = state
    if status != "sent" or receipt is None:
        # No message id to edit by. After `unknown` the post may well be on the channel, so it
        # is not posted again either: a story shown twice is worse than a line that stays short.
        why = (
            "the post got no answer (it may have been shown)"
            if status == "unknown"
            else "the post was never delivered"
        )
        logger.warning(
            "event=publish_edit_skipped target=%s chat=%s story=%s sources=%d status=%s: %s, "
            "so it is neither edited nor posted again",
            target.id, target.chat, story.id, story.source_count, status, why,
        )
        promised = 0
    else:
        await promise(
            session=session,
            transport=transport,
            destination=target.chat,
            message=compose_story_post(story, tz=zone_of(target.timezone), now=now,
                                       replaces=receipt),
            kind="edit",
            dedup_key=f"{post.post_key}:edit:{post.edits + 1}",
            now=now,
        )
        promised = 1
    # Recorded either way: the next look compares with what the post says now.
    await record_edit(
        session=session,
        target_id=target.id,
        story_id=story.id,
        source_count=story.source_count,
        languages=story.languages,
        now=now,
    )
    return promised


async def _promise_digest(
    sessions: Sessions,
    transport: Transport,
    target: PublishConfig,
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
        local = scheduled.astimezone(zone)
        digest = await compose_digest(
            session=session,
            since=max(watermark, now - DIGEST_LOOKBACK),
            until=now,
            heading=f"Vigía · Venezuela — {local:%d %b, %H:%M}",
            tz=zone,
            now=now,
            languages=frozenset(target.languages),
            actor_ids=frozenset(target.actors),
            limit=DIGEST_SIZE,
        )
        if digest.message is None:
            return 0
        await promise(
            session=session,
            transport=transport,
            destination=target.chat,
            message=digest.message,
            kind="digest",
            dedup_key=f"publish:{target.id}:digest:{scheduled.astimezone(UTC).isoformat()}",
            now=now,
        )
    return 1

