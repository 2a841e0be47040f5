"""Shared fixtures: migrated databases (SQLite always, PostgreSQL when one is reachable)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.settings import Settings
from bot.steering import bundled
from storage import migrate
from storage.db import create_engine, sessionmaker
from tests.databases import fresh_postgres

# Property tests explore freely on a developer's machine; in CI they replay the same examples,
# so a red run always means a change, never an unlucky draw. No per-example deadline: a loaded
# machine is slow, not wrong.
hypothesis_settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def _http_on_a_free_port(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every service a test starts (also in a subprocess) serves /healthz on a port of its own."""
    monkeypatch.setenv("BOT_HTTP_PORT", "0")


@pytest.fixture(autouse=True)
def loopback_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """The feed servers and channel pages of the tests live on 127.0.0.1, which Vigía refuses
    unless told: every test's Settings (and every CLI it starts) allow private networks."""
    monkeypatch.setenv("BOT_ALLOW_PRIVATE_NETWORKS", "true")


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    async with fresh_postgres() as url:
        yield url


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


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings for one test: no .env, a SQLite file and feeds.toml in its folder, the shipped actors.

    Keyword arguments override any field (a token, the fake Bot API's root, admins, …).
    """

    def build(**overrides: Any) -> Settings:
        fields: dict[str, Any] = {
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'vigia.db'}",
            "feeds": tmp_path / "feeds.toml",
            "actors": bundled("actors.toml"),
        }
        fields.update(overrides)
        return Settings(_env_file=None, **fields)  # type: ignore[call-arg]

    return build
