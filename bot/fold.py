"""Fold text for matching: accents and case dropped, punctuation to single spaces, case kept aside.

The one folding of Vigía: the steering files, the tagger, lookups and near-duplicate folding
all read text through it, so a name folds the same wherever it is compared.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FoldedText:
    """Two aligned views of one text: position i in `cased` is position i in `folded`.

    Both start and end with a space, and every run of non-word characters (spaces, punctuation,
    apostrophes, hyphens) is one space, so a word starts exactly after a space. `cased` keeps the
    capitals of the original, which is how bare surnames are told from common words.
    """

    cased: str
    folded: str


# FoldedText's own __init__ sets each field through object.__setattr__, a third of a µs paid for
# every item the tagger reads: _with_folded fills the slots with their own setters.
_SET_CASED, _SET_FOLDED = (getattr(FoldedText, name).__set__ for name in ("cased", "folded"))


def fold_text(text: str) -> FoldedText:
    """Fold the whole string at once (per-character folding is several times slower)."""
    return _with_folded(f" {_words(text)} ")


def fold_titled(title: str, text: str) -> tuple[FoldedText, int]:
    """A title and its text folded as one, and where the text starts: the space between them.

    The same as folding each alone and joining them on the space they share.
    """
    head = _words(title)
    return _with_folded(f" {head} {_words(text)} "), len(head) + 1


def fold_phrase(phrase: str) -> str:
    """A name or keyword as the matcher sees it: folded, without the surrounding spaces."""
    return fold_text(phrase).folded.strip(" ")


def fold_words(text: str) -> str:
    """The folded words of a text, lowercase, one space apart: how copies are compared.

    What `fold_phrase` gives, by one pass that folds case along with accents and gaps.
    """
    words = " ".join(_spaced(text, lower=True).split())
    return words.replace("ς", "σ") if "ς" in words else words


def _words(text: str) -> str:
    """The folded words of a text, case kept, one space apart.

    Plain ASCII and Latin-1 text (most news) take the path of `_spaced` written out here, and
    their runs of spaces are closed up in place, which makes no object per word: the tagger
    folds every item it reads.
    """
    if text.isascii():
        spaced = text.encode("ascii").translate(_ASCII_GAPS)
    else:
        try:
            spaced = text.encode("latin-1").translate(_LATIN1_GAPS)
        except UnicodeEncodeError:  # typographic quotes and dashes, other scripts
            return " ".join(_spaced(text).split())
        if 0 in spaced:  # a byte as an int: `b"\0" in` first fails, within, as an index
            return " ".join(_spaced(text).split())
    words = spaced.decode("ascii")
    while "  " in words:  # every gap is one space by now: close up the runs
        words = words.replace("  ", " ")
    return words.strip(" ")


def _with_folded(cased: str) -> FoldedText:
    folded = cased.lower()
    if "ς" in folded:
        folded = folded.replace("ς", "σ")
    text: FoldedText = object.__new__(FoldedText)
    _SET_CASED(text, cased)
    _SET_FOLDED(text, folded)
    return text


def _spaced(text: str, *, lower: bool = False) -> str:
    """Accents dropped, every gap a space, case kept (or folded too): by the fastest path that
    reads it exactly."""
    ascii_gaps, latin1_gaps = (_ASCII_LOWER, _LATIN1_LOWER) if lower else (_ASCII_GAPS, _LATIN1_GAPS)
    if text.isascii():
        # bytes.translate runs in C: ten times faster than a regular expression over the text.
        return text.encode("ascii").translate(ascii_gaps).decode("ascii")
    latin1 = _fold_latin1(text, latin1_gaps)
    if latin1 is not None:
        return latin1
    # NFKD splits accents off and expands ligatures (ﬁ → fi).
    decomposed = unicodedata.normalize("NFKD", text)
    latin = _fold_latin(decomposed, ascii_gaps)
    if latin is not None:
        return latin
    spaced = _fold_any(decomposed)
    return spaced.lower() if lower else spaced


def _fold_latin1(text: str, table: bytes) -> str | None:
    """Text in Latin-1 (much Spanish and French news): one table, without NFKD; else None."""
    raw = latin1_bytes(text)
    if raw is None:
        return None
    spaced = raw.translate(table)
    return None if 0 in spaced else spaced.decode("ascii")


def latin1_bytes(text: str) -> bytes | None:
    """The text as Latin-1 once typographic quotes, dashes, bullets and € (gaps to every fold)
    are spaced, which makes most es/fr news Latin-1; None for other text."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        pass
    for mark in _WIDE_PUNCTUATION:
        if mark in text:
            text = text.replace(mark, " ")
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return None


def _fold_latin(decomposed: str, table: bytes) -> str | None:
    """Most news once decomposed: ASCII, accents of U+0300-U+036F and common punctuation.

    Then one bytes.translate drops the accents and spaces the gaps; any other text gives None.
    """
    raw = decomposed.encode()
    if 0xC2 in raw or 0xE2 in raw:  # the lead bytes of that punctuation
        raw = COMMON_PUNCTUATION.sub(b" ", raw)
    spaced = raw.translate(table, HIGH_BYTES)
    # Bytes 0xCC and 0xCD only ever lead the 2-byte characters U+0300-U+037F: when the bytes
    # dropped are exactly those characters, and none is one of U+0370-U+037F (Greek letters),
    # only accents were dropped.
    marks = raw.count(b"\xcc") + raw.count(b"\xcd")
    if len(raw) - len(spaced) != 2 * marks or (marks and _NOT_A_MARK.search(raw)):
        return None
    return spaced.decode("ascii")


def _fold_any(decomposed: str) -> str:
    """Any script: marks dropped, every run of non-word characters one space."""
    # After dropping the marks, str.lower() keeps the length of every character, except ß,
    # which casefold expands.
    stripped = _MARKS.sub("", decomposed)
    if "ß" in stripped or "ẞ" in stripped:
        stripped = stripped.replace("ß", "ss").replace("ẞ", "SS")
    stripped = _FOREIGN_GAPS.sub(" ", stripped)
    if stripped.isascii():
        return stripped.encode("ascii").translate(_ASCII_GAPS).decode("ascii")
    return _GAPS.sub(" ", stripped)


# The combining-mark blocks of the Latin, Greek and Cyrillic scripts: the news Vigía reads.
# A precomputed class keeps import fast; unicodedata.combining over all code points takes 0.3 s.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_GAPS = re.compile(r"[\W_]+")
_FOREIGN_GAPS = re.compile(r"[^\x00-\x7f\w]+")  # curly quotes, dashes, no-break spaces ...
_ASCII_GAPS = bytes(byte if chr(byte).isalnum() else 0x20 for byte in range(256))
HIGH_BYTES = bytes(range(0x80, 0x100))
# Punctuation common in es/fr news that NFKD keeps (all gaps): – — ‘ ’ “ ” • « » ¿ ¡ · ° €.
COMMON_PUNCTUATION = re.compile(
    rb"\xe2\x80[\x93\x94\x98\x99\x9c\x9d\xa2]|\xc2[\xab\xbb\xbf\xa1\xb7\xb0]|\xe2\x82\xac"
)
_NOT_A_MARK = re.compile(rb"\xcd[\xb0-\xbf]")  # U+0370-U+037F
_WIDE_PUNCTUATION = "’‘“”–—•€"  # the punctuation above that is not Latin-1


def _latin1_gaps() -> bytes:
    # What NFKD and the dropping of marks make of each Latin-1 character: é → e, ª → a, « → a
    # space; 0 where that is not one ASCII character (æ, ß, µ → μ, ½ → 1⁄2), for _fold_any.
    table = bytearray()
    for byte in range(256):
        char = chr(byte)
        if char.isascii():
            table.append(_ASCII_GAPS[byte])
            continue
        base = _MARKS.sub("", unicodedata.normalize("NFKD", char)).strip()
        if not base:  # a space, or a spacing accent (¨ → " " and a mark)
            table.append(0x20)
        elif len(base) > 1 or (not base.isascii() and base.isalnum()):
            table.append(0)
        else:
            table.append(ord(base) if base.isascii() and base.isalnum() else 0x20)
    return bytes(table)


_LATIN1_GAPS = _latin1_gaps()
# The same tables folding case too (bytes.lower() lowers only A-Z: every entry is ASCII or 0).
_ASCII_LOWER = _ASCII_GAPS.lower()
_LATIN1_LOWER = _LATIN1_GAPS.lower()
