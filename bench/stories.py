"""Benchmark of story folding: quality on the labelled pairs, and speed and index size on a stream.

Run: .venv/bin/python bench/stories.py [--items 100000] [--prefix 5000]
Prints (1) precision, recall and F1 per class of pair on tests/data/pairs.jsonl, with the
threshold grid the constants of bot/pipeline/dedup.py were chosen from; (2) a synthetic stream
indexed through the band index on a temporary SQLite file, against a baseline that compares each
new item with every item in the window.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.model import CleanEntry, Tagging  # noqa: E402
from bot.pipeline import dedup, events, stories  # noqa: E402
from storage.bands import BandIndex, add_bands, prune_bands  # noqa: E402
from storage.db import create_engine, sessionmaker  # noqa: E402
from storage.models import Item, Source  # noqa: E402

PAIRS = ROOT / "tests" / "data" / "pairs.jsonl"
STORY_PAIRS = ROOT / "tests" / "data" / "story_pairs.jsonl"
WINDOW = timedelta(hours=72)
START = datetime(2025, 1, 1, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--prefix", type=int, default=5_000)
    parser.add_argument("--days", type=float, default=30.0, help="time the stream spans")
    parser.add_argument("--grid", action="store_true", help="print the event-test threshold grid")
    args = parser.parse_args()
    report_pairs()
    report_story_pairs(grid=args.grid)
    asyncio.run(report_stream(args.items, args.prefix, args.days))


# --- (1) the labelled pairs ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Features:
    kind: str
    same: bool
    band: bool
    lead_band: bool  # shared a band only through a long item's lead
    short: bool
    jaccard: float
    containment: float
    smaller: int
    numbers: float


def pair_features(short_words: int) -> list[Features]:
    dedup.SHORT_WORDS = short_words
    rows = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        pair = json.loads(line)
        a = dedup.fingerprint(pair["a"]["title"], pair["a"]["text"])
        b = dedup.fingerprint(pair["b"]["title"], pair["b"]["text"])
        own = not set(a.bands[: dedup.BANDS]).isdisjoint(b.bands[: dedup.BANDS])
        short = a.short or b.short
        left, right = (a.chars, b.chars) if short else (a.shingles, b.shingles)
        sim = dedup.similar(left, right)
        fewer = min(len(a.numbers), len(b.numbers))
        numbers = 1.0 if fewer == 0 else len(a.numbers & b.numbers) / fewer
        shared = dedup.share_band(a, b)
        rows.append(
            Features(
                pair["class"],
                pair["same"],
                shared,
                shared and not own,
                short,
                sim.jaccard,
                sim.containment,
                min(len(left), len(right)),
                numbers,
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class Rule:
    jaccard: float = dedup.JACCARD_MIN
    containment: float = dedup.CONTAINMENT_MIN
    char_jaccard: float = dedup.CHAR_JACCARD_MIN
    char_containment: float = dedup.CHAR_CONTAINMENT_MIN
    min_contained: int = dedup.MIN_CONTAINED
    numbers: float = dedup.NUMBERS_KEPT_MIN
    lead_bands: bool = True

    def decide(self, f: Features) -> bool:
        band = f.band and (self.lead_bands or not f.lead_band)
        j_min, c_min = (
            (self.char_jaccard, self.char_containment)
            if f.short
            else (self.jaccard, self.containment)
        )
        close = f.jaccard >= j_min or (f.containment >= c_min and f.smaller >= self.min_contained)
        return band and close and f.numbers >= self.numbers


def scores(
    rows: list[Features], decide: Callable[[Features], bool]
) -> tuple[float, float, float, int, int]:
    tp = sum(1 for f in rows if f.same and decide(f))
    fp = sum(1 for f in rows if not f.same and decide(f))
    fn = sum(1 for f in rows if f.same and not decide(f))
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if tp else float("nan")
    return precision, recall, f1, fp, fn


def report_pairs() -> None:
    chosen = dedup.SHORT_WORDS
    rows = pair_features(chosen)
    rule = Rule()
    print(f"== (1) labelled pairs: {PAIRS.relative_to(ROOT)} ({len(rows)} pairs)")
    print("detected = shares an LSH band AND is_same_story (the service's decision)")
    print(
        f"{'class':<14}{'pairs':>6}{'same':>6}{'folded':>8}{'precision':>11}{'recall':>8}{'F1':>7}"
    )
    for kind in ("copy", "republish", "summary", "hard-negative", "follow-up"):
        part = [f for f in rows if f.kind == kind]
        p, r, f1, _, _ = scores(part, rule.decide)
        folded = sum(rule.decide(f) for f in part)
        print(
            f"{kind:<14}{len(part):>6}{sum(f.same for f in part):>6}{folded:>8}{_fmt(p):>11}{_fmt(r):>8}{_fmt(f1):>7}"
        )
    p, r, f1, fp, fn = scores(rows, rule.decide)
    print(
        f"{'all':<14}{len(rows):>6}{sum(f.same for f in rows):>6}{'':>8}{_fmt(p):>11}{_fmt(r):>8}{_fmt(f1):>7}  (false folds {fp}, misses {fn})"
    )
    print(
        "(precision is n/a where a class holds no same-story pair: there every fold is a false fold)"
    )
    print()
    print("grid (short switch × thresholds; chosen marked *):")
    print("  short_words  J    C    charJ charC  numbers  lead_bands  precision recall  F1")
    grid = [
        Rule(),
        Rule(jaccard=0.5, containment=0.7, char_jaccard=0.6, char_containment=0.7),
        Rule(jaccard=0.7, containment=0.9, char_jaccard=0.8, char_containment=0.9),
        Rule(numbers=0.0),
        Rule(lead_bands=False),
    ]
    for short_words in (20, 30, 40, 60, 80):
        part = rows if short_words == chosen else pair_features(short_words)
        for g in grid:
            p, r, f1, _, _ = scores(part, g.decide)
            mark = "*" if short_words == chosen and g == rule else " "
            print(
                f" {mark}{short_words:>10}  {g.jaccard:<4} {g.containment:<4} {g.char_jaccard:<5} {g.char_containment:<5}"
                f" {g.numbers:<8} {g.lead_bands!s:<11} {_fmt(p):<9} {_fmt(r):<7} {_fmt(f1)}"
            )
    dedup.SHORT_WORDS = chosen
    print()


def _fmt(x: float) -> str:
    return "n/a" if x != x else f"{x:.3f}"


# --- (1b) the story pairs: other headlines, other words, other languages ----------------------


@dataclass(frozen=True, slots=True)
class StoryPair:
    kind: str
    held_out: bool
    same: bool
    cross: bool  # the two items are in different languages
    service: bool  # the service's decision (bot.pipeline.stories.same_news)
    lexical: bool  # what the copy test alone decides (shares a band and is_same_story)
    candidate: bool  # shares a band of either index: the only pairs the service ever compares
    within: bool  # published within the event window of each other
    agreement: events.Agreement


def story_pair_rows() -> list[StoryPair]:
    from tests.data.labelled import load_story_pairs

    pairs, frequencies = load_story_pairs()
    return [
        StoryPair(
            pair.kind,
            pair.held_out,
            pair.same,
            pair.cross,
            stories.same_news(pair.a, pair.b, frequencies),
            dedup.share_band(pair.a.fingerprint, pair.b.fingerprint)
            and dedup.is_same_story(pair.a.fingerprint, pair.b.fingerprint),
            not set(pair.a.bands).isdisjoint(pair.b.bands),
            abs(pair.a.published_at - pair.b.published_at) <= stories.EVENT_WINDOW,
            events.compare(pair.a.evidence, pair.b.evidence, frequencies),
        )
        for pair in pairs
    ]


def report_story_pairs(*, grid: bool) -> None:
    rows = story_pair_rows()
    print(f"== (1b) story pairs: {STORY_PAIRS.relative_to(ROOT)} ({len(rows)} pairs)")
    print("copies = the copy test alone (recall); stories = the service's decision, stories.same_news:")
    print("copies OR (a candidate by either index AND within the event window AND same_event)")
    for part, held in (("tuning", False), ("held-out", True)):
        chosen = [r for r in rows if r.held_out == held]
        print(f" {part} ({len(chosen)} pairs):")
        print(f"  {'class':<24}{'pairs':>6}{'copies R':>10}{'stories P':>11}{'stories R':>11}{'joined':>8}")
        groups = {
            "headline": [r for r in chosen if r.kind == "headline"],
            "paraphrase": [r for r in chosen if r.kind == "paraphrase"],
            "crosslang": [r for r in chosen if r.kind == "crosslang"],
            "hard-negative": [r for r in chosen if r.kind == "hard-negative"],
        }
        for name, part_rows in groups.items():
            _story_line(name, part_rows, part_rows)
        same_lang = [r for r in chosen if not r.cross]
        cross = [r for r in chosen if r.cross]
        _story_line("same language (P, R)", same_lang, same_lang)
        _story_line("across languages (P, R)", cross, cross)
    if grid:
        names = ("SAME_COSINE_MIN", "SAME_EVIDENCE_MIN",
                 "CROSS_EVIDENCE_MIN", "CROSS_SHARED_MIN", "CROSS_STRONG_MIN")
        print(f" grid on the tuning part ({', '.join(names)}); chosen marked *:")
        tuning = [r for r in rows if not r.held_out]
        chosen_values = tuple(getattr(events, name) for name in names)
        for values in itertools.product(
            (0.2, 0.3, 0.35, 0.4, 0.5), (0.3, 0.4, 0.5), (0.45, 0.5, 0.55, 0.6, 0.7), (3, 4), (0.6, 0.7, 0.8)
        ):
            for name, value in zip(names, values, strict=True):
                setattr(events, name, value)
            same_p, same_r = _pr([r for r in tuning if not r.cross])
            cross_p, cross_r = _pr([r for r in tuning if r.cross])
            neg = [r for r in tuning if r.kind == "hard-negative"]
            joined = sum(_decide(r) for r in neg) / len(neg)
            mark = "*" if values == chosen_values else " "
            print(f" {mark}{' '.join(f'{v:<4}' for v in values)} same P {_fmt(same_p)} R {_fmt(same_r)}"
                  f"  cross P {_fmt(cross_p)} R {_fmt(cross_r)}  negatives joined {joined:.1%}")
        for name, value in zip(names, chosen_values, strict=True):
            setattr(events, name, value)
    print()


def _decide(r: StoryPair) -> bool:
    # The service's decision, recomputed from the features so that the grid can vary it.
    return r.lexical or (r.candidate and r.within and events.agrees(r.agreement))


def _pr(rows: list[StoryPair], decide: Callable[[StoryPair], bool] = _decide) -> tuple[float, float]:
    tp = sum(1 for r in rows if r.same and decide(r))
    fp = sum(1 for r in rows if not r.same and decide(r))
    fn = sum(1 for r in rows if r.same and not decide(r))
    return (tp / (tp + fp) if tp + fp else float("nan"), tp / (tp + fn) if tp + fn else float("nan"))


def _story_line(name: str, rows: list[StoryPair], _: list[StoryPair]) -> None:
    if not rows:
        return
    same = [r for r in rows if r.same]
    copies = sum(r.lexical for r in same) / len(same) if same else float("nan")
    p, r = _pr(rows, lambda x: x.service)
    joined = sum(x.service for x in rows if not x.same)
    negatives = sum(1 for x in rows if not x.same)
    print(f"  {name:<24}{len(rows):>6}{_fmt(copies):>10}{_fmt(p):>11}{_fmt(r):>11}"
          f"{(f'{joined}/{negatives}' if negatives else '-'):>8}")


# --- (2) the synthetic stream ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StreamItem:
    title: str
    text: str
    at: datetime
    origin: int | None  # index of the item this one copies, or None for fresh news


def make_stream(n: int, days: float) -> list[StreamItem]:
    """Fresh items from a Zipf-distributed vocabulary; 20 % near-duplicates of earlier items."""
    rng = random.Random(7)
    vocabulary = sorted(
        {
            w
            for line in PAIRS.read_text(encoding="utf-8").splitlines()
            for w in line.split()
            if w.isalpha()
        }
    )
    rng.shuffle(vocabulary)
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    cumulative = list(itertools.accumulate(weights))
    step = timedelta(days=days) / n
    per_window = max(2, int(n * (WINDOW / timedelta(days=days))))

    def sentence() -> str:
        words = rng.choices(vocabulary, cum_weights=cumulative, k=rng.randint(8, 22))
        return " ".join(words).capitalize() + "."

    items: list[StreamItem] = []
    for i in range(n):
        at = START + step * i
        if i > 50 and rng.random() < 0.2:
            # mostly a recent item, sometimes one older than the window
            recent = rng.random() < 0.85
            back = rng.randint(1, min(i, int(per_window * 0.8))) if recent else rng.randint(1, i)
            root = items[i - back].origin
            index = i - back if root is None else root
            items.append(StreamItem(*_variant(items[index], rng), at=at, origin=index))
        else:
            short = rng.random() < 0.25
            body = " ".join(
                sentence() for _ in range(rng.randint(1, 2) if short else rng.randint(4, 9))
            )
            items.append(StreamItem(sentence().rstrip("."), body, at, None))
    return items


def _variant(origin: StreamItem, rng: random.Random) -> tuple[str, str]:
    sentences = origin.text.split(". ")
    kind = rng.random()
    if kind < 0.4:  # copy with a tracking link
        return (
            origin.title.upper(),
            origin.text + f" https://x.example/a?utm_source=tg{rng.randint(1, 9)}",
        )
    if kind < 0.8 and len(sentences) > 2:  # republished: a sentence cut, two swapped, new headline
        del sentences[rng.randrange(1, len(sentences))]
        j = rng.randrange(len(sentences) - 1)
        sentences[j], sentences[j + 1] = sentences[j + 1], sentences[j]
        return "Última hora: " + origin.title, ". ".join(sentences)
    return origin.title, sentences[0] + "."  # a channel post: headline and first sentence


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    lookups: list[float]
    checks: list[float]
    folded: int
    rightly_folded: int
    wrongly_folded: int
    missed: int  # items not folded though an item of their story was seen in the last 72 h


@dataclass(slots=True)
class Tally:
    """How a contender's fold decisions compare with the stream's truth."""

    items: list[StreamItem]
    folded: int = 0
    right: int = 0
    wrong: int = 0
    missed: int = 0
    last_at: dict[int, datetime] = field(default_factory=dict)  # story root → last seen

    def count(self, index: int, story: int | None) -> None:
        """Item `index` was folded into the story started by item `story` (None: not folded)."""
        item = self.items[index]
        root = _root(self.items, index)
        if story is not None:
            self.folded += 1
            self.right += _root(self.items, story) == root
            self.wrong += _root(self.items, story) != root
        elif root in self.last_at and item.at - self.last_at[root] <= WINDOW:
            self.missed += 1
        self.last_at[root] = item.at

    def run(self, seconds: float, lookups: list[float], checks: list[float]) -> Run:
        return Run(seconds, lookups, checks, self.folded, self.right, self.wrong, self.missed)


async def run_ours(items: list[StreamItem], path: Path) -> tuple[Run, int, int]:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    maker = sessionmaker(engine)
    band_index = BandIndex()
    frequencies = events.Frequencies()
    item_ids: list[int] = []
    story_of: dict[int, int] = {}  # item id → index of the stream item its story started from
    lookups: list[float] = []
    checks: list[float] = []
    tally = Tally(items)
    started = time.perf_counter()
    next_prune = START + timedelta(hours=1)
    batch = 200
    for offset in range(0, len(items), batch):
        async with maker() as session, session.begin():
            if offset == 0:
                session.add(Source(id="bench", name="bench"))
                await session.flush()
            for index in range(offset, min(offset + batch, len(items))):
                item = items[index]
                if item.at >= next_prune:
                    await prune_bands(session=session, before=item.at - WINDOW)
                    band_index.prune(item.at - WINDOW)
                    next_prune = item.at + timedelta(hours=1)
                # Everything the service reads of an item: copy bands and event evidence bands.
                reading = stories.read(_entry(index, item), _UNTAGGED, frequencies)
                t0 = time.perf_counter()
                candidates = band_index.candidates(reading.bands, since=item.at - WINDOW)
                t1 = time.perf_counter()
                story = await _first_same(session, reading, candidates, story_of, frequencies)
                checks.append(time.perf_counter() - t1)
                lookups.append(t1 - t0)
                item_id = await _insert_item(session, index, item)
                item_ids.append(item_id)
                frequencies.add(reading.evidence)
                await add_bands(
                    session=session, item_id=item_id, bands=reading.bands, seen_at=item.at
                )
                band_index.add([(item_id, reading.bands, item.at)])  # read back on refresh
                story_of[item_id] = index if story is None else story
                tally.count(index, story)
    seconds = time.perf_counter() - started
    async with maker() as session:
        rows = len(band_index)
        size = band_index.nbytes + await _index_bytes(session, path)
    await engine.dispose()
    return tally.run(seconds, lookups, checks), rows, size


async def _first_same(
    session: AsyncSession,
    reading: stories.Reading,
    candidates: list[int],
    story_of: dict[int, int],
    frequencies: events.Frequencies,
) -> int | None:
    if not candidates:
        return None
    found = await session.execute(
        select(col(Item.id), col(Item.title), col(Item.text), col(Item.published_at))
        .where(col(Item.id).in_(candidates))
    )
    texts = {item_id: (title, body, at) for item_id, title, body, at in found.all()}
    for item_id in candidates:  # most shared bands first
        title, body, at = texts[item_id]
        known = stories.Reading(
            dedup.fingerprint(title, body, indexed=False),
            events.evidence(title, body),
            at.replace(tzinfo=UTC),
            reading.bands,  # a candidate: it shares a band with the item
        )
        if stories.same_news(reading, known, frequencies):
            return story_of[item_id]
    return None


def _entry(index: int, item: StreamItem) -> CleanEntry:
    return CleanEntry(
        key=str(index), url=None, canonical_url=None, title=item.title, text=item.text,
        published_at=item.at, lang="es", text_hash=str(index),
    )


_UNTAGGED = Tagging(relevant=True)


async def _insert_item(session: AsyncSession, index: int, item: StreamItem) -> int:
    result = await session.execute(
        insert(Item).returning(col(Item.id)),
        [
            {
                "source_id": "bench",
                "key": str(index),
                "title": item.title,
                "text": item.text,
                "text_hash": str(index),
                "published_at": item.at,
                "fetched_at": item.at,
            }
        ],
    )
    return int(result.scalar_one())


async def _index_bytes(session: AsyncSession, path: Path) -> int:
    try:
        query = text(
            "SELECT SUM(pgsize) FROM dbstat WHERE name IN ('item_bands', 'ix_item_bands_seen_at')"
        )
        return int((await session.execute(query)).scalar_one() or 0)
    except Exception:  # dbstat is not compiled into every SQLite: the file size then
        return path.stat().st_size


def run_baseline(items: list[StreamItem]) -> Run:
    """Each new item against every item in the window, exact Jaccard and containment."""
    fingerprints: list[dedup.Fingerprint] = []
    story_of: list[int] = []
    checks: list[float] = []
    tally = Tally(items)
    started = time.perf_counter()
    first = 0
    for index, item in enumerate(items):
        fp = dedup.fingerprint(item.title, item.text)
        while items[first].at < item.at - WINDOW:
            first += 1
        t0 = time.perf_counter()
        story = None
        for other in range(index - 1, first - 1, -1):
            if dedup.is_same_story(fp, fingerprints[other]):
                story = story_of[other]
                break
        checks.append(time.perf_counter() - t0)
        fingerprints.append(fp)
        story_of.append(index if story is None else story)
        tally.count(index, story)
    return tally.run(time.perf_counter() - started, [], checks)


def _root(items: list[StreamItem], index: int) -> int:
    origin = items[index].origin
    return index if origin is None else origin


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.3f} ms"


def _describe(name: str, n: int, run: Run) -> None:
    print(
        f"  {name:<30} {n:>7} items {run.seconds:8.1f} s  {n / run.seconds:9.0f} items/s  "
        f"{run.seconds / n * 1000:7.3f} ms/item  folded {run.folded} (right {run.rightly_folded}, "
        f"wrong {run.wrongly_folded}), missed {run.missed}"
    )


async def report_stream(n: int, prefix: int, days: float) -> None:
    items = make_stream(n, days)
    dups = sum(item.origin is not None for item in items)
    per_window = int(n * WINDOW / timedelta(days=days))
    print(
        f"== (2) synthetic stream: {n} items over {days:g} days (~{per_window} per 72 h window), {dups} near-duplicates"
    )
    print(
        "  ours = stories.read (fingerprint + event evidence) + BandIndex.candidates (in memory, rows in SQLite) + stories.same_news on candidates + insert item + add_bands"
    )
    print(
        "  baseline = fingerprint + is_same_story against every item of the last 72 h (fingerprints kept in memory)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        head = items[:prefix]
        ours_head, _, _ = await run_ours(head, Path(tmp) / "prefix.db")
        base_head = run_baseline(head)
        span = head[-1].at - head[0].at
        print(
            f" on the first {prefix} items ({span.total_seconds() / 3600:.0f} h of the stream; window 72 h):"
        )
        _describe("baseline (all-pairs)", prefix, base_head)
        _describe("ours (LSH in memory)", prefix, ours_head)
        ratio = base_head.seconds / ours_head.seconds
        last = slice(-max(1, prefix // 10), None)
        print(
            f"  ratio baseline/ours: {ratio:.1f}x overall; last 10% of the prefix: baseline "
            f"{statistics.mean(base_head.checks[last]) * 1000:.3f} ms/item comparing vs ours "
            f"{statistics.mean([a + b for a, b in zip(ours_head.lookups[last], ours_head.checks[last], strict=True)]) * 1000:.3f} ms/item lookup+check"
        )
        path = Path(tmp) / "full.db"
        ours, rows, size = await run_ours(items, path)
        print(f" on all {n} items:")
        _describe("ours (LSH in memory)", n, ours)
        print(
            f"  one lookup (BandIndex.candidates): p50 {_ms(ours.lookups, 0.5)}, p95 {_ms(ours.lookups, 0.95)}"
        )
        print(
            f"  exact check of the candidates: p50 {_ms(ours.checks, 0.5)}, p95 {_ms(ours.checks, 0.95)}"
        )
        print(
            f"  index after the last prune: {rows} band entries, {size / 1e6:.1f} MB (arrays in memory + item_bands and its index); file {path.stat().st_size / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
