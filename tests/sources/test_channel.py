"""Public Telegram channels: t.me/s pages parsed, and read page by page from a loopback server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.model import Entry
from bot.sources.channel import (
    ChannelError,
    ChannelRead,
    channel_name,
    parse_channel,
    read_channel,
)
from bot.sources.fetch import Fetcher, FetchError
from tests.feedserver import FeedServer, Route, serve_feeds
from tests.paths import FIXTURES as FIXTURES_ROOT

FIXTURES = FIXTURES_ROOT / "tme"
CHANNEL = "noticias_vzla"
PREVIEW_URL = (
    "https://cronica.example/2024/07/29/panama-suspende-relaciones"
    "?utm_source=telegram&utm_medium=canal"
)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse(name: str, channel: str = CHANNEL) -> tuple[Entry, ...]:
    return parse_channel(fixture(name), channel=channel).entries


def post(entries: tuple[Entry, ...], post_id: int) -> Entry:
    (found,) = [e for e in entries if e.key == f"tg:{CHANNEL}/{post_id}"]
    return found


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# Parsing: what each kind of post becomes.

NEWEST = {
    # id: (title, content, published_at, views)
    1520: (
        "🔥 ÚLTIMA HORA 🔥",
        "🔥 ÚLTIMA HORA 🔥\n"
        "El CNE proclama a Nicolás Maduro presidente reelecto para el período 2025-2031.\n\n"
        "La oposición denuncia que no se han publicado las actas. #Venezuela",
        "2024-07-29T06:12:00",
        4400,
    ),
    1521: (
        "Cacerolazos y protestas en Caracas: miles de personas salen a las calles para exigir "
        "transparencia en el conteo de…",
        "Cacerolazos y protestas en Caracas: miles de personas salen a las calles para exigir "
        "transparencia en el conteo de votos.\n"
        "Reportan bloqueos en la autopista Francisco Fajardo.",
        "2024-07-29T16:40:00",
        8900,
    ),
    1522: (
        "Panamá suspende las relaciones diplomáticas con Venezuela y cierra temporalmente su "
        "embajada en Caracas. Leer más…",
        "Panamá suspende las relaciones diplomáticas con Venezuela y cierra temporalmente su "
        f"embajada en Caracas. Leer más ({PREVIEW_URL})\n"
        "En directo: https://cronica.example/directo",
        "2024-07-29T18:02:00",
        6300,
    ),
    1523: (
        "Manifestantes bloquean la autopista Francisco Fajardo a la altura de Altamira.",
        "Manifestantes bloquean la autopista Francisco Fajardo a la altura de Altamira.",
        "2024-07-29T19:15:00",
        5000,
    ),
    1526: (
        "Centro Carter: la elección presidencial «no se adecuó a parámetros y estándares "
        "internacionales de integridad…",
        "Centro Carter: la elección presidencial «no se adecuó a parámetros y estándares "
        "internacionales de integridad electoral».",
        "2024-07-30T09:00:00",
        7700,
    ),
    1527: (
        "Video: cacerolazo en Petare la noche del lunes.",
        "Video: cacerolazo en Petare la noche del lunes.",
        "2024-07-30T11:20:00",
        10000,
    ),
    1529: (
        "🇻🇪 Edmundo González Urrutia afirma que la oposición tiene copia del 73,2 % de las actas ✅",
        "🇻🇪 Edmundo González Urrutia afirma que la oposición tiene copia del 73,2 % de las actas ✅",
        "2024-07-30T15:30:00",
        9400,
    ),
    1530: (
        "¿Debe el CNE publicar las actas mesa por mesa?",
        "¿Debe el CNE publicar las actas mesa por mesa?\n• Sí, todas las actas\n• No\n• No sé",
        "2024-07-31T08:00:00",
        3300,
    ),
    1531: ("(photo)", "", "2024-07-31T12:00:00", 2200),
    1532: (
        "Actualización: el TSJ cita a los candidatos para un peritaje de los resultados.",
        "Actualización: el TSJ cita a los candidatos para un peritaje de los resultados.",
        "2024-08-01T09:45:00",
        4000,
    ),
    1533: (
        "Putin felicita a Maduro por su reelección y el Kremlin promete profundizar la "
        "cooperación con Caracas en todos los…",
        "Putin felicita a Maduro por su reelección y el Kremlin promete profundizar la "
        "cooperación con Caracas en todos los ámbitos, incluidos los sensibles, mientras "
        "Washington y otros gobiernos cuestionan los resultados oficiales del CNE",
        "2024-08-05T14:03:11",
        1_200_000,
    ),
    1534: ("(sticker)", "", "2024-08-05T14:10:00", 800),
}


def test_newest_page_yields_every_post_oldest_first_without_the_service_message() -> None:
    feed = parse_channel(fixture("page-newest.html"), channel=CHANNEL)
    assert [e.key for e in feed.entries] == [f"tg:{CHANNEL}/{i}" for i in NEWEST]
    assert feed.title == "Noticias Venezuela"
    assert feed.before == 1520


@pytest.mark.parametrize(("post_id", "expected"), NEWEST.items(), ids=[str(i) for i in NEWEST])
def test_newest_page_post(post_id: int, expected: tuple[str, str, str, int]) -> None:
    title, content, published, views = expected
    entry = post(parse("page-newest.html"), post_id)
    assert entry.url == f"https://t.me/{CHANNEL}/{post_id}"
    assert (entry.title, entry.content, entry.published_at, entry.views) == (
        title,
        content,
        at(published),
        views,
    )
    assert entry.published_at is not None and entry.published_at.utcoffset() is not None


def test_forwarded_post_names_its_origin_and_keys_the_original_post() -> None:
    entry = post(parse("page-newest.html"), 1521)
    assert entry.forwarded_from == "Crónica de Caracas"
    assert entry.forwarded_key == "tg:cronica_caracas/8841"


def test_link_preview_gives_url_with_plain_ampersands_and_title() -> None:
    entry = post(parse("page-newest.html"), 1522)
    assert entry.preview_url == PREVIEW_URL
    assert entry.preview_title == "Panamá suspende relaciones diplomáticas con Venezuela"
    assert "&amp;" not in entry.content


def test_album_of_three_photos_with_one_caption_is_one_entry() -> None:
    keys = [e.key for e in parse("page-newest.html")]
    assert f"tg:{CHANNEL}/1526" in keys
    assert f"tg:{CHANNEL}/1524" not in keys and f"tg:{CHANNEL}/1525" not in keys


def test_reply_quote_reactions_and_signature_stay_out_of_the_text() -> None:
    entries = parse("page-newest.html")
    assert "proclama" not in post(entries, 1532).content  # the quoted post's text
    assert "1.1K" not in post(entries, 1529).content and "🙏" not in post(entries, 1529).content
    assert post(entries, 1533).author == "María Gabriela Pérez"
    assert all(e.author is None for e in entries if e.key != f"tg:{CHANNEL}/1533")


def test_posts_without_forward_or_preview_leave_those_fields_empty() -> None:
    for entry in parse("page-newest.html"):
        if entry.key != f"tg:{CHANNEL}/1521":
            assert entry.forwarded_from is None and entry.forwarded_key is None
        if entry.key != f"tg:{CHANNEL}/1522":
            assert entry.preview_url is None and entry.preview_title is None


def test_older_page_formatting_spans_keep_their_text_once_and_lines_break_where_br_is() -> None:
    entries = parse("page-older.html")
    assert [e.key for e in entries] == [f"tg:{CHANNEL}/{i}" for i in (1502, 1503, 1505, 1508, 1512)]
    formatted = post(entries, 1503)
    assert formatted.title == "Claves de la jornada"
    assert formatted.content == (
        "Claves de la jornada\n"
        "Cierre de mesas: 6:00 p.\xa0m.\n"
        "Testigos de mesa: la oposición dice tener el 73 % de las actas\n"
        "Resultados a las 8:00 p. m. Resultados aún sin fecha\n"
        "Clave: el conteo paralelo\n"
        "Consulta tu centro en cne.gob.ve & en la app\n"
        "Mesa 1:  312 votos\n"
        "Mesa 2:  289 votos\n"
        "«Que se cuente voto a voto»\n"
        "Fin del resumen."
    )
    assert post(entries, 1502).content.endswith("las urnas.\n\n#Elecciones2024")
    assert post(entries, 1502).views == 987
    assert (
        post(entries, 1505).title
        == "Largas colas frente a un centro de votación en Petare, Caracas."
    )


def test_oldest_page_has_no_link_further_back() -> None:
    assert parse_channel(fixture("page-older.html"), channel=CHANNEL).before is None


def test_edited_post_keeps_its_key_with_the_new_text() -> None:
    before = post(parse("page-newest.html"), 1533)
    after = post(parse("page-newest-later.html"), 1533)
    assert after.key == before.key
    assert after.content == before.content + " (actualizado: Moscú enviará una delegación)"


def test_real_2020_page() -> None:
    feed = parse_channel(fixture("real-xcareers-2020-05-04.html"), channel="xCareers")
    assert feed.title == "xCareers: Digital Jobs"
    assert feed.before == 1491
    assert [(e.key, e.url, e.views, e.published_at) for e in feed.entries] == [
        ("tg:xcareers/1491", "https://t.me/xCareers/1491", 4400, at("2020-04-30T17:00:04")),
        ("tg:xcareers/1510", "https://t.me/xCareers/1510", 4100, at("2020-05-03T15:00:03")),
        ("tg:xcareers/1511", "https://t.me/xCareers/1511", 1500, at("2020-05-04T07:00:02")),
    ]
    first = feed.entries[0]
    assert first.title == "РАЗРАБОТЧИК IOS 🔥"
    assert first.content.startswith(
        "РАЗРАБОТЧИК IOS 🔥\n\nФормат: #удаленка (на время карантина) потом #офис\n"
        "Локация: #москва, #санкт_петербург, #россия\n"
    )
    assert "\n🔸 Опыт работы с GIT\n" in first.content
    # Inline keyboard buttons sit outside the bubble: not part of the post.
    assert all("Разместить" not in e.content for e in feed.entries)
    assert feed.entries[1].content.endswith(
        "⚠️ Вакансии закрываются очень быстро. Заглядывайте в @xCareers ежедневно, "
        "чтобы успеть откликаться!"
    )


def test_channel_with_no_posts_is_an_empty_feed() -> None:
    feed = parse_channel(fixture("empty.html"), channel=CHANNEL)
    assert (feed.entries, feed.title, feed.before) == ((), "Noticias Venezuela", None)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "landing-no-preview.html",
            "no public preview for @noticias_vzla: t.me shows the channel's landing page, "
            "not its posts",
        ),
        (
            "changed-structure.html",
            "page structure not recognised for @noticias_vzla: the channel history holds no "
            ".tgme_widget_message_wrap posts",
        ),
    ],
)
def test_pages_that_are_not_readable_channels(name: str, reason: str) -> None:
    with pytest.raises(ChannelError) as caught:
        parse_channel(fixture(name), channel=CHANNEL)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("", "no public preview for @noticias_vzla: the page holds no channel posts"),
        (
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
            "no public preview for @noticias_vzla: the page holds no channel posts",
        ),
        (
            '<div class="tgme_channel_info"><div class="tgme_channel_info_header_title">N</div></div>',
            "page structure not recognised for @noticias_vzla: no .tgme_channel_history",
        ),
        (
            '<section class="tgme_channel_history"><div class="tgme_widget_message_wrap">'
            '<div class="tgme_widget_message" data-post="noticias_vzla/abc"></div></div></section>',
            'page structure not recognised for @noticias_vzla: a post without data-post="CHANNEL/ID"',
        ),
        (
            '<section class="tgme_channel_history"><div class="tgme_widget_message_wrap">'
            '<div class="tgme_widget_message" data-post="noticias_vzla/7"></div></div></section>',
            "page structure not recognised for @noticias_vzla: post 7 has no "
            ".tgme_widget_message_bubble",
        ),
    ],
)
def test_broken_pages_give_their_reason(html: str, reason: str) -> None:
    with pytest.raises(ChannelError) as caught:
        parse_channel(html, channel=CHANNEL)
    assert caught.value.reason == reason


# Channel names.


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("noticias_vzla", "noticias_vzla"),
        ("@noticias_vzla", "noticias_vzla"),
        ("  @Noticias_Vzla ", "Noticias_Vzla"),
        ("https://t.me/noticias_vzla", "noticias_vzla"),
        ("http://t.me/noticias_vzla/", "noticias_vzla"),
        ("t.me/s/noticias_vzla", "noticias_vzla"),
        ("https://t.me/s/noticias_vzla?before=1520", "noticias_vzla"),
        ("https://t.me/noticias_vzla/1533", "noticias_vzla"),
        ("https://telegram.me/noticias_vzla", "noticias_vzla"),
        ("abcde", "abcde"),
        ("a" * 32, "a" * 32),
    ],
)
def test_channel_name_accepts(value: str, name: str) -> None:
    assert channel_name(value) == name


@pytest.mark.parametrize(
    "value",
    [
        "",
        "@",
        "abcd",  # too short
        "a" * 33,  # too long
        "1noticias",  # starts with a digit
        "_noticias",
        "noticias-vzla",
        "noticias vzla",
        "https://t.me/joinchat/AAAAAEk2",
        "https://t.me/+AbCdEfGh123",
        "https://example.com/noticias_vzla",
        "t.me/",
    ],
)
def test_channel_name_refuses(value: str) -> None:
    with pytest.raises(ValueError):
        channel_name(value)


# Reading page by page from a server on loopback.


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with serve_feeds() as server:
        yield server


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    fetcher = Fetcher(connect_timeout=2, total_timeout=5, allow_private_networks=True)
    yield fetcher
    await fetcher.aclose()


def serve_channel(server: FeedServer, newest: str = "page-newest.html") -> None:
    server.route(f"/s/{CHANNEL}", Route(body=fixture(newest)))
    server.route(f"/s/{CHANNEL}?before=1520", Route(body=fixture("page-older.html")))


def ids(read: ChannelRead) -> list[int]:
    return [int(e.key.rsplit("/", 1)[1]) for e in read.entries]


def queries(server: FeedServer) -> list[str]:
    return [r.query for r in server.requests]


async def test_first_read_pages_back_then_later_reads_stop_at_known_posts(
    server: FeedServer, fetcher: Fetcher
) -> None:
    serve_channel(server)
    first = await read_channel(fetcher, root=server.url("/"), channel=CHANNEL, known_newest=None)
    assert ids(first) == [1502, 1503, 1505, 1508, 1512, *NEWEST]
    assert (first.newest, first.pages, first.complete) == (1534, 2, True)
    assert first.title == "Noticias Venezuela"
    assert queries(server) == ["", "before=1520"]
    assert server.max_in_flight == 1

    serve_channel(server, "page-newest-later.html")  # three new posts, 1533 edited
    second = await read_channel(
        fetcher, root=server.url("/"), channel=CHANNEL, known_newest=first.newest
    )
    assert ids(second) == [1535, 1536, 1537]
    assert second.entries[0].title.startswith("El WhatsApp de Maduro muestra un mensaje")
    assert (second.newest, second.pages, second.complete) == (1537, 1, True)
    assert queries(server) == ["", "before=1520", ""]

    third = await read_channel(
        fetcher, root=server.url("/"), channel=CHANNEL, known_newest=second.newest
    )
    assert (ids(third), third.newest, third.pages) == ([], 1537, 1)
    assert len(server.requests) == 4


async def test_burst_newer_than_the_whole_newest_page_reads_back_to_known_posts(
    server: FeedServer, fetcher: Fetcher
) -> None:
    serve_channel(server)
    read = await read_channel(fetcher, root=server.url("/"), channel=CHANNEL, known_newest=1506)
    assert ids(read) == [1508, 1512, *NEWEST]
    assert (read.pages, read.complete) == (2, True)
    assert queries(server) == ["", "before=1520"]


async def test_max_posts_bounds_a_first_read(server: FeedServer, fetcher: Fetcher) -> None:
    serve_channel(server)
    read = await read_channel(
        fetcher, root=server.url("/"), channel=CHANNEL, known_newest=None, max_posts=5
    )
    assert ids(read) == [1530, 1531, 1532, 1533, 1534]
    assert (read.pages, read.complete) == (1, False)
    assert queries(server) == [""]

    wider = await read_channel(
        fetcher, root=server.url("/"), channel=CHANNEL, known_newest=None, max_posts=15
    )
    assert ids(wider) == [1505, 1508, 1512, *NEWEST]
    assert (wider.pages, wider.complete) == (2, False)


async def test_source_url_override_and_trailing_slash_on_the_root(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.route("/mirror/s/noticias_vzla", Route(body=fixture("page-older.html")))
    read = await read_channel(
        fetcher,
        root="https://t.me",
        channel=CHANNEL,
        known_newest=None,
        url=server.url("/mirror/s/noticias_vzla"),
    )
    assert ids(read) == [1502, 1503, 1505, 1508, 1512]
    server.route(f"/s/{CHANNEL}", Route(body=fixture("page-older.html")))
    read = await read_channel(
        fetcher, root=server.url("/") + "/", channel=CHANNEL, known_newest=None
    )
    assert read.pages == 1 and [r.path for r in server.requests][-1] == f"/s/{CHANNEL}"


async def test_channel_without_preview_redirected_away_from_s(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.route(
        "/s/canal_privado_vzla", Route(status=302, headers={"Location": "/canal_privado_vzla"})
    )
    server.route("/canal_privado_vzla", Route(body=fixture("landing-no-preview.html")))
    with pytest.raises(ChannelError) as caught:
        await read_channel(
            fetcher, root=server.url("/"), channel="canal_privado_vzla", known_newest=None
        )
    assert caught.value.reason == (
        "@canal_privado_vzla has no public preview (t.me redirects away from /s/)"
    )


async def test_landing_page_served_under_s(server: FeedServer, fetcher: Fetcher) -> None:
    server.route("/s/canal_privado_vzla", Route(body=fixture("landing-no-preview.html")))
    with pytest.raises(ChannelError) as caught:
        await read_channel(
            fetcher, root=server.url("/"), channel="canal_privado_vzla", known_newest=None
        )
    assert caught.value.reason == (
        "no public preview for @canal_privado_vzla: t.me shows the channel's landing page, "
        "not its posts"
    )


async def test_missing_channel(server: FeedServer, fetcher: Fetcher) -> None:
    with pytest.raises(ChannelError) as caught:
        await read_channel(fetcher, root=server.url("/"), channel="no_existe", known_newest=None)
    assert caught.value.reason == "channel @no_existe does not exist"


async def test_other_http_failures_stay_fetch_errors_for_the_scheduler(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.route(f"/s/{CHANNEL}", Route(status=429, headers={"Retry-After": "120"}))
    with pytest.raises(FetchError) as caught:
        await read_channel(fetcher, root=server.url("/"), channel=CHANNEL, known_newest=None)
    assert (caught.value.status, caught.value.retry_after) == (429, 120.0)


async def test_empty_channel_on_a_first_read_is_legal_and_says_so(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.route(f"/s/{CHANNEL}", Route(body=fixture("empty.html")))
    read = await read_channel(fetcher, root=server.url("/"), channel=CHANNEL, known_newest=None)
    assert read == ChannelRead(
        entries=(), newest=None, pages=1, title="Noticias Venezuela", complete=True
    )


async def test_zero_posts_after_posts_were_seen_is_an_error(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.route(f"/s/{CHANNEL}", Route(body=fixture("empty.html")))
    with pytest.raises(ChannelError) as caught:
        await read_channel(fetcher, root=server.url("/"), channel=CHANNEL, known_newest=1534)
    assert caught.value.reason == (
        f"page yielded 0 posts for @noticias_vzla ({server.url('/s/noticias_vzla')}) "
        "although posts up to 1534 were read before"
    )


async def test_zero_posts_on_a_page_that_counts_media_is_an_error(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.route(f"/s/{CHANNEL}", Route(body=fixture("empty-with-media.html")))
    with pytest.raises(ChannelError) as caught:
        await read_channel(fetcher, root=server.url("/"), channel=CHANNEL, known_newest=None)
    assert caught.value.reason == (
        f"page yielded 0 posts for @noticias_vzla ({server.url('/s/noticias_vzla')}) "
        "although the page says the channel has posts"
    )


async def test_zero_posts_on_an_older_page_is_an_error(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.route(f"/s/{CHANNEL}", Route(body=fixture("page-newest.html")))
    server.route(f"/s/{CHANNEL}?before=1520", Route(body=fixture("empty.html")))
    with pytest.raises(ChannelError) as caught:
        await read_channel(fetcher, root=server.url("/"), channel=CHANNEL, known_newest=None)
    assert caught.value.reason == (
        f"page yielded 0 posts for @noticias_vzla ({server.url('/s/noticias_vzla?before=1520')}) "
        "although the page before it links to older posts"
    )


async def test_older_page_that_repeats_itself_ends_the_paging(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.route(f"/s/{CHANNEL}", Route(body=fixture("page-newest.html")))
    server.route(f"/s/{CHANNEL}?before=1520", Route(body=fixture("page-newest.html")))
    read = await read_channel(fetcher, root=server.url("/"), channel=CHANNEL, known_newest=None)
    assert ids(read) == list(NEWEST)
    assert (read.pages, read.complete) == (2, False)


# Whatever the page, the parser raises nothing but ChannelError.

PAGES = sorted(p.name for p in FIXTURES.glob("*.html"))
_TAGS = st.sampled_from(
    [
        '<div class="tgme_widget_message_wrap">',
        '<div class="tgme_widget_message js-widget_message" data-post="noticias_vzla/12">',
        '<div class="tgme_widget_message_bubble">',
        '<div class="tgme_widget_message_text js-message_text">',
        '<section class="tgme_channel_history">',
        '<div class="tgme_channel_info">',
        '<a class="tme_messages_more" data-before="99x">',
        '<a class="tgme_widget_message_forwarded_from_name" href="https://t.me/a/b">',
        '<span class="tgme_widget_message_views">9.9.9K</span>',
        '<time datetime="2024-13-45T99:00:00">',
        '<i class="emoji" style="background-image:url(\'//x/emoji/40/FFF.png\')"></i>',
        '<i class="emoji" style="background-image:url(\'//x/emoji/40/C3.png\')"></i>',
        "<pre>",
        "</pre>",
        "<br>",
        "<a href='https://x.example/?a=1&amp;amp;b'>",
        "</a>",
        "</div>",
        "<b>" * 50,
        "\x00",
        "&#xD800;",
    ]
)
_HTML = st.lists(st.one_of(_TAGS, st.text(max_size=20)), max_size=60).map("".join)


def _parses_or_refuses(html: bytes | str) -> None:
    try:
        feed = parse_channel(html, channel=CHANNEL)
    except ChannelError:
        return
    for entry in feed.entries:
        assert entry.key.startswith("tg:") and entry.title
        assert entry.published_at is None or entry.published_at.utcoffset() is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(PAGES), cut=st.floats(min_value=0, max_value=1))
def test_truncated_fixtures_raise_only_channel_error(name: str, cut: float) -> None:
    page = fixture(name)
    _parses_or_refuses(page[: int(len(page) * cut)])


@settings(max_examples=300, deadline=None)
@given(html=_HTML)
def test_random_markup_raises_only_channel_error(html: str) -> None:
    _parses_or_refuses(html)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2000))
def test_random_bytes_raise_only_channel_error(data: bytes) -> None:
    _parses_or_refuses(data)


@settings(max_examples=100, deadline=None)
@given(name=st.sampled_from(PAGES), start=st.floats(0, 1), end=st.floats(0, 1), junk=_HTML)
def test_spliced_fixtures_raise_only_channel_error(
    name: str, start: float, end: float, junk: str
) -> None:
    page = fixture(name).decode()
    low, high = sorted((int(len(page) * start), int(len(page) * end)))
    _parses_or_refuses(page[:low] + junk + page[high:])


def test_deeply_nested_text_does_not_exhaust_the_stack() -> None:
    html = fixture("page-older.html").replace(
        b"Fin del resumen.", b"<b>" * 200_000 + b"hondo" + b"</b>" * 200_000
    )
    entry = post(parse_channel(html, channel=CHANNEL).entries, 1503)
    assert entry.content.endswith("hondo")
