"""Fetching sources over HTTP, against a feed server on loopback."""

from __future__ import annotations

import asyncio
import gc
import socket
import threading
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import psutil
import pytest

from bot.sources.fetch import DEFAULT_USER_AGENT, Fetcher, FetchError
from tests.feedserver import FeedServer, Route, serve_feeds

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
MIB = 2**20


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with serve_feeds() as server:
        yield server


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    fetcher = Fetcher(connect_timeout=2, total_timeout=5, allow_private_networks=True)
    yield fetcher
    await fetcher.aclose()


@contextmanager
def peak_rss_growth() -> Iterator[list[float]]:
    """Samples this process's resident memory while the block runs; yields [peak growth in MiB]."""
    gc.collect()
    process = psutil.Process()
    before = process.memory_info().rss
    peak = before
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.002):
            peak = max(peak, process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    growth = [0.0]
    try:
        yield growth
    finally:
        done.set()
        sampler.join()
        growth[0] = (max(peak, process.memory_info().rss) - before) / MIB


async def test_etag_then_not_modified(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.route(
        "/feed", Route(FEED, etag='"v1"', headers={"Content-Type": "application/rss+xml"})
    )

    first = await fetcher.fetch(feed_server.url("/feed"))
    second = await fetcher.fetch(feed_server.url("/feed"), etag=first.etag)

    assert (first.status, first.body, first.etag) == (200, FEED, '"v1"')
    assert (second.status, second.body, second.etag) == (304, None, '"v1"')
    assert feed_server.requests[1].headers["if-none-match"] == '"v1"'
    assert [r.status for r in feed_server.requests] == [200, 304]


async def test_last_modified_then_not_modified(feed_server: FeedServer, fetcher: Fetcher) -> None:
    stamp = "Wed, 01 Jan 2025 10:00:00 GMT"
    feed_server.route("/feed", Route(FEED, last_modified=stamp))

    first = await fetcher.fetch(feed_server.url("/feed"))
    second = await fetcher.fetch(feed_server.url("/feed"), last_modified=first.last_modified)

    assert (first.status, first.last_modified) == (200, stamp)
    assert (second.status, second.body, second.last_modified) == (304, None, stamp)
    assert feed_server.requests[1].headers["if-modified-since"] == stamp


async def test_unchanged_body_hash_reads_as_not_modified(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    feed_server.route("/feed", Route(FEED))

    first = await fetcher.fetch(feed_server.url("/feed"))
    same = await fetcher.fetch(feed_server.url("/feed"), body_hash=first.body_hash)
    feed_server.route("/feed", Route(FEED.replace(b"<title>T", b"<title>U")))
    changed = await fetcher.fetch(feed_server.url("/feed"), body_hash=first.body_hash)

    assert first.status == 200 and first.body_hash
    assert (same.status, same.body, same.body_hash) == (304, None, first.body_hash)
    assert changed.status == 200 and changed.body is not None and b"<title>U" in changed.body
    assert changed.body_hash != first.body_hash


async def test_names_vigia_and_reads_cache_control(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    feed_server.route("/feed", Route(FEED, headers={"Cache-Control": "public, max-age=600"}))

    fetched = await fetcher.fetch(feed_server.url("/feed"))

    assert fetched.max_age == 600
    assert feed_server.requests[0].headers["user-agent"] == DEFAULT_USER_AGENT
    assert "Vigia" in DEFAULT_USER_AGENT


async def test_gzip_and_deflate_bodies_arrive_decoded(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    gz = zlib.compressobj(wbits=31)
    feed_server.route(
        "/gz", Route(gz.compress(FEED) + gz.flush(), headers={"Content-Encoding": "gzip"})
    )
    feed_server.route("/zl", Route(zlib.compress(FEED), headers={"Content-Encoding": "deflate"}))
    raw = zlib.compressobj(wbits=-15)
    feed_server.route(
        "/raw", Route(raw.compress(FEED) + raw.flush(), headers={"Content-Encoding": "deflate"})
    )

    for path in ("/gz", "/zl", "/raw"):
        assert (await fetcher.fetch(feed_server.url(path))).body == FEED
    assert "gzip" in feed_server.requests[0].headers["accept-encoding"]


async def test_slow_server_times_out(feed_server: FeedServer) -> None:
    feed_server.route("/slow", Route(FEED, delay=5))
    fetcher = Fetcher(connect_timeout=0.5, total_timeout=0.8, allow_private_networks=True)
    started = time.monotonic()

    with pytest.raises(FetchError, match="timed out") as caught:
        await fetcher.fetch(feed_server.url("/slow"))

    await fetcher.aclose()
    assert time.monotonic() - started < 4  # the server would take 5 s
    assert caught.value.status is None


async def test_slow_trickle_times_out_on_the_total(feed_server: FeedServer) -> None:
    # Each chunk arrives well within a per-read timeout; only the total deadline stops it.
    def trickle() -> Iterator[bytes]:
        for _ in range(100):
            time.sleep(0.05)
            yield b"<!-- still here -->\n"

    feed_server.route("/trickle", Route(trickle))
    fetcher = Fetcher(connect_timeout=0.5, total_timeout=0.8, allow_private_networks=True)
    started = time.monotonic()

    with pytest.raises(FetchError, match="timed out"):
        await fetcher.fetch(feed_server.url("/trickle"))

    await fetcher.aclose()
    assert time.monotonic() - started < 4  # the trickle would take longer


@pytest.mark.parametrize(
    ("status", "reason"),
    [(500, "HTTP 500 Internal Server Error"), (410, "HTTP 410 Gone"), (404, "HTTP 404 Not Found")],
)
async def test_error_status_is_a_readable_failure(
    feed_server: FeedServer, fetcher: Fetcher, status: int, reason: str
) -> None:
    feed_server.route("/feed", Route(b"oops", status=status))

    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(feed_server.url("/feed"))

    assert (caught.value.status, caught.value.reason, caught.value.retry_after) == (
        status,
        reason,
        None,
    )


def http_date(delta: timedelta) -> str:
    return format_datetime(datetime.now(UTC) + delta, usegmt=True)


@pytest.mark.parametrize(
    ("status", "retry_after", "expected"),
    [
        (429, "120", 120.0),
        (429, timedelta(hours=1), 3600.0),  # an HTTP date, written when the test runs
        (429, None, 25 * 60.0),  # a 429 that does not say: wait the default
        (429, "9999999", 48 * 3600.0),  # capped at 48 h
        (429, timedelta(hours=-1), 0.0),  # a date already past: ask again at will
        (503, "30", 30.0),
        (503, None, None),
    ],
)
async def test_retry_after_is_honoured(
    feed_server: FeedServer,
    fetcher: Fetcher,
    status: int,
    retry_after: str | timedelta | None,
    expected: float | None,
) -> None:
    if isinstance(retry_after, timedelta):
        retry_after = http_date(retry_after)
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    feed_server.route("/feed", Route(b"slow down", status=status, headers=headers))

    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(feed_server.url("/feed"))

    assert caught.value.status == status
    assert caught.value.reason.startswith(f"HTTP {status}")
    if expected is None:
        assert caught.value.retry_after is None
    else:
        assert caught.value.retry_after == pytest.approx(expected, abs=5)


async def test_huge_body_stops_at_the_cap_with_bounded_memory(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    chunk = b"<item>" + b"x" * (64 * 1024 - 13) + b"</item>"

    def sixty_megabytes() -> Iterator[bytes]:
        for _ in range(60 * MIB // len(chunk)):
            yield chunk

    feed_server.route("/huge", Route(sixty_megabytes))

    with peak_rss_growth() as growth, pytest.raises(FetchError, match=r"body larger than 15 MiB"):
        await fetcher.fetch(feed_server.url("/huge"))

    assert growth[0] < 40


async def test_declared_huge_body_is_refused_before_reading(
    feed_server: FeedServer,
) -> None:
    feed_server.route("/big", Route(b"x" * 2000))
    feed_server.route("/fits", Route(b"x" * 1000))
    fetcher = Fetcher(max_bytes=1000, allow_private_networks=True)

    with pytest.raises(FetchError, match="body larger than 1000 bytes"):
        await fetcher.fetch(feed_server.url("/big"))
    fits = await fetcher.fetch(feed_server.url("/fits"))

    await fetcher.aclose()
    assert fits.body == b"x" * 1000


async def test_gzip_bomb_stops_at_the_cap_with_bounded_memory(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    # 1 GiB of zeros, compressed lazily a MiB at a time: about 1 MiB on the wire.
    def bomb() -> Iterator[bytes]:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        zeros = bytes(MIB)
        for _ in range(1024):
            yield packer.compress(zeros)
        yield packer.flush()

    feed_server.route("/bomb", Route(bomb, headers={"Content-Encoding": "gzip"}))
    started = time.monotonic()

    with peak_rss_growth() as growth, pytest.raises(FetchError, match=r"body larger than 15 MiB"):
        await fetcher.fetch(feed_server.url("/bomb"))

    assert growth[0] < 40
    assert time.monotonic() - started < 5


async def test_redirect_loop_fails(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.route("/loop", Route(status=302, headers={"Location": "/loop"}))

    with pytest.raises(FetchError, match="too many redirects"):
        await fetcher.fetch(feed_server.url("/loop"))

    assert feed_server.hits("/loop") == 6  # the first request and five redirects


async def test_redirects_are_followed_to_the_final_url(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    feed_server.route("/old", Route(status=301, headers={"Location": "/moved"}))
    feed_server.route("/moved", Route(status=302, headers={"Location": feed_server.url("/a/b")}))
    feed_server.route("/a/b", Route(status=307, headers={"Location": "../feed.xml"}))
    feed_server.route("/feed.xml", Route(FEED))

    fetched = await fetcher.fetch(feed_server.url("/old"))

    assert (fetched.status, fetched.body) == (200, FEED)
    assert fetched.url == feed_server.url("/feed.xml")


async def test_connection_refused(fetcher: Fetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(FetchError, match="connection refused") as caught:
        await fetcher.fetch(f"http://127.0.0.1:{port}/feed")

    assert caught.value.status is None


async def test_one_request_at_a_time_per_host(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.route("/feed", Route(FEED, delay=0.1))

    results = await asyncio.gather(*(fetcher.fetch(feed_server.url("/feed")) for _ in range(5)))

    assert [r.status for r in results] == [200] * 5
    assert feed_server.max_in_flight == 1


async def test_two_hosts_may_be_fetched_at_once(fetcher: Fetcher) -> None:
    with serve_feeds() as server:
        server.route("/feed", Route(FEED, delay=0.3))
        urls = [server.url("/feed", host=host) for host in ("127.0.0.1", "localhost") * 2]

        await asyncio.gather(*(fetcher.fetch(url) for url in urls))

        assert server.max_in_flight == 2
        assert {r.host.split(":")[0] for r in server.requests} == {"127.0.0.1", "localhost"}
