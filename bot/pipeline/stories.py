"""Dedup and store: exact keys, then near-duplicates, decide each entry's story; storage arbitrates."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.model import CleanEntry, Tagging
from bot.pipeline import dedup
from bot.pipeline.relevance import confident
from storage import bands, items
from storage.db import Session, on_commit

STORY_WINDOW = timedelta(hours=72)  # copies further apart than this are different news
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


class NearDuplicates:
    """What folding near-duplicates keeps in memory for one database, in one worker process:
    the band index, and the prints of recently stored items (the usual candidates)."""

    def __init__(self) -> None:
        self.index = bands.BandIndex()
        self.prints = _RecentPrints(RECENT_PRINTS)
        self.pruned_at: datetime | None = None  # when old items last left the index


async def store_entries(
    *,
    session: Session,
    near: NearDuplicates,
    batches: Sequence[SourceEntries],
) -> dict[str, Stored]:
    """Dedup the relevant entries of one or more sources against the database; store what is new.

    Exact keys first (the same guid; the same canonical URL, text or post elsewhere), then
    near-duplicates found through the LSH bands and confirmed on the texts themselves. Several
    sources stored together cost one round of queries instead of one each.
    Call it holding the story lock: before any new entry is folded, the band index reads
    what other batches committed.
    """
    latest: dict[tuple[str, str], _NewEntry] = {}
    for batch in batches:
        prints = batch.prints or (None,) * len(batch.entries)
        for (entry, tagging), fingerprint in zip(batch.entries, prints, strict=True):
            # A feed repeating a guid keeps its last version.
            latest[(batch.source_id, entry.key)] = _NewEntry(
                batch.source_id, batch.fetched_at, entry, tagging, fingerprint
            )
    known = await items.find_items(session=session, keys=list(latest))
    new = [pending for key, pending in latest.items() if key not in known]
    edited = [
        (known[key], pending)
        for key, pending in latest.items()
        if key in known and known[key].text_hash != pending.entry.text_hash
    ]
    if new:  # before this transaction writes: it reads only what others committed
        await near.index.refresh(session)
    stored: list[tuple[_NewEntry, items.StoredItem]] = []
    waiting = new
    while waiting:
        # Entries of one batch that are copies of each other: the later ones wait for a
        # second round, in which the first one's story exists and is found like any other.
        now_round, waiting = _split_siblings(waiting)
        stored += await _store_new(session, near, now_round)
    for item, pending in edited:
        near.prints.forget(item.id)  # its words changed: its print is read again when needed
        await items.update_item(
            session=session,
            item_id=item.id,
            story_id=item.story_id,
            item=_new_item(pending, item.story_id),
            now=pending.fetched_at,
        )
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


async def _store_new(
    session: Session, near: NearDuplicates, fresh: Sequence[_NewEntry]
) -> list[tuple[_NewEntry, items.StoredItem]]:
    lookups = [_lookup_keys(pending.entry) for pending in fresh]
    exact = await items.find_stories(session=session, keys=[k for keys in lookups for k in keys])
    story_of: list[int | None] = [
        next((exact[k] for k in keys if k in exact), None) for keys in lookups
    ]
    # A word-for-word copy is never a candidate (its original's bands stand for it): no print.
    prints = [
        None
        if f"h:{pending.entry.text_hash}" in exact
        else pending.fingerprint or dedup.fingerprint(pending.entry.title, pending.entry.text)
        for pending in fresh
    ]
    unmatched = {
        at: (pending.entry, fingerprint)
        for at, (pending, fingerprint) in enumerate(zip(fresh, prints, strict=True))
        if story_of[at] is None and fingerprint is not None  # no exact key: never a copy
    }
    similar = await _near_stories(session, near, unmatched)
    for at, story in similar.items():
        story_of[at] = story
    planned = [_new_item(pending, story) for pending, story in zip(fresh, story_of, strict=True)]
    stored = await items.insert_items(session=session, items=planned)
    printed = [
        (item, fingerprint, pending)
        for item, fingerprint, pending in zip(stored, prints, fresh, strict=True)
        if fingerprint is not None
    ]
    near.prints.put_on_commit(
        session, [(item.id, fingerprint, item.story_id) for item, fingerprint, _ in printed]
    )
    await bands.add_bands_many(
        session=session,
        rows=[
            (item.id, fingerprint.bands, pending.entry.published_at)
            for item, fingerprint, pending in printed
        ],
    )
    return list(zip(fresh, stored, strict=True))


async def _near_stories(
    session: Session,
    near: NearDuplicates,
    entries: dict[int, tuple[CleanEntry, dedup.Fingerprint]],
) -> dict[int, int]:
    """The stories that near-duplicates of these entries already belong to, if any."""
    if not entries:
        return {}
    candidates = near.index.candidates_many(
        {at: fingerprint.bands for at, (_, fingerprint) in entries.items()},
        since_of={at: entry.published_at - STORY_WINDOW for at, (entry, _) in entries.items()},
        limit=NEAR_CANDIDATES,
    )
    await near.prints.load(session, {i for found in candidates.values() for i in found})
    found: dict[int, int] = {}
    for at, (_, fingerprint) in entries.items():
        for item_id in candidates.get(at, ()):
            known = near.prints.get(item_id)
            if known is not None and dedup.is_same_story(fingerprint, known[0]):
                found[at] = known[1]
                break
    return found


class _RecentPrints:
    """The fingerprints and stories of recently stored items, by id: the usual candidates.

    A story's items are candidates again and again while it is news. Items this process
    stored are remembered once committed; others are read back and fingerprinted once.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._prints: OrderedDict[int, tuple[dedup.Fingerprint, int]] = OrderedDict()

    def get(self, item_id: int) -> tuple[dedup.Fingerprint, int] | None:
        known = self._prints.get(item_id)
        if known is not None:
            self._prints.move_to_end(item_id)
        return known

    def put(self, item_id: int, fingerprint: dedup.Fingerprint, story_id: int) -> None:
        self._prints[item_id] = (replace(fingerprint, bands=()), story_id)
        self._prints.move_to_end(item_id)
        while len(self._prints) > self._size:
            self._prints.popitem(last=False)

    def put_on_commit(
        self, session: Session, prints: list[tuple[int, dedup.Fingerprint, int]]
    ) -> None:
        """Remember new items once their transaction commits: a rolled-back id may come back."""
        key = (_PENDING, id(self))
        pending: list[tuple[int, dedup.Fingerprint, int]] | None = session.info.get(key)
        if pending is None:
            pending = session.info[key] = []
            waiting = pending

            def committed() -> None:
                for item_id, fingerprint, story_id in waiting:
                    self.put(item_id, fingerprint, story_id)
                waiting.clear()

            on_commit(session, committed=committed, rolled_back=waiting.clear)
        pending.extend(prints)

    def forget(self, item_id: int) -> None:
        self._prints.pop(item_id, None)

    async def load(self, session: Session, item_ids: set[int]) -> None:
        missing = sorted(item_ids - self._prints.keys())
        texts = await items.load_texts(session=session, item_ids=missing)
        for item_id, (title, body, story_id) in texts.items():
            if story_id is not None:
                self.put(item_id, dedup.fingerprint(title, body, indexed=False), story_id)


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
