"""The one folding: every reader of text (steering files, tagger, lookups, dedup) agrees."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.fold import fold_phrase, fold_text, fold_words


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nicolás MADURO", "nicolas maduro"),
        ("l'Assemblée nationale — «vote»", "l assemblee nationale vote"),
        ("¿Qué dijo María Corina?", "que dijo maria corina"),
        ("Maduro’s “new term”", "maduro s new term"),
        ("Straße ﬁnale", "strasse finale"),
        ("ΟΔΥΣΣΕΥΣ", "οδυσσευσ"),
    ],
)
def test_accents_case_and_punctuation_fold_away(text: str, folded: str) -> None:
    assert fold_words(text) == folded
    assert fold_phrase(text) == folded


@given(st.text())
def test_copies_and_names_fold_alike(text: str) -> None:
    # dedup compares copies with fold_words, the tagger and actors.toml names with fold_phrase:
    # a text that folds one way for one must fold the same way for the other.
    assert fold_words(text) == fold_phrase(text)


@given(st.text())
def test_cased_and_folded_views_stay_aligned(text: str) -> None:
    folded = fold_text(text)
    assert len(folded.cased) == len(folded.folded)
    assert folded.cased.lower().replace("ς", "σ") == folded.folded
