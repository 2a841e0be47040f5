"""The health test: `vigia health`, /healthz and the Docker health check give one verdict."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bot.health import check_database
from bot.http import HttpSurface, build_routes
from bot.metrics import Metrics
from storage import migrate
from storage.db import create_engine, sessionmaker, transaction
from storage.health import record_tick

ROOT = Path(__file__).resolve().parents[1]
AGE = timedelta(minutes=10)


def vigia(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60, env={**os.environ, **env})


def test_health_of_a_missing_database_says_so_and_creates_nothing(tmp_path: Path) -> None:
    done = vigia("health", cwd=tmp_path, env={})  # the default: data/vigia.db in this folder
    assert done.returncode == 1
    assert "data/vigia.db does not exist" in done.stderr and "vigia db upgrade" in done.stderr
    assert list(tmp_path.iterdir()) == []


async def _beat(url: str, **ages: timedelta) -> None:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    async with transaction(sessionmaker(engine)) as session:
        for name, age in ages.items():
            await record_tick(session=session, name=name, now=datetime.now(UTC) - age)
    await engine.dispose()


async def test_stale_or_missing_ticks_are_the_reasons(sqlite_url: str) -> None:
    await _beat(sqlite_url, poll=timedelta(minutes=25))
    health = await check_database(sqlite_url, max_tick_age=AGE)
    assert not health.ok
    assert health.reasons == ("the poll tick last ran 25 min ago",
                              "the deliveries tick has never run")


async def test_fresh_ticks_on_a_migrated_database_are_healthy(sqlite_url: str,
                                                              tmp_path: Path) -> None:
    await _beat(sqlite_url, poll=timedelta(seconds=40), deliveries=timedelta(seconds=2))
    health = await check_database(sqlite_url, max_tick_age=AGE)
    assert health.ok and health.schema == migrate.head_revision()
    done = vigia("health", cwd=tmp_path, env={"BOT_DATABASE_URL": sqlite_url})
    assert done.returncode == 0 and done.stdout.startswith("ok, schema ")
    ages = dict(re.findall(r"(\w+) (\d+) s ago", done.stdout))
    assert set(ages) == {"poll", "deliveries"} and int(ages["poll"]) >= 40


async def test_a_database_behind_head_is_unhealthy(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    await migrate.upgrade(engine, "0003")
    await engine.dispose()
    health = await check_database(sqlite_url, max_tick_age=AGE)
    assert f"the schema is at 0003, not at {migrate.head_revision()}" in health.reasons[0]


async def test_healthz_answers_503_with_reasons_then_200(sqlite_url: str) -> None:
    await _beat(sqlite_url, poll=timedelta(hours=2), deliveries=timedelta(seconds=1))
    engine = create_engine(sqlite_url)
    surface = HttpSurface(build_routes(sessions=sessionmaker(engine), metrics=Metrics(),
                                       max_tick_age=AGE))
    port = await surface.start(listen="127.0.0.1", port=0)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            stale = await client.get("/healthz")
            async with transaction(sessionmaker(engine)) as session:
                await record_tick(session=session, name="poll", now=datetime.now(UTC))
            fresh = await client.get("/healthz")
            posted = await client.post("/healthz")
    finally:
        await surface.stop()
        await engine.dispose()
    assert stale.status_code == 503
    assert json.loads(stale.text)["reasons"] == ["the poll tick last ran 120 min ago"]
    assert fresh.status_code == 200 and fresh.json()["status"] == "ok"
    assert posted.status_code == 405
