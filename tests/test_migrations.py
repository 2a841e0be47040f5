"""Migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate
from storage.db import create_engine


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
    assert version == "0003"


async def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    async with engine.connect() as connection:
        mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
        keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
        timeout = (await connection.execute(text("PRAGMA busy_timeout"))).scalar()
    await engine.dispose()
    assert (mode, keys, timeout) == ("wal", 1, 30000)
