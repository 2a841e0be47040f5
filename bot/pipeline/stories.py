"""Dedup and store: exact keys, then near-duplicates, decide each entry's story; storage arbitrates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.model import CleanEntry, Tagging
from bot.pipeline import dedup
from storage import bands, items

STORY_WINDOW = timedelta(hours=72)  # copies further apart than this are different news
STORY_LOCK = 0x56_49_47_49_41  # "VIGIA": the advisory lock that serialises story folding
MIN_HASH_CHARS = 40  # shorter texts ("Última hora") are too common to fold on their hash
NEAR_CANDIDATES = 10  # candidates checked exactly per entry, those sharing most bands first


@dataclass(frozen=True, slots=True)
class StoreCounts:
    """How a batch of entries landed."""

    new: int = 0
    updated: int = 0
    duplicates: int = 0
    joined: int = 0


async def store_entries(
    *,
    session: AsyncSession,
    index: bands.BandIndex,
    source_id: str,
    entries: Sequence[tuple[CleanEntry, Tagging]],
    now: datetime,
) -> StoreCounts:
    """Dedup a source's relevant entries against the database and store what is new.

    Exact keys first (the same guid; the same canonical URL, text or post elsewhere), then
    near-duplicates found through the LSH bands and confirmed on the texts themselves.
    Call it holding the story lock: `index` first reads what other batches committed.
    """
    await index.refresh(session)
    latest: dict[str, tuple[CleanEntry, Tagging]] = {}
    for entry, tagging in entries:
        latest[entry.key] = (entry, tagging)  # a feed repeating a guid keeps its last version
    known = await items.find_items(session=session, source_id=source_id, keys=list(latest))
    fresh = [pair for key, pair in latest.items() if key not in known]
    edited = [
        pair
        for key, pair in latest.items()
        if key in known and known[key].text_hash != pair[0].text_hash
    ]
    duplicates = len(latest) - len(fresh) - len(edited)

    stored: list[items.StoredItem] = []
    joined = 0
    pending = fresh
    while pending:
        # Entries of one batch that are copies of each other: the later ones wait for a
        # second round, in which the first one's story exists and is found like any other.
        now_round, pending = _split_siblings(pending)
        round_stored, round_joined = await _store_fresh(
            session, index, source_id, now_round, now=now
        )
        stored += round_stored
        joined += round_joined
    for entry, tagging in edited:
        item = known[entry.key]
        await items.update_item(
            session=session,
            item_id=item.id,
            story_id=item.story_id,
            item=_new_item(entry, tagging, item.story_id),
            now=now,
        )
    return StoreCounts(
        new=len(stored),
        updated=len(edited),
        duplicates=duplicates,
        joined=joined,
    )


async def lock_stories(session: AsyncSession) -> None:
    """Serialise story folding across worker processes sharing one PostgreSQL database.

    Without it two workers could each start a story for two copies of the same news.
    The lock is held until the transaction ends.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STORY_LOCK})


async def _store_fresh(
    session: AsyncSession,
    index: bands.BandIndex,
    source_id: str,
    fresh: Sequence[tuple[CleanEntry, Tagging]],
    *,
    now: datetime,
) -> tuple[list[items.StoredItem], int]:
    exact = await items.find_stories(
        session=session, keys=[k for entry, _ in fresh for k in _lookup_keys(entry)]
    )
    fingerprints = {entry.key: dedup.fingerprint(entry.title, entry.text) for entry, _ in fresh}
    story_of = {
        entry.key: story_id
        for entry, _ in fresh
        if (story_id := next((exact[k] for k in _lookup_keys(entry) if k in exact), None))
    }
    unmatched = [entry for entry, _ in fresh if entry.key not in story_of]
    story_of.update(await _near_stories(session, index, unmatched, fingerprints))
    planned = [_new_item(entry, tagging, story_of.get(entry.key)) for entry, tagging in fresh]
    stored = await items.insert_items(session=session, source_id=source_id, items=planned, now=now)
    published = {entry.key: entry.published_at for entry, _ in fresh}
    # A word-for-word copy has its original's bands already: indexing it again adds nothing.
    copies = {entry.key for entry, _ in fresh if f"h:{entry.text_hash}" in exact}
    await bands.add_bands_many(
        session=session,
        rows=[
            (item.id, fingerprints[item.key].bands, published[item.key])
            for item in stored
            if item.key not in copies
        ],
    )
    return stored, sum(1 for item in stored if not item.new_story)


async def _near_stories(
    session: AsyncSession,
    index: bands.BandIndex,
    entries: Sequence[CleanEntry],
    fingerprints: dict[str, dedup.Fingerprint],
) -> dict[str, int]:
    """The stories that near-duplicates of these entries already belong to, if any."""
    if not entries:
        return {}
    candidates = index.candidates_many(
        {entry.key: fingerprints[entry.key].bands for entry in entries},
        since_of={entry.key: entry.published_at - STORY_WINDOW for entry in entries},
        limit=NEAR_CANDIDATES,
    )
    texts = await items.load_texts(
        session=session, item_ids=sorted({i for found in candidates.values() for i in found})
    )
    found: dict[str, int] = {}
    for entry in entries:
        for item_id in candidates.get(entry.key, ()):
            title, text, story_id = texts.get(item_id, ("", "", None))
            if story_id is not None and dedup.is_same_story(
                fingerprints[entry.key], _checked_print(title, text)
            ):
                found[entry.key] = story_id
                break
    return found


@lru_cache(maxsize=4096)
def _checked_print(title: str, text: str) -> dedup.Fingerprint:
    # A story's items are candidates again and again while it is news: remember their prints.
    return dedup.fingerprint(title, text, indexed=False)


def _split_siblings(
    entries: Sequence[tuple[CleanEntry, Tagging]],
) -> tuple[list[tuple[CleanEntry, Tagging]], list[tuple[CleanEntry, Tagging]]]:
    claimed: set[str] = set()
    first: list[tuple[CleanEntry, Tagging]] = []
    later: list[tuple[CleanEntry, Tagging]] = []
    for pair in entries:
        lookup = set(_lookup_keys(pair[0]))
        (later if lookup & claimed else first).append(pair)
        claimed |= lookup
    return first, later


def _new_item(entry: CleanEntry, tagging: Tagging, story_id: int | None) -> items.NewItem:
    return items.NewItem(
        key=entry.key,
        title=entry.title,
        text=entry.text,
        text_hash=entry.text_hash,
        published_at=entry.published_at,
        url=entry.url,
        canonical_url=entry.canonical_url,
        lang=entry.lang,
        author=entry.author,
        views=entry.views,
        forwarded_from=entry.forwarded_from,
        forwarded_key=entry.forwarded_key,
        actors=tuple((tag.id, tag.confidence) for tag in tagging.actors),
        topics=tagging.topics,
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
