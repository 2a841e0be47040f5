"""Alembic environment: async engine, batch mode for SQLite, models from storage.models."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.db import create_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from bot.settings import Settings

    return Settings().database_url


def _include_name(name: str | None, type_: str, _parents: object) -> bool:
    # The full-text index (revision 0002) lives outside the models: FTS5 tables and the
    # PostgreSQL expression index are not for autogenerate to judge.
    if type_ == "table" and name is not None and name.startswith("item_fts"):
        return False
    return not (type_ == "index" and name == "ix_item_search")


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=_include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _run_sync(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync)
    await engine.dispose()


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=_url().startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    shared = config.attributes.get("connection")
    if shared is not None:
        # A caller that already holds a connection (storage.migrate) runs inside its loop.
        _run_sync(shared)
    else:
        asyncio.run(_run_async())
