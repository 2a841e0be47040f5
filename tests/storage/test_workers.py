"""Leases on shared work, on SQLite and PostgreSQL: one holder at a time, renewed while alive,
freed at once when the holder's process is gone."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import deliveries, workers
from storage.db import sessionmaker, transaction
from storage.models import Source
from storage.sources import claim_due, sync_sources

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=25)


async def _sources(engine: AsyncEngine, count: int) -> None:
    rows = [Source(id=f"fuente-{n}", name=f"Fuente {n}", url=f"http://example.org/{n}")
            for n in range(count)]
    async with transaction(sessionmaker(engine)) as session:
        await sync_sources(session=session, sources=rows, now=NOW - timedelta(minutes=1))


async def test_two_workers_claiming_at_once_never_share_a_source(any_engine: AsyncEngine) -> None:
    await _sources(any_engine, 30)
    maker = sessionmaker(any_engine)

    async def claim(owner: str) -> list[str]:
        taken: list[str] = []
        for _ in range(10):
            async with transaction(maker) as session:
                rows = await claim_due(session=session, now=NOW, owner=owner,
                                       lease_until=NOW + LEASE, limit=4)
            taken += [row.id for row in rows]
            await asyncio.sleep(0)
        return taken

    first, second = await asyncio.gather(claim("a:1:x"), claim("b:2:y"))
    assert not set(first) & set(second)
    assert len(first) + len(second) == 30


async def test_a_dead_pid_frees_its_sources_and_a_live_one_keeps_them(
    any_engine: AsyncEngine,
) -> None:
    await _sources(any_engine, 4)
    maker = sessionmaker(any_engine)
    async with transaction(maker) as session:
        await claim_due(session=session, now=NOW, owner="host-a:111:aa", lease_until=NOW + LEASE,
                        limit=2)
        await claim_due(session=session, now=NOW, owner="host-a:222:bb", lease_until=NOW + LEASE,
                        limit=2)
    async with transaction(maker) as session:
        dead = await workers.reap_dead(session=session, host="host-a", alive=lambda pid: pid == 222,
                                       now=NOW, silent_for=timedelta(minutes=1))
        held = await workers.held_sources(session=session, now=NOW)
    assert dead == ["host-a:111:aa"]
    assert {h.owner for h in held} == {"host-a:222:bb"} and len(held) == 2
    assert all(h.until == NOW + LEASE for h in held)


async def test_a_heartbeat_renews_the_work_in_hand_and_only_while_its_lease_lives(
    any_engine: AsyncEngine,
) -> None:
    await _sources(any_engine, 2)
    maker = sessionmaker(any_engine)
    async with transaction(maker) as session:
        await claim_due(session=session, now=NOW, owner="h:1:a", lease_until=NOW + LEASE, limit=2)
    later = NOW + timedelta(seconds=10)
    async with transaction(maker) as session:
        # fuente-1's poll was dropped (it crashed, the disk was full): it is not renewed.
        await workers.beat(session=session, worker="h:1:a", host="h", pid=1, now=later,
                           source_lease=LEASE, source_ids={"fuente-0"})
        held = await workers.held_sources(session=session, now=later)
    assert [(h.source_id, h.until) for h in held] == [("fuente-1", NOW + LEASE),
                                                      ("fuente-0", later + LEASE)]
    # After the lease lapsed, a late heartbeat does not resurrect it: someone else may poll.
    gone = NOW + timedelta(minutes=5)
    async with transaction(maker) as session:
        await workers.beat(session=session, worker="h:1:a", host="h", pid=1, now=gone,
                           source_lease=LEASE,
                           source_ids={"fuente-0", "fuente-1"})
        assert await workers.held_sources(session=session, now=gone) == []


async def test_only_one_worker_holds_a_named_lease_until_it_lapses(
    any_engine: AsyncEngine,
) -> None:
    maker = sessionmaker(any_engine)
    ttl = timedelta(seconds=20)

    async def take(owner: str, at: datetime) -> bool:
        async with transaction(maker) as session:
            return await workers.take_lease(session=session, name="telegram-updates",
                                            owner=owner, now=at, ttl=ttl)

    assert await asyncio.gather(take("a:1:x", NOW), take("b:2:y", NOW)) in (
        [True, False], [False, True])
    holder = "a:1:x" if await take("a:1:x", NOW + timedelta(seconds=5)) else "b:2:y"
    other = "b:2:y" if holder == "a:1:x" else "a:1:x"
    assert not await take(other, NOW + timedelta(seconds=10))
    assert await take(other, NOW + timedelta(seconds=60))  # lapsed: handed over


async def test_the_send_budget_spaces_every_process_slots(any_engine: AsyncEngine) -> None:
    if any_engine.dialect.name != "postgresql":
        pytest.skip("one process on SQLite: its pacer alone spaces the sends, no shared budget")
    maker = sessionmaker(any_engine)
    spacing = timedelta(seconds=1 / 30)

    async def reserve() -> datetime:
        async with transaction(maker) as session:
            return await workers.reserve_sends(session=session, name="telegram", count=6,
                                               spacing=spacing, now=NOW)

    firsts = sorted(await asyncio.gather(*(reserve() for _ in range(5))))
    assert [b - a for a, b in itertools.pairwise(firsts)] == [spacing * 6] * 4


async def _outbox(engine: AsyncEngine, chats: list[str], parts: int) -> None:
    async with transaction(sessionmaker(engine)) as session:
        for chat in chats:
            await deliveries.enqueue(session=session, transport="telegram", destination=chat,
                                     kind="digest", dedup_key=f"d:{chat}",
                                     payloads=[f"parte {n}" for n in range(parts)], now=NOW)


async def test_a_sender_renews_only_its_own_rows_and_only_before_they_lapse(
    any_engine: AsyncEngine,
) -> None:
    await _outbox(any_engine, ["101", "102"], 1)
    maker = sessionmaker(any_engine)
    async with transaction(maker) as session:
        (first,) = await deliveries.claim_due(session=session, now=NOW, limit=1,
                                              lease_seconds=3, owner="h:1:a")
        (second,) = await deliveries.claim_due(session=session, now=NOW, limit=1,
                                               lease_seconds=3, owner="h:2:b")
    assert first.id is not None and second.id is not None
    async with transaction(maker) as session:
        renewed = await deliveries.renew(session=session, delivery_ids=[first.id, second.id],
                                         owner="h:1:a", now=NOW + timedelta(seconds=2),
                                         lease_seconds=3)
    assert renewed == {first.id}  # the other worker's row is not ours to keep
    async with transaction(maker) as session:
        # Renewed until 5 s: nobody else may take it at 4 s (the unrenewed one has lapsed);
        # once lapsed it is not renewed.
        again = await deliveries.claim_due(session=session, now=NOW + timedelta(seconds=4),
                                           limit=5, lease_seconds=3, owner="h:3:c")
        assert [row.id for row in again] == [second.id]
        late = await deliveries.renew(session=session, delivery_ids=[first.id], owner="h:1:a",
                                      now=NOW + timedelta(seconds=6), lease_seconds=3)
    assert late == set()


async def test_the_last_send_to_each_chat_is_known_to_every_worker(
    any_engine: AsyncEngine,
) -> None:
    await _outbox(any_engine, ["201", "202", "203"], 2)
    maker = sessionmaker(any_engine)
    async with transaction(maker) as session:
        rows = await deliveries.claim_due(session=session, now=NOW, limit=10, lease_seconds=15,
                                          owner="h:1:a")
        by_chat = {row.destination: row for row in rows if row.part == 0}
        assert by_chat["201"].id is not None and by_chat["202"].id is not None
        await deliveries.mark_sent(session=session, delivery_id=by_chat["201"].id, receipt="1",
                                   now=NOW + timedelta(seconds=1))
        await deliveries.mark_unknown(session=session, delivery_id=by_chat["202"].id,
                                      error="no answer", now=NOW + timedelta(seconds=2))
    async with transaction(maker) as session:
        last = await deliveries.last_sends(session=session, transport="telegram",
                                           destinations=["201", "202", "203"], since=NOW)
        gone = await deliveries.last_sends(session=session, transport="telegram",
                                           destinations=["201"], since=NOW + timedelta(seconds=5))
    # A send that may have been shown counts too; a chat not sent to has no entry.
    assert last == {"201": NOW + timedelta(seconds=1), "202": NOW + timedelta(seconds=2)}
    assert gone == {}
