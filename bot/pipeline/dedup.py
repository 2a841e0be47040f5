"""Near duplicates: MinHash signatures, LSH bands, and the exact check that folds copies of one story."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import xxhash

Signature = npt.NDArray[np.uint64]

# MinHash and LSH. 32 bands of 4 rows: an item becomes a candidate of another with probability
# 1 - (1 - J^4)^32, the S-curve whose threshold (1/32)^(1/4) ≈ 0.42 sits below the decision;
# J = 0.3 → 23 %, J = 0.5 → 87 %, J = 0.6 → 98.8 %. The other splits of 128 put it at 0.13 or 0.71.
PERMUTATIONS = 128
BANDS = 32
ROWS = PERMUTATIONS // BANDS

WORD_SHINGLE = 3
CHAR_GRAM = 5

# Tuned on tests/data/pairs.jsonl (336 pairs, es/en/fr; grid in bench/stories.py). These values
# give precision 1.00, recall 0.925: the 15 misses are all summaries rewritten in an editor's own
# words (1 of 16 such is caught); every copy, republished item and extract is. The plateau is wide: switch points 30-60 words and decision thresholds
# 0.5-0.6 / 0.7-0.8 all give precision 1.00 and recall 0.91-0.93; 0.7 / 0.9 loses 9 republished
# items (recall 0.88).
# Below SHORT_WORDS words (headlines, channel posts, headline + lead) word 3-shingles are too few
# and too brittle, so an item is shingled as character 5-grams. A long item also indexes the
# character 5-grams of its first SHORT_WORDS words (its lead), which a short post of it repeats:
# without those bands recall falls to 0.72 (summaries almost never meet their article).
SHORT_WORDS = 40
# The decision. Long vs long on word 3-shingles; when either is short, on character 5-grams of
# both whole texts. Containment (of the smaller set in the larger) lets a summary join its
# article; it counts only when the smaller set is big enough to mean something.
JACCARD_MIN = 0.6
CONTAINMENT_MIN = 0.8
CHAR_JACCARD_MIN = 0.7
CHAR_CONTAINMENT_MIN = 0.8
MIN_CONTAINED = 25
# Copies and summaries repeat the figures they carry; a daily bulletin with new figures, or the
# next development, does not: without this rule 7 bulletins of one template fold together
# (precision 0.96). Share of the smaller set of figures that the other must hold.
NUMBERS_KEPT_MIN = 0.8

_MERSENNE_61 = (1 << 61) - 1
_LOW_32 = np.uint64(0xFFFFFFFF)
_URL = re.compile(r"https?://\S+|www\.\S+")
_NOT_WORD = re.compile(r"[\W_]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True, slots=True)
class Similarity:
    """How much two shingle sets overlap."""

    jaccard: float  # |A ∩ B| / |A ∪ B|
    containment: float  # |A ∩ B| / min(|A|, |B|): how much of the smaller set the larger holds


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What dedup knows of one item: its shingles, MinHash signature and LSH band hashes."""

    shingles: frozenset[int]
    signature: Signature
    bands: tuple[int, ...]  # signed 64-bit; for a long item, its lead's bands follow its own
    short: bool  # shingled as character 5-grams
    chars: frozenset[int]  # character 5-grams of the whole text, for the check against a short item
    numbers: frozenset[str]


def fingerprint(title: str, text: str, *, indexed: bool = True) -> Fingerprint:
    """The fingerprint of an item from its title and plain text.

    `indexed=False` skips the signature and bands: enough for `is_same_story`, as when a
    candidate is read back from the database.
    """
    normal = normalise_text(f"{title} {text}")
    words = normal.split()
    short = len(words) < SHORT_WORDS
    chars = _char_grams(normal)
    shingled = chars if short else _word_shingles(words)
    numbers = _numbers(f"{title} {text}")
    if not indexed:
        return Fingerprint(shingled, _NO_SIGNATURE, (), short, chars, numbers)
    sig = signature(shingled)
    hashes = bands(sig) if shingled else ()
    if not short:
        lead = _char_grams(" ".join(words[:SHORT_WORDS]))
        hashes += bands(signature(lead))
    return Fingerprint(shingled, sig, hashes, short, chars, numbers)


def normalise_text(text: str) -> str:
    """Text as dedup compares it: links dropped, case and accents folded, only words and spaces."""
    text = _URL.sub(" ", text)
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", folded.casefold()).strip()


def shingles(title: str, text: str) -> frozenset[int]:
    """Word 3-shingles of a long item, character 5-grams of a short one, as 64-bit hashes."""
    words = normalise_text(f"{title} {text}").split()
    if len(words) < SHORT_WORDS:
        return _char_grams(" ".join(words))
    return _word_shingles(words)


def signature(shingled: frozenset[int]) -> Signature:
    """The MinHash signature: for each of 128 hash functions, the least hash over the set."""
    if not shingled:
        return np.full(PERMUTATIONS, _MERSENNE_61, dtype=np.uint64)
    values = np.fromiter(shingled, dtype=np.uint64, count=len(shingled)) & _LOW_32
    # a < 2^31 and x < 2^32 keep a*x + b below 2^64: no overflow before the modulo.
    hashed = (_A[:, None] * values[None, :] + _B[:, None]) % np.uint64(_MERSENNE_61)
    result: Signature = hashed.min(axis=1)
    return result


def bands(sig: Signature) -> tuple[int, ...]:
    """One hash per band of ROWS rows, the band's index mixed in, as a signed 64-bit integer."""
    rows = np.ascontiguousarray(sig, dtype="<u8").reshape(BANDS, ROWS)
    return tuple(_signed(xxhash.xxh64_intdigest(rows[i].tobytes(), seed=i)) for i in range(BANDS))


def similar(a: frozenset[int], b: frozenset[int]) -> Similarity:
    """Exact Jaccard and containment of two shingle sets."""
    if not a or not b:
        return Similarity(0.0, 0.0)
    common = len(a & b)
    return Similarity(common / (len(a) + len(b) - common), common / min(len(a), len(b)))


def is_same_story(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether two items tell the same news: close enough in words, and agreeing on figures."""
    if not a.shingles or not b.shingles:
        return False
    if a.short or b.short:
        left, right = a.chars, b.chars
        jaccard_min, containment_min = CHAR_JACCARD_MIN, CHAR_CONTAINMENT_MIN
    else:
        left, right = a.shingles, b.shingles
        jaccard_min, containment_min = JACCARD_MIN, CONTAINMENT_MIN
    sim = similar(left, right)
    contained = sim.containment >= containment_min and min(len(left), len(right)) >= MIN_CONTAINED
    if sim.jaccard < jaccard_min and not contained:
        return False
    return _numbers_agree(a, b)


def share_band(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether LSH would offer one item as a candidate of the other."""
    return not set(a.bands).isdisjoint(b.bands)


def _word_shingles(words: list[str]) -> frozenset[int]:
    if len(words) < WORD_SHINGLE:
        return (
            frozenset({xxhash.xxh64_intdigest(" ".join(words).encode())}) if words else frozenset()
        )
    return frozenset(
        xxhash.xxh64_intdigest(" ".join(words[i : i + WORD_SHINGLE]).encode())
        for i in range(len(words) - WORD_SHINGLE + 1)
    )


def _char_grams(normal: str) -> frozenset[int]:
    if len(normal) <= CHAR_GRAM:
        return frozenset({xxhash.xxh64_intdigest(normal.encode())}) if normal else frozenset()
    return frozenset(
        xxhash.xxh64_intdigest(normal[i : i + CHAR_GRAM].encode())
        for i in range(len(normal) - CHAR_GRAM + 1)
    )


def _numbers(text: str) -> frozenset[str]:
    return frozenset(re.sub(r"[.,]", "", n) for n in _NUMBER.findall(_URL.sub(" ", text)))


def _numbers_agree(a: Fingerprint, b: Fingerprint) -> bool:
    # Symmetric on purpose: which of two texts is "shorter" says nothing of which adds figures.
    fewer = min(len(a.numbers), len(b.numbers))
    return fewer == 0 or len(a.numbers & b.numbers) / fewer >= NUMBERS_KEPT_MIN


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _coefficients(name: str, modulus: int) -> npt.NDArray[np.uint64]:
    # From xxhash of fixed labels, not from a random generator: stored band hashes stay valid
    # across processes, machines and numpy versions.
    return np.array(
        [
            xxhash.xxh64_intdigest(f"vigia-minhash-{name}-{i}".encode()) % modulus
            for i in range(PERMUTATIONS)
        ],
        dtype=np.uint64,
    )


_NO_SIGNATURE: Signature = np.zeros(0, dtype=np.uint64)
_A = _coefficients("a", (1 << 31) - 1) + np.uint64(1)
_B = _coefficients("b", (1 << 61) - 1)
