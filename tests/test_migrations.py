"""Migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage import migrate
from storage.bands import BandIndex
from storage.db import create_engine
from storage.migrate import alembic_config


async def test_upgrade_head_on_empty_database_matches_models(any_engine: AsyncEngine) -> None:
    # `any_engine` has run `upgrade head`; `alembic check` raises if models and migrations differ.
    await migrate.check(any_engine)
    async with any_engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    assert {"source", "item", "story", "delivery", "subscriber"} <= tables


async def test_upgrade_is_idempotent(any_engine: AsyncEngine) -> None:
    await migrate.upgrade(any_engine)
    async with any_engine.connect() as connection:
        version = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    assert version == "0006"


async def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    async with engine.connect() as connection:
        mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
        keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
        timeout = (await connection.execute(text("PRAGMA busy_timeout"))).scalar()
    await engine.dispose()
    assert (mode, keys, timeout) == ("wal", 1, 30000)


async def test_band_rows_survive_the_move_to_one_packed_row_per_item(any_engine: AsyncEngine) -> None:
    """0004 packs the old one-row-per-band index, so stories keep folding across the upgrade."""
    seen = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    async with any_engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0003"))
        await connection.execute(
            text("INSERT INTO story_band (band, item_id, seen_at) VALUES (:band, :item, :seen)"),
            [{"band": band, "item": item, "seen": seen} for item, band in
             [(7, -(2**63)), (7, 5), (7, 2**63 - 1), (9, 5)]],
        )
    await migrate.upgrade(any_engine)
    index = BandIndex()
    async with any_engine.connect() as connection:
        rows = (await connection.execute(text("SELECT count(*) FROM item_bands"))).scalar()
        async with AsyncSession(bind=connection) as session:
            await index.refresh(session)
    assert rows == 2
    assert index.candidates([5, 2**63 - 1], since=seen) == [7, 9]
    assert index.candidates([-(2**63)], since=seen) == [7]
    assert index.candidates([5], since=seen + timedelta(seconds=1)) == []  # the time came through
    async with any_engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0003"))
        back = (await connection.execute(text("SELECT count(*) FROM story_band"))).scalar()
    assert back == 4
