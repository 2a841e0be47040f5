"""Preparing in a worker process gives what preparing in-process gives, and survives its worker."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bench.corpus import make_feeds
from bot.model import Actor, Entry, SourceConfig
from bot.pipeline import dedup
from bot.pipeline.prepare import Prepared, PrepareWorkers
from bot.pipeline.tag import Tagger
from bot.sources.feed import FeedError
from bot.steering import bundled, load_actors

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CONFIG = SourceConfig(id="world", name="World", kind="rss", url="https://world.example/feed",
                      lang="es", scope="general")
CATALOG = load_actors(bundled("actors.toml"))
TAGGER = Tagger(CATALOG.actors, CATALOG.topics)


@pytest.fixture
def worker() -> Iterator[PrepareWorkers]:
    preparer = PrepareWorkers(CATALOG, TAGGER, workers=1)
    yield preparer
    preparer.close()


def summary(prepared: Prepared) -> list[tuple[str, str, tuple[str, ...], tuple[int, ...]]]:
    """What a prepared read says of each entry: key, text, actors and near-duplicate bands
    (fingerprinted ahead in a worker; in-process, when stored, as here)."""
    prints = prepared.batch.prints or tuple(
        dedup.fingerprint(entry.title, entry.text) for entry, _ in prepared.batch.entries
    )
    return [
        (entry.key, entry.text, tuple(tag.id for tag in tagging.actors), fingerprint.bands)
        for (entry, tagging), fingerprint in zip(prepared.batch.entries, prints, strict=True)
    ]


async def test_a_worker_prepares_a_feed_exactly_as_the_bot_itself_would(worker: PrepareWorkers) -> None:
    _, _, body = make_feeds(1, 40)[0]
    inline = await PrepareWorkers(CATALOG, TAGGER, workers=0).body(CONFIG, body, url=CONFIG.url, now=NOW)
    remote = await worker.body(CONFIG, body, url=CONFIG.url, now=NOW)
    assert len(remote.batch.prints) == 36  # the worker fingerprinted ahead, off the bot's process
    assert (remote.entries, remote.skipped) == (inline.entries, inline.skipped) == (40, 4)
    assert summary(remote) == summary(inline)
    assert all(actors for _, _, actors, _ in summary(remote))


async def test_a_body_that_is_no_feed_fails_with_its_reason_from_the_worker(
    worker: PrepareWorkers,
) -> None:
    with pytest.raises(FeedError) as caught:
        await worker.body(CONFIG, b"<html><body>Mantenimiento</body></html>", url=CONFIG.url,
                          now=NOW)
    assert "HTML" in caught.value.reason or "not a feed" in caught.value.reason


async def test_a_new_actors_toml_reaches_the_worker(worker: PrepareWorkers) -> None:
    post = Entry(key="tg:x/1", url=None, title="",
                 content="Zacarías Quintero Bello anunció una marcha en Caracas.")
    before = await worker.entries(CONFIG, [post], now=NOW)
    assert "quintero-bello" not in summary(before)[0][2]
    actor = Actor(id="quintero-bello", name="Zacarías Quintero Bello", kind="person",
                  aliases=("Zacarías Quintero Bello",))
    catalog = replace(CATALOG, actors=(*CATALOG.actors, actor))
    worker.reload(catalog, Tagger(catalog.actors, catalog.topics))
    after = await worker.entries(CONFIG, [post], now=NOW)
    assert "quintero-bello" in summary(after)[0][2]


async def test_a_killed_worker_is_replaced_and_the_read_still_prepared(worker: PrepareWorkers) -> None:
    _, _, body = make_feeds(1, 5)[0]
    await worker.body(CONFIG, body, url=CONFIG.url, now=NOW)  # the worker is up
    pool = worker._pool
    assert pool is not None
    for process in list(pool._processes.values()):  # type: ignore[attr-defined]
        os.kill(process.pid, signal.SIGKILL)
    prepared = await worker.body(CONFIG, body, url=CONFIG.url, now=NOW)
    assert prepared.entries == 5
    assert worker._pool is not pool
