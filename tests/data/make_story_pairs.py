"""Writes tests/data/story_pairs.jsonl: labelled pairs from events.py, by category, for story folding.

Run: python tests/data/make_story_pairs.py. Deterministic. Categories:
- headline: one wire copy under two headlines, the second copy with a sentence added (same language);
- paraphrase: one event told in other Spanish words by another outlet;
- crosslang: one event in two of Spanish, English and French;
- hard-negative: two events of one family (same actors, places and day), same or other language.
Every pair says when each item was published and whether its family is held out.
"""

from __future__ import annotations

import itertools
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from events import ADDED, EVENTS, HELD_OUT, Event, Version  # noqa: E402

LANGS = ("es", "en", "fr")


def main() -> None:
    out = HERE / "story_pairs.jsonl"
    with out.open("w", encoding="utf-8") as handle:
        for pair in build_pairs():
            handle.write(json.dumps(pair, ensure_ascii=False) + "\n")
    print(f"wrote {out.relative_to(HERE.parents[1])}")


def build_pairs() -> list[dict[str, object]]:
    pairs: list[dict[str, object]] = []

    def add(kind: str, event: Event, a: dict[str, str], b: dict[str, str], same: bool) -> None:
        pairs.append(
            {
                "id": f"{kind}-{len(pairs):03d}",
                "class": kind,
                "family": event.family,
                "held_out": event.family in HELD_OUT,
                "same": same,
                "a": a,
                "b": b,
            }
        )

    for number, event in enumerate(EVENTS):
        start = _at(event)
        # Outlets report within hours of each other: the later item 1 to 5 hours on.
        later = start + timedelta(hours=1 + number % 5, minutes=7 * (number % 8))
        tellings = {lang: getattr(event, lang) for lang in LANGS}
        for lang, version in tellings.items():
            added = ADDED[lang][number % len(ADDED[lang])]
            rewritten = Version(version.alt_title, "", f"{version.text} {added}")
            add("headline", event, _item(version, lang, start), _item(rewritten, lang, later), True)
        other = _item(event.es_other, "es", later)
        add("paraphrase", event, _item(event.es, "es", start), other, True)
        copy = Version(event.es.alt_title, "", event.es.text)
        add("paraphrase", event, _item(copy, "es", start + timedelta(minutes=20)), other, True)
        for first, second in itertools.combinations(LANGS, 2):
            add(
                "crosslang",
                event,
                _item(tellings[first], first, start),
                _item(tellings[second], second, later),
                True,
            )
        for lang in ("en", "fr"):
            add("crosslang", event, other, _item(tellings[lang], lang, later), True)
    families: dict[str, list[Event]] = {}
    for event in EVENTS:
        families.setdefault(event.family, []).append(event)
    for members in families.values():
        for left, right in itertools.combinations(members, 2):
            combos = [("es", "es"), ("en", "en"), ("fr", "fr"), ("es", "en"), ("en", "fr")]
            for a_lang, b_lang in combos:
                add(
                    "hard-negative",
                    left,
                    _item(getattr(left, a_lang), a_lang, _at(left)),
                    _item(getattr(right, b_lang), b_lang, _at(right)),
                    False,
                )
            add(
                "hard-negative",
                left,
                _item(left.es_other, "es", _at(left)),
                _item(right.es_other, "es", _at(right)),
                False,
            )
    return pairs


def _at(event: Event) -> datetime:
    return datetime.fromisoformat(event.day).replace(hour=event.hour, tzinfo=UTC)


def _item(version: Version, lang: str, at: datetime) -> dict[str, str]:
    return {"title": version.title, "text": version.text, "lang": lang, "at": at.isoformat()}


if __name__ == "__main__":
    main()
