"""Ingest end to end: loopback feeds in es/en/fr → the database, with exact counts across runs."""

from __future__ import annotations

import gzip
import io
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.pipeline.ingest import SourceReport
from bot.runtime import Runtime, open_runtime
from bot.settings import Settings
from bot.sources.fetch import Fetcher
from storage.models import Item, ItemActor, Source, Story
from tests.databases import fresh_postgres
from tests.feedserver import FeedServer, Route
from tests.sample_feeds import (
    EN_FEED,
    ES_FEED,
    FR_FEED,
    NOW,
    atom,
    date,
    feeds_toml,
    rss,
)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def settings_for(tmp_path: Path, make_settings: Callable[..., Settings]) -> Callable[[str], Settings]:
    """Settings whose feeds.toml holds `feeds`."""

    def build(feeds: str) -> Settings:
        (tmp_path / "feeds.toml").write_text(feeds, encoding="utf-8")
        return make_settings()

    return build


@pytest.fixture(params=["sqlite", "postgresql", "sqlite-worker"])
async def runtime(
    request: pytest.FixtureRequest, server: FeedServer, settings_for: Callable[[str], Settings]
) -> AsyncIterator[Runtime]:
    """Three loopback feeds and a migrated database of each kind: ingest runs on both, and
    once with entries prepared in a worker process, as the service runs by default."""
    server.route("/es.xml", Route(body=rss(ES_FEED, lang="es"), etag='"es-v1"'))
    server.route("/en.xml", Route(body=rss(EN_FEED, lang="en", ttl=30), etag='"en-v1"'))
    server.route("/fr.atom", Route(body=atom(FR_FEED, lang="fr"),
                                   last_modified=format_datetime(NOW, usegmt=True)))
    settings = settings_for(feeds_toml(server, {
        "vzla-es": ("/es.xml", "es", "venezuela"),
        "world-en": ("/en.xml", "en", "general"),
        "world-fr": ("/fr.atom", "fr", "general"),
    }))
    async with AsyncExitStack() as stack:
        if request.param == "postgresql":
            url = await stack.enter_async_context(fresh_postgres())
            settings = settings.model_copy(update={"database_url": url})
        if request.param == "sqlite-worker":
            settings = settings.model_copy(update={"prepare_workers": 1})
        runtime = await stack.enter_async_context(open_runtime(settings))
        yield runtime


async def count(runtime: Runtime, model: type) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def by_source(reports: list[SourceReport]) -> dict[str, SourceReport]:
    return {report.source_id: report for report in reports}


async def test_two_runs_store_each_item_once_and_fold_copies(
    runtime: Runtime, server: FeedServer,
) -> None:
    first = by_source(await runtime.poll_due())
    assert {k: (r.status, r.new, r.skipped, r.joined, r.error) for k, r in first.items()} == {
        "vzla-es": (200, 3, 0, 0, None),
        "world-en": (200, 2, 2, 1, None),
        "world-fr": (200, 1, 1, 1, None),
    }
    assert await count(runtime, Item) == 6
    assert await count(runtime, Story) == 4
    async with runtime.sessions() as session:
        cne = await session.scalar(select(Story).where(Story.title == "CNE proclama a Maduro"))
        assert cne is not None and cne.source_count == 2 and cne.item_count == 2
        tagged = set((await session.scalars(
            select(ItemActor.actor_id).join(Item, Item.id == ItemActor.item_id)
            .where(Item.key == "es-1"))).all())
        assert {"maduro", "cne"} <= tagged

    # Every source is due again; the servers answer 304 and nothing new is stored.
    second = by_source(await runtime.poll_due(ids=["vzla-es", "world-en", "world-fr"]))
    assert {k: (r.status, r.new, r.error) for k, r in second.items()} == {
        "vzla-es": (304, 0, None), "world-en": (304, 0, None), "world-fr": (304, 0, None),
    }
    assert await count(runtime, Item) == 6
    conditional = [r for r in server.requests if r.status == 304]
    assert len(conditional) == 3


async def test_an_edited_title_updates_its_item(runtime: Runtime, server: FeedServer) -> None:
    await runtime.poll_due()
    edited = [dict(ES_FEED[0], title="CNE proclama a Maduro; la oposición rechaza"), *ES_FEED[1:]]
    server.route("/es.xml", Route(body=rss(edited, lang="es"), etag='"es-v2"'))
    report = by_source(await runtime.poll_due(ids=["vzla-es"]))["vzla-es"]
    assert (report.new, report.updated, report.duplicates) == (0, 1, 2)
    async with runtime.sessions() as session:
        item = await session.scalar(select(Item).where(Item.key == "es-1"))
    assert item is not None and item.title == "CNE proclama a Maduro; la oposición rechaza"
    assert await count(runtime, Item) == 6


async def test_ttl_sets_the_floor_of_the_next_interval(runtime: Runtime) -> None:
    await runtime.poll_due()
    async with runtime.sessions() as session:
        source = await session.get(Source, "world-en")
    assert source is not None and source.interval >= 30 * 60
    assert source.next_poll_at is not None
    assert source.next_poll_at - NOW >= timedelta(minutes=25)


def gzip_bomb() -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as archive:
        chunk = b"\0" * (1 << 20)
        for _ in range(100):  # 100 MiB of zeros: far past the cap once decompressed
            archive.write(chunk)
    return buffer.getvalue()


def huge_body() -> Iterator[bytes]:
    chunk = b"<rss>" + b"x" * (1 << 20)
    for _ in range(60):
        yield chunk


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>"""


async def test_bad_sources_fail_with_reasons_and_the_good_one_is_ingested(
    server: FeedServer, tmp_path: Path, settings_for: Callable[[str], Settings],
) -> None:
    latin1 = rss([{"title": "Ñáñez habla en Caracas", "link": "https://vzla.example/nanez",
                   "guid": "l1", "description": "El ministro Freddy Ñáñez habló en Caracas.",
                   "date": date(1)}], lang="es").decode().encode("latin-1")
    odd_items = rss([
        {"title": "Sin guid: Maduro en Caracas", "link": "https://vzla.example/sin-guid",
         "description": "Maduro habló en Caracas.", "date": date(1)},
        {"title": "Sin enlace: Cabello en Caracas", "guid": "no-link",
         "description": "Diosdado Cabello habló en Caracas."},
        {"title": "Del futuro: Machado en Caracas", "guid": "future",
         "link": "https://vzla.example/futuro", "description": "María Corina Machado en Caracas.",
         "date": format_datetime(NOW + timedelta(days=30))},
    ], lang="es")
    routes = {
        "/good.xml": Route(body=rss(ES_FEED, lang="es")),
        "/slow.xml": Route(body=rss(ES_FEED, lang="es"), delay=3.0),
        "/500.xml": Route(status=500, body=b"oops"),
        "/429.xml": Route(status=429, headers={"Retry-After": "7200"}),
        "/huge.xml": Route(body=huge_body),
        "/bomb.xml": Route(body=gzip_bomb(), headers={"Content-Encoding": "gzip"}),
        "/truncated.xml": Route(body=rss(ES_FEED, lang="es")[:180]),
        "/page.html": Route(body=b"<!doctype html><html><body><h1>Hola</h1></body></html>",
                            headers={"Content-Type": "text/html"}),
        "/laughs.xml": Route(body=BILLION_LAUGHS),
        "/loop.xml": Route(status=302, headers={"Location": "/loop.xml"}),
        "/latin1.xml": Route(body=latin1),
        "/empty.xml": Route(body=rss([], lang="es")),
        "/odd.xml": Route(body=odd_items),
        "/gone.xml": Route(status=410),
    }
    for path, route in routes.items():
        server.route(path, route)
    ids = {path.strip("/").split(".")[0].replace("500", "e500").replace("429", "e429"): path
           for path in routes}
    settings = settings_for(feeds_toml(
        server, {source_id: (path, "es", "venezuela") for source_id, path in ids.items()}))
    fetcher = Fetcher(connect_timeout=1.0, total_timeout=1.5, allow_private_networks=True)
    async with open_runtime(settings, fetcher=fetcher) as runtime:
        reports = by_source(await runtime.poll_due())
        again = by_source(await runtime.poll_due(ids=["good", "latin1", "odd"]))
        async with runtime.sessions() as session:
            sources = {s.id: s for s in (await session.scalars(select(Source))).all()}
            titles = set((await session.scalars(select(Item.title))).all())
            future = await session.scalar(select(Item).where(Item.key == "future"))
        items = await count(runtime, Item)
    await fetcher.aclose()

    assert reports["good"].new == 3 and reports["good"].error is None
    assert reports["empty"].error is None and reports["empty"].new == 0
    assert reports["latin1"].new == 1 and "Ñáñez habla en Caracas" in titles
    assert reports["odd"].new == 3
    assert future is not None and future.published_at <= datetime.now(UTC)
    expected_reasons = {
        "slow": "timed out", "e500": "500", "e429": "429", "huge": "15 MiB",
        "bomb": "15 MiB", "truncated": "", "page": "", "laughs": "", "loop": "redirect",
        "gone": "410",
    }
    for source_id, fragment in expected_reasons.items():
        error = reports[source_id].error
        assert error, f"{source_id} should have failed"
        assert fragment.lower() in error.lower(), (source_id, error)
        row = sources[source_id]
        assert row.last_error == error and row.error_count == 1
        assert row.next_poll_at is not None and row.next_poll_at > NOW
    assert sources["e429"].next_poll_at is not None
    assert sources["e429"].next_poll_at - NOW >= timedelta(hours=1, minutes=45)
    assert sources["gone"].disabled_reason is not None
    assert sources["good"].error_count == 0
    # The second poll stores nothing twice.
    assert all(report.new == 0 for report in again.values())
    assert items == 3 + 1 + 3


async def test_a_broken_feeds_toml_keeps_the_last_good_one(runtime: Runtime) -> None:
    before = runtime.sources
    runtime.settings.feeds.write_text('[[source]]\nid = "x"\nurl = "nope"\n', encoding="utf-8")
    problems = await runtime.reload_if_changed()
    assert problems and ":3:" in problems[0] and "not an http(s) address" in problems[0]
    assert runtime.sources == before
    assert await runtime.reload_if_changed() is None  # unchanged since: nothing to do


async def test_items_leave_the_near_duplicate_index_after_the_window(runtime: Runtime) -> None:
    from bot.pipeline.ingest import prune_index
    from storage.models import ItemBands

    await runtime.poll_due()
    async with runtime.sessions() as session:
        await runtime.batches.near.index.refresh(session)  # what the next batch would read first
    assert len(runtime.batches.near.index) > 0
    assert await count(runtime, ItemBands) > 0
    near = runtime.batches.near
    # Pruned just now, by poll_due.
    assert await prune_index(sessions=runtime.sessions, near=near, now=datetime.now(UTC)) == 0
    near.pruned_at = None
    later = datetime.now(UTC) + timedelta(days=5)
    assert await prune_index(sessions=runtime.sessions, near=near, now=later) > 0
    assert await count(runtime, ItemBands) == 0
    assert len(runtime.batches.near.index) == 0  # and the worker's copy in memory
    assert await count(runtime, Item) == 6  # the items themselves stay


async def test_editing_feeds_toml_keeps_removed_sources_and_resets_a_moved_one(
    runtime: Runtime, server: FeedServer,
) -> None:
    await runtime.poll_due()
    feeds = runtime.settings.feeds
    text = feeds.read_text(encoding="utf-8")
    # world-fr leaves the file; vzla-es moves to a new address; world-en is switched off.
    text = text.split('[[source]]\nid = "world-fr"')[0]
    text = text.replace(server.url("/es.xml"), server.url("/es-new.xml"))
    text = text.replace('id = "world-en"\n', 'id = "world-en"\nenabled = false\n')
    feeds.write_text(text, encoding="utf-8")
    server.route("/es-new.xml", Route(body=rss(ES_FEED, lang="es")))
    assert await runtime.reload() == []
    async with runtime.sessions() as session:
        rows = {s.id: s for s in (await session.scalars(select(Source))).all()}
    assert set(rows) == {"vzla-es", "world-en", "world-fr"}  # nothing is ever deleted
    assert rows["world-fr"].in_config is False
    assert rows["vzla-es"].etag is None and rows["vzla-es"].url.endswith("/es-new.xml")
    assert rows["world-en"].enabled is False
    reports = by_source(await runtime.poll_due(ids=["vzla-es", "world-en", "world-fr"]))
    assert set(reports) == {"vzla-es"}  # the removed and the disabled source are not polled
    assert reports["vzla-es"].status == 200 and reports["vzla-es"].new == 0
    assert reports["vzla-es"].duplicates == 3
    assert await count(runtime, Item) == 6
