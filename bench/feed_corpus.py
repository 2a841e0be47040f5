"""Runs the feed parser over feedparser's own test corpus (~2,000 feeds, every encoding trap).

Usage: python -m bench.feed_corpus DIR   (DIR: an unpacked feedparser source distribution, from
`pip download --no-deps --no-binary :all: feedparser`). Prints how each file ended: parsed,
refused with FeedError (and why, grouped), or crashed with anything else — which must be none.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from bot.sources.feed import FeedError, parse_feed


def main(root: Path) -> int:
    files = sorted(p for p in root.rglob("tests/**/*") if p.is_file() and p.suffix in
                   {".xml", ".rdf", ".rss", ".atom", ".json", ".html", ""})
    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    crashes: list[str] = []
    entries = 0
    started = time.perf_counter()
    for path in files:
        try:
            feed = parse_feed(path.read_bytes(), url=f"http://example.org/{path.name}")
        except FeedError as error:
            outcomes["refused (FeedError)"] += 1
            reasons[error.reason.split(":")[0][:60]] += 1
        except Exception as error:  # the point of the run: anything else is a bug to report
            outcomes["crashed"] += 1
            crashes.append(f"{path.relative_to(root)}: {type(error).__name__}: {error}")
        else:
            outcomes["parsed"] += 1
            entries += len(feed.entries)
    elapsed = time.perf_counter() - started
    print(f"{len(files)} files from {root} in {elapsed:.1f} s")
    for outcome, count in outcomes.most_common():
        print(f"  {outcome:22s} {count}")
    print(f"  entries read           {entries}")
    print("most common refusals:")
    for reason, count in reasons.most_common(8):
        print(f"  {count:5d}  {reason}")
    for crash in crashes[:20]:
        print(f"CRASH {crash}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
