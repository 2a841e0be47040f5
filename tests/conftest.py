"""Shared fixtures: migrated databases (SQLite always, PostgreSQL when one is reachable)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage import migrate
from storage.db import create_engine, sessionmaker

ROOT = Path(__file__).resolve().parents[1]

# Property tests explore freely on a developer's machine; in CI they replay the same examples,
# so a red run always means a change, never an unlucky draw. No per-example deadline: a loaded
# machine is slow, not wrong.
hypothesis_settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")

@pytest.fixture(autouse=True)
def loopback_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """The feed servers and channel pages of the tests live on 127.0.0.1, which Vigía refuses
    unless told: every test's Settings (and every CLI it starts) allow private networks."""
    monkeypatch.setenv("BOT_ALLOW_PRIVATE_NETWORKS", "true")


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


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    async with fresh_postgres() as url:
        yield url


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


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file in the test's own folder."""
    return f"sqlite+aiosqlite:///{tmp_path / 'vigia.db'}"


@pytest.fixture
async def engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated SQLite database (the embedded default)."""
    engine = create_engine(sqlite_url)
    await migrate.upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated database of each kind: storage tests run on both."""
    async with AsyncExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp_path / 'vigia.db'}"
        else:
            url = await stack.enter_async_context(fresh_postgres())
        engine = create_engine(url)
        await migrate.upgrade(engine)
        yield engine
        await engine.dispose()


@pytest.fixture
def maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on the migrated SQLite database."""
    return sessionmaker(engine)
