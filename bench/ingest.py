"""Ingest throughput against a first-draft baseline, and one full poll cycle's time and memory.

Run: .venv/bin/python bench/ingest.py   (about a minute on two cores; prints its figures)
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import feedparser  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker  # noqa: E402

from bench.corpus import make_feeds  # noqa: E402
from bot.model import SourceConfig  # noqa: E402
from bot.pipeline.batch import StoreBatches, store_batched  # noqa: E402
from bot.pipeline.prepare import PrepareWorkers, prepare_body  # noqa: E402
from bot.pipeline.tag import Tagger  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.steering import bundled, load_actors  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import create_engine, sessionmaker, transaction  # noqa: E402
from storage.models import Item, Source, Story  # noqa: E402

FEEDS, PER_FEED = 200, 50
CONCURRENCY = Settings.model_fields["poll_concurrency"].default  # feeds in flight, as polled
POLL_SOURCES, CHANGED_SHARE = 1000, 0.10


async def fresh_database(
    url: str, bodies: list[tuple[str, str, bytes]]
) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    """A migrated database that knows the corpus's sources: both contenders start from it."""
    engine = create_engine(url)
    await migrate.upgrade(engine)
    maker = sessionmaker(engine)
    async with transaction(maker) as session:
        for source_id, lang, _ in bodies:
            session.add(Source(id=source_id, name=source_id, url=f"https://{source_id}.example/",
                               lang=lang))
    return engine, maker


async def run_pipeline(
    bodies: list[tuple[str, str, bytes]], url: str, *, workers: int
) -> tuple[float, int, int]:
    """parse → normalise → relevance → tag → dedup → store, as the service's poll runs them.

    Feeds are read CONCURRENCY at a time, prepared by `workers` processes (0: in this one) and
    stored in the service's batches.
    """
    catalog = load_actors(bundled("actors.toml"))
    preparer = PrepareWorkers(catalog, Tagger(catalog.actors, catalog.topics), workers=workers)
    engine, maker = await fresh_database(url, bodies)
    store = StoreBatches(maker)
    slots = asyncio.Semaphore(CONCURRENCY)
    if workers:  # started and warm, as in the running service
        await preparer.body(_config("warm-up", "es"), bodies[0][2], url="", now=datetime.now(UTC))

    async def ingest(source_id: str, lang: str, body: bytes) -> int:
        async with slots:
            prepared = await preparer.body(_config(source_id, lang), body, url="",
                                           now=datetime.now(UTC))
            counts = await store_batched(store, prepared.batch)
            return counts.new

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(ingest(*feed)) for feed in bodies]
    elapsed = time.perf_counter() - started
    preparer.close()
    async with maker() as session:
        stories = (await session.execute(select(func.count()).select_from(Story))).scalar_one()
    await engine.dispose()
    return elapsed, sum(task.result() for task in tasks), stories


async def run_split(
    bodies: list[tuple[str, str, bytes]], url: str
) -> tuple[float, float, float, int]:
    """Where the time goes: every feed prepared first, then stored, the two timed apart."""
    catalog = load_actors(bundled("actors.toml"))
    tagger = Tagger(catalog.actors, catalog.topics)
    started = time.perf_counter()
    prepared = [prepare_body(tagger, _config(source_id, lang), body, url="",
                             now=datetime.now(UTC)) for source_id, lang, body in bodies]
    preparing = time.perf_counter() - started
    engine, maker = await fresh_database(url, bodies)
    store = StoreBatches(maker)
    started, database = time.perf_counter(), _other_threads_cpu()
    for start in range(0, len(prepared), CONCURRENCY):  # groups as large as the poll's
        async with store.lock:
            waiting = [asyncio.create_task(store_batched(store, p.batch))
                       for p in prepared[start:start + CONCURRENCY]]
            await asyncio.sleep(0)
        await asyncio.gather(*waiting)
    storing, database = time.perf_counter() - started, _other_threads_cpu() - database
    await engine.dispose()
    return preparing, storing, database, sum(len(p.batch.entries) for p in prepared)


def _other_threads_cpu() -> float:
    """CPU seconds of this process's threads but the main one: SQLite's own work, which the
    driver runs in its connection's thread."""
    tasks = Path(f"/proc/{os.getpid()}/task")
    return sum(_proc_stat(stat)[1] for stat in tasks.glob("*/stat")
               if stat.parent.name != str(os.getpid()))


def _proc_stat(path: Path) -> tuple[int, float]:
    """(parent pid, CPU seconds) from a /proc stat file; (0, 0.0) once the task is gone."""
    try:
        fields = path.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0, 0.0
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(proc: Path = Path("/proc/self")) -> float:
    """A process's peak RSS since it started. Not getrusage's ru_maxrss: Linux carries that
    over from the parent across fork and exec, so it would count the bench's own corpus."""
    try:
        return int((proc / "status").read_text().split("VmHWM:")[1].split()[0]) / 1024
    except (OSError, IndexError):
        return 0.0


def _config(source_id: str, lang: str) -> SourceConfig:
    return SourceConfig(id=source_id, name=source_id, kind="rss", url="", lang=lang,
                        scope="general")


async def run_baseline(bodies: list[tuple[str, str, bytes]], url: str) -> tuple[float, int]:
    """What a first draft does: feedparser on each body, one ORM object per entry, a commit per feed."""
    engine, maker = await fresh_database(url, bodies)
    stored = 0
    started = time.perf_counter()
    async with maker() as session:
        for source_id, lang, body in bodies:
            parsed = feedparser.parse(body)
            now = datetime.now(UTC)
            for entry in parsed.entries:
                session.add(Item(
                    source_id=source_id, key=entry.get("id") or entry.get("link"),
                    url=entry.get("link"), title=entry.get("title", ""),
                    text=entry.get("summary", ""), lang=lang, text_hash="",
                    published_at=now, fetched_at=now,
                ))
                stored += 1
            await session.commit()
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return elapsed, stored


def _children() -> tuple[float, float]:
    """CPU seconds and peak RSS (MB, summed) of the live child processes (prepare workers)."""
    cpu = peak = 0.0
    for proc in Path("/proc").glob("[0-9]*"):
        parent, seconds = _proc_stat(proc / "stat")
        if parent == os.getpid():
            cpu += seconds
            peak += _peak_rss_mb(proc)
    return cpu, peak


def poll_cycle(folder: Path, workers: int) -> None:
    """In its own process, so peak RSS is Vigía's alone: one full poll of every source."""
    from bot.runtime import open_runtime

    settings = Settings(_env_file=None,  # type: ignore[call-arg]
                        database_url=f"sqlite+aiosqlite:///{folder / 'poll.db'}",
                        feeds=folder / "feeds.toml", actors=bundled("actors.toml"),
                        prepare_workers=workers,
                        # The bench serves its feeds on 127.0.0.1, which a real run refuses.
                        allow_private_networks=True)

    async def cycle() -> dict[str, float]:
        async with open_runtime(settings) as runtime:
            ids = [s.id for s in runtime.sources]
            await runtime.poll_due(ids=ids)  # first sight: every body is new
            (folder / "ready").write_text("1")
            while not (folder / "changed").exists():
                await asyncio.sleep(0.05)
            workers = _children()[0]
            wall, cpu = time.perf_counter(), time.process_time()
            reports = await runtime.poll_due(ids=ids)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            workers_cpu, workers_rss = _children()
        return {
            "wall_s": wall, "cpu_s": cpu, "worker_cpu_s": workers_cpu - workers,
            "worker_rss_mb": workers_rss,
            "not_modified": sum(1 for r in reports if r.status == 304),
            "changed": sum(1 for r in reports if r.status == 200),
            "failed": sum(1 for r in reports if r.error),
            "new_items": sum(r.new for r in reports),
            "peak_rss_mb": _peak_rss_mb(),
        }

    print(json.dumps(asyncio.run(cycle())))



def measure_poll_cycle(work: Path, workers: int) -> dict[str, float]:
    feeds = make_feeds(POLL_SOURCES, 20, seed=11)
    site = work / "site"
    site.mkdir(parents=True)
    for source_id, _, body in feeds:
        (site / f"{source_id}.xml").write_bytes(body)
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(site), "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N ..."
        port = int(line.split(" port ")[1].split()[0])
        (work / "feeds.toml").write_text("\n".join(
            f'[[source]]\nid = "{sid}"\nurl = "http://127.0.0.1:{port}/{sid}.xml"\nlang = "{lang}"\n'
            for sid, lang, _ in feeds), encoding="utf-8")
        child = subprocess.Popen([sys.executable, __file__, "--poll-cycle", str(work), str(workers)],
                                 stdout=subprocess.PIPE, text=True)
        while not (work / "ready").exists():
            time.sleep(0.05)
        # One source in ten publishes: a new body and a later Last-Modified; the rest answer 304.
        later = time.time() + 5
        for source_id, _lang, _ in feeds[: int(POLL_SOURCES * CHANGED_SHARE)]:
            path = site / f"{source_id}.xml"
            fresh = make_feeds(1, 20, seed=hash(source_id) & 0xFFFF)[0][2]
            path.write_bytes(fresh)
            os.utime(path, (later, later))
        (work / "changed").write_text("1")
        out, _ = child.communicate(timeout=600)
        return dict(json.loads(out.strip().splitlines()[-1]))
    finally:
        server.terminate()
        server.wait()


async def main() -> None:
    print(f"Vigía ingest benchmark — {FEEDS} feeds × {PER_FEED} items (es/en/fr), "
          f"~20% cross-feed copies, 10% off topic")
    bodies = make_feeds(FEEDS, PER_FEED)
    total = FEEDS * PER_FEED
    print(f"corpus: {total} entries, {sum(len(b) for _, _, b in bodies) / 2**20:.1f} MiB of RSS")
    with tempfile.TemporaryDirectory(prefix="vigia-bench-") as folder:
        work = Path(folder)
        ours, stored, stories = await run_pipeline(
            bodies, f"sqlite+aiosqlite:///{work / 'ours.db'}", workers=0)
        worker, _, _ = await run_pipeline(
            bodies, f"sqlite+aiosqlite:///{work / 'worker.db'}", workers=1)
        base, base_stored = await run_baseline(bodies, f"sqlite+aiosqlite:///{work / 'base.db'}")
        print(f"vigía pipeline : {total / ours:8.0f} entries/s  ({ours:.2f} s; {stored} items "
              f"in {stories} stories after relevance and dedup; "
              "parse→normalise→relevance→tag→dedup→store; one process, the default)")
        print(f"  with a worker : {total / worker:8.0f} entries/s  ({worker:.2f} s; "
              "BOT_PREPARE_WORKERS=1: parse→…→fingerprint in a second process)")
        print(f"baseline       : {total / base:8.0f} entries/s  ({base:.2f} s; {base_stored} items "
              "stored; feedparser + one ORM object per entry + one commit per feed)")
        print(f"ratio          : {base / ours:8.1f}×  (target ≥ 5×)")
        preparing, storing, database, relevant = await run_split(
            bodies, f"sqlite+aiosqlite:///{work / 'split.db'}")
        print(f"where it goes  : parse→normalise→tag {preparing / total * 1e6:.0f} µs an entry; "
              f"fingerprint→dedup→store {storing / relevant * 1e6:.0f} µs a relevant entry "
              f"(groups of {CONCURRENCY} feeds), of which SQLite's own work "
              f"{database / relevant * 1e6:.0f} µs (its thread's CPU)")
        cycles = [measure_poll_cycle(work / f"cycle-{workers}", workers) for workers in (0, 1)]
    for workers, cycle in enumerate(cycles):
        print(f"poll cycle over {POLL_SOURCES} sources, BOT_PREPARE_WORKERS={workers} "
              f"({cycle['not_modified']:.0f} answered 304, {cycle['changed']:.0f} changed, "
              f"{cycle['failed']:.0f} failed, {cycle['new_items']:.0f} new items): "
              f"wall {cycle['wall_s']:.2f} s, CPU {cycle['cpu_s']:.2f} s"
              + (f" + {cycle['worker_cpu_s']:.2f} s worker" if workers else "")
              + f", peak RSS {cycle['peak_rss_mb']:.0f} MB"
              + (f" + {cycle['worker_rss_mb']:.0f} MB worker" if workers else "")
              + " (target ≤ 250 MB)")

if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--poll-cycle":
        poll_cycle(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        asyncio.run(main())
