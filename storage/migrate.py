"""Applies and checks Alembic migrations from code, on the caller's own engine.

The migrations and their Alembic configuration travel inside the package (read through
importlib.resources), so an installed wheel migrates from any folder.
"""

from __future__ import annotations

from importlib.resources import as_file, files

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import DatabaseUnavailable, ensure_sqlite_folder


def alembic_config(connection: Connection | None = None) -> Config:
    """The project's Alembic config; with a connection, migrations run on it."""
    with as_file(files("storage") / "alembic.ini") as ini:
        config = Config(str(ini))
    config.attributes["configure_logger"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest revision the package ships."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database up to `revision` (head by default); a SQLite file's folder is made.

    Raises DatabaseUnavailable when the database cannot be opened or reached at all.
    """
    ensure_sqlite_folder(engine.url)
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
