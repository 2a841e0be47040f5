"""The one health test of a Vigía database (for `vigia health` and any HTTP probe)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import disk_full_reason, is_disk_full

__all__ = ["Health", "check_database"]

PROBE = "health:probe"
ROOM_PAGES = 64  # pages SQLite must still be allowed to add


@dataclass(frozen=True, slots=True)
class Health:
    """The verdict and, in one line, why."""

    ok: bool
    reason: str


async def check_database(engine: AsyncEngine, *, url: str) -> Health:
    """Healthy when the database answers, is migrated and takes a write; a full disk (or a
    SQLite volume nearly full) is unhealthy, said as "disk full: …"."""
    full = disk_full_reason(url)
    if full is not None:
        return Health(False, full)
    try:
        async with engine.begin() as connection:
            version = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar()
            # A write proves more than a read: a full disk still answers SELECTs.
            await connection.execute(text("DELETE FROM checkpoint WHERE name = :name"),
                                     {"name": PROBE})
            await connection.execute(
                text("INSERT INTO checkpoint (name, value) VALUES (:name, 0)"), {"name": PROBE}
            )
            if engine.dialect.name == "sqlite":
                # A write that fits in free pages proves no room to grow: ask SQLite's limit too.
                pages = (await connection.execute(text("PRAGMA page_count"))).scalar() or 0
                limit = (await connection.execute(text("PRAGMA max_page_count"))).scalar() or 0
                if limit and limit - pages < ROOM_PAGES:
                    return Health(False, f"disk full: the database is at its size limit "
                                         f"({pages} of {limit} pages)")
    except Exception as error:  # any failure is the answer a health check exists to give
        if is_disk_full(error):
            return Health(False, "disk full: the database cannot grow")
        first = str(error).strip().splitlines()
        return Health(False, f"{type(error).__name__}: {first[0] if first else ''}"[:300])
    return Health(True, f"schema {version}")
