"""The async engine and its sessions; SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeAlias

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError
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
    """An async engine for `url`; SQLite gets its pragmas. Nothing is created on disk here:
    migrating makes a SQLite file's folder (`ensure_sqlite_folder`), so a command that fails
    leaves no empty database behind."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory ones)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def ensure_sqlite_folder(url: str | URL) -> None:
    """Make the folder of a SQLite file, so that migrating can create the database."""
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


class DatabaseUnavailable(Exception):
    """The database cannot be opened or reached; the reason says which and never the password."""


def database_url_problem(url: str) -> str | None:
    """What is wrong with `url` as Vigía's database, said with what to write; None when usable."""
    example = "like sqlite+aiosqlite:///data/vigia.db or postgresql+asyncpg://user@host/vigia"
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return f"not a database URL; write one {example}"
    driver = f"{parsed.get_backend_name()}+{parsed.get_driver_name()}"
    if driver not in _DRIVERS:
        return f'the driver "{parsed.drivername}" is not supported; write one {example}'
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if path.is_dir():
            return f"{path} is a directory; name a file in it, like {path / 'vigia.db'}"
        folder = next((p for p in (path.parent, *path.parent.parents) if p.exists()), Path("."))
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK) or (
            path.exists() and not os.access(path, os.R_OK | os.W_OK)
        ):
            return f"{path} cannot be written here; choose a path the bot's user may write"
    return None


def password_of(url: str) -> str | None:
    """The password inside a database URL, to keep out of logs; None when there is none."""
    try:
        return make_url(url).password
    except (ArgumentError, ValueError):
        return None


_DRIVERS = {"sqlite+aiosqlite", "postgresql+asyncpg"}


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
