"""The labelled story pairs (story_pairs.jsonl) read as the service reads items, for tests and bench."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.model import CleanEntry, Tagging
from bot.pipeline import events, stories
from bot.pipeline.relevance import tag_text
from bot.pipeline.tag import Tagger
from bot.steering import bundled, load_actors

HERE = Path(__file__).resolve().parent
STORY_PAIRS = HERE / "story_pairs.jsonl"


@dataclass(frozen=True, slots=True)
class LabelledPair:
    """Two items, as the service reads them, and whether they tell the same news."""

    id: str
    kind: str  # headline | paraphrase | crosslang | hard-negative
    family: str
    held_out: bool
    same: bool
    a: stories.Reading
    b: stories.Reading
    entries: tuple[tuple[CleanEntry, Tagging], tuple[CleanEntry, Tagging]]  # as stored

    @property
    def cross(self) -> bool:
        return self.a.evidence.lang != self.b.evidence.lang


def load_story_pairs() -> tuple[list[LabelledPair], events.Frequencies]:
    """Every pair, and the frequencies of the evidence over all distinct items (as a stream
    holding them all would have counted them)."""
    catalog = load_actors(bundled("actors.toml"))
    tagger = Tagger(catalog.actors, catalog.topics)
    raw = [json.loads(line) for line in STORY_PAIRS.read_text(encoding="utf-8").splitlines()]
    entries: dict[tuple[str, str, str], CleanEntry] = {}
    for pair in raw:
        for side in ("a", "b"):
            item = pair[side]
            key = (item["title"], item["text"], item["at"])
            entries.setdefault(key, _entry(item, len(entries)))
    frequencies = events.Frequencies()
    taggings: dict[tuple[str, str, str], Tagging] = {}
    for key, entry in entries.items():
        taggings[key] = tag_text(tagger, entry.text, title=entry.title, scope="venezuela")
        frequencies.add(stories.read(entry, taggings[key], events.Frequencies()).evidence)
    readings = {
        key: stories.read(entry, taggings[key], frequencies) for key, entry in entries.items()
    }
    pairs = []
    for pair in raw:
        a = (pair["a"]["title"], pair["a"]["text"], pair["a"]["at"])
        b = (pair["b"]["title"], pair["b"]["text"], pair["b"]["at"])
        pairs.append(
            LabelledPair(
                pair["id"],
                pair["class"],
                pair["family"],
                pair["held_out"],
                pair["same"],
                readings[a],
                readings[b],
                ((entries[a], taggings[a]), (entries[b], taggings[b])),
            )
        )
    return pairs, frequencies


def _entry(item: dict[str, str], number: int) -> CleanEntry:
    return CleanEntry(
        key=str(number),
        url=None,
        canonical_url=None,
        title=item["title"],
        text=item["text"],
        published_at=datetime.fromisoformat(item["at"]),
        lang=item["lang"],
        text_hash=str(number),
    )
