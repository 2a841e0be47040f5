"""What the health test reads and writes: the ticks' heartbeats, the schema's revision, and a
probe write that tells a full disk from a healthy one."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Table, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from storage.db import Sessions, disk_full_reason, is_disk_full
from storage.models import Checkpoint

__all__ = [
    "TICK_PREFIX",
    "no_room_reason",
    "read_checkpoint",
    "read_state",
    "record_tick",
    "schema_revision",
    "tick_times",
    "write_checkpoint",
]

TICK_PREFIX = "tick:"  # checkpoint names of the heartbeats: tick:poll, tick:deliveries
PROBE = "health:probe"  # the checkpoint the health test writes to prove the database takes writes
ROOM_PAGES = 64  # pages SQLite must still be allowed to add
_CHECKPOINT: Table = Checkpoint.__table__  # type: ignore[attr-defined]


async def record_tick(*, session: AsyncSession, name: str, now: datetime) -> None:
    """Note that the tick `name` ran at `now` (seconds since the epoch, any worker's)."""
    await write_checkpoint(session=session, name=TICK_PREFIX + name, value=int(now.timestamp()))


async def write_checkpoint(*, session: AsyncSession, name: str, value: int) -> None:
    """Set the checkpoint `name` (created if missing)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(_CHECKPOINT).values(name=name, value=value)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["name"], set_={"value": statement.excluded.value}
        )
    )


async def read_checkpoint(*, session: AsyncSession, name: str) -> int | None:
    """The checkpoint `name`, None if never written."""
    value = await session.scalar(select(_CHECKPOINT.c.value).where(_CHECKPOINT.c.name == name))
    return None if value is None else int(value)


async def tick_times(*, session: AsyncSession) -> dict[str, datetime]:
    """When each tick last ran, by tick name."""
    rows = await session.execute(
        select(_CHECKPOINT.c.name, _CHECKPOINT.c.value).where(
            _CHECKPOINT.c.name.startswith(TICK_PREFIX)
        )
    )
    return {
        name.removeprefix(TICK_PREFIX): datetime.fromtimestamp(value, UTC) for name, value in rows
    }


async def schema_revision(connection: AsyncConnection) -> str | None:
    """The revision the database is at (None: never migrated)."""

    def read(sync: Connection) -> str | None:
        return MigrationContext.configure(sync).get_current_revision()

    return await connection.run_sync(read)


async def read_state(
    *, sessions: async_sessionmaker[AsyncSession]
) -> tuple[str | None, dict[str, datetime]]:
    """The schema's revision and the ticks' last runs; raises when the database fails."""
    async with sessions() as session:
        schema = await schema_revision(await session.connection())
        if schema is None:
            return None, {}
        return schema, await tick_times(session=session)


async def no_room_reason(*, sessions: Sessions) -> str | None:
    """Why the database cannot take writes ("disk full: …"), None when it can: a SQLite volume
    nearly full, a database at its size limit, or a probe write refused for want of space.
    Other failures of the probe are raised."""
    bind = sessions.kw.get("bind")
    full = disk_full_reason(bind.url) if bind is not None else None
    if full is not None:
        return full
    try:
        async with sessions() as session, session.begin():
            # A write proves more than a read: a full disk still answers SELECTs.
            await write_checkpoint(session=session, name=PROBE, value=0)
            if session.get_bind().dialect.name == "sqlite":
                # A write that fits in free pages proves no room to grow: ask SQLite's limit too.
                pages = int(await session.scalar(text("PRAGMA page_count")) or 0)
                limit = int(await session.scalar(text("PRAGMA max_page_count")) or 0)
                if limit and limit - pages < ROOM_PAGES:
                    return f"disk full: the database is at its size limit ({pages} of {limit} pages)"
    except Exception as error:
        if is_disk_full(error):
            return "disk full: the database cannot grow"
        raise
    return None
