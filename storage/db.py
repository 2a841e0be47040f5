"""The async engine and its sessions; SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeAlias

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# What bot/ names when it holds a session or the factory of sessions; it imports no SQLAlchemy.
Session: TypeAlias = AsyncSession
Sessions: TypeAlias = async_sessionmaker[AsyncSession]
Engine: TypeAlias = AsyncEngine


def create_engine(url: str, **kwargs: object) -> AsyncEngine:
    """An async engine for `url`; for a SQLite file, its folder is created and pragmas set."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def sessionmaker(engine: AsyncEngine) -> Sessions:
    """Sessions that keep their objects readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(maker: Sessions) -> AsyncIterator[AsyncSession]:
    """One unit of work: commits on success, rolls back on error."""
    async with maker() as session, session.begin():
        yield session


def is_postgres(engine: AsyncEngine) -> bool:
    """Whether the engine speaks PostgreSQL (for the few queries that differ)."""
    return engine.dialect.name == "postgresql"


def serialises_writes(sessions: Sessions) -> bool:
    """Whether the database takes one writer at a time (SQLite): its writers had better queue."""
    bind = sessions.kw.get("bind")
    return bind is None or bind.dialect.name != "postgresql"


def on_commit(
    session: AsyncSession, *, committed: Callable[[], None], rolled_back: Callable[[], None]
) -> None:
    """Call `committed` once the session's transaction commits, `rolled_back` if it does not."""
    event.listen(session.sync_session, "after_commit", lambda _: committed())
    event.listen(session.sync_session, "after_rollback", lambda _: rolled_back())


async def schema_version(engine: AsyncEngine) -> str | None:
    """The Alembic revision the database is at (None before the first migration)."""
    async with engine.connect() as connection:
        version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    return None if version is None else str(version)

