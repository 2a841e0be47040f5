"""Sources and actors mirrored from the steering files, and each source's poll state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Actor, Source


async def sync_sources(*, session: AsyncSession, sources: Sequence[Source], now: datetime) -> None:
    """Make the source table say what feeds.toml says; a removed source is kept, not polled.

    `sources` are unsaved rows describing the wanted state; their poll state is ignored.
    """
    rows = {row.id: row for row in (await session.scalars(select(Source))).all()}
    for config in sources:
        row = rows.pop(config.id, None)
        if row is None:
            session.add(
                Source(
                    id=config.id,
                    name=config.name,
                    kind=config.kind,
                    url=config.url,
                    channel=config.channel,
                    lang=config.lang,
                    scope=config.scope,
                    enabled=config.enabled,
                    interval=config.interval,
                    min_interval=config.min_interval,
                    max_interval=config.max_interval,
                    next_poll_at=now,
                )
            )
            continue
        if (row.url, row.channel, row.kind) != (config.url, config.channel, config.kind):
            # A new address is a new conversation with a server: old validators mean nothing.
            row.etag = row.last_modified = row.body_hash = None
            row.disabled_reason = None
            row.error_count = 0
            row.next_poll_at = now
            row.newest_post = None
        if config.enabled and not row.enabled:
            row.next_poll_at = now
        row.name, row.kind, row.url, row.channel = (
            config.name,
            config.kind,
            config.url,
            config.channel,
        )
        row.lang, row.scope, row.enabled, row.in_config = (
            config.lang,
            config.scope,
            config.enabled,
            True,
        )
        if (row.min_interval, row.max_interval) != (config.min_interval, config.max_interval):
            row.interval = config.interval
        row.min_interval, row.max_interval = config.min_interval, config.max_interval
    for row in rows.values():
        row.in_config = False


async def sync_actors(*, session: AsyncSession, actors: Sequence[Actor]) -> None:
    """Mirror actors.toml into the actor table (names and weights change; ids stay)."""
    rows = {row.id: row for row in (await session.scalars(select(Actor))).all()}
    for config in actors:
        row = rows.get(config.id)
        if row is None:
            session.add(
                Actor(id=config.id, name=config.name, kind=config.kind, weight=config.weight)
            )
        else:
            row.name, row.kind, row.weight = config.name, config.kind, config.weight


async def claim_due(
    *,
    session: AsyncSession,
    now: datetime,
    limit: int = 100,
    lease: timedelta = timedelta(minutes=5),
    ids: Sequence[str] | None = None,
) -> list[Source]:
    """Lease the sources due for a poll, so that no other worker polls them meanwhile.

    With `ids`, those sources are claimed whether due or not (a forced poll).
    """
    query = select(Source).where(
        col(Source.enabled).is_(True),
        col(Source.in_config).is_(True),
        col(Source.disabled_reason).is_(None),
        or_(col(Source.lease_until).is_(None), col(Source.lease_until) < now),
    )
    if ids is None:
        query = query.where(col(Source.next_poll_at) <= now)
    else:
        query = query.where(col(Source.id).in_(ids))
    query = query.order_by(col(Source.next_poll_at)).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list((await session.scalars(query)).all())
    for row in rows:
        row.lease_until = now + lease
    await session.flush()
    return rows


async def get_source(*, session: AsyncSession, source_id: str) -> Source | None:
    """One source by id."""
    return await session.get(Source, source_id)


async def record_poll(
    *,
    session: AsyncSession,
    source_id: str,
    now: datetime,
    status: int | None,
    next_poll_at: datetime,
    interval: int | None = None,
    error: str | None = None,
    disabled_reason: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    body_hash: str | None = None,
    new_items: int = 0,
    newest_post: int | None = None,
) -> None:
    """Write what one poll of a source taught us, and give its lease back."""
    values: dict[str, object] = {
        "last_polled_at": now,
        "last_status": status,
        "next_poll_at": next_poll_at,
        "lease_until": None,
    }
    if error is None:
        values.update(error_count=0, last_error=None, last_success_at=now)
        if status == 200:
            values.update(etag=etag, last_modified=last_modified, body_hash=body_hash)
        if interval is not None:
            values["interval"] = interval
        if new_items:
            values["last_new_at"] = now
        if newest_post is not None:
            values["newest_post"] = newest_post
    else:
        values.update(error_count=col(Source.error_count) + 1, last_error=error[:500])
    if disabled_reason is not None:
        values["disabled_reason"] = disabled_reason
    # The table, not the ORM class: no loaded objects to keep in step, so none of the ORM's
    # per-statement bookkeeping (a poll of a thousand sources writes a thousand of these).
    table = Source.__table__  # type: ignore[attr-defined]
    await session.execute(update(table).where(table.c.id == source_id).values(**values))
