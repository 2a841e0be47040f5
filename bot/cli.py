"""The terminal commands' work: poll once, check and write the steering files, print digests,
stories and sources, judge health."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.durations import parse_window
from bot.health import check_database
from bot.model import Actor
from bot.opml import OpmlError, plan_import, read_opml, write_opml
from bot.pipeline.ingest import SourceReport
from bot.pipeline.relevance import is_relevant
from bot.pipeline.tag import CONFIDENT, Tagger
from bot.runtime import open_runtime
from bot.settings import Settings
from bot.steering import (
    STEERING_FILES,
    ConfigError,
    bundled,
    check_publish_actors,
    load_actors,
    load_feeds,
    load_sources,
)
from storage import migrate
from storage.db import Sessions, create_engine
from storage.items import stories_with_items
from storage.stories import failing_sources, list_sources
from storage.times import as_utc

PROGRESS_ABOVE = 5  # sources polled at once before `poll --once` shows its progress


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
        show = _progress(sys.stderr) if len(ids) > PROGRESS_ABOVE else None
        reports = await runtime.poll_due(ids=ids, progress=show)
        if show is not None:
            print("\r\033[K", end="", file=sys.stderr, flush=True)
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
        "bad",
        "capped",
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
            str(r.invalid),
            str(r.capped),
            str(r.ms),
            r.error or "",
        )
        for r in sorted(reports, key=lambda r: r.source_id)
    ]
    _print_table(rows, out=out)
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


def print_tagging(
    tagger: Tagger, text: str, *, scope: str, explain: bool, out: TextIO | None = None
) -> int:
    """`vigia tag`: one line of JSON; with `explain`, then one line per piece of evidence."""
    out = out or sys.stdout
    tags = tagger.tag(text, venezuelan_source=scope == "venezuela", explain=explain)
    relevant = is_relevant(scope=scope, tags=tags)
    answer = {
        "relevant": relevant,
        "actors": [
            {"id": a.id, "name": a.name, "confidence": round(a.confidence, 2)} for a in tags.actors
        ],
        "topics": list(tags.topics),
    }
    print(json.dumps(answer, ensure_ascii=False), file=out)
    if not explain:
        return 0
    reasons = [e for e in tags.evidence if e.subject == "relevance" and e.confidence > 0]
    if relevant:
        why = (
            f"{reasons[0].rule}: {reasons[0].words}"
            if reasons
            else "the source covers only Venezuela"
        )
        print(f"relevant: yes, {why}", file=out)
    else:
        print("relevant: no, no Venezuela word or place, no Venezuelan actor", file=out)
    for piece in tags.evidence:
        if piece.subject == "relevance":
            if piece.confidence == 0:
                print(f"  {piece.words!r}: {piece.rule}", file=out)
            continue
        if piece.confidence == 0:
            print(f"  {piece.subject:<22}  -     {piece.rule}: {piece.words!r}", file=out)
            continue
        below = f" (below {CONFIDENT}: kept out of digests, /actor and alerts)"
        note = below if piece.confidence < CONFIDENT else ""
        print(
            f"  {piece.subject:<22}  {piece.confidence:.2f}  {piece.rule}: {piece.words!r}{note}",
            file=out,
        )
    for surname in tags.ambiguous:
        print(f"  {surname!r}: fits several actors, tags none", file=out)
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


async def check_health(settings: Settings, *, out: TextIO | None = None) -> int:
    """The /healthz test from outside the service: 0 and a one-line summary when healthy, 1
    with the reasons otherwise. Never creates a database."""
    health = await check_database(
        settings.database_url, max_tick_age=timedelta(seconds=settings.health_tick_age)
    )
    print(health.summary(), file=(out or sys.stdout) if health.ok else sys.stderr)
    return 0 if health.ok else 1


def write_steering_files(folder: Path, *, force: bool = False, out: TextIO | None = None) -> int:
    """`vigia init`: editable copies of the bundled feeds.toml and actors.toml in `folder`;
    an existing file is kept unless `force`."""
    out = out or sys.stdout
    folder.mkdir(parents=True, exist_ok=True)
    for name in STEERING_FILES:
        target = folder / name
        if target.exists() and not force:
            print(f"kept {target}: it exists (--force overwrites it)", file=out)
            continue
        target.write_bytes(bundled(name).read_bytes())
        print(f"wrote {target}", file=out)
    print("Edit them, check them with `vigia feeds check`, and run Vigía from that folder "
          "(or point BOT_FEEDS and BOT_ACTORS at them).", file=out)
    return 0


async def print_sources(
    settings: Settings, *, failing: bool = False, out: TextIO | None = None
) -> int:
    """`vigia sources`: each declared source's state: status, last success, errors, next
    poll, last error."""
    out = out or sys.stdout
    now = datetime.now(UTC)
    async with open_runtime(settings) as runtime, runtime.sessions() as session:
        rows = await (failing_sources if failing else list_sources)(session=session)
    if not rows:
        print("no failing sources" if failing else "no sources in feeds.toml", file=out)
        return 0
    table = [("source", "status", "last success", "errors", "next poll", "last error")]
    for row in sorted(rows, key=lambda r: r.id):
        table.append((
            row.id,
            _status_of(row.enabled, row.disabled_reason, row.error_count, row.last_status,
                       row.last_polled_at),
            _ago(row.last_success_at, now),
            str(row.error_count),
            "-" if row.disabled_reason or not row.enabled else _until(row.next_poll_at, now),
            " ".join((row.disabled_reason or row.last_error or "").split())[:120],
        ))
    _print_table(table, out=out)
    return 0


def import_opml(settings: Settings, opml: Path, *, out: TextIO | None = None) -> int:
    """`vigia feeds import`: append an OPML file's feeds to feeds.toml, ids from titles, feeds
    already there (same address) skipped; the result is checked like any edit before it is
    written, and nothing is written if it has problems."""
    out = out or sys.stdout
    feeds = settings.feeds
    if "feeds.toml" in settings.using_bundled:
        print(f"no feeds.toml in {Path.cwd()}: run `vigia init` first, then import into your "
              "copy (or set BOT_FEEDS)", file=sys.stderr)
        return 1
    try:
        outlines, unreadable = read_opml(opml.read_bytes())
    except OSError as error:
        print(f"{opml}: cannot read the file: {error.strerror}", file=sys.stderr)
        return 1
    except OpmlError as error:
        print(f"{opml}: {error}", file=sys.stderr)
        return 1
    plan = plan_import(outlines, load_sources(feeds), unreadable=unreadable)
    for outline, existing in plan.duplicates:
        print(f"skipped {outline.url or outline.channel}: already in feeds.toml as {existing}",
              file=out)
    if unreadable:
        print(f"ignored {unreadable} outline(s) without a feed address", file=out)
    if not plan.added:
        print(f"nothing added; {feeds} is unchanged", file=out)
        return 0
    text = feeds.read_text(encoding="utf-8")
    text = text + ("" if text.endswith("\n") else "\n") + plan.toml(
        origin=opml.name, now=datetime.now(UTC))
    problems = _write_checked(feeds, text)
    if problems:
        for problem in problems:
            print(problem, file=out)
        print(f"\n{len(problems)} problem(s); {feeds} is unchanged.", file=out)
        return 1
    for source_id, outline in plan.added:
        print(f"added {source_id}: {outline.title} ({outline.url or outline.channel})", file=out)
    print(f"{len(plan.added)} source(s) added to {feeds}, {len(plan.duplicates)} already there",
          file=out)
    return 0


def export_opml(settings: Settings, *, out: TextIO | None = None) -> int:
    """`vigia feeds export`: the sources of feeds.toml as OPML on standard output."""
    print(write_opml(load_sources(settings.feeds)), end="", file=out or sys.stdout)
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


def _write_checked(feeds: Path, text: str) -> list[str]:
    """Write `text` over feeds.toml only if it reads as a valid feeds.toml; the problems else."""
    handle, name = tempfile.mkstemp(prefix=".feeds-", suffix=".toml", dir=feeds.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        try:
            load_sources(temporary)
        except ConfigError as error:
            return [str(problem).replace(str(temporary), str(feeds))
                    for problem in error.problems]
        os.replace(temporary, feeds)
        return []
    finally:
        temporary.unlink(missing_ok=True)


def _progress(stream: TextIO) -> Callable[[SourceReport, int], None] | None:
    """A `poll_due` progress callback that rewrites one line on a terminal (none elsewhere)."""
    if not stream.isatty():
        return None
    done = 0

    def show(report: SourceReport, total: int) -> None:
        nonlocal done
        done += 1
        print(f"\rpolled {done}/{total} sources  (last: {report.source_id})\033[K", end="",
              file=stream, flush=True)

    return show


def _status_of(enabled: bool, disabled_reason: str | None, errors: int, status: int | None,
               polled: datetime | None) -> str:
    if not enabled:
        return "off"
    if disabled_reason:
        return "disabled"
    if polled is None:
        return "new"
    if errors:
        return f"failing ({status})" if status else "failing"
    return f"ok ({status})" if status else "ok"


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    return _span(now - as_utc(moment)) + " ago"


def _until(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "now"
    delta = as_utc(moment) - now
    return "now" if delta.total_seconds() <= 0 else "in " + _span(delta)


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def _print_table(rows: Sequence[Sequence[str]], *, out: TextIO) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]).rstrip(), file=out)


def _label(window: timedelta) -> str:
    hours = int(window.total_seconds() // 3600)
    return f"{hours // 24} days" if hours >= 48 and hours % 24 == 0 else f"{hours} h"
