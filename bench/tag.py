"""Measure how many items a second the tagger reads: the seed articles and short channel posts."""

from __future__ import annotations

import time
from pathlib import Path

from bot.fold import fold_text
from bot.pipeline.relevance import tag_text
from bot.pipeline.tag import Tagger
from bot.steering import bundled, load_actors

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "data" / "seeds"


def main() -> None:
    started = time.perf_counter()
    catalog = load_actors(bundled("actors.toml"))
    tagger = Tagger(catalog.actors, catalog.topics)
    built = time.perf_counter() - started
    print(
        f"build: {built * 1000:.1f} ms for {len(catalog.actors)} actors, {len(catalog.topics)} topics"
    )

    articles = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    posts = [line for article in articles for line in article.splitlines() if len(line) > 40]
    for label, items in (("articles (~3.6 kB)", articles), ("posts (~200 B)", posts)):
        report(label, items, lambda text: tag_text(tagger, text))
        report(f"  fold only, {label}", items, fold_text)


def report(label: str, items: list[str], run: object) -> None:
    assert callable(run)
    rounds = max(1, 20_000 // len(items))
    started = time.perf_counter()
    for _ in range(rounds):
        for text in items:
            run(text)
    elapsed = time.perf_counter() - started
    count = rounds * len(items)
    print(f"{label}: {count / elapsed:,.0f} items/s, {elapsed / count * 1e6:.1f} µs/item")


if __name__ == "__main__":
    main()
