"""The health test, in one place: `/healthz`, `vigia health` and Docker's HEALTHCHECK use it.

Healthy means: the database answers, its schema is at the package's head revision, and the
ticks that do the work (polling, delivering) ran recently. The ticks' heartbeats live in the
database, so a separate process (`vigia health`) judges a running service the same way the
service judges itself. Each check is one function below that adds its reasons; add new
checks (disk space, leases) to `check_health`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from storage.db import Sessions, create_engine, sessionmaker, sqlite_file, transaction
from storage.health import read_state, record_tick
from storage.migrate import head_revision

__all__ = ["WATCHED_TICKS", "Health", "Heartbeats", "check_database", "check_health"]

WATCHED_TICKS = ("poll", "deliveries")  # the ticks without which nothing reaches anybody
DATABASE_TIMEOUT = 5.0  # seconds a health test waits for the database


@dataclass(frozen=True, slots=True)
class Health:
    """The verdict and why: `reasons` is empty exactly when healthy."""

    reasons: tuple[str, ...]
    schema: str | None = None
    head: str | None = None
    ticks: dict[str, datetime] = field(default_factory=dict)
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return not self.reasons

    def document(self) -> dict[str, object]:
        """The JSON body of /healthz."""
        return {
            "status": "ok" if self.ok else "unhealthy",
            "reasons": list(self.reasons),
            "schema": {"current": self.schema, "head": self.head},
            "ticks": {
                name: {
                    "last_run": moment.isoformat(timespec="seconds"),
                    "seconds_ago": max(0, int((self.checked_at - moment).total_seconds())),
                }
                for name, moment in sorted(self.ticks.items())
            },
            "checked_at": self.checked_at.isoformat(timespec="seconds"),
        }

    def summary(self) -> str:
        """One line for the terminal."""
        if not self.ok:
            return "unhealthy: " + "; ".join(self.reasons)
        ages = ", ".join(
            f"{name} {int((self.checked_at - moment).total_seconds())} s ago"
            for name, moment in sorted(self.ticks.items())
            if name in WATCHED_TICKS
        )
        return f"ok, schema {self.schema}, ticks: {ages}"


async def check_health(
    *, sessions: Sessions, max_tick_age: timedelta, now: datetime | None = None
) -> Health:
    """Run every check against an open database."""
    now = now or datetime.now(UTC)
    head = head_revision()
    try:
        schema, ticks = await read_state(sessions=sessions)
    except Exception as error:  # whatever the database says is the answer a health test gives
        return Health(reasons=(f"the database does not answer: {_said(error)}",), head=head,
                      checked_at=now)
    reasons = [*_schema_reasons(schema, head), *_tick_reasons(ticks, max_tick_age, now)]
    return Health(reasons=tuple(reasons), schema=schema, head=head, ticks=ticks, checked_at=now)


async def check_database(
    database_url: str, *, max_tick_age: timedelta, now: datetime | None = None
) -> Health:
    """`check_health` from outside the service (`vigia health`): never creates a database."""
    path = sqlite_file(database_url)
    if path is not None and not path.is_file():
        return Health(
            reasons=(f"the database file {path} does not exist; run `vigia db upgrade` "
                     "or check BOT_DATABASE_URL",),
            head=head_revision(),
        )
    engine = create_engine(database_url, connect_args=_connect_args(database_url))
    try:
        return await check_health(sessions=sessionmaker(engine), max_tick_age=max_tick_age,
                                  now=now)
    finally:
        await engine.dispose()


class Heartbeats:
    """Writes each tick's heartbeat, at most once every `every` seconds per tick."""

    def __init__(self, *, every: float = 15.0) -> None:
        self.every = every
        self._written: dict[str, float] = {}

    async def beat(self, sessions: Sessions, name: str) -> None:
        """The tick `name` has just run."""
        clock = time.monotonic()
        if clock - self._written.get(name, -self.every) < self.every:
            return
        async with transaction(sessions) as session:
            await record_tick(session=session, name=name, now=datetime.now(UTC))
        self._written[name] = clock


def _schema_reasons(schema: str | None, head: str | None) -> list[str]:
    if schema is None:
        return ["the database was never migrated; run `vigia db upgrade`"]
    if schema != head:
        return [f"the schema is at {schema}, not at {head}; run `vigia db upgrade`"]
    return []


def _tick_reasons(
    ticks: dict[str, datetime], max_tick_age: timedelta, now: datetime
) -> list[str]:
    reasons = []
    for name in WATCHED_TICKS:
        last = ticks.get(name)
        if last is None:
            reasons.append(f"the {name} tick has never run")
        elif now - last > max_tick_age:
            minutes = int((now - last).total_seconds() // 60)
            reasons.append(f"the {name} tick last ran {minutes} min ago")
    return reasons


def _said(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}"[:300]


def _connect_args(database_url: str) -> dict[str, object]:
    # A health test must answer quickly, also when the database hangs.
    if sqlite_file(database_url) is not None:
        return {"timeout": DATABASE_TIMEOUT}
    if database_url.startswith("postgresql+asyncpg"):
        return {"timeout": DATABASE_TIMEOUT}
    return {}
