"""The outbox: payloads promised to destinations, claimed with a lease, marked sent, retried or failed.

A row says which transport sends it ("telegram", "whatsapp"), to which destination of that
transport (a chat id, an @channel, a phone number) and what (`payload`, in the transport's own
format: the outbox never reads it).

Every function takes a keyword-only `session` and never commits: the caller owns the unit of work.
Times are stored in UTC (every `datetime` given here is converted).

Life of a row: `pending` → (claim_due) `sending` with a lease → `sent` | back to `pending` with a
later `next_attempt_at` | `failed` | `unknown` (sent, but no answer came: it may have arrived, so it
is never sent again; its `sent_at` is when that was settled, for pacing). A `sending` row whose lease has expired (its worker died) is claimable again. A destination's rows are claimed in id order (the parts of one digest were
inserted in order): a row is never claimed while an earlier row of the same destination is still
pending or sending elsewhere, so part 2 never overtakes part 1, on one worker or several.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Table, and_, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.alerts import unsend_alerted_story
from storage.models import Delivery, PublishTarget, Subscriber
from storage.times import as_utc

__all__ = [
    "block_destination",
    "claim_due",
    "count_pending",
    "enqueue",
    "last_sends",
    "mark_failed",
    "mark_retry",
    "mark_sent",
    "mark_unknown",
    "post_state",
    "record_receipt",
    "release",
    "renew",
]

OPEN = ("pending", "sending")
_DELIVERY: Table = Delivery.__table__  # type: ignore[attr-defined]
_SUBSCRIBER: Table = Subscriber.__table__  # type: ignore[attr-defined]
_TARGET: Table = PublishTarget.__table__  # type: ignore[attr-defined]


async def enqueue(
    *,
    session: AsyncSession,
    transport: str,
    destination: str,
    kind: str,
    dedup_key: str,
    payloads: Sequence[str],
    now: datetime,
) -> int:
    """Promise `payloads` (in send order) to `destination` of `transport`, one row per payload
    keyed f"{dedup_key}#{i}".

    Idempotent: rows whose key exists are skipped (INSERT … ON CONFLICT DO NOTHING), so enqueuing
    the same digest twice writes nothing twice. Returns how many rows were inserted.
    """
    if not payloads:
        return 0
    at = as_utc(now)
    rows = [
        {
            "transport": transport,
            "destination": destination,
            "kind": kind,
            "dedup_key": f"{dedup_key}#{index}",
            "part": index,
            "payload": payload,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": at,
            "created_at": at,
        }
        for index, payload in enumerate(payloads)
    ]
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Delivery)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(_DELIVERY.c.id)
    )
    inserted = (await session.execute(statement)).all()
    return len(inserted)


async def claim_due(
    *, session: AsyncSession, now: datetime, limit: int, lease_seconds: float,
    owner: str | None = None,
) -> list[Delivery]:
    """Claim up to `limit` due rows for this worker: status `sending`, leased until now + lease.

    Due: `pending` with next_attempt_at <= now, or `sending` with an expired lease. On PostgreSQL
    rows are locked FOR UPDATE SKIP LOCKED, so concurrent workers never claim the same row; on
    SQLite the single UPDATE statement runs under the database's write lock. A row is left alone
    while an earlier open row of its destination is not claimed in the same statement. Returned in id
    order (per destination: part order).
    """
    at = as_utc(now)
    lease_until = at + timedelta(seconds=lease_seconds)
    row = _DELIVERY.c
    earlier = _DELIVERY.alias("earlier").c
    same = (earlier.transport == row.transport) & (earlier.destination == row.destination)
    due = or_(
        and_(row.status == "pending", row.next_attempt_at <= at),
        and_(row.status == "sending", or_(row.lease_until.is_(None), row.lease_until < at)),
    )
    held_earlier = exists().where(
        same,
        earlier.id < row.id,
        or_(
            and_(earlier.status == "pending", earlier.next_attempt_at > at),
            and_(earlier.status == "sending", earlier.lease_until >= at),
        ),
    )
    candidates = (
        select(row.id, row.transport, row.destination)
        .where(due, ~held_earlier)
        .order_by(row.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=_DELIVERY)
        .cte("candidate")
    )
    # A candidate whose earlier open row was skipped (locked by another worker) waits.
    other = _DELIVERY.alias("other").c
    in_order = select(candidates.c.id).where(
        ~exists().where(
            other.transport == candidates.c.transport,
            other.destination == candidates.c.destination,
            other.id < candidates.c.id,
            other.status.in_(OPEN),
            other.id.not_in(select(candidates.c.id)),
        )
    )
    statement = (
        update(Delivery)
        .where(row.id.in_(in_order))
        .values(status="sending", lease_until=lease_until, lease_owner=owner)
        .returning(Delivery)
        .execution_options(synchronize_session=False)
    )
    claimed = list((await session.scalars(statement)).all())
    claimed.sort(key=lambda d: d.id or 0)
    return claimed


async def last_sends(
    *, session: AsyncSession, transport: str, destinations: Collection[str], since: datetime
) -> dict[str, datetime]:
    """When each of `destinations` of `transport` was last sent to (or may have been: `unknown`),
    if since `since`: whichever worker sent it, the next message must keep its distance."""
    if not destinations:
        return {}
    row = _DELIVERY.c
    rows = await session.execute(
        select(row.destination, func.max(row.sent_at))
        .where(
            row.transport == transport,
            row.destination.in_(list(destinations)),
            row.status.in_(("sent", "unknown")),
            row.sent_at >= as_utc(since),
        )
        .group_by(row.destination)
    )
    return {destination: as_utc(at) for destination, at in rows.all() if at is not None}


async def renew(
    *, session: AsyncSession, delivery_ids: Collection[int], owner: str | None, now: datetime,
    lease_seconds: float,
) -> set[int]:
    """Extend the lease of rows this worker is still sending; returns the ids renewed. A row whose
    lease already lapsed is not renewed (another worker may own it now) and is not returned."""
    if not delivery_ids:
        return set()
    at = as_utc(now)
    row = _DELIVERY.c
    owned = row.lease_owner.is_(None) if owner is None else row.lease_owner == owner
    # On PostgreSQL the rows are locked in id order and a row being written right now (its `sent`
    # committing) is skipped, so a renewal never waits on, nor deadlocks with, the round's writes.
    renewable = (
        select(row.id)
        .where(row.id.in_(list(delivery_ids)), row.status == "sending", owned,
               row.lease_until >= at)
        .order_by(row.id)
        .with_for_update(skip_locked=True)
    )
    result = await session.execute(
        update(Delivery)
        .where(row.id.in_(renewable.scalar_subquery()))
        .values(lease_until=at + timedelta(seconds=lease_seconds))
        .returning(row.id)
        .execution_options(synchronize_session=False)
    )
    return {int(delivery_id) for (delivery_id,) in result.all()}


async def mark_sent(
    *, session: AsyncSession, delivery_id: int, receipt: str | None, now: datetime
) -> None:
    """The transport delivered the row: it is never sent again."""
    await session.execute(
        update(Delivery)
        .where(_DELIVERY.c.id == delivery_id)
        .values(status="sent", receipt=receipt, sent_at=as_utc(now), lease_until=None, error=None)
    )


async def post_state(*, session: AsyncSession, dedup_key: str) -> tuple[str, str | None] | None:
    """The status and receipt of the row with this key (is a post out, with which message id,
    or did its send end without an answer?); None when there is no such row."""
    row = (
        await session.execute(
            select(_DELIVERY.c.status, _DELIVERY.c.receipt).where(
                _DELIVERY.c.dedup_key == dedup_key
            )
        )
    ).first()
    return (str(row[0]), row[1]) if row is not None else None


async def mark_retry(
    *,
    session: AsyncSession,
    delivery_id: int,
    at: datetime,
    error: str,
    count_attempt: bool = True,
) -> None:
    """Send the row again at `at`. A flood wait (429) passes count_attempt=False: waiting for
    Telegram is not a failed attempt. A row already sent is left alone."""
    values: dict[str, object] = {
        "status": "pending",
        "next_attempt_at": as_utc(at),
        "lease_until": None,
        "error": error[:500],
    }
    if count_attempt:
        values["attempts"] = Delivery.attempts + 1
    await session.execute(
        update(Delivery)
        .where(_DELIVERY.c.id == delivery_id, _DELIVERY.c.status != "sent")
        .values(**values)
    )


async def mark_failed(*, session: AsyncSession, delivery_id: int, error: str) -> None:
    """Give the row up for good (it stays in the table with its error); an alert's story goes
    back to the chat's next digest."""
    failed = await session.execute(
        update(Delivery)
        .where(_DELIVERY.c.id == delivery_id, _DELIVERY.c.status != "sent")
        .values(
            status="failed",
            lease_until=None,
            error=error[:500],
            attempts=Delivery.attempts + 1,
        )
    )
    if getattr(failed, "rowcount", 0):
        await unsend_alerted_story(session=session, delivery_id=delivery_id)


async def mark_unknown(
    *, session: AsyncSession, delivery_id: int, error: str, now: datetime
) -> None:
    """The send went out but its answer never came: the platform may have shown it, so it is not
    sent again (a copy is worse than a gap); it stays in the table with the reason."""
    await session.execute(
        update(Delivery)
        .where(_DELIVERY.c.id == delivery_id, _DELIVERY.c.status == "sending")
        .values(status="unknown", lease_until=None, error=error[:500], sent_at=as_utc(now))
    )


async def release(*, session: AsyncSession, delivery_ids: Sequence[int], at: datetime) -> None:
    """Give claimed rows back unsent, due again at `at`, without counting an attempt (a worker
    holds back a chat's later parts when an earlier part must wait)."""
    if not delivery_ids:
        return
    await session.execute(
        update(Delivery)
        .where(_DELIVERY.c.id.in_(delivery_ids), _DELIVERY.c.status == "sending")
        .values(status="pending", next_attempt_at=as_utc(at), lease_until=None)
    )


async def block_destination(
    *, session: AsyncSession, transport: str, destination: str, reason: str, now: datetime
) -> int:
    """The destination is gone or refuses us (blocked the bot, chat deleted, not an admin):
    fail its open rows, and stop whatever feeds it — the subscriber it is, or the publish
    target that posts there. Returns how many open deliveries were failed."""
    if _is_chat_id(destination):
        await session.execute(
            update(Subscriber)
            .where(_SUBSCRIBER.c.chat_id == int(destination),
                   _SUBSCRIBER.c.transport == transport)
            .values(active=False, deactivated_reason=reason[:200], next_digest_at=None)
        )
    if transport == "telegram":
        await session.execute(
            update(PublishTarget)
            .where(_TARGET.c.chat == destination)
            .values(failed_reason=reason[:300], failed_at=as_utc(now))
        )
    result = await session.execute(
        update(Delivery)
        .where(
            _DELIVERY.c.transport == transport,
            _DELIVERY.c.destination == destination,
            _DELIVERY.c.status.in_(OPEN),
        )
        .values(status="failed", lease_until=None, error=f"destination blocked: {reason}"[:500])
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def record_receipt(
    *, session: AsyncSession, transport: str, receipt: str, status: str, at: datetime,
    error: str | None = None,
) -> str | None:
    """What the platform says became of a delivered message (sent → delivered → read, or
    failed), found by the receipt its send returned.

    Status webhooks may arrive out of order: a later stage is never replaced by an earlier one.
    A failed alert's story goes back to the chat's next digest.
    Returns the delivery's destination, or None when no row carries that receipt.
    """
    row = (await session.execute(
        select(_DELIVERY.c.id, _DELIVERY.c.destination, _DELIVERY.c.receipt_status).where(
            _DELIVERY.c.transport == transport, _DELIVERY.c.receipt == receipt
        )
    )).first()
    if row is None:
        return None
    delivery_id, destination, current = row
    if status == "failed" and current != "failed":  # taken, then not delivered after all
        await unsend_alerted_story(session=session, delivery_id=delivery_id)
    if _STAGES.get(status, 0) >= _STAGES.get(current or "", 0):
        values: dict[str, object] = {"receipt_status": status, "receipt_status_at": as_utc(at)}
        if error is not None:
            values["error"] = error[:500]
        await session.execute(
            update(Delivery).where(_DELIVERY.c.id == delivery_id).values(**values)
        )
    return str(destination)


async def payload_of_receipt(
    *, session: AsyncSession, transport: str, receipt: str
) -> tuple[str, str] | None:
    """The destination and payload of the delivery the platform knows by `receipt`."""
    row = (await session.execute(
        select(_DELIVERY.c.destination, _DELIVERY.c.payload).where(
            _DELIVERY.c.transport == transport, _DELIVERY.c.receipt == receipt
        )
    )).first()
    return (str(row[0]), str(row[1])) if row is not None else None


async def count_pending(*, session: AsyncSession) -> int:
    """Rows still to be sent (pending, or sending under a lease)."""
    total = await session.scalar(
        select(func.count()).select_from(_DELIVERY).where(_DELIVERY.c.status.in_(OPEN))
    )
    return int(total or 0)


_STAGES = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}


def _is_chat_id(destination: str) -> bool:
    return destination.removeprefix("-").isdigit()
