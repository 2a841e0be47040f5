"""Applies and checks Alembic migrations from code, on the caller's own engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

ROOT = Path(__file__).resolve().parents[1]


def alembic_config(connection: Connection | None = None) -> Config:
    """The project's Alembic config; with a connection, migrations run on it."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["configure_logger"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


MIGRATION_LOCK = 0x76696769  # the advisory lock every migrating process takes on PostgreSQL


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database up to `revision` (head by default).

    On PostgreSQL under a transaction-level advisory lock: processes starting together migrate
    one after the other, and the later ones find nothing left to do.
    """
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(text("SET LOCAL statement_timeout = 0"))
            await connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def check(engine: AsyncEngine) -> None:
    """Raise if the models and the migrations disagree (alembic check)."""
    async with engine.connect() as connection:
        await connection.run_sync(lambda sync: command.check(alembic_config(sync)))
