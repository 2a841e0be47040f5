"""Fresh PostgreSQL databases on loopback for the tests that run on both kinds of database."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "BOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


async def _postgres_reason() -> str | None:
    """None when PostgreSQL answers on loopback; otherwise why the PostgreSQL runs skip."""
    try:
        import asyncpg
    except ImportError:
        return "asyncpg is not installed"
    dsn = POSTGRES_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")
    try:
        connection = await asyncpg.connect(dsn, timeout=3)
    except (OSError, asyncpg.PostgresError) as error:
        return f"no PostgreSQL at {dsn}: {error}"
    await connection.close()
    return None



@asynccontextmanager
async def fresh_postgres() -> AsyncIterator[str]:
    """Create an empty PostgreSQL database, yield its URL, drop it; skip when none answers."""
    reason = await _postgres_reason()
    if reason:
        pytest.skip(reason)
    import asyncpg

    dsn = POSTGRES_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")
    name = f"vigia_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin = await asyncpg.connect(dsn)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
