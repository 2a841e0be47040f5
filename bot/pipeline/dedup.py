"""Near duplicates: MinHash signatures, LSH bands, and the exact check that folds copies of one story."""

from __future__ import annotations

import functools
import re
import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import xxhash

from bot.fold import fold_words, latin1_bytes

Shingles = npt.NDArray[np.uint64]  # sorted unique 64-bit hashes, high bits uniform
Signature = npt.NDArray[np.uint64]

# MinHash and LSH. 32 bands of 4 rows: an item becomes a candidate of another with probability
# 1 - (1 - J^4)^32, the S-curve whose threshold (1/32)^(1/4) ≈ 0.42 sits below the decision;
# J = 0.3 → 23 %, J = 0.5 → 87 %, J = 0.6 → 98.8 %. The other splits of 128 put it at 0.13 or 0.71.
# The signature is one-permutation MinHash (Li, Owen & Zhang 2012) with rotation densification
# (Shrivastava & Li 2014): one hash per shingle, 128 bins by its top 7 bits, the least per bin,
# an empty bin borrowing from the next filled one. Each row still collides with probability J;
# the 4 rows of a band are bins 32 apart, so they rarely borrow from one bin and stay about
# independent. One binary search per bin instead of 128 hashes per shingle: 36 → 3 µs for the
# 48 word 3-shingles of a 50-word item, 198 → 3 µs for the ~320 character 5-grams of one.
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
# The same wire copy under another headline: the first LEAD_WORDS words of the text, without
# the title, compared on their own as character 5-grams. A lead shorter than LEAD_MIN_WORDS
# (a channel post, a one-line item) says too little on its own.
LEAD_WORDS = 40
LEAD_MIN_WORDS = 20
LEAD_JACCARD_MIN = 0.7
# Copies and summaries repeat the figures they carry; a daily bulletin with new figures, or the
# next development, does not: without this rule 7 bulletins of one template fold together
# (precision 0.96). Share of the smaller set of figures that the other must hold.
NUMBERS_KEPT_MIN = 0.8
# The exact-copy hash (normalise) has just folded the title and text a fingerprint folds: the
# folds of the last items stay at hand, which spares the fingerprint of each new item one fold.
RECENT_FOLDS = 512

_URL = re.compile(r"https?://\S+|www\.\S+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True, slots=True)
class Similarity:
    """How much two shingle sets overlap."""

    jaccard: float  # |A ∩ B| / |A ∪ B|
    containment: float  # |A ∩ B| / min(|A|, |B|): how much of the smaller set the larger holds


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What dedup knows of one item: its shingles, MinHash signature and LSH band hashes."""

    shingles: Shingles
    signature: Signature
    bands: tuple[int, ...]  # signed 64-bit; for a long item, its lead's bands follow its own
    short: bool  # shingled as character 5-grams
    numbers: frozenset[str]
    normal: str  # the normalised title and text
    char_grams: Shingles | None  # `chars` once computed
    shingle_set: frozenset[int] | None = None  # `members(False)` once computed
    char_set: frozenset[int] | None = None  # `members(True)` once computed
    title_words: int = 0  # how many of the words of `normal` are the title's
    lead_set: frozenset[int] | None = None  # `lead` once computed

    def members(self, chars: bool) -> frozenset[int]:
        """The shingles, or the character 5-grams, as a set: an item meets several candidates,
        and a set intersection of tens of hashes costs a third of the search in sorted arrays."""
        name = "char_set" if chars else "shingle_set"
        found: frozenset[int] | None = getattr(self, name)
        if found is None:
            found = frozenset((self.chars if chars else self.shingles).tolist())
            object.__setattr__(self, name, found)
        return found

    @property
    def lead(self) -> frozenset[int]:
        """Character 5-grams of the lead (the text's first LEAD_WORDS words, title left out);
        empty when the lead is shorter than LEAD_MIN_WORDS."""
        found = self.lead_set
        if found is None:
            words = self.normal.split()[self.title_words : self.title_words + LEAD_WORDS]
            found = (
                frozenset(_unique(_gram_hashes(" ".join(words))).tolist())
                if len(words) >= LEAD_MIN_WORDS
                else frozenset()
            )
            object.__setattr__(self, "lead_set", found)
        return found

    @property
    def chars(self) -> Shingles:
        """Character 5-grams of the whole text, for the check against a short item."""
        # A long item computes them only when a short item meets it, which most never do (they
        # would cost 7 µs of the 50 a fingerprint takes), and then keeps them: a cache, so
        # setting it under `frozen` changes nothing anyone sees.
        chars = self.char_grams
        if chars is None:
            chars = _unique(_gram_hashes(self.normal))
            object.__setattr__(self, "char_grams", chars)
        return chars


def fingerprint(title: str, text: str, *, indexed: bool = True) -> Fingerprint:
    """The fingerprint of an item from its title and plain text.

    `indexed=False` skips the signature and bands: enough for `is_same_story`, as when a
    candidate is read back from the database.
    """
    raw = _drop_links(f"{title} {text}")
    # An item read back from the database (indexed=False) was not just normalised.
    normal = normalise_item(title, text) if indexed else fold_words(raw)
    encoded = normal.encode()
    words = encoded.split()
    short = len(words) < SHORT_WORDS
    shingled = _unique(_gram_hashes(normal)) if short else _word_shingles(words)
    numbers = _numbers(raw)
    chars = shingled if short else None
    headed = len(fold_words(_drop_links(title)).split())
    if not indexed:
        return Fingerprint(
            shingled, _NO_SIGNATURE, (), short, numbers, normal, chars, title_words=headed
        )
    if not len(shingled):
        return Fingerprint(
            shingled, _empty_signature(), (), short, numbers, normal, chars, title_words=headed
        )
    sig = _signature(shingled)
    if short:
        return Fingerprint(
            shingled, sig, _bands(sig), short, numbers, normal, chars, title_words=headed
        )
    lead = _signature(_sorted(_gram_hashes(b" ".join(words[:SHORT_WORDS]).decode())))
    sigs = np.concatenate((sig, lead))
    return Fingerprint(
        shingled, sig, _bands(sigs), short, numbers, normal, chars, title_words=headed
    )


def normalise_text(text: str) -> str:
    """Text as dedup compares it: links dropped, case and accents folded, only words and spaces."""
    return fold_words(_drop_links(text))


@functools.lru_cache(maxsize=RECENT_FOLDS)
def normalise_item(title: str, text: str) -> str:
    """An item's title and text as dedup compares them, and as the exact-copy hash reads them."""
    return normalise_text(f"{title} {text}")


def shingles(title: str, text: str) -> Shingles:
    """Word 3-shingles of a long item, character 5-grams of a short one, as 64-bit hashes."""
    normal = normalise_text(f"{title} {text}")
    words = normal.encode().split()
    if len(words) < SHORT_WORDS:
        return _unique(_gram_hashes(normal))
    return _word_shingles(words)


def signature(shingled: Shingles | frozenset[int]) -> Signature:
    """The MinHash signature: the least hash in each of 128 bins, empty bins densified."""
    values = np.sort(np.fromiter(shingled, dtype=np.uint64, count=len(shingled)))
    return _signature(values) if len(values) else _empty_signature()


def bands(sig: Signature) -> tuple[int, ...]:
    """One hash per band of ROWS rows, the band's index mixed in, as a signed 64-bit integer."""
    return _bands(np.asarray(sig, dtype=np.uint64))


def similar(a: Shingles, b: Shingles) -> Similarity:
    """Exact Jaccard and containment of two shingle sets (sorted unique arrays)."""
    if not len(a) or not len(b):
        return Similarity(0.0, 0.0)
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    # Both are sorted: each of the smaller's hashes is in the larger iff it is where it would go.
    found = np.take(large, np.searchsorted(large, small), mode="clip")
    common = int(np.count_nonzero(found == small))
    return Similarity(common / (len(a) + len(b) - common), common / len(small))


def is_same_story(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether two items tell the same news: close enough in words, and agreeing on figures."""
    if not len(a.shingles) or not len(b.shingles) or not _numbers_agree(a, b):
        return False  # the figures first: the cheapest to tell most candidates apart
    chars = a.short or b.short
    if chars:
        jaccard_min, containment_min = CHAR_JACCARD_MIN, CHAR_CONTAINMENT_MIN
    else:
        jaccard_min, containment_min = JACCARD_MIN, CONTAINMENT_MIN
    left, right = a.members(chars), b.members(chars)
    small, large = (left, right) if len(left) <= len(right) else (right, left)
    if not small:
        return False
    common = len(small & large)
    jaccard = common / (len(left) + len(right) - common)
    contained = common / len(small) >= containment_min and len(small) >= MIN_CONTAINED
    return jaccard >= jaccard_min or contained or _same_lead(a, b)


def _same_lead(a: Fingerprint, b: Fingerprint) -> bool:
    # One copy under two headlines: the leads alone are close.
    left, right = a.lead, b.lead
    if not left or not right:
        return False
    common = len(left & right)
    return common / (len(left) + len(right) - common) >= LEAD_JACCARD_MIN


def share_band(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether LSH would offer one item as a candidate of the other."""
    return not set(a.bands).isdisjoint(b.bands)


# --- normalising ----------------------------------------------------------------------------


def _drop_links(text: str) -> str:
    # Only a text holding "http" or "www." can hold a link: most need no regex at all.
    return _URL.sub(" ", text) if "http" in text or "www." in text else text


# --- shingles -------------------------------------------------------------------------------


def _gram_hashes(normal: str) -> npt.NDArray[np.uint64]:
    # Every character 5-gram hashed at once: a weighted sum of its 5 code points with fixed odd
    # 64-bit weights, vector multiply-shift hashing (Dietzfelbinger 1996), whose high bits, the
    # ones that pick a bin and rank within it, are universal.
    if normal.isascii():  # code points are bytes: 4 times less to encode
        points = np.frombuffer(normal.encode(), dtype=np.uint8)
    else:
        points = np.frombuffer(normal.encode("utf-32-le"), dtype=np.uint32)
    codes = points.astype(np.uint64)
    hashed: npt.NDArray[np.uint64] = _windows(codes, CHAR_GRAM) @ _GRAM_WEIGHTS[: len(codes)]
    return hashed


def _word_shingles(words: list[bytes]) -> Shingles:
    # Each word hashed once, each 3-shingle a weighted sum of its words' hashes.
    hashed = np.fromiter(map(_xxh64, words), dtype=np.uint64, count=len(words))
    return _unique(_windows(hashed, WORD_SHINGLE) @ _WORD_WEIGHTS[: len(hashed)])


def _windows(values: npt.NDArray[np.uint64], width: int) -> npt.NDArray[np.uint64]:
    # Overlapping rows of `width` values as a view; a sequence shorter than that is one row.
    if len(values) <= width:
        return values[None, :] if len(values) else values.reshape(0, 0)
    return np.ndarray((len(values) - width + 1, width), np.uint64, values, 0, (8, 8))


def _sorted(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    # In place: every array sorted here is a fresh result no one else holds.
    values.sort()
    return values


def _unique(values: npt.NDArray[np.uint64]) -> Shingles:
    ordered = _sorted(values)
    keep = np.empty(len(ordered), dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


# --- signature and bands --------------------------------------------------------------------


def _signature(ordered: npt.NDArray[np.uint64]) -> Signature:
    # `ordered` is sorted, so the first hash at or after the start of bin j is the least of the
    # first filled bin from j on (circularly, through the wrap). Subtracting j's start leaves
    # its low bits and writes the distance to that bin in the top 7: 0 for a filled bin, and
    # for an empty one, exactly the rotation's offset. The bins are visited in row order.
    least: Signature = ordered.take(ordered.searchsorted(_ROW_STARTS), mode="wrap")
    least -= _ROW_STARTS
    return least


def _empty_signature() -> Signature:
    return np.full(PERMUTATIONS, _EMPTY, dtype=np.uint64)


def _bands(sigs: npt.NDArray[np.uint64]) -> tuple[int, ...]:
    # Per band, a weighted sum of its rows plus the band's seed: equal bands hash alike in every
    # process, equal rows in different bands do not. `sigs` is one or more signatures.
    hashed = sigs.reshape(-1, ROWS) @ _BAND_WEIGHTS
    by_band = hashed.reshape(-1, BANDS)  # a view: the seeds are added to `hashed` itself
    by_band += _BAND_SEEDS
    # As signed 64-bit integers (what the index stores), straight into a tuple.
    return struct.unpack(f"={len(hashed)}q", hashed.tobytes())


# --- figures --------------------------------------------------------------------------------


def _numbers(text: str) -> frozenset[str]:
    # The regex over the whole text costs 6 µs; first every ASCII byte but digits, "." and ","
    # becomes a space and the runs of spaces go, which cannot join or split a match. Other
    # scripts have digits of their own, so their bytes stay; Latin-1 has none beyond 0-9.
    latin1 = latin1_bytes(text)
    if latin1 is not None:
        kept = b" ".join(latin1.translate(_LATIN1_FIGURE_BYTES).split()).decode()
    else:
        kept = b" ".join(text.encode().translate(_FIGURE_BYTES).split()).decode()
    return frozenset(n.replace(".", "").replace(",", "") for n in _NUMBER.findall(kept))


def _numbers_agree(a: Fingerprint, b: Fingerprint) -> bool:
    # Symmetric on purpose: which of two texts is "shorter" says nothing of which adds figures.
    fewer = min(len(a.numbers), len(b.numbers))
    return fewer == 0 or len(a.numbers & b.numbers) / fewer >= NUMBERS_KEPT_MIN


_FIGURE_BYTES = bytes(c if chr(c) in "0123456789.," or c >= 128 else 32 for c in range(256))
_LATIN1_FIGURE_BYTES = bytes(c if chr(c) in "0123456789.," else 32 for c in range(256))


def _constants(name: str, count: int) -> npt.NDArray[np.uint64]:
    # From xxhash of fixed labels, not from a random generator: stored band hashes stay valid
    # across processes, machines and numpy versions. Odd, so no weight loses a low bit.
    return np.array(
        [xxhash.xxh64_intdigest(f"vigia-minhash-{name}-{i}".encode()) | 1 for i in range(count)],
        dtype=np.uint64,
    )


_xxh64 = xxhash.xxh64_intdigest
_NO_SIGNATURE: Signature = np.zeros(0, dtype=np.uint64)
_GRAM_WEIGHTS = _constants("gram", CHAR_GRAM)
_WORD_WEIGHTS = _constants("word", WORD_SHINGLE)
_BAND_WEIGHTS = _constants("band", ROWS)
_BAND_SEEDS = _constants("seed", BANDS)
_EMPTY = np.iinfo(np.uint64).max
# Row r of band b is bin r * BANDS + b: a band's rows are bins far apart.
_ROW_ORDER = (np.arange(ROWS)[None, :] * BANDS + np.arange(BANDS)[:, None]).ravel()
_ROW_STARTS = _ROW_ORDER.astype(np.uint64) << np.uint64(64 - 7)  # the top 7 bits pick the bin
