"""The async engine and its sessions; every statement bounded in time; the one-process lock
of a SQLite file; what a full disk looks like."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
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
        kwargs.setdefault("connect_args", {"timeout": STATEMENT_TIMEOUT})
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "asyncpg":
        # A statement stuck behind a lock ends in an error the caller can answer, not silence.
        kwargs.setdefault("connect_args", {"server_settings": {
            "statement_timeout": str(int(STATEMENT_TIMEOUT * 1000)),
        }})
    return create_async_engine(url, **kwargs)


STATEMENT_TIMEOUT = 15.0  # seconds any one statement (or SQLite's wait for its lock) may take
WAL_LIMIT = 64 * 1024 * 1024  # bytes the SQLite WAL is truncated to after a checkpoint
LOW_DISK = 32 * 1024 * 1024  # bytes free under which a SQLite volume counts as full


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
    cursor.execute(f"PRAGMA busy_timeout={int(STATEMENT_TIMEOUT * 1000)}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA journal_size_limit={WAL_LIMIT}")
    cursor.close()


def is_disk_full(error: BaseException) -> bool:
    """Whether a database error means the disk (or the database's volume) is full."""
    if isinstance(error, BaseExceptionGroup):
        return any(is_disk_full(inner) for inner in error.exceptions)
    return _in_chain(error, lambda current, text: (
        "database or disk is full" in text
        or "no space left on device" in text
        or getattr(current, "sqlstate", None) == "53100"
        or getattr(current, "sqlite_errorname", None) == "SQLITE_FULL"
    ))


def is_busy(error: BaseException) -> bool:
    """Whether a database error means a statement waited too long (a lock, a stuck query)."""
    return _in_chain(error, lambda current, text: (
        "database is locked" in text
        or "canceling statement due to statement timeout" in text
        or "canceling statement due to lock timeout" in text
        or getattr(current, "sqlstate", None) in ("57014", "55P03")
    ))


def _in_chain(error: BaseException, says: Callable[[BaseException, str], bool]) -> bool:
    """Whether `error` or any error it was raised from (cause or context) `says` so, given the
    error and its lowercased text."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if says(current, str(current).lower()):
            return True
        current = current.__cause__ or current.__context__
    return False


class FileBusy(RuntimeError):
    """Another process already runs the service on this SQLite file."""


@contextmanager
def only_process(url: str) -> Iterator[None]:
    """Hold the SQLite file for this process (an OS lock, freed even by kill -9); raise FileBusy
    when another process holds it. Nothing to hold on PostgreSQL."""
    path = sqlite_file(url)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".run-lock")
    handle = open(lock_path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise FileBusy(
                f"{path} is already served by {holder}: one SQLite file serves one Vigía process. "
                "To run several workers, point every one at PostgreSQL "
                "(BOT_DATABASE_URL=postgresql+asyncpg://…)."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()


def disk_full_reason(url: str | URL) -> str | None:
    """Why the SQLite file's volume counts as full ("disk full: …"), or None when it has room."""
    path = sqlite_file(url)
    if path is None:
        return None
    folder = path.parent if path.parent.exists() else Path.cwd()
    free = shutil.disk_usage(folder).free
    if free < LOW_DISK:
        return f"disk full: {free // 1024} KiB free on the volume of {path}"
    return None


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
