"""Sources and actors mirrored from the steering files, and each source's poll state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Actor, Source

_SOURCE: Table = Source.__table__  # type: ignore[attr-defined]


async def sync_sources(*, session: AsyncSession, sources: Sequence[Source], now: datetime) -> None:
    """Make the source table say what feeds.toml says; a removed source is kept, not polled.

    `sources` are unsaved rows describing the wanted state; their poll state is ignored. New
    sources are inserted with ON CONFLICT DO NOTHING first, so processes starting together never
    trip over each other's inserts; what follows only updates rows that exist.
    """
    if sources:
        await session.execute(
            _insert(session)(Source)
            .values([_new_row(config, now) for config in sources])
            .on_conflict_do_nothing(index_elements=["id"])
        )
    rows = {row.id: row for row in (await session.scalars(select(Source))).all()}
    for config in sources:
        row = rows.pop(config.id, None)
        if row is None:
            continue  # deleted meanwhile by hand: the next sync inserts it again
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
    if not actors:
        return
    statement = _insert(session)(Actor).values(
        [{"id": a.id, "name": a.name, "kind": a.kind, "weight": a.weight} for a in actors]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "name": statement.excluded.name,
                "kind": statement.excluded.kind,
                "weight": statement.excluded.weight,
            },
        )
    )


async def claim_due(
    *,
    session: AsyncSession,
    now: datetime,
    owner: str,
    lease_until: datetime,
    limit: int,
    ids: Sequence[str] | None = None,
    due_by: datetime | None = None,
) -> list[Source]:
    """Lease up to `limit` sources due by `due_by` (default `now`), soonest due first, to worker
    `owner` until `lease_until`; `now` is the clock leases are compared with.

    With `ids`, those sources are claimed whether due or not (a forced poll). A source under
    another worker's live lease is never claimed. One UPDATE … RETURNING: atomic on SQLite (one
    statement under the write lock) and on PostgreSQL (candidates locked FOR UPDATE SKIP LOCKED),
    so two processes never claim the same source.
    """
    table = _SOURCE.c
    free = or_(table.lease_until.is_(None), table.lease_until < now)
    candidates = select(table.id).where(
        table.enabled.is_(True),
        table.in_config.is_(True),
        table.disabled_reason.is_(None),
        free,
    )
    if ids is None:
        candidates = candidates.where(table.next_poll_at <= (due_by or now))
    else:
        candidates = candidates.where(table.id.in_(list(ids)))
    candidates = (
        candidates.order_by(table.next_poll_at, table.id).limit(limit).with_for_update(
            skip_locked=True
        )
    )
    statement = (
        update(Source)
        .where(table.id.in_(candidates.scalar_subquery()), free)
        .values(lease_until=lease_until, lease_owner=owner)
        .returning(Source)
        .execution_options(synchronize_session=False)
    )
    rows = list((await session.scalars(statement)).all())
    rows.sort(key=lambda row: (row.next_poll_at or now, row.id))
    return rows


async def count_due(*, session: AsyncSession, now: datetime) -> int:
    """Sources due for a poll and free to claim."""
    table = _SOURCE.c
    total = await session.scalar(
        select(func.count()).select_from(_SOURCE).where(
            table.enabled.is_(True),
            table.in_config.is_(True),
            table.disabled_reason.is_(None),
            table.next_poll_at <= now,
            or_(table.lease_until.is_(None), table.lease_until < now),
        )
    )
    return int(total or 0)


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
        "lease_owner": None,
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
    await session.execute(update(_SOURCE).where(_SOURCE.c.id == source_id).values(**values))


def _new_row(config: Source, now: datetime) -> dict[str, object]:
    return {
        "id": config.id, "name": config.name, "kind": config.kind, "url": config.url,
        "channel": config.channel, "lang": config.lang, "scope": config.scope,
        "enabled": config.enabled, "in_config": True, "interval": config.interval,
        "min_interval": config.min_interval, "max_interval": config.max_interval,
        "error_count": 0, "next_poll_at": now,
    }


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
