"""How well and how fast the tagger reads the labelled paragraphs, beside the tagger before issue 12.

    python -m bench.tagging [--before REF] [--show] [--save PATH | --check PATH]

Prints, for the tagger of this tree and for the one at REF (default: the commit before the
tagging rules of issue 12, read with `git show`), actor precision and recall (micro over
paragraph × actor, counting the tags at or above CONFIDENT) and relevance accuracy, per language
and per kind of trap, on the tuning part and on the held-out part of tests/data/tagging/ apart;
then how sure each confidence level is, and the speed in µs an entry, both taggers timed in
turns in the same run. `--show` lists the tuning paragraphs the tagger gets wrong (never the
held-out ones: nobody tunes on those). `--save` pickles everything this tree's tagger says
(tags, confidences, ambiguous names, relevance, evidence) of the labelled paragraphs, the seed
articles and the synthetic corpus of bench/corpus.py, read in every way the bot reads an item;
`--check` says whether the tagger still says exactly that: a change meant only to be faster
must leave it identical.
"""

from __future__ import annotations

import argparse
import importlib.util
import pickle
import subprocess
import sys
import tempfile
import time
import tomllib
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from bench.corpus import make_feeds
from bot.model import SourceConfig
from bot.pipeline.normalise import normalise_entry
from bot.pipeline.tag import CONFIDENT, Tagger
from bot.sources.feed import parse_feed
from bot.steering import bundled, load_actors

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "tagging"
SEEDS = ROOT / "tests" / "data" / "seeds"
BEFORE = "077e965"  # main when issue 12 began
CORPUS_NOW = datetime(2025, 1, 1, tzinfo=UTC)  # fixed, so saved outputs compare across runs


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One labelled paragraph of tests/data/tagging/."""

    lang: str
    kind: str
    relevant: bool
    actors: frozenset[str]
    text: str

    @property
    def held_out(self) -> bool:
        """A quarter of the set, fixed by the text itself before any tuning."""
        return zlib.crc32(self.text.encode()) % 4 == 0


def load_paragraphs(folder: Path = DATA) -> list[Paragraph]:
    """Every labelled paragraph, in file order."""
    paragraphs = []
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        paragraphs += [
            Paragraph(
                lang=data["lang"],
                kind=row["kind"],
                relevant=row["relevant"],
                actors=frozenset(row["actors"]),
                text=row["text"],
            )
            for row in data["paragraph"]
        ]
    return paragraphs


# What a tagger says of a text: (relevant, {actor id: confidence}).
Reading = tuple[bool, dict[str, float]]


def reader(tagger: object) -> Callable[[str], Reading]:
    """The same question to either tagger: is the text about Venezuela, and who is named."""

    def read(text: str) -> Reading:
        result = tagger.tag(text)  # type: ignore[attr-defined]
        return result.about_venezuela, {tag.id: tag.confidence for tag in result.actors}

    return read


@dataclass(slots=True)
class Tally:
    """Counts behind precision, recall and accuracy."""

    hits: int = 0
    tagged: int = 0
    expected: int = 0
    right: int = 0
    paragraphs: int = 0

    def add(self, paragraph: Paragraph, reading: Reading, *, threshold: float) -> None:
        relevant, actors = reading
        kept = {actor for actor, confidence in actors.items() if confidence >= threshold}
        self.hits += len(kept & paragraph.actors)
        self.tagged += len(kept)
        self.expected += len(paragraph.actors)
        self.right += relevant == paragraph.relevant
        self.paragraphs += 1

    def row(self) -> str:
        precision = self.hits / self.tagged if self.tagged else 1.0
        recall = self.hits / self.expected if self.expected else 1.0
        accuracy = self.right / self.paragraphs if self.paragraphs else 1.0
        return f"{self.paragraphs:>4}  {precision:6.3f}  {recall:6.3f}  {accuracy:8.3f}"


def report_quality(
    paragraphs: Sequence[Paragraph], readings: dict[str, list[Reading]], *, threshold: float
) -> None:
    """One table per part of the set: rows by language and by kind, columns by tagger."""
    counted = f"tags ≥ {threshold}" if threshold else "every tag, also those below CONFIDENT"
    for part, held in (("tuning part", False), ("held-out part (never tuned on)", True)):
        print(f"\n== {part}, {counted}: paragraphs, actor precision, recall, relevance accuracy ==")
        names = list(readings)
        print(f"{'':<22}" + "".join(f"{name:^36}" for name in names))
        groups: dict[str, list[int]] = defaultdict(list)
        for index, paragraph in enumerate(paragraphs):
            if paragraph.held_out != held:
                continue
            groups["all"].append(index)
            groups[f"lang {paragraph.lang}"].append(index)
            groups[f"kind {paragraph.kind}"].append(index)
            if paragraph.kind != "plain":
                groups["all traps"].append(index)
        for group in sorted(groups, key=lambda g: (g != "all", not g.startswith("lang"), g)):
            cells = []
            for name in names:
                tally = Tally()
                for index in groups[group]:
                    tally.add(paragraphs[index], readings[name][index], threshold=threshold)
                cells.append(f"{tally.row():^36}")
            print(f"{group:<22}" + "".join(cells))


def report_confidence(paragraphs: Sequence[Paragraph], readings: list[Reading]) -> None:
    """How often a tag of each confidence is right: what the threshold rests on."""
    levels: dict[float, list[int]] = defaultdict(lambda: [0, 0])
    for paragraph, (_, actors) in zip(paragraphs, readings, strict=True):
        if paragraph.held_out:
            continue
        for actor, confidence in actors.items():
            levels[confidence][0] += 1
            levels[confidence][1] += actor in paragraph.actors
    print("\n== confidence levels (tuning part): tags, right, precision ==")
    for confidence in sorted(levels, reverse=True):
        tags, right = levels[confidence]
        mark = (
            "  (below CONFIDENT: not in digests, /actor, alerts)" if confidence < CONFIDENT else ""
        )
        print(f"{confidence:.1f}  {tags:>4}  {right:>4}  {right / tags:6.3f}{mark}")


def show_misses(paragraphs: Sequence[Paragraph], readings: list[Reading]) -> None:
    """The tuning paragraphs read wrong, with what was expected and what was found."""
    print("\n== tuning paragraphs read wrong ==")
    for paragraph, (relevant, actors) in zip(paragraphs, readings, strict=True):
        if paragraph.held_out:
            continue
        kept = {a for a, c in actors.items() if c >= CONFIDENT}
        if kept == paragraph.actors and relevant == paragraph.relevant:
            continue
        print(f"[{paragraph.lang} {paragraph.kind}] {paragraph.text[:110]}")
        print(
            f"    relevant {relevant} (want {paragraph.relevant}); "
            f"extra {sorted(kept - paragraph.actors)}; missed {sorted(paragraph.actors - kept)}"
        )


def report_speed(
    label: str, entries: Sequence[str], readers: dict[str, Callable[[str], Reading]]
) -> None:
    """µs an entry for each tagger, timed in turns so that both see the same machine load.

    The clock is this thread's CPU time, and each figure the best of many turns: on a shared
    machine, waiting for a core is not the tagger's cost.
    """
    turns = 30
    best = {name: float("inf") for name in readers}
    for _ in range(turns):
        for name, read in readers.items():
            started = time.thread_time()
            for text in entries:
                read(text)
            best[name] = min(best[name], time.thread_time() - started)
    print(f"\n== speed, {label}: {len(entries)} entries, CPU time, best of {turns} turns each ==")
    base_name, base = next(iter(best.items()))
    for name, seconds in best.items():
        print(
            f"{name:<16} {seconds / len(entries) * 1e6:8.1f} µs/entry  "
            f"({seconds / base:5.2f} × {base_name})"
        )


def load_before(ref: str) -> tuple[ModuleType, Path]:
    """The tagger module and actors.toml as they were at `ref`, read with `git show`.

    The old tagger runs on the folding of its own time too (bot/pipeline/fold.py then).
    """
    folder = Path(tempfile.mkdtemp(prefix="vigia-tagger-before-"))
    files = {
        "tag_before.py": "bot/pipeline/tag.py",
        "fold_before.py": "bot/pipeline/fold.py",
        "actors.toml": "actors.toml",
    }
    for name, path in files.items():
        source = subprocess.run(
            ["git", "show", f"{ref}:{path}"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        (folder / name).write_bytes(source)
    tagger = folder / "tag_before.py"
    tagger.write_text(
        tagger.read_text(encoding="utf-8").replace("from bot.pipeline.fold ", "from fold_before "),
        encoding="utf-8",
    )
    module = None
    for name in ("fold_before", "tag_before"):
        spec = importlib.util.spec_from_file_location(name, folder / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while building
        spec.loader.exec_module(module)
    assert module is not None
    return module, folder / "actors.toml"


def corpus_items(feeds: int = 40, per_feed: int = 50) -> list[tuple[str, str]]:
    """(title, text) of the synthetic corpus's entries, parsed and normalised as the ingest does."""
    items = []
    for source, lang, body in make_feeds(feeds, per_feed):
        config = SourceConfig(
            id=source, name=source, kind="rss", url="", lang=lang, scope="general"
        )
        for entry in parse_feed(body).entries:
            clean = normalise_entry(entry, config, now=CORPUS_NOW)
            items.append((clean.title, clean.text))
    return items


def outputs(tagger: Tagger, items: Sequence[tuple[str, str]]) -> list[tuple[object, ...]]:
    """Everything the tagger says of each item, with and without its title, from a general
    source and from one that covers only Venezuela, with and without evidence."""
    said: list[tuple[object, ...]] = []
    for title, text in items:
        for head in dict.fromkeys((title, "")):
            for venezuelan_source in (False, True):
                for explain in (False, True):
                    result = tagger.tag(
                        text, title=head, venezuelan_source=venezuelan_source, explain=explain
                    )
                    said.append(
                        (
                            tuple((t.id, t.name, t.confidence) for t in result.actors),
                            result.topics,
                            result.ambiguous,
                            result.about_venezuela,
                            tuple(tuple(e) for e in result.evidence),
                        )
                    )
    return said


def save_or_check(tagger: Tagger, *, save: Path | None, check: Path | None) -> None:
    """`--save` and `--check`: what the tagger says of every item, kept or compared."""
    items = [("", p.text) for p in load_paragraphs()]
    items += [("", path.read_text(encoding="utf-8")) for path in sorted(SEEDS.glob("*.txt"))]
    items += corpus_items()
    said = outputs(tagger, items)
    if save is not None:
        save.write_bytes(pickle.dumps(said))
        print(f"saved what the tagger says of {len(items)} items ({len(said)} readings) to {save}")
        return
    assert check is not None
    kept = pickle.loads(check.read_bytes())
    differ = [i for i, (old, new) in enumerate(zip(kept, said, strict=False)) if old != new]
    if len(kept) != len(said):
        print(f"outputs DIFFER: {len(kept)} readings saved, {len(said)} now")
        sys.exit(1)
    if differ:
        print(
            f"outputs DIFFER in {len(differ)} of {len(said)} readings, first: reading {differ[0]}"
        )
        print(f"  saved: {kept[differ[0]]}\n  now:   {said[differ[0]]}")
        sys.exit(1)
    print(f"outputs identical: {len(said)} readings of {len(items)} items")


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="git ref of the tagger to compare with")
    parser.add_argument("--show", action="store_true", help="list the tuning paragraphs read wrong")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--save", type=Path, help="pickle what the tagger says of every item")
    group.add_argument("--check", type=Path, help="compare it with such a pickle, then stop")
    args = parser.parse_args(list(argv) if argv is not None else None)

    catalog = load_actors(bundled("actors.toml"))
    if args.save or args.check:
        save_or_check(Tagger(catalog.actors, catalog.topics), save=args.save, check=args.check)
        return
    taggers: dict[str, object] = {"now": Tagger(catalog.actors, catalog.topics)}
    try:
        module, actors_path = load_before(args.before)
    except (subprocess.CalledProcessError, FileNotFoundError) as error:
        print(f"cannot read the tagger at {args.before!r} ({error}); measuring this tree only")
    else:
        old = load_actors(actors_path)
        taggers[f"before {args.before}"] = module.Tagger(old.actors, old.topics)
    readers = {name: reader(tagger) for name, tagger in taggers.items()}

    paragraphs = load_paragraphs()
    held = sum(p.held_out for p in paragraphs)
    traps = sum(p.kind != "plain" for p in paragraphs)
    print(
        f"{len(paragraphs)} paragraphs ({traps} traps), {held} held out; "
        f"actors counted at confidence ≥ {CONFIDENT}"
    )
    readings = {name: [read(p.text) for p in paragraphs] for name, read in readers.items()}
    report_quality(paragraphs, readings, threshold=CONFIDENT)
    report_quality(paragraphs, {"now": readings["now"]}, threshold=0.0)
    report_confidence(paragraphs, readings["now"])
    if args.show:
        show_misses(paragraphs, readings["now"])

    seeds = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    timed = {name: readers[name] for name in reversed(list(readers))}
    if len(taggers) > 1:  # how much of the difference is the code, how much the longer catalog
        timed["now, old actors"] = reader(Tagger(old.actors, old.topics))
    for label, entries in (("paragraphs", [p.text for p in paragraphs]), ("seed articles", seeds)):
        report_speed(label, entries, timed)


if __name__ == "__main__":
    main()
