"""Hostile sources on loopback: one bad value, header or page costs at most its own source."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.pipeline.ingest import SourceReport
from bot.runtime import Runtime, open_runtime
from bot.settings import Settings
from storage.models import Item, Source
from tests.feedserver import FeedServer, Route
from tests.sample_feeds import channel_page, date, rss

GOOD_ES = {
    "title": "Maduro anuncia un nuevo gabinete en Caracas",
    "link": "https://vzla.example/gabinete",
    "guid": "good-es",
    "description": "Nicolás Maduro anunció cambios en su gabinete desde el Palacio de Miraflores.",
    "date": date(2),
}
GOOD_FR = {
    "title": "Le Venezuela rouvre sa frontière avec la Colombie",
    "link": "https://monde.example/frontiere",
    "guid": "good-fr",
    "description": "Caracas et Bogotá rouvrent le pont Simón Bolívar aux véhicules.",
    "date": date(3),
}


@pytest.fixture
def server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


def source_block(server: FeedServer, source_id: str, path: str, **extra: str) -> str:
    lines = [f'[[source]]\nid = "{source_id}"\nurl = "{server.url(path)}"\nscope = "venezuela"']
    lines += [f'{key} = "{value}"' for key, value in extra.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def polled_runtime(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> Callable[[FeedServer, list[str]], AbstractAsyncContextManager[Runtime]]:
    """A runtime whose feeds.toml holds these [[source]] blocks (6 h max_interval)."""

    @asynccontextmanager
    async def open_with(server: FeedServer, blocks: list[str]) -> AsyncIterator[Runtime]:
        feeds = '[defaults]\ninterval = "15m"\nmin_interval = "5m"\nmax_interval = "6h"\n\n'
        (tmp_path / "feeds.toml").write_text(feeds + "\n".join(blocks), encoding="utf-8")
        async with open_runtime(make_settings()) as runtime:
            yield runtime

    return open_with


Opener = Callable[[FeedServer, list[str]], AbstractAsyncContextManager[Runtime]]


def by_source(reports: list[SourceReport]) -> dict[str, SourceReport]:
    return {report.source_id: report for report in reports}


async def stored_keys(runtime: Runtime) -> set[str]:
    async with runtime.sessions() as session:
        return set((await session.scalars(select(Item.key))).all())


async def test_a_crafted_body_never_freezes_the_loop(
    server: FeedServer, polled_runtime: Opener
) -> None:
    # Many "<" without ">" (and deep unclosed tags) inside one item's text: quadratic for
    # patterns such as <[^>]*>, and the loop must keep answering while the body is prepared.
    crafted = dict(GOOD_FR, guid="crafted", description="<div>" * 50_000 + "<b" * 150_000)
    server.route("/crafted.xml", Route(body=rss([crafted, GOOD_ES], lang="es")))
    async with polled_runtime(server, [source_block(server, "crafted", "/crafted.xml")]) as runtime:
        lags: list[float] = []
        done = asyncio.Event()

        async def heartbeat() -> None:
            while not done.is_set():
                started = time.monotonic()
                await asyncio.sleep(0.05)
                lags.append(time.monotonic() - started - 0.05)

        beat = asyncio.create_task(heartbeat())
        report = by_source(await runtime.poll_due())["crafted"]
        done.set()
        await beat
        assert report.error is None and report.new == 2
        assert max(lags) < 2.0, f"the loop stalled {max(lags):.1f} s"


async def test_publisher_hints_never_push_a_poll_past_max_interval(
    server: FeedServer, polled_runtime: Opener
) -> None:
    century = rss([GOOD_ES], lang="es")
    digits = rss([GOOD_FR], lang="fr", ttl=None).replace(
        b"<language>fr</language>", b"<language>fr</language><ttl>99999999999999999999</ttl>"
    )
    server.route("/century.xml", Route(body=century, headers={"Cache-Control": "max-age=3153600000"}))
    server.route("/digits.xml", Route(body=digits, headers={"Cache-Control": "public, max-age=99999999999999999999"}))
    blocks = [
        source_block(server, "century", "/century.xml"),
        source_block(server, "digits", "/digits.xml"),
    ]
    async with polled_runtime(server, blocks) as runtime:
        before = datetime.now(UTC)
        reports = by_source(await runtime.poll_due())
        async with runtime.sessions() as session:
            rows = {row.id: row for row in (await session.scalars(select(Source))).all()}
    for source_id in ("century", "digits"):
        assert reports[source_id].error is None and reports[source_id].new == 1, reports[source_id]
        next_poll = rows[source_id].next_poll_at
        assert next_poll is not None
        # max_interval is 6 h; jitter spreads it by at most 10 %.
        assert next_poll - before <= timedelta(hours=6 * 1.1), (source_id, next_poll)


async def test_one_failing_source_with_an_absurd_interval_stops_no_other(
    server: FeedServer, polled_runtime: Opener
) -> None:
    server.route("/good.xml", Route(body=rss([GOOD_ES], lang="es")))
    server.route("/broken.xml", Route(status=500))
    blocks = [source_block(server, "good", "/good.xml"), source_block(server, "broken", "/broken.xml")]
    async with polled_runtime(server, blocks) as runtime:
        # What an older database (or a hand edit) may hold: ~99999999999 days.
        absurd = 99_999_999_999 * 86_400
        async with runtime.sessions() as session, session.begin():
            await session.execute(
                update(Source).where(Source.id == "broken").values(interval=absurd, max_interval=absurd)
            )
        reports = by_source(await runtime.poll_due())
        keys = await stored_keys(runtime)
    assert reports["good"].new == 1 and "good-es" in keys
    assert reports["broken"].error and "500" in reports["broken"].error


HOSTILE_DATE = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="es"><title>T</title><id>urn:t</id>
<updated>2024-07-29T10:00:00Z</updated>
<entry><id>urn:far</id><title>Caracas amanece sin luz</title><link href="https://vzla.example/luz"/>
<updated>9999-12-31T23:59:59-23:59</updated><summary>Apagón en Caracas y Maracaibo.</summary></entry>
<entry><id>urn:year-one</id><title>Caracas: protesta de maestros</title><link href="https://vzla.example/maestros"/>
<updated>0001-01-01T00:00:00+00:00</updated><summary>Maestros protestan en Caracas.</summary></entry>
<entry><id>urn:ok</id><title>Machado habla en Valencia</title><link href="https://vzla.example/valencia"/>
<updated>2024-07-29T09:00:00Z</updated><summary>María Corina Machado habló en Valencia.</summary></entry>
</feed>"""


def hostile_channel(channel: str) -> bytes:
    page = channel_page(channel, "Canal hostil", [
        (101, "Cabello declara en Caracas sobre las elecciones", None),
        (102, "Machado convoca una marcha en Caracas", None),
        (103, "Maduro habla en cadena nacional desde Caracas", None),
    ]).decode()
    page = page.replace(f"{channel}/101", f"{channel}/{10**30}")  # no Telegram post id
    page = page.replace("1.1K", "100000000000000000000000", 1)  # views of 10^23
    page = page.replace("</section>", '<a class="tme_messages_more" data-before="²"></a></section>')
    return page.encode()


async def test_a_bad_value_skips_its_entry_and_keeps_the_rest(
    server: FeedServer, polled_runtime: Opener
) -> None:
    ttl = rss([GOOD_FR], lang="fr").replace(b"<language>fr</language>", b"<language>fr</language><ttl>\xc2\xb2</ttl>")
    server.route("/dates.atom", Route(body=HOSTILE_DATE.encode()))
    server.route("/ttl.xml", Route(body=ttl))
    server.route("/s/canal_hostil", Route(body=hostile_channel("canal_hostil")))
    server.route("/script.xml", Route(status=302, headers={"Location": "javascript:alert(1)"}))
    server.route("/port.xml", Route(status=301, headers={"Location": "http://127.0.0.1:99999/feed"}))
    server.route("/good.xml", Route(body=rss([GOOD_ES], lang="es")))
    blocks = [
        source_block(server, "dates", "/dates.atom"),
        source_block(server, "ttl", "/ttl.xml"),
        '[[source]]\nid = "canal"\nkind = "telegram"\nchannel = "canal_hostil"\n'
        f'url = "{server.url("/s/canal_hostil")}"\nscope = "venezuela"\n',
        source_block(server, "script", "/script.xml"),
        source_block(server, "port", "/port.xml"),
        source_block(server, "good", "/good.xml"),
    ]
    async with polled_runtime(server, blocks) as runtime:
        reports = by_source(await runtime.poll_due())
        keys = await stored_keys(runtime)
        async with runtime.sessions() as session:
            views = (await session.scalars(select(Item.views).where(Item.key.startswith("tg:")))).all()
    assert {"urn:far", "urn:year-one", "urn:ok"} <= keys  # impossible dates read as "now"
    assert "good-fr" in keys and reports["ttl"].error is None
    assert reports["canal"].error is None and reports["canal"].new == 2 and reports["canal"].invalid == 1
    assert {"tg:canal_hostil/102", "tg:canal_hostil/103"} <= keys
    assert all(v is None or v < 2**63 for v in views)
    assert "good-es" in keys
    for source_id in ("script", "port"):
        error = reports[source_id].error or ""
        assert "redirect" in error.lower(), (source_id, error)


async def test_a_deeply_nested_channel_page_is_refused_fast_and_off_the_loop(
    server: FeedServer, polled_runtime: Opener
) -> None:
    page = channel_page("canal_hondo", "Hondo", [(7, "Maduro en Caracas", None)]).decode()
    page = page.replace("<main", "<div>" * 100_000 + "<main")
    server.route("/s/canal_hondo", Route(body=page.encode()))
    server.route("/good.xml", Route(body=rss([GOOD_ES], lang="es")))
    blocks = [
        '[[source]]\nid = "hondo"\nkind = "telegram"\nchannel = "canal_hondo"\n'
        f'url = "{server.url("/s/canal_hondo")}"\nscope = "venezuela"\n',
        source_block(server, "good", "/good.xml"),
    ]
    async with polled_runtime(server, blocks) as runtime:
        started = time.monotonic()
        reports = by_source(await runtime.poll_due())
        elapsed = time.monotonic() - started
    assert "nests" in (reports["hondo"].error or ""), reports["hondo"]
    assert reports["good"].new == 1
    assert elapsed < 20, f"the poll took {elapsed:.0f} s"


async def test_channel_paging_stops_after_twenty_pages(
    server: FeedServer, polled_runtime: Opener
) -> None:
    # Every page offers older posts, forever (a hostile mirror): one read makes 20 requests.
    newest = 5_000
    for page in range(40):
        top = newest - page * 3
        body = channel_page("sin_fin", "Sin fin", [
            (top - 2, f"Caracas: nota {top - 2}", None),
            (top - 1, f"Caracas: nota {top - 1}", None),
            (top, f"Caracas: nota {top}", None),
        ]).decode().replace(
            "</section>", f'<a class="tme_messages_more" data-before="{top - 2}"></a></section>'
        )
        query = "" if page == 0 else f"?before={top + 1}"
        server.route(f"/s/sin_fin{query}", Route(body=body.encode()))
    blocks = [
        '[[source]]\nid = "sinfin"\nkind = "telegram"\nchannel = "sin_fin"\n'
        f'url = "{server.url("/s/sin_fin")}"\nscope = "venezuela"\n'
    ]
    async with polled_runtime(server, blocks) as runtime:
        runtime_reports = by_source(await runtime.poll_due())
    assert runtime_reports["sinfin"].error is None
    requests = [r for r in server.requests if r.path == "/s/sin_fin"]
    assert len(requests) == 20


async def test_controls_from_a_feed_never_reach_the_stored_text(
    server: FeedServer, polled_runtime: Opener
) -> None:
    tricky = dict(
        GOOD_ES,
        guid="bidi",
        title="Maduro \u202eanuncia\u202c nuevo\u200b gabinete\u2066 en Caracas",
        description="El\u2067 presidente\u200f Nicolás Maduro\ufeff habló en Caracas \u202e.lanoican",
    )
    server.route("/bidi.xml", Route(body=rss([tricky], lang="es")))
    async with polled_runtime(server, [source_block(server, "bidi", "/bidi.xml")]) as runtime:
        await runtime.poll_due()
        async with runtime.sessions() as session:
            item = await session.scalar(select(Item).where(Item.key == "bidi"))
    assert item is not None
    controls = {"\u202e", "\u202c", "\u200b", "\u2066", "\u2067", "\u200f", "\ufeff"}
    assert not controls & set(item.title + item.text)
    assert item.title == "Maduro anuncia nuevo gabinete en Caracas"


async def test_a_read_keeps_its_newest_thousand_entries(
    server: FeedServer, polled_runtime: Opener
) -> None:
    # 2,500 dated items, oldest first: the newest 1,000 are kept wherever they stand.
    items = [
        {
            "title": f"Caracas: boletín {n}",
            "guid": f"boletin-{n}",
            "link": f"https://vzla.example/boletin/{n}",
            "description": f"Boletín número {n} sobre Caracas.",
            "date": date(2500 - n),
        }
        for n in range(2500)
    ]
    server.route("/archive.xml", Route(body=rss(items, lang="es")))
    async with polled_runtime(server, [source_block(server, "archive", "/archive.xml")]) as runtime:
        report = by_source(await runtime.poll_due())["archive"]
        keys = await stored_keys(runtime)
    assert report.error is None and report.capped == 1500 and report.new == 1000
    assert keys == {f"boletin-{n}" for n in range(1500, 2500)}


async def test_a_huge_malformed_body_is_refused_not_read_for_minutes(
    server: FeedServer, polled_runtime: Opener
) -> None:
    # Not well-formed (an unclosed <channel>, stray "&"), so only the lenient parser could read
    # it, at ~35 µs a tag: 1.2 million tags would keep a thread busy for the better part of a
    # minute on every poll.
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T & co</title>'
        b"<item><title>Caracas" + b"<b></b>" * 600_000 + b"</title><guid>g</guid></item>"
    )
    server.route("/huge.xml", Route(body=body))
    server.route("/good.xml", Route(body=rss([GOOD_ES], lang="es")))
    blocks = [source_block(server, "huge", "/huge.xml"), source_block(server, "good", "/good.xml")]
    async with polled_runtime(server, blocks) as runtime:
        reports = by_source(await runtime.poll_due())
    assert "too large to read leniently" in (reports["huge"].error or ""), reports["huge"]
    assert reports["good"].new == 1
