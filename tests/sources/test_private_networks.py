"""Sources on private networks are refused by default, with a reason that says how to allow them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.sources.fetch import Fetcher, FetchError
from tests.feedserver import FeedServer, Route
from tests.sample_feeds import rss

FEED = rss([{"title": "Caracas", "guid": "g1", "description": "Maduro en Caracas."}], lang="es")


@pytest.fixture
def server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    server.route("/feed.xml", Route(body=FEED))
    yield server
    server.stop()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "2130706433",  # 127.0.0.1 written as one decimal number
        "0x7f000001",  # ... and in hex
        "[::1]",
        "0.0.0.0",
        "localhost",
    ],
)
async def test_loopback_in_any_spelling_is_refused(server: FeedServer, address: str) -> None:
    fetcher = Fetcher(connect_timeout=2, total_timeout=5)
    try:
        with pytest.raises(FetchError) as refused:
            await fetcher.fetch(f"http://{address}:{server.port}/feed.xml")
    finally:
        await fetcher.aclose()
    assert "private" in refused.value.reason
    assert "BOT_ALLOW_PRIVATE_NETWORKS=true" in refused.value.reason
    assert server.hits("/feed.xml") == 0  # refused before any connection


@pytest.mark.parametrize(
    "address",
    ["169.254.169.254", "10.1.2.3", "192.168.1.1", "172.16.0.9", "100.64.0.1", "240.0.0.1",
     "[fe80::1]", "[fd00::7]", "[::ffff:10.0.0.1]", "[2002:7f00:1::]", "224.0.0.1"],
)
async def test_private_link_local_cgnat_and_reserved_addresses_are_refused(address: str) -> None:
    fetcher = Fetcher(connect_timeout=0.5, total_timeout=1)
    try:
        with pytest.raises(FetchError) as refused:
            await fetcher.fetch(f"http://{address}/feed.xml")
    finally:
        await fetcher.aclose()
    assert "private" in refused.value.reason and "BOT_ALLOW_PRIVATE_NETWORKS" in refused.value.reason
