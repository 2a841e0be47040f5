"""Parsing feed bodies into entries, over fixture files in tests/fixtures/feeds/."""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.model import ParsedFeed
from bot.sources.feed import FeedError, parse_feed
from tests.paths import FIXTURES as FIXTURES_ROOT

FEEDS = FIXTURES_ROOT / "feeds"


def read(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def parse(name: str) -> ParsedFeed:
    return parse_feed(read(name), url="https://feeds.example/feed")


@dataclass(frozen=True)
class Expected:
    """What a user of the feed would see in the first entry, and how many entries there are."""

    count: int
    title: str
    key: str
    url: str | None
    published_at: datetime | None
    author: str | None
    lang: str | None
    content_has: str
    feed_title: str
    ttl: int | None = None


CASES = {
    "rss091.xml": Expected(
        count=2,
        title="Opposition rally fills Avenida Francisco de Miranda",
        key="https://caracas-weekly.example/2024/rally.html",
        url="https://caracas-weekly.example/2024/rally.html",
        published_at=None,
        author=None,
        lang="en",
        content_has="behind María Corina Machado",  # the file is ISO-8859-1, as it declares
        feed_title="Caracas Weekly",
    ),
    "rss10.rdf": Expected(
        count=2,
        title="Venezuela : le CNE proclame Nicolás Maduro vainqueur",
        key="https://amerique-latine.example/2024/07/29/venezuela-election",
        url="https://amerique-latine.example/2024/07/29/venezuela-election",
        published_at=datetime(2024, 7, 29, 6, 15, tzinfo=UTC),
        author="Claire Dupont",
        lang="fr",
        content_has="<strong>Conseil national électoral</strong>",  # content:encoded beats description
        feed_title="Amérique latine – dépêches",
    ),
    "rss20.xml": Expected(
        count=6,
        title="Maduro anuncia aumento del bono de guerra económica",
        key="https://efecto.example/?p=101",
        url="https://efecto.example/2025/01/06/bono/?utm_source=rss&utm_medium=rss",
        published_at=datetime(2025, 1, 6, 14, 0, tzinfo=UTC),
        author="Ana Pérez",
        lang="es",
        content_has="trabajadores públicos &amp; pensionados",  # HTML kept for normalise
        feed_title="Efecto Ejemplo",
        ttl=30 * 60,
    ),
    "atom.xml": Expected(
        count=2,
        title="Machado &amp; González call for protests on January 9",
        key="tag:venezuela-monitor.example,2025:machado-protest",
        url="https://venezuela-monitor.example/2025/01/08/protest",
        published_at=datetime(2025, 1, 9, 1, 30, tzinfo=UTC),  # published, not updated
        author="John Smith",
        lang="en",
        content_has="on the eve of the inauguration",  # content beats the shorter summary
        feed_title="Venezuela Monitor",
    ),
    "jsonfeed.json": Expected(
        count=3,
        title="Maduro se juramenta para un tercer mandato",
        key="pitazo-2001",
        url="https://pitazo.example/2025/01/10/juramentacion",
        published_at=datetime(2025, 1, 10, 15, 0, tzinfo=UTC),
        author="Luis Ñáñez",
        lang="es",
        content_has="<p>Nicolás Maduro se juramentó",
        feed_title="El Pitazo Ejemplo",
    ),
    "latin1-declared-utf8.xml": Expected(
        count=1,
        title="Caracas, José, Ñáñez",
        key="https://diario-caracas.example/2025/01/02/nanez",
        url="https://diario-caracas.example/2025/01/02/nanez",
        published_at=datetime(2025, 1, 2, 12, 0, tzinfo=UTC),
        author=None,
        lang="es",
        content_has="inauguró la plaza en Petare. Año nuevo, señal de esperanza.",
        feed_title="Diario de Caracas",
    ),
    "mixed-encoding.xml": Expected(  # UTF-8 with one Latin-1 paragraph pasted in
        count=1,
        title="Mérida — “Ñáñez”",
        key="https://diario-caracas.example/2025/01/02/nanez",
        url="https://diario-caracas.example/2025/01/02/nanez",
        published_at=datetime(2025, 1, 2, 12, 0, tzinfo=UTC),
        author=None,
        lang="es",
        content_has="El alcalde José Ñáñez inauguró",
        feed_title="Diario de Caracas",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_feeds_parse(name: str) -> None:
    expected = CASES[name]

    feed = parse(name)

    first = feed.entries[0]
    assert len(feed.entries) == expected.count
    assert (feed.title, feed.ttl) == (expected.feed_title, expected.ttl)
    assert first.title == expected.title
    assert first.key == expected.key
    assert first.url == expected.url
    assert first.published_at == expected.published_at
    assert first.published_at is None or first.published_at.tzinfo is not None
    assert first.author == expected.author
    assert first.lang == expected.lang
    assert expected.content_has in first.content
    text = "".join(e.title + e.content for e in feed.entries)
    assert "\ufffd" not in text and "Ã" not in text  # no replacement characters, no mojibake


def test_entries_without_guid_link_or_date() -> None:
    entries = {e.title.split(":")[0]: e for e in parse("rss20.xml").entries}

    no_guid = entries["Sin guid"]
    no_link = entries["Sin enlace"]
    no_date = entries["Sin fecha"]
    untitled = entries[""]
    assert no_guid.key == no_guid.url == "https://efecto.example/2025/01/05/delcy/"
    assert (no_link.key, no_link.url) == ("efecto-cne-2025", None)
    assert no_date.published_at is None
    assert untitled.key.startswith("hash:") and "Diosdado Cabello" in untitled.content
    assert parse("rss20.xml").entries[-1].key == untitled.key  # the hash key is stable


def test_future_dates_are_kept_as_given() -> None:
    future = [e for e in parse("rss20.xml").entries if e.key == "efecto-futuro"]

    assert future[0].published_at == datetime(2099, 1, 1, 12, 0, tzinfo=UTC)


def test_per_entry_language_wins_over_the_feeds() -> None:
    cabello = parse("atom.xml").entries[1]

    assert (cabello.title, cabello.lang) == ("Cabello anuncia detenciones", "es")


def test_json_feed_items_without_id_or_url() -> None:
    entries = parse("jsonfeed.json").entries

    assert (entries[1].key, entries[1].url) == ("pitazo-2002", None)
    assert entries[1].published_at == datetime(2025, 1, 9, 8, 0, tzinfo=UTC)  # date_modified
    assert entries[2].key == entries[2].url == "https://pitazo.example/2025/01/08/sin-id"


def test_relative_links_resolve_against_the_feed_url() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>R</title>'
        b"<item><title>Relativo</title><link>/2025/01/nota</link></item></channel></rss>"
    )

    entry = parse_feed(body, url="https://medio.example/feed/").entries[0]

    assert entry.url == "https://medio.example/2025/01/nota"


def test_empty_feed_is_not_an_error() -> None:
    feed = parse("empty.xml")

    assert (feed.entries, feed.title) == ((), "Nada nuevo")


def test_truncated_feed_keeps_the_entries_before_the_cut() -> None:
    titles = [e.title for e in parse("truncated.xml").entries]

    assert titles == [
        "Maduro anuncia aumento del bono de guerra económica",
        "Sin guid: Delcy Rodríguez se reúne con empresarios",
    ]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (read("page.html"), "HTML page"),
        (read("truncated-head.xml"), "malformed XML"),
        (b"", "empty"),
        (b"\x00\x01\x02garbage\xff\xfe", "not a feed"),
        (b'{"hello": "world"}', "JSON Feed"),
        (b"{not json", "invalid JSON"),
        (b"<?xml version='1.0'?><note><to>Ana</to></note>", "not a feed"),
    ],
    ids=["html", "truncated-head", "empty", "garbage", "json", "bad-json", "other-xml"],
)
def test_non_feeds_are_refused(body: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        parse_feed(body)


def test_entity_bomb_is_refused_quickly_with_bounded_memory() -> None:
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(FeedError, match="entity"):
            parse("billion-laughs.xml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert time.monotonic() - started < 1
    assert peak < 10 * 2**20


FEED_BODIES = [read(name) for name in sorted(CASES)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.tuples(st.sampled_from(FEED_BODIES), st.integers(0, 4000)).map(lambda t: t[0][: t[1]]),
        st.tuples(st.sampled_from(FEED_BODIES), st.integers(0, 4000), st.binary(max_size=8)).map(
            lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + len(t[2]) :]
        ),
    )
)
def test_any_bytes_give_a_feed_or_a_feed_error(body: bytes) -> None:
    try:
        feed = parse_feed(body)
    except FeedError as exc:
        assert exc.reason
        return
    for entry in feed.entries:
        assert entry.key
        assert entry.published_at is None or entry.published_at.tzinfo is not None


def test_a_link_that_cannot_be_resolved_is_kept_as_written() -> None:
    body = (b'<rss xml:base="http://example.test/"><channel><item><title>Caracas</title>'
            b'<guid isPermaLink="true">http://example.c[o.test/</guid></item></channel></rss>')
    (entry,) = parse_feed(body, url="http://example.test/feed").entries
    assert entry.key == "http://example.c[o.test/"
