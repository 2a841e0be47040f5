"""Dedup and store: exact keys, then near-duplicates, decide each entry's story; storage arbitrates."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.model import CleanEntry, Tagging
from bot.pipeline import dedup, events
from bot.pipeline.relevance import confident
from storage import bands, items
from storage.db import Session, on_commit

STORY_WINDOW = timedelta(hours=72)  # copies further apart than this are different news
# Reports of one event in other words or languages come out within a day or so of each other;
# the same people and places a few days on are the next development, a story of its own.
EVENT_WINDOW = timedelta(hours=36)
MIN_HASH_CHARS = 40  # shorter texts ("Última hora") are too common to fold on their hash
NEAR_CANDIDATES = 10  # candidates checked exactly per entry, those sharing most bands first
RECENT_PRINTS = 4096  # prints of recently stored items kept to check candidates against


@dataclass(frozen=True, slots=True)
class SourceEntries:
    """One source's relevant entries from one read, ready for dedup and store."""

    source_id: str
    fetched_at: datetime
    entries: tuple[tuple[CleanEntry, Tagging], ...]
    prints: tuple[dedup.Fingerprint, ...] = ()  # one per entry, when computed beforehand


@dataclass(frozen=True, slots=True)
class Stored:
    """How a source's entries landed, and the items that are new (what alerts and posts read)."""

    new: int = 0
    updated: int = 0
    duplicates: int = 0
    joined: int = 0
    items: tuple[items.StoredItem, ...] = ()


@dataclass(frozen=True, slots=True)
class _NewEntry:
    """An entry not stored before, with where and when it was read."""

    source_id: str
    fetched_at: datetime
    entry: CleanEntry
    tagging: Tagging
    fingerprint: dedup.Fingerprint | None


@dataclass(frozen=True, slots=True)
class Reading:
    """What the fold checks compare of one item: its words, its event evidence, when it was
    published, and every band it is indexed under (copy bands, then evidence bands)."""

    fingerprint: dedup.Fingerprint
    evidence: events.Evidence
    published_at: datetime
    bands: tuple[int, ...] = ()


class NearDuplicates:
    """What folding near-duplicates keeps in memory for one database, in one worker process:
    the band index, the readings of recently stored items (the usual candidates), and how
    often each piece of evidence has been seen (what makes it rare)."""

    def __init__(self) -> None:
        self.index = bands.BandIndex()
        self.prints = _RecentPrints(RECENT_PRINTS)
        self.frequencies = events.Frequencies()
        self.pruned_at: datetime | None = None  # when old items last left the index


async def store_entries(
    *,
    session: Session,
    near: NearDuplicates,
    batches: Sequence[SourceEntries],
) -> dict[str, Stored]:
    """Dedup the relevant entries of one or more sources against the database; store what is new.

    Exact keys first (the same guid; the same canonical URL, text or post elsewhere), then
    copies and reports of one event found through the band index and confirmed on the items
    themselves. Several sources stored together cost one round of queries instead of one each,
    and fold with each other as if stored one by one.
    Call it holding the story lock: before any new entry is folded, the band index reads
    what other batches committed.
    """
    latest = _latest_entries(batches)
    known = await items.find_items(session=session, keys=list(latest))
    new = [pending for key, pending in latest.items() if key not in known]
    edited = [
        (known[key], pending)
        for key, pending in latest.items()
        if key in known and known[key].text_hash != pending.entry.text_hash
    ]
    stored = await _fold_new(session, near, new)
    await _update_edited(session, near, edited)
    return _stored_by_source(batches, latest=latest, stored=stored, edited=edited)


def _latest_entries(batches: Sequence[SourceEntries]) -> dict[tuple[str, str], _NewEntry]:
    """Every entry by (source id, key): a feed repeating a guid keeps its last version."""
    latest: dict[tuple[str, str], _NewEntry] = {}
    for batch in batches:
        prints = batch.prints or (None,) * len(batch.entries)
        for (entry, tagging), fingerprint in zip(batch.entries, prints, strict=True):
            latest[(batch.source_id, entry.key)] = _NewEntry(
                batch.source_id, batch.fetched_at, entry, tagging, fingerprint
            )
    return latest


async def _fold_new(
    session: Session, near: NearDuplicates, new: list[_NewEntry]
) -> list[tuple[_NewEntry, items.StoredItem]]:
    """Store the new entries, each in the story it reports (a new one if none), in rounds."""
    if new:  # before this transaction writes: it reads only what others committed
        await near.index.refresh(session)
    stored: list[tuple[_NewEntry, items.StoredItem]] = []
    done_so_far = _Batch()
    waiting = new
    while waiting:
        # Entries of one batch that are copies of each other, or reports of one event: the
        # later ones wait for another round, in which the first one's story exists and is
        # found like any other. The first entry of a round never waits: rounds end.
        now_round, waiting = _split_siblings(waiting)
        done, deferred = await _store_new(session, near, now_round, done_so_far)
        stored += done
        waiting = deferred + waiting
    # A story merged into another during this call: its new items are now in that one.
    return [(pending, _merged(item, done_so_far.story(item.story_id))) for pending, item in stored]


async def _update_edited(
    session: Session, near: NearDuplicates, edited: list[tuple[items.KnownItem, _NewEntry]]
) -> None:
    """Rewrite the stored items whose text changed, in the story they are in."""
    for item, pending in edited:
        near.prints.forget(item.id)  # its words changed: its print is read again when needed
        await items.update_item(
            session=session,
            item_id=item.id,
            story_id=item.story_id,
            item=_new_item(pending, item.story_id),
            now=pending.fetched_at,
        )


def _stored_by_source(
    batches: Sequence[SourceEntries],
    *,
    latest: dict[tuple[str, str], _NewEntry],
    stored: list[tuple[_NewEntry, items.StoredItem]],
    edited: list[tuple[items.KnownItem, _NewEntry]],
) -> dict[str, Stored]:
    """What each source's batch came to: new, updated, duplicate and joined items."""
    landed: dict[str, Stored] = {}
    for batch in batches:
        mine = [item for pending, item in stored if pending.source_id == batch.source_id]
        updated = sum(1 for _, pending in edited if pending.source_id == batch.source_id)
        distinct = sum(1 for source, _ in latest if source == batch.source_id)
        landed[batch.source_id] = Stored(
            new=len(mine),
            updated=updated,
            duplicates=distinct - len(mine) - updated,
            joined=sum(1 for item in mine if not item.new_story),
            items=tuple(mine),
        )
    return landed


def _merged(item: items.StoredItem, story_id: int) -> items.StoredItem:
    if story_id == item.story_id:
        return item
    return replace(item, story_id=story_id, new_story=False)


class _Batch:
    """The entries one call has stored so far, readable before they are committed: candidates
    for the entries of its later rounds, found through a band index of their own."""

    def __init__(self) -> None:
        self.readings: list[tuple[Reading, int]] = []  # (reading, story id), by position
        self.index = bands.BandIndex()  # keyed by position
        self.merged: dict[int, int] = {}  # story merged away → the story it went into

    def add(self, stored: Sequence[tuple[Reading, int]]) -> None:
        """Index a round's stored entries: (reading, story id) each."""
        start = len(self.readings)
        self.index.add(
            [(start + n, reading.bands, reading.published_at) for n, (reading, _) in enumerate(stored)]
        )
        self.readings.extend(stored)

    def story(self, story_id: int) -> int:
        while story_id in self.merged:
            story_id = self.merged[story_id]
        return story_id


async def _store_new(
    session: Session, near: NearDuplicates, fresh: Sequence[_NewEntry], batch: _Batch
) -> tuple[list[tuple[_NewEntry, items.StoredItem]], list[_NewEntry]]:
    """Store one round of entries; return what was stored and the entries left for a later
    round (each told the same event as an entry of this round that starts a story)."""
    lookups = [_lookup_keys(pending.entry) for pending in fresh]
    exact = await items.find_stories(session=session, keys=[k for keys in lookups for k in keys])
    story_of: list[int | None] = [
        next((exact[k] for k in keys if k in exact), None) for keys in lookups
    ]
    # A word-for-word copy is never a candidate (its original's bands stand for it): no print.
    readings = [
        None if f"h:{pending.entry.text_hash}" in exact else _read(pending, near.frequencies)
        for pending in fresh
    ]
    unmatched = {
        at: reading
        for at, reading in enumerate(readings)
        if story_of[at] is None and reading is not None  # no exact key: never a copy
    }
    matched = await _near_stories(session, near, unmatched)
    deferred: set[int] = set()
    merges: list[tuple[int, set[int]]] = []
    in_batch = _batch_matches(batch, unmatched, near.frequencies)
    for at in unmatched:
        found = [batch.story(story) for story in matched.get(at, ())]
        found += [batch.story(story) for story in in_batch.get(at, ()) if story is not None]
        if None in in_batch.get(at, ()):
            deferred.add(at)  # a sibling of this round starts the story: join it next round
        elif found:
            story_of[at] = min(found)
            if len(set(found)) > 1:
                merges.append((min(found), set(found)))
    kept = [at for at in range(len(fresh)) if at not in deferred]
    planned = [_new_item(fresh[at], story_of[at]) for at in kept]
    stored = await items.insert_items(session=session, items=planned)
    for into, merged in merges:
        into = batch.story(into)
        others = {batch.story(story) for story in merged} - {into}
        if others:
            await items.merge_stories(session=session, into=into, merged=others)
            batch.merged.update(dict.fromkeys(others, into))
    printed = [
        (item, read)
        for item, at in zip(stored, kept, strict=True)
        if (read := readings[at]) is not None
    ]
    batch.add([(read, item.story_id) for item, read in printed])
    for _, read in printed:
        near.frequencies.add(read.evidence)
    near.prints.put_on_commit(session, [(item.id, read) for item, read in printed])
    await bands.add_bands_many(
        session=session,
        rows=[(item.id, read.bands, read.published_at) for item, read in printed],
    )
    done = [(fresh[at], item) for item, at in zip(stored, kept, strict=True)]
    return done, [fresh[at] for at in sorted(deferred)]


def read(
    entry: CleanEntry,
    tagging: Tagging,
    frequencies: events.Frequencies,
    *,
    fingerprint: dedup.Fingerprint | None = None,
) -> Reading:
    """What the fold checks need of a new entry (`fingerprint` when computed beforehand)."""
    fingerprint = fingerprint or dedup.fingerprint(entry.title, entry.text)
    evidence = events.evidence(
        entry.title,
        entry.text,
        # The tags that are stored: an item read back from the database has those only.
        actors=[(tag.id, tag.name) for tag in confident(tagging.actors)],
        lang=entry.lang,
    )
    return Reading(
        fingerprint,
        evidence,
        entry.published_at,
        fingerprint.bands + events.evidence_bands(evidence, frequencies),
    )


def same_news(a: Reading, b: Reading, frequencies: events.Frequencies) -> bool:
    """The fold decision for two new items: one is a candidate of the other (they share a
    band), and they are copies or reports of one event."""
    return not set(a.bands).isdisjoint(b.bands) and _same_story(a, b, frequencies)


def _read(pending: _NewEntry, frequencies: events.Frequencies) -> Reading:
    return read(pending.entry, pending.tagging, frequencies, fingerprint=pending.fingerprint)


def _same_story(a: Reading, b: Reading, frequencies: events.Frequencies) -> bool:
    """Whether two items tell the same news: copies of each other, or reports of one event."""
    if dedup.is_same_story(a.fingerprint, b.fingerprint):
        return True
    close = abs(a.published_at - b.published_at) <= EVENT_WINDOW
    return close and events.same_event(a.evidence, b.evidence, frequencies)


def _batch_matches(
    batch: _Batch, now_round: dict[int, Reading], frequencies: events.Frequencies
) -> dict[int, list[int | None]]:
    """For each entry of this round, the stories of this call's earlier entries that tell the
    same news: a stored entry's story, or None for an entry of this round (not stored yet).
    Candidates come from band indexes, as from the database's: the cost stays flat."""
    found: dict[int, list[int | None]] = {}
    if not now_round:
        return found
    since = {at: reading.published_at - STORY_WINDOW for at, reading in now_round.items()}
    stored = batch.index.candidates_many(
        {at: reading.bands for at, reading in now_round.items()},
        since_of=since,
        limit=NEAR_CANDIDATES,
    )
    for at, positions in stored.items():
        for position in positions:
            known, story = batch.readings[position]
            if _same_story(now_round[at], known, frequencies):
                found.setdefault(at, []).append(story)
    siblings = bands.BandIndex()
    siblings.add([(at, reading.bands, reading.published_at) for at, reading in now_round.items()])
    # An entry is compared with the round's entries before it (itself is its first candidate).
    round_candidates = siblings.candidates_many(
        {at: reading.bands for at, reading in now_round.items()},
        since_of=since,
        limit=NEAR_CANDIDATES,
    )
    for at, earlier in round_candidates.items():
        for sibling in earlier:
            if sibling < at and _same_story(now_round[at], now_round[sibling], frequencies):
                found.setdefault(at, []).append(None)
                break
    return found


async def _near_stories(
    session: Session, near: NearDuplicates, entries: dict[int, Reading]
) -> dict[int, list[int]]:
    """The stories that stored items telling the same news as these entries belong to."""
    if not entries:
        return {}
    candidates = near.index.candidates_many(
        {at: reading.bands for at, reading in entries.items()},
        since_of={at: reading.published_at - STORY_WINDOW for at, reading in entries.items()},
        limit=NEAR_CANDIDATES,
    )
    await near.prints.load(session, {i for found in candidates.values() for i in found})
    same: dict[int, list[int]] = {}
    for at, reading in entries.items():
        for item_id in candidates.get(at, ()):
            known = near.prints.get(item_id)
            if known is not None and _same_story(reading, known, near.frequencies):
                same.setdefault(at, []).append(item_id)
    # The stories as the database has them now: another worker may have merged one since
    # this one remembered it.
    now = await items.stories_of(session=session, item_ids={i for ids in same.values() for i in ids})
    return {
        at: [now[item_id] for item_id in ids if item_id in now] for at, ids in same.items()
    }


class _RecentPrints:
    """The readings of recently stored items, by id: the usual candidates.

    A story's items are candidates again and again while it is news. Items this process
    stored are remembered once committed; others are read back and read once. Which story an
    item belongs to is asked of the database each time: stories merge.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._prints: OrderedDict[int, Reading] = OrderedDict()

    def get(self, item_id: int) -> Reading | None:
        known = self._prints.get(item_id)
        if known is not None:
            self._prints.move_to_end(item_id)
        return known

    def put(self, item_id: int, reading: Reading) -> None:
        fingerprint = replace(reading.fingerprint, bands=())
        self._prints[item_id] = replace(reading, fingerprint=fingerprint, bands=())
        self._prints.move_to_end(item_id)
        while len(self._prints) > self._size:
            self._prints.popitem(last=False)

    def put_on_commit(self, session: Session, prints: list[tuple[int, Reading]]) -> None:
        """Remember new items once their transaction commits: a rolled-back id may come back."""
        key = (_PENDING, id(self))
        pending: list[tuple[int, Reading]] | None = session.info.get(key)
        if pending is None:
            pending = session.info[key] = []

            waiting = pending

            def committed() -> None:
                for item_id, reading in waiting:
                    self.put(item_id, reading)
                waiting.clear()

            on_commit(session, committed=committed, rolled_back=waiting.clear)
        pending.extend(prints)

    def forget(self, item_id: int) -> None:
        self._prints.pop(item_id, None)

    async def load(self, session: Session, item_ids: set[int]) -> None:
        missing = sorted(item_ids - self._prints.keys())
        texts = await items.load_texts(session=session, item_ids=missing)
        for item_id, item in texts.items():
            self.put(
                item_id,
                Reading(
                    dedup.fingerprint(item.title, item.text, indexed=False),
                    events.evidence(item.title, item.text, actors=item.actors, lang=item.lang),
                    item.published_at,
                ),
            )


_PENDING = "vigia.pending_prints"  # the session's stored-but-uncommitted prints


def _split_siblings(fresh: Sequence[_NewEntry]) -> tuple[list[_NewEntry], list[_NewEntry]]:
    claimed: set[str] = set()
    first: list[_NewEntry] = []
    later: list[_NewEntry] = []
    for pending in fresh:
        lookup = set(_lookup_keys(pending.entry))
        (later if lookup & claimed else first).append(pending)
        claimed |= lookup
    return first, later


def _new_item(pending: _NewEntry, story_id: int | None) -> items.NewItem:
    entry = pending.entry
    return items.NewItem(
        source_id=pending.source_id,
        key=entry.key,
        title=entry.title,
        text=entry.text,
        text_hash=entry.text_hash,
        published_at=entry.published_at,
        fetched_at=pending.fetched_at,
        url=entry.url,
        canonical_url=entry.canonical_url,
        lang=entry.lang,
        author=entry.author,
        views=entry.views,
        forwarded_from=entry.forwarded_from,
        forwarded_key=entry.forwarded_key,
        actors=tuple((tag.id, tag.confidence) for tag in confident(pending.tagging.actors)),
        topics=pending.tagging.topics,
        story_keys=_story_keys(entry),
        story_id=story_id,
    )


def _story_keys(entry: CleanEntry) -> tuple[str, ...]:
    """The exact keys later copies of this entry will be found by."""
    keys = []
    if entry.canonical_url:
        keys.append(f"u:{entry.canonical_url}")
    if entry.preview_url:
        keys.append(f"u:{entry.preview_url}")
    if entry.key.startswith("tg:"):
        keys.append(f"k:{entry.key}")
    if len(entry.title) + len(entry.text) >= MIN_HASH_CHARS:
        keys.append(f"h:{entry.text_hash}")
    return tuple(keys)


def _lookup_keys(entry: CleanEntry) -> tuple[str, ...]:
    """The keys an entry looks its story up by: its own, and the post it forwards."""
    own = _story_keys(entry)
    return (f"k:{entry.forwarded_key}", *own) if entry.forwarded_key else own
