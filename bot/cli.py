"""The terminal commands' work: poll once, check the steering files, print digests and stories."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.config import (
    ConfigError,
    Settings,
    check_publish_actors,
    load_actors,
    load_feeds,
)
from bot.durations import parse_window
from bot.model import Actor
from bot.pipeline.ingest import SourceReport
from bot.runtime import open_runtime
from storage import migrate
from storage.db import Sessions, create_engine, schema_version
from storage.items import stories_with_items


async def poll_once(
    settings: Settings, *, only: Sequence[str] | None = None, out: TextIO | None = None
) -> int:
    """Poll every enabled source once (or those named) and print a table; 1 if any failed."""
    out = out or sys.stdout
    async with open_runtime(settings) as runtime:
        ids = list(only) if only else [s.id for s in runtime.sources if s.enabled]
        unknown = sorted(set(ids) - {s.id for s in runtime.sources})
        if unknown:
            print(f"unknown source id(s): {', '.join(unknown)}", file=sys.stderr)
            return 2
        reports = await runtime.poll_due(ids=ids)
    print_reports(reports, out=out)
    return 1 if any(report.error for report in reports) else 0


def print_reports(reports: Sequence[SourceReport], *, out: TextIO | None = None) -> None:
    """One row per source: what `poll --once` shows an operator."""
    out = out or sys.stdout
    header = (
        "source",
        "status",
        "entries",
        "new",
        "joined",
        "updated",
        "skipped",
        "dup",
        "ms",
        "error",
    )
    rows = [header] + [
        (
            r.source_id,
            str(r.status or "-"),
            str(r.entries),
            str(r.new),
            str(r.joined),
            str(r.updated),
            str(r.skipped),
            str(r.duplicates),
            str(r.ms),
            r.error or "",
        )
        for r in sorted(reports, key=lambda r: r.source_id)
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]).rstrip(), file=out)
    failed = sum(1 for r in reports if r.error)
    print(
        f"\n{len(reports)} sources polled, {sum(r.new for r in reports)} new items, "
        f"{failed} failed",
        file=out,
    )


def check_files(feeds: Path, actors: Path, *, out: TextIO | None = None) -> int:
    """Validate both steering files; print every problem with file:line, or a one-line ok."""
    out = out or sys.stdout
    problems = []
    steering = catalog = None
    try:
        steering = load_feeds(feeds)
    except ConfigError as error:
        problems += error.problems
    try:
        catalog = load_actors(actors)
    except ConfigError as error:
        problems += error.problems
    if catalog is not None and steering is not None:
        problems += check_publish_actors(feeds, steering.publish, catalog)
    if problems:
        for problem in problems:
            print(problem, file=out)
        print(f"\n{len(problems)} problem(s); nothing was changed.", file=out)
        return 1
    assert steering is not None and catalog is not None
    outputs = f", {len(steering.publish)} channel outputs" if steering.publish else ""
    print(
        f"ok, {len(steering.sources)} sources{outputs}, {len(catalog.actors)} actors, "
        f"{len(catalog.topics)} topics",
        file=out,
    )
    return 0


async def upgrade_database(settings: Settings) -> int:
    """Apply every migration to BOT_DATABASE_URL."""
    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()
    print("database is up to date")
    return 0


async def check_health(settings: Settings) -> int:
    """0 when the database answers and is migrated; 1 with the reason otherwise."""
    engine = create_engine(settings.database_url)
    try:
        version = await schema_version(engine)
    except Exception as error:  # any failure is the answer a health check exists to give
        print(f"unhealthy: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(f"ok, schema {version}")
    return 0


async def print_digest(
    settings: Settings, *, since: str, actor: str | None, limit: int, out: TextIO | None = None
) -> int:
    """Print, as plain text, the digest a subscriber would get."""
    out = out or sys.stdout
    window = parse_window(since)
    if window is None:
        print(f'"{since}" is not a window; write 6h, 24h or 7d', file=sys.stderr)
        return 2
    async with open_runtime(settings) as runtime:
        text = await render_terminal_digest(
            sessions=runtime.sessions,
            actors=runtime.catalog.actors,
            timezone=settings.timezone,
            window=window,
            actor=actor,
            limit=limit,
        )
    if text is None:
        print(
            f'unknown actor "{actor}"; try `python -m bot digest --actor maduro`', file=sys.stderr
        )
        return 2
    print(text, file=out)
    return 0


async def render_terminal_digest(
    *,
    sessions: Sessions,
    actors: Sequence[Actor],
    timezone: str,
    window: timedelta,
    actor: str | None,
    limit: int,
    whatsapp: bool = False,
) -> str | None:
    """The digest of `window` (or of one actor) as terminal text — or, with `whatsapp`, as the
    WhatsApp messages a reader gets, markup and all; None for an unknown actor."""
    from zoneinfo import ZoneInfo

    from bot.digest.compose import digest_message, plain_text
    from bot.digest.lookup import find_actor
    from bot.digest.select import select_actor, select_window

    now = datetime.now(UTC)
    async with sessions() as session:
        if actor:
            found = find_actor(actors, actor)
            if found.actor is None:
                return None
            page = await select_actor(session=session, actor_id=found.actor.id, limit=limit)
            heading = f"Latest stories naming {found.actor.name}"
        else:
            page = await select_window(session=session, since=now - window, until=now, limit=limit)
            heading = f"Vigía digest — last {_label(window)}"
    message = digest_message(page.stories, heading=heading, tz=ZoneInfo(timezone), now=now)
    if whatsapp:
        from bot.whatsapp.render import render_texts

        return "\n┄┄┄┄ (next message) ┄┄┄┄\n".join(render_texts(message))
    return plain_text(message)


async def print_stories(settings: Settings, *, since: str, out: TextIO | None = None) -> int:
    """One block per story: title and source count, then one line per item (source, title)."""
    out = out or sys.stdout
    window = parse_window(since)
    if window is None:
        print(f'"{since}" is not a window; write 6h, 24h or 7d', file=sys.stderr)
        return 2
    async with open_runtime(settings) as runtime, runtime.sessions() as session:
        blocks = await stories_with_items(session=session, since=datetime.now(UTC) - window)
    for index, block in enumerate(blocks):
        if index:
            print(file=out)
        print(
            f"{block.title}  [{block.source_count} source{'s' if block.source_count != 1 else ''}]",
            file=out,
        )
        for source, title in block.items:
            print(f"  {source}: {title}", file=out)
    if not blocks:
        print(f"no stories in the last {since}", file=out)
    return 0


def _label(window: timedelta) -> str:
    hours = int(window.total_seconds() // 3600)
    return f"{hours // 24} days" if hours >= 48 and hours % 24 == 0 else f"{hours} h"
