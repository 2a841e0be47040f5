"""Text from outside made safe to show: bidirectional and invisible format controls taken out."""

from __future__ import annotations

__all__ = ["neutralise_controls"]

# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), the marks (U+200E, U+200F,
# U+061C) and the invisible characters that hide text or split words (zero-width space, word
# joiner, BOM, Mongolian vowel separator, soft hyphen, invisible operators, line/paragraph
# separators). The zero-width joiner and non-joiner stay: emoji sequences and scripts need them.
_CONTROLS = dict.fromkeys(
    [
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0x200E,
        0x200F,
        0x061C,
        0x200B,
        0x2060,
        0xFEFF,
        0x180E,
        0x00AD,
        *range(0x2061, 0x2065),
        *range(0x206A, 0x2070),
    ]
)
_SEPARATORS = {0x2028: "\n", 0x2029: "\n"}
_TABLE = {**_CONTROLS, **_SEPARATORS}


def neutralise_controls(text: str) -> str:
    """`text` without the characters that reorder or hide what follows them."""
    if text.isascii():
        return text
    return text.translate(_TABLE)
