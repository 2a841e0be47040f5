"""A feed far longer than any read keeps: time and peak memory of preparing it, as one poll would.

Usage: .venv/bin/python -m bench.big_feed [ITEMS]   (default 231,000 tiny items, ~13 MiB)
Prints the body size, entries kept and left out (the newest 1,000 are kept), seconds, and the
peak memory of the process.
"""

from __future__ import annotations

import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.model import SourceConfig
from bot.pipeline.prepare import prepare_body
from bot.pipeline.tag import Tagger
from bot.steering import bundled, load_actors

ROOT = Path(__file__).resolve().parents[1]


def body(items: int) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        "<link>http://example.org/</link>"
    ]
    parts += [f"<item><title>Caracas {n}</title><guid>{n}</guid></item>" for n in range(items)]
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def main() -> None:
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 231_000
    catalog = load_actors(bundled("actors.toml"))
    tagger = Tagger(catalog.actors, catalog.topics)
    config = SourceConfig(
        id="big", name="Big", kind="rss", url="http://example.org/", lang="es",
        scope="venezuela", channel=None,
    )
    data = body(items)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    prepared = prepare_body(tagger, config, data, url="http://example.org/", now=datetime.now(UTC))
    took = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{items:,} items, {len(data) / 2**20:.1f} MiB: kept {len(prepared.batch.entries):,}, "
        f"left out {prepared.capped:,}; {took:.1f} s; peak memory {peak:.0f} MB "
        f"(before preparing: {before:.0f} MB)"
    )


if __name__ == "__main__":
    main()
