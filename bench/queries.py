"""Benchmark: `/digest`, `/actor`, `/search` and `/trend` over 1,000,000 items in two years.

Builds a migrated SQLite database (sources, ~400k stories, 1M items in Spanish, English and
French with actors and topics, the FTS index), then times the queries as the handlers run them:
one session per command, the same select functions; `/trend` is timed query + drawing (the PNG
the user gets), as its handler runs them. Prints build time, p50/p95 and the size.

    .venv/bin/python bench/queries.py [--items 1000000] [--runs 200] [--keep PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.digest.chart import Trend, draw_top, draw_trend, midnights, reader_days  # noqa: E402
from bot.digest.select import DigestPage, search_stories, select_actor, select_window  # noqa: E402
from bot.steering import bundled, load_actors  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import create_engine, sessionmaker  # noqa: E402
from storage.stories import actor_story_counts  # noqa: E402
from storage.trend import actor_day_counts  # noqa: E402

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
SPAN = timedelta(days=730)
CHUNK = 50_000

WORDS = {
    "es": (
        "gobierno elecciones oposición petróleo sanciones migrantes frontera economía inflación "
        "protesta detenidos presos políticos Caracas Zulia Maracaibo Táchira acuerdo negociación "
        "diálogo licencia dólar salarios apagón electricidad agua hospitales escasez crisis "
        "presidente ministro fiscal tribunal militares denuncia informe derechos humanos "
        "Colombia Brasil deportación vuelos minería oro Esequibo Guyana referendo campaña "
        "candidato votos actas resultados represión paro docentes universidad estudiantes "
        "periodistas censura medios bloqueo gasolina colas bolívar exportaciones refinería "
        "cárcel liberación excarcelación embajada consulado pasaporte remesas"
    ),
    "en": (
        "government election opposition oil sanctions migrants border economy inflation protest "
        "detained prisoners political deal talks license dollar wages blackout power water "
        "hospitals shortage crisis president minister prosecutor court military report rights "
        "deportation flights mining gold referendum campaign candidate votes tally results "
        "crackdown strike teachers students journalists censorship media fuel exports refinery "
        "prison release embassy passport remittances Washington Treasury Chevron"
    ),
    "fr": (
        "gouvernement élections opposition pétrole sanctions migrants frontière économie "
        "inflation manifestation détenus prisonniers politiques accord négociation dialogue "
        "licence salaires panne électricité eau hôpitaux pénurie crise président ministre "
        "procureur tribunal militaires rapport droits expulsion vols orpaillage référendum "
        "campagne candidat scrutin résultats répression grève enseignants étudiants "
        "journalistes censure médias carburant exportations raffinerie prison libération "
        "ambassade passeport"
    ),
}
RARE = "Ocumare"  # a place named in about one item in ten thousand
TOPICS = ("elections", "economy", "migration", "oil", "human-rights", "security")
SEARCHES = (
    "Maduro",
    "elecciones",
    "petróleo sanciones",
    "oil sanctions Chevron",
    RARE,
    "Machado votos actas",
    "xylophone",
    '"unbalanced AND NEAR(',
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the database at this path")
    args = parser.parse_args()
    if args.keep:
        asyncio.run(run(args.keep, args.items, args.runs))
        return
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(Path(folder) / "bench.db", args.items, args.runs))


async def run(path: Path, items: int, runs: int) -> None:
    if not path.exists():
        started = time.perf_counter()
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await migrate.upgrade(engine)
        await engine.dispose()
        counts = build(path, items)
        seconds = time.perf_counter() - started
        print(
            f"built {counts['item']:,} items, {counts['story']:,} stories, "
            f"{counts['story_actor']:,} story actors, {counts['item_actor']:,} item actors "
            f"in {seconds:.1f} s"
        )
    size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    print(f"database size: {size / 2**20:,.0f} MiB ({path.name} with WAL)")
    await measure(path, runs)


def build(path: Path, items: int) -> dict[str, int]:
    """Fill the migrated database; ids follow time, as items arrive in order."""
    rng = random.Random(20260310)
    actors = load_actors(bundled("actors.toml")).actors
    connection = sqlite3.connect(path, isolation_level=None)
    # A scratch database: no journal while loading (WAL would write everything twice).
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA cache_size=-400000")
    connection.execute("BEGIN")
    sources = [(f"src-{n}", f"Source {n}", ("es", "es", "en", "fr")[n % 4]) for n in range(60)]
    connection.executemany(
        "INSERT INTO source (id, name, kind, url, lang, scope, enabled, in_config, interval, "
        "min_interval, max_interval, error_count) VALUES (?, ?, 'rss', ?, ?, 'general', 1, 1, "
        "900, 300, 21600, 0)",
        [(sid, name, f"https://{sid}.example/feed", lang) for sid, name, lang in sources],
    )
    connection.executemany(
        "INSERT INTO actor (id, name, kind, weight) VALUES (?, ?, ?, ?)",
        [(actor.id, actor.name, actor.kind, actor.weight) for actor in actors],
    )
    # Actor popularity is Zipf-like: Maduro everywhere, most others now and then.
    actor_weights = list(itertools.accumulate(1 / (rank + 1) ** 1.1 for rank in range(len(actors))))
    vocab = {lang: text.split() for lang, text in WORDS.items()}
    word_weights = {
        lang: list(itertools.accumulate(1 / (rank + 1) ** 0.9 for rank in range(len(w))))
        for lang, w in vocab.items()
    }
    stories = round(items / 2.4)
    start = NOW - SPAN
    item_id = 0
    counts = dict.fromkeys(("item", "story", "story_actor", "item_actor"), 0)
    for first_story in range(1, stories + 1, CHUNK):
        story_rows, item_rows, story_actor_rows, item_actor_rows, topic_rows = [], [], [], [], []
        for story_id in range(first_story, min(first_story + CHUNK, stories + 1)):
            remaining = items - item_id
            if remaining <= 0:
                break
            size = min(remaining, 1 + min(round(rng.expovariate(1 / 1.5)), 20))
            first = start + SPAN * (item_id / items) + timedelta(seconds=rng.randint(0, 600))
            named = _pick(rng, actors, actor_weights, rng.choice((0, 1, 1, 1, 2, 2, 3)))
            lang = rng.choice(("es", "es", "en", "fr"))
            title = " ".join(
                [
                    *[a.name for a in named[:1]],
                    *rng.choices(vocab[lang], cum_weights=word_weights[lang], k=7),
                ]
            )
            owners = rng.sample(sources, k=min(size, len(sources)))
            seen = first
            representative = item_id + 1
            for index in range(size):
                item_id += 1
                seen = first + timedelta(minutes=index * rng.randint(5, 90))
                source_id, _, source_lang = owners[index % len(owners)]
                words = rng.choices(vocab[source_lang], cum_weights=word_weights[source_lang], k=28)
                if rng.random() < 0.0001:
                    words.append(RARE)
                text = " ".join([*(a.name for a in named), *words])
                item_rows.append(
                    (
                        item_id,
                        source_id,
                        f"k{item_id}",
                        f"https://x.example/{item_id}",
                        title if index == 0 else f"{title} {source_id}",
                        text,
                        source_lang,
                        f"h{item_id}",
                        _iso(seen),
                        _iso(seen),
                        story_id,
                    )
                )
                item_actor_rows.extend((item_id, actor.id) for actor in named)
            story_rows.append(
                (
                    story_id,
                    title,
                    f"https://x.example/{representative}",
                    representative,
                    _iso(first),
                    _iso(seen),
                    len({o[0] for o in owners}),
                    size,
                )
            )
            story_actor_rows.extend((story_id, actor.id, _iso(seen)) for actor in named)
            topic_rows.extend((story_id, topic) for topic in rng.sample(TOPICS, rng.randint(0, 2)))
        connection.executemany(
            "INSERT INTO story (id, title, url, item_id, first_seen, last_seen, source_count, "
            "item_count, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            story_rows,
        )
        connection.executemany(
            "INSERT INTO item (id, source_id, key, url, title, text, lang, text_hash, published_at, "
            "fetched_at, story_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            item_rows,
        )
        connection.executemany(
            "INSERT INTO story_actor (story_id, actor_id, last_seen) VALUES (?, ?, ?)",
            story_actor_rows,
        )
        connection.executemany(
            "INSERT INTO item_actor (item_id, actor_id, confidence) VALUES (?, ?, 1.0)",
            item_actor_rows,
        )
        connection.executemany(
            "INSERT INTO story_topic (story_id, topic) VALUES (?, ?)", topic_rows
        )
        counts["item"] += len(item_rows)
        counts["story"] += len(story_rows)
        counts["story_actor"] += len(story_actor_rows)
        counts["item_actor"] += len(item_actor_rows)
        if item_id >= items:
            break
    connection.execute("COMMIT")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.close()
    return counts


async def measure(path: Path, runs: int) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    maker = sessionmaker(engine)
    actors = [actor.id for actor in load_actors(bundled("actors.toml")).actors]
    rng = random.Random(7)

    async def digest(
        hours: int, languages: frozenset[str] = frozenset(), chat: int | None = None
    ) -> Callable[[], Awaitable[DigestPage]]:
        async def call() -> DigestPage:
            async with maker() as session:
                return await select_window(
                    session=session,
                    since=NOW - timedelta(hours=hours),
                    until=NOW,
                    languages=languages,
                    exclude_sent_to=chat,
                )

        return call

    async def actor(
        choose: Callable[[], str], offset: int = 0
    ) -> Callable[[], Awaitable[DigestPage]]:
        async def call() -> DigestPage:
            async with maker() as session:
                return await select_actor(session=session, actor_id=choose(), offset=offset)

        return call

    async def search(choose: Callable[[], str]) -> Callable[[], Awaitable[DigestPage]]:
        async def call() -> DigestPage:
            async with maker() as session:
                return await search_stories(session=session, words=choose())

        return call

    catalog = {actor.id: actor.name for actor in load_actors(bundled("actors.toml")).actors}
    caracas = ZoneInfo("America/Caracas")

    async def trend(actor_ids: list[str], days: int) -> Callable[[], Awaitable[Drawn]]:
        async def call() -> Drawn:
            span = reader_days(days=days, tz=caracas, now=NOW)
            async with maker() as session:
                counts = await actor_day_counts(
                    session=session, actor_ids=actor_ids, bounds=midnights(span, caracas)
                )
            series = Trend(days=span, series=tuple((catalog[a], counts[a]) for a in actor_ids))
            png = await asyncio.to_thread(draw_trend, series, title=f"last {days} days")
            return Drawn(total=series.total, png=len(png))

        return call

    async def top() -> Drawn:
        async with maker() as session:
            counts = await actor_story_counts(session=session, since=NOW - timedelta(days=7))
        best = sorted(counts.items(), key=lambda pair: -pair[1])[:10]
        png = await asyncio.to_thread(
            draw_top, [(catalog.get(a, a), n) for a, n in best], title="last 7 days"
        )
        return Drawn(total=sum(n for _, n in best), png=len(png))

    cases: list[tuple[str, Callable[[], Awaitable[DigestPage | Drawn]]]] = [
        ("/digest 24h", await digest(24)),
        ("/digest 24h es", await digest(24, frozenset({"es"}))),
        ("/digest 7d", await digest(24 * 7)),
        ("scheduled digest (sent excluded)", await digest(24, chat=1)),
        ("/actor maduro", await actor(lambda: "maduro")),
        ("/actor any", await actor(lambda: rng.choice(actors))),
        ("/actor maduro page 3", await actor(lambda: "maduro", offset=20)),
        ("/search any", await search(lambda: rng.choice(SEARCHES))),
        *[(f"/search {words}", await search(lambda words=words: words)) for words in SEARCHES],  # type: ignore[misc]
        ("/trend maduro (30d, query+PNG)", await trend(["maduro"], 30)),
        ("/trend maduro machado cabello 90d", await trend(["maduro", "machado", "diosdado-cabello"], 90)),
        ("/trend (the week's top, query+PNG)", top),
    ]
    # CPU time (all threads of this process) beside wall time: on a shared machine the wall
    # clock also counts the other processes' turns, the CPU time only this one's work.
    print(f"{'query':<40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'cpu p50':>8}  total")
    for name, call in cases:
        page = await call()  # warm the cache, as a running service is
        timings, cpu = [], []
        for _ in range(
            runs
            if name.endswith("any") or name.startswith(("/digest 24h", "/trend"))
            else runs // 4
        ):
            began, began_cpu = time.perf_counter(), time.process_time()
            await call()
            timings.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
        print(
            f"{name:<40} {statistics.median(timings):8.1f} {p95:8.1f} {timings[-1]:8.1f} "
            f"{statistics.median(cpu):8.1f}  "
            f"{page.total:,}"
        )
    await engine.dispose()


@dataclass(frozen=True, slots=True)
class Drawn:
    """What a `/trend` run made: the stories it counted and the PNG's size."""

    total: int
    png: int


def _pick(rng: random.Random, population: list, cum_weights: list[float], k: int) -> list:  # type: ignore[type-arg]
    chosen: dict[int, None] = {}
    total = cum_weights[-1]
    while len(chosen) < k:
        chosen[bisect.bisect_left(cum_weights, rng.random() * total)] = None
    return [population[index] for index in chosen]


def _iso(moment: datetime) -> str:
    # The text form SQLAlchemy stores DateTime in on SQLite.
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


if __name__ == "__main__":
    main()
