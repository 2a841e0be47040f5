"""µs per entry of each CPU-bound ingest stage: parse, normalise, tag, fingerprint.

Run: .venv/bin/python bench/stages.py [--repeat 3] [--save PATH | --check PATH]   (about 10 s)

The stages are called as the ingest calls them (bench/ingest.py `run_pipeline`), over the
synthetic corpus of bench/corpus.py (200 feeds × 50 items); each figure is the best of --repeat
passes, in CPU time, which other processes on the machine disturb less than the clock. The fingerprint reuses the fold that normalise made for the exact-copy hash, as in the
ingest; a last line says what it costs without. `--save` pickles the corpus and every stage's
output; `--check` reads such a file back, runs the stages over its corpus and says whether every
output is still the same.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import make_feeds  # noqa: E402
from bot.model import CleanEntry, Entry, SourceConfig, Tagging  # noqa: E402
from bot.pipeline import dedup  # noqa: E402
from bot.pipeline.normalise import normalise_entry  # noqa: E402
from bot.pipeline.relevance import tag_text  # noqa: E402
from bot.pipeline.tag import Tagger  # noqa: E402
from bot.sources.feed import parse_feed  # noqa: E402
from bot.steering import bundled, load_actors  # noqa: E402

FEEDS, PER_FEED = 200, 50
NOW = datetime(2025, 1, 1, tzinfo=UTC)  # fixed, so saved outputs compare across runs

Bodies = list[tuple[str, str, bytes]]
STAGES = ("parse", "normalise", "tag", "fingerprint")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--save", type=Path, help="pickle the corpus and the outputs here")
    group.add_argument("--check", type=Path, help="compare the outputs with a saved pickle")
    args = parser.parse_args()

    saved: dict[str, Any] | None = None
    if args.check:
        saved = pickle.loads(args.check.read_bytes())
        bodies: Bodies = saved["bodies"]
    else:
        bodies = make_feeds(FEEDS, PER_FEED)
    catalog = load_actors(bundled("actors.toml"))
    tagger = Tagger(catalog.actors, catalog.topics)
    configs = [
        SourceConfig(id=sid, name=sid, kind="rss", url="", lang=lang, scope="general")
        for sid, lang, _ in bodies
    ]

    entries: list[list[Entry]] = []
    clean: list[list[CleanEntry]] = []
    tagged: list[Tagging] = []
    prints: list[dedup.Fingerprint] = []
    best = dict.fromkeys(STAGES, float("inf"))
    for _ in range(args.repeat):
        entries, clean, tagged, prints = [], [], [], []
        spent = dict.fromkeys(STAGES, 0.0)
        # Feed by feed, as the ingest runs the stages; each stage's time is summed over feeds.
        for config, (_, _, body) in zip(configs, bodies, strict=True):
            t0 = time.process_time()
            parsed = parse_feed(body).entries
            t1 = time.process_time()
            cleaned = [normalise_entry(e, config, now=NOW) for e in parsed]
            t2 = time.process_time()
            tags = [tag_text(tagger, c.text, title=c.title, scope=config.scope) for c in cleaned]
            t3 = time.process_time()
            printed = [
                dedup.fingerprint(c.title, c.text)
                for c, t in zip(cleaned, tags, strict=True)
                if t.relevant
            ]
            t4 = time.process_time()
            for stage, seconds in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                spent[stage] += seconds
            entries.append(list(parsed))
            clean.append(cleaned)
            tagged.extend(tags)
            prints.extend(printed)
        best = {stage: min(best[stage], spent[stage]) for stage in STAGES}

    count = sum(map(len, entries))
    relevance = iter(tagged)
    relevant_by_feed = [[c for c in feed if next(relevance).relevant] for feed in clean]
    relevant = sum(map(len, relevant_by_feed))
    print(f"{count} entries ({relevant} relevant, fingerprinted), best of {args.repeat}")
    total = 0.0
    for stage in STAGES:
        micros = best[stage] / (relevant if stage == "fingerprint" else count) * 1e6
        total += micros
        print(f"{stage:<12}{micros:7.1f} µs/entry")
    print(f"{'total':<12}{total:7.1f} µs/entry")
    # What a fingerprint costs when the fold normalise made for it is no longer at hand.
    cold = float("inf")
    for _ in range(args.repeat):
        started = time.process_time()
        for feed in relevant_by_feed:
            dedup.normalise_item.cache_clear()
            for c in feed:
                dedup.fingerprint(c.title, c.text)
        cold = min(cold, time.process_time() - started)
    print(f"(fingerprint without the fold from normalise: {cold / relevant * 1e6:.1f} µs/entry)")

    outputs = {
        "entries": entries,
        "clean": clean,
        "tagged": tagged,
        "prints": [print_fields(p) for p in prints],
    }
    if args.save:
        args.save.write_bytes(pickle.dumps({"bodies": bodies, **outputs}))
        print(f"saved the corpus and outputs to {args.save}")
    if saved is not None:
        differ = [name for name, value in outputs.items() if saved[name] != value]
        print("outputs: identical" if not differ else f"outputs DIFFER: {', '.join(differ)}")
        if differ:
            sys.exit(1)


def print_fields(fp: dedup.Fingerprint) -> tuple[object, ...]:
    """What a fingerprint is made of, in a form that compares by value."""
    return (
        fp.bands,
        fp.signature.dtype.str,
        fp.signature.tobytes(),
        fp.shingles.dtype.str,
        fp.shingles.tobytes(),
        fp.numbers,
        fp.short,
        fp.normal,
        fp.chars.tobytes(),
    )


if __name__ == "__main__":
    main()
