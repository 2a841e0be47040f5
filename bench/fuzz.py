"""Fuzz the fetch-free half of ingest: feedparser's ~2,000 test feeds and 3,000 seeded mutations.

Usage: .venv/bin/python -m bench.fuzz [--mutations N] [--seed S] [--cache DIR]

Downloads feedparser's source distribution with pip (`pip download --no-deps --no-binary :all:
feedparser`, once, into the cache folder), then runs every test feed and N mutations of them
(bytes flipped, cut, repeated; hostile snippets spliced in: many "<", deep nesting, huge numbers,
impossible dates, bidirectional controls) through parse_feed and prepare_body, as a poll would.
Prints the unexpected exceptions (anything but FeedError: the goal is 0), the slowest file, and
the peak memory of the process. A tool, not a test: the figures go in notes.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tarfile
import time
import traceback
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bot.model import SourceConfig
from bot.pipeline.prepare import prepare_body
from bot.pipeline.tag import Tagger
from bot.sources.feed import FeedError
from bot.steering import bundled, load_actors

ROOT = Path(__file__).resolve().parents[1]
SUFFIXES = {".xml", ".rdf", ".rss", ".atom", ".json", ".html", ""}
SNIPPETS = [
    b"<" * 20_000,
    b"<div>" * 5_000,
    b"<a" * 10_000,
    b"<ttl>99999999999999999999</ttl>",
    b"<ttl>\xc2\xb2</ttl>",
    b"<pubDate>9999-12-31T23:59:59-23:59</pubDate>",
    b"<updated>0001-01-01T00:00:00+00:00</updated>",
    b"<guid>" + b"9" * 5_000 + b"</guid>",
    "\u202e\u2066\u200b\ufeff".encode(),
    b"&#xD800;&#0;&#x110000;",
    b"<![CDATA[" + b"]]]]><![CDATA[>" * 100,
    b"<!ENTITY x 'y'>",
    b"\xff\xfe\x00<",
    b"<item><title>" + b"x" * 100_000 + b"</title></item>",
]


def sdist(cache: Path) -> Path:
    """The unpacked feedparser source distribution, downloaded by pip on first use."""
    unpacked = sorted(p for p in cache.glob("feedparser-*") if p.is_dir())
    if unpacked:
        return unpacked[-1]
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
         "--dest", str(cache), "feedparser"],
        check=True,
    )
    archive = next(cache.glob("feedparser-*.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(cache, filter="data")
    return sorted(p for p in cache.glob("feedparser-*") if p.is_dir())[-1]


def mutate(body: bytes, rng: random.Random) -> bytes:
    data = bytearray(body)
    for _ in range(rng.randint(1, 4)):
        where = rng.randint(0, len(data))
        kind = rng.randrange(5)
        if kind == 0 and data:  # flip bytes
            for _ in range(rng.randint(1, 16)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind == 1:  # cut short
            del data[where:]
        elif kind == 2:  # repeat a slice
            end = min(len(data), where + rng.randint(1, 2_000))
            data[where:where] = data[where:end] * rng.randint(2, 50)
        else:  # splice a hostile snippet in
            data[where:where] = rng.choice(SNIPPETS)
    return bytes(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutations", type=int, default=3_000)
    parser.add_argument("--seed", type=int, default=20_240_728)
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "fuzz")
    args = parser.parse_args()

    files = sorted(
        p for p in (sdist(args.cache) / "tests").rglob("*") if p.is_file() and p.suffix in SUFFIXES
    )
    catalog = load_actors(bundled("actors.toml"))
    tagger = Tagger(catalog.actors, catalog.topics)
    config = SourceConfig(
        id="fuzz", name="Fuzz", kind="rss", url="http://example.org/", lang=None,
        scope="general", channel=None,
    )
    rng = random.Random(args.seed)
    cases = [(str(p.relative_to(args.cache)), p.read_bytes()) for p in files]
    for n in range(args.mutations):
        name, body = rng.choice(cases[: len(files)])
        cases.append((f"mutation {n} of {name}", mutate(body, rng)))

    outcomes: Counter[str] = Counter()
    unexpected: list[str] = []
    slowest = (0.0, "")
    started = time.perf_counter()
    now = datetime.now(UTC)
    for name, body in cases:
        began = time.perf_counter()
        try:
            prepare_body(tagger, config, body, url="http://example.org/feed", now=now)
            outcomes["prepared"] += 1
        except FeedError:
            outcomes["refused (FeedError)"] += 1
        except Exception:
            outcomes["unexpected exception"] += 1
            unexpected.append(f"{name}: {traceback.format_exc(limit=3)}")
        took = time.perf_counter() - began
        slowest = max(slowest, (took, name))
    total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"{len(files)} test feeds of feedparser + {args.mutations} mutations (seed {args.seed})")
    for outcome, count in sorted(outcomes.items()):
        print(f"  {outcome:<24} {count}")
    print(f"unexpected exceptions: {len(unexpected)}")
    for line in unexpected[:10]:
        print("  " + line.replace("\n", "\n  "))
    print(f"slowest file: {slowest[0] * 1000:.0f} ms  {slowest[1]}")
    print(f"total: {total:.1f} s   peak memory: {peak:.0f} MB")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
