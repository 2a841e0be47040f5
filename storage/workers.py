"""The processes of one deployment: their roll call, their leases on shared work, named leases.

A worker is named `host:pid:nonce`. Whatever it claims (a source to poll, a delivery to send)
carries its name and a short lease that the worker renews while it lives (`beat`); when it dies
the lease lapses within seconds. On the worker's own machine a dead pid is noticed at once
(`reap_dead`), so a re-run right after a crash waits for nothing.

Every function takes a keyword-only `session` and never commits: the caller owns the unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, func, or_, select, union, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Delivery, Lease, SendBudget, Source, Worker

__all__ = [
    "Held",
    "beat",
    "count_live",
    "drop_lease",
    "held_sources",
    "leave",
    "reap_dead",
    "reserve_sends",
    "take_lease",
]

_SOURCE: Table = Source.__table__  # type: ignore[attr-defined]
_DELIVERY: Table = Delivery.__table__  # type: ignore[attr-defined]
_WORKER: Table = Worker.__table__  # type: ignore[attr-defined]
_LEASE: Table = Lease.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Held:
    """A source another worker holds: who, and until when (unless it renews)."""

    source_id: str
    owner: str
    until: datetime


async def beat(
    *, session: AsyncSession, worker: str, host: str, pid: int, now: datetime,
    source_lease: timedelta, source_ids: Collection[str] = (),
) -> None:
    """Say this worker is alive and renew the leases of the sources it is polling
    (`source_ids`): a claim it dropped (a crash of one poll, a full disk) lapses by itself.
    (Deliveries are renewed by the round sending them, at their own lease's pace.)

    A lease already lapsed is not renewed: another worker may have taken the work meanwhile.
    """
    insert = _insert(session)
    statement = insert(Worker).values(id=worker, host=host, pid=pid, started_at=now, seen_at=now)
    await session.execute(
        statement.on_conflict_do_update(index_elements=["id"], set_={"seen_at": now})
    )
    if source_ids:
        await session.execute(
            update(_SOURCE)
            .where(
                _SOURCE.c.id.in_(list(source_ids)),
                _SOURCE.c.lease_owner == worker,
                _SOURCE.c.lease_until >= now,
            )
            .values(lease_until=now + source_lease)
        )


async def count_live(*, session: AsyncSession, now: datetime, window: timedelta) -> int:
    """Workers seen alive within `window` (at least 1: the one asking)."""
    total = await session.scalar(
        select(func.count()).select_from(_WORKER).where(_WORKER.c.seen_at >= now - window)
    )
    return max(1, int(total or 0))


async def reap_dead(
    *, session: AsyncSession, host: str, alive: Callable[[int], bool], now: datetime,
    silent_for: timedelta,
) -> list[str]:
    """Free the leases of workers that are gone: on this host a pid that no longer runs, anywhere
    a worker silent for `silent_for`. Returns the names of the workers reaped."""
    owners = union(
        select(_SOURCE.c.lease_owner.label("owner")).where(_SOURCE.c.lease_until >= now),
        select(_DELIVERY.c.lease_owner.label("owner")).where(
            _DELIVERY.c.status == "sending", _DELIVERY.c.lease_until >= now
        ),
        select(_WORKER.c.id.label("owner")),
    ).subquery()
    names = [name for name in (await session.scalars(select(owners.c.owner))).all() if name]
    silent = set(
        (
            await session.scalars(
                select(_WORKER.c.id).where(_WORKER.c.seen_at < now - silent_for)
            )
        ).all()
    )
    dead = []
    for name in names:
        owner_host, pid = _host_pid(name)
        if name in silent or (owner_host == host and pid is not None and not alive(pid)):
            dead.append(name)
    if not dead:
        return []
    await session.execute(
        update(_SOURCE).where(_SOURCE.c.lease_owner.in_(dead)).values(lease_until=None)
    )
    # Their deliveries become claimable now instead of when the lease would have lapsed.
    await session.execute(
        update(_DELIVERY)
        .where(_DELIVERY.c.lease_owner.in_(dead), _DELIVERY.c.status == "sending")
        .values(lease_until=now)
    )
    await session.execute(delete(_LEASE).where(_LEASE.c.owner.in_(dead)))
    await session.execute(delete(_WORKER).where(_WORKER.c.id.in_(dead)))
    return dead


async def held_sources(
    *, session: AsyncSession, now: datetime, ids: Sequence[str] | None = None
) -> list[Held]:
    """Sources under a live lease (another worker is polling them), soonest free first."""
    query = select(_SOURCE.c.id, _SOURCE.c.lease_owner, _SOURCE.c.lease_until).where(
        _SOURCE.c.lease_until >= now
    )
    if ids is not None:
        query = query.where(_SOURCE.c.id.in_(list(ids)))
    rows = (await session.execute(query.order_by(_SOURCE.c.lease_until))).all()
    return [Held(source_id, owner or "?", until) for source_id, owner, until in rows]


async def leave(*, session: AsyncSession, worker: str) -> None:
    """A worker stopping cleanly: its source leases and named leases are free at once.

    Its `sending` deliveries are left alone: the sender settles each one before it stops.
    """
    await session.execute(
        update(_SOURCE).where(_SOURCE.c.lease_owner == worker).values(lease_until=None)
    )
    await session.execute(delete(_LEASE).where(_LEASE.c.owner == worker))
    await session.execute(delete(_WORKER).where(_WORKER.c.id == worker))


async def take_lease(
    *, session: AsyncSession, name: str, owner: str, now: datetime, ttl: timedelta
) -> bool:
    """Take or renew the lease `name` for `owner`: True when it is now `owner`'s.

    One statement (an upsert that only overwrites a lapsed or own lease), so two workers asking
    at once never both get it.
    """
    insert = _insert(session)
    statement = insert(Lease).values(name=name, owner=owner, until=now + ttl)
    statement = statement.on_conflict_do_update(
        index_elements=["name"],
        set_={"owner": statement.excluded.owner, "until": statement.excluded.until},
        where=or_(_LEASE.c.owner == owner, _LEASE.c.until < now),
    ).returning(_LEASE.c.owner)
    holder = (await session.execute(statement)).scalar()
    return holder == owner


async def drop_lease(*, session: AsyncSession, name: str, owner: str) -> None:
    """Give the lease `name` back, if `owner` holds it."""
    await session.execute(delete(_LEASE).where(_LEASE.c.name == name, _LEASE.c.owner == owner))


async def reserve_sends(
    *, session: AsyncSession, name: str, count: int, spacing: timedelta, now: datetime
) -> datetime:
    """Reserve `count` send slots `spacing` apart from the deployment's one budget `name`;
    returns the first. One upsert on one row: processes asking at once queue on its lock."""
    insert = _insert(session)
    table = SendBudget.__table__  # type: ignore[attr-defined]
    span = spacing * count
    if session.get_bind().dialect.name != "postgresql":
        # SQLite: one process, no date arithmetic in SQL; read and write under its write lock.
        current = await session.scalar(select(table.c.next_at).where(table.c.name == name))
        first = max(current, now) if current is not None else now
        statement = insert(SendBudget).values(name=name, next_at=first + span)
        await session.execute(statement.on_conflict_do_update(
            index_elements=["name"], set_={"next_at": statement.excluded.next_at}))
        return first
    statement = insert(SendBudget).values(name=name, next_at=now + span)
    statement = statement.on_conflict_do_update(
        index_elements=["name"],
        set_={"next_at": func.greatest(table.c.next_at, now) + span},
    ).returning(table.c.next_at)
    end: datetime = (await session.execute(statement)).scalar_one()
    return end - span


def _host_pid(name: str) -> tuple[str, int | None]:
    parts = name.rsplit(":", 2)
    if len(parts) != 3:
        return "", None
    try:
        return parts[0], int(parts[1])
    except ValueError:
        return "", None


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
