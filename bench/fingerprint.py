"""Benchmark of dedup fingerprints: µs per item for fingerprint(), fingerprint(indexed=False), normalise_text.

Run: .venv/bin/python bench/fingerprint.py [--feeds 20] [--per-feed 50] [--repeat 5]
Items come from the synthetic feeds of bench/corpus.py, parsed and normalised as ingest does; each
figure is the best of --repeat passes over all items.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import make_feeds  # noqa: E402
from bot.model import SourceConfig  # noqa: E402
from bot.pipeline import dedup  # noqa: E402
from bot.pipeline.normalise import normalise_entry  # noqa: E402
from bot.sources.feed import parse_feed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--per-feed", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    items = make_items(args.feeds, args.per_feed)
    words = statistics.mean(len(text.split()) for _, text in items)
    chars = statistics.mean(len(text) for _, text in items)
    print(f"{len(items)} items, {words:.0f} words / {chars:.0f} chars of text on average")
    cases: list[tuple[str, Callable[[str, str], object]]] = [
        ("fingerprint", dedup.fingerprint),
        ("fingerprint(indexed=False)", lambda t, x: dedup.fingerprint(t, x, indexed=False)),
        ("normalise_text", lambda t, x: dedup.normalise_text(f"{t} {x}")),
    ]
    for name, run in cases:
        print(f"{name:<28}{best_per_item(items, run, args.repeat):>8.1f} µs/item")


def make_items(feeds: int, per_feed: int) -> list[tuple[str, str]]:
    source = SourceConfig(id="x", name="x", kind="rss", url="")
    now = datetime.now(UTC)
    items = []
    for _, _, body in make_feeds(feeds, per_feed):
        for entry in parse_feed(body).entries:
            clean = normalise_entry(entry, source, now=now)
            items.append((clean.title, clean.text))
    return items


def best_per_item(
    items: list[tuple[str, str]], run: Callable[[str, str], object], repeat: int
) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for title, text in items:
            run(title, text)
        best = min(best, time.perf_counter() - start)
    return best / len(items) * 1e6


if __name__ == "__main__":
    main()
