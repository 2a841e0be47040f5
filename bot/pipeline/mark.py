"""Mark a source after its poll: validators, error count, last error and when to poll it next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.pipeline.pacing import delay_after_error, interval_after_success, jitter
from storage.db import Session, Sessions, transaction
from storage.models import Source
from storage.sources import record_poll

GONE = (
    "the server answers 410 Gone: the feed was removed for good; fix its url "
    "in feeds.toml (a changed url re-enables it)"
)


@dataclass(frozen=True, slots=True)
class Polled:
    """What a successful poll read, beyond its entries: what marking the source writes."""

    source_id: str
    now: datetime
    status: int
    interval: int
    min_interval: int
    max_interval: int
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    ttl: int | None = None  # the feed's own <ttl>, minutes
    max_age: int | None = None  # Cache-Control max-age, seconds
    newest_post: int | None = None  # a channel's newest post id


async def mark_polled(*, session: Session, polled: Polled, new_items: int) -> None:
    """Record a good poll; the next one comes sooner when it brought news, later when not."""
    interval = interval_after_success(
        interval=polled.interval,
        min_interval=polled.min_interval,
        max_interval=polled.max_interval,
        new_items=new_items,
        ttl=polled.ttl,
        max_age=polled.max_age,
    )
    await record_poll(
        session=session,
        source_id=polled.source_id,
        now=polled.now,
        status=polled.status,
        next_poll_at=polled.now + timedelta(seconds=jitter(interval)),
        interval=interval,
        etag=polled.etag,
        last_modified=polled.last_modified,
        body_hash=polled.body_hash,
        new_items=new_items,
        newest_post=polled.newest_post,
    )


async def mark_failed(
    *, sessions: Sessions, row: Source, error: Exception, now: datetime
) -> tuple[int | None, str]:
    """Record a failed poll and back off (410 Gone disables); returns its status and reason."""
    status = getattr(error, "status", None)
    retry_after = getattr(error, "retry_after", None)
    reason = getattr(error, "reason", None) or f"{type(error).__name__}: {error}"
    delay = delay_after_error(
        interval=row.interval,
        error_count=row.error_count + 1,
        max_interval=row.max_interval,
        retry_after=retry_after,
        status=status,
    )
    async with transaction(sessions) as session:
        await record_poll(
            session=session,
            source_id=row.id,
            now=now,
            status=status,
            next_poll_at=now + timedelta(seconds=jitter(delay)),
            error=reason,
            disabled_reason=GONE if status == 410 else None,
        )
    return status, reason
