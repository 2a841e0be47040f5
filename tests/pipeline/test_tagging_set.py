"""The labelled paragraphs bench/tagging.py measures on: big enough, in three languages, half
traps of every kind, labelled only with actors that exist."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bench.tagging import load_paragraphs
from bot.steering import bundled, load_actors

ROOT = Path(__file__).resolve().parents[2]
PARAGRAPHS = load_paragraphs()
KINDS = {
    "foreign-body",
    "chain",
    "namesake",
    "place-name",
    "surname",
    "short-form",
    "missing-actor",
}


def test_the_set_has_300_paragraphs_in_es_en_fr_half_of_them_traps() -> None:
    assert len(PARAGRAPHS) >= 300
    languages = Counter(p.lang for p in PARAGRAPHS)
    assert set(languages) == {"es", "en", "fr"}
    assert min(languages.values()) >= 90
    assert sum(p.kind != "plain" for p in PARAGRAPHS) >= len(PARAGRAPHS) / 2


def test_every_kind_of_trap_is_in_every_language() -> None:
    kinds = {(p.lang, p.kind) for p in PARAGRAPHS}
    assert {(lang, kind) for lang in ("es", "en", "fr") for kind in KINDS} <= kinds
    assert {p.kind for p in PARAGRAPHS} == KINDS | {"plain"}


def test_labels_name_known_actors_and_no_paragraph_twice() -> None:
    known = {actor.id for actor in load_actors(bundled("actors.toml")).actors}
    assert set().union(*(p.actors for p in PARAGRAPHS)) <= known
    assert len({p.text for p in PARAGRAPHS}) == len(PARAGRAPHS)


def test_a_quarter_is_held_out_in_every_language() -> None:
    for lang in ("es", "en", "fr"):
        part = [p for p in PARAGRAPHS if p.lang == lang]
        assert 0.15 <= sum(p.held_out for p in part) / len(part) <= 0.35
