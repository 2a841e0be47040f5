"""Applies and checks Alembic migrations from code, on the caller's own engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import DatabaseUnavailable

ROOT = Path(__file__).resolve().parents[1]


def alembic_config(connection: Connection | None = None) -> Config:
    """The project's Alembic config; with a connection, migrations run on it."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["configure_logger"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database up to `revision` (head by default).

    Raises DatabaseUnavailable when the database cannot be opened or reached at all.
    """
    try:
        connection = await engine.connect()
    except (OSError, DBAPIError) as error:
        where = engine.url.render_as_string(hide_password=True)
        reason = getattr(error, "orig", None) or error
        raise DatabaseUnavailable(f"cannot open {where}: {reason}") from None
    try:
        async with connection.begin():
            await connection.run_sync(
                lambda sync: command.upgrade(alembic_config(sync), revision)
            )
    finally:
        await connection.close()


async def check(engine: AsyncEngine) -> None:
    """Raise if the models and the migrations disagree (alembic check)."""
    async with engine.connect() as connection:
        await connection.run_sync(lambda sync: command.check(alembic_config(sync)))
