"""What the health test reads and writes: the ticks' heartbeats and the schema's revision."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from storage.models import Checkpoint

__all__ = [
    "TICK_PREFIX",
    "read_checkpoint",
    "read_state",
    "record_tick",
    "schema_revision",
    "tick_times",
    "write_checkpoint",
]

TICK_PREFIX = "tick:"  # checkpoint names of the heartbeats: tick:poll, tick:deliveries
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
