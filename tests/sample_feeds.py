"""Sample feeds in es/en/fr and the builders of feed bodies and feeds.toml that tests share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from tests.feedserver import FeedServer

NOW = datetime.now(UTC).replace(microsecond=0)


def rss(items: list[dict[str, str]], *, lang: str, ttl: int | None = None) -> bytes:
    """An RSS 2.0 body; each item may carry title, link, guid, description, date."""
    parts = [f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
             f"<title>Test</title><link>http://example.org/</link><language>{lang}</language>"]
    if ttl:
        parts.append(f"<ttl>{ttl}</ttl>")
    for item in items:
        parts.append("<item>")
        for key in ("title", "link", "guid", "description"):
            if key in item:
                parts.append(f"<{key}><![CDATA[{item[key]}]]></{key}>")
        if "date" in item:
            parts.append(f"<pubDate>{item['date']}</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def atom(items: list[dict[str, str]], *, lang: str) -> bytes:
    parts = [f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
             f'xml:lang="{lang}"><title>Test</title><id>urn:test</id><updated>{NOW.isoformat()}</updated>']
    for item in items:
        parts.append(f"<entry><id>{item['guid']}</id><title>{item['title']}</title>"
                     f"<link href=\"{item['link']}\"/><updated>{item['iso']}</updated>"
                     f"<summary>{item['description']}</summary></entry>")
    parts.append("</feed>")
    return "".join(parts).encode()


def date(hours_ago: float) -> str:
    return format_datetime(NOW - timedelta(hours=hours_ago))


CNE_ES = ("El Consejo Nacional Electoral proclamó a Nicolás Maduro ganador con el 51% de los votos; "
          "la oposición denuncia fraude y pide las actas de cada mesa.")
MACHADO_ES = ("María Corina Machado convocó a los venezolanos a protestar en Caracas este sábado "
              "para exigir la publicación de los resultados mesa por mesa.")
OIL_EN = ("Venezuela's oil exports fell sharply in October as new sanctions hit PDVSA shipments "
          "to Asia, according to tanker tracking data.")

ES_FEED = [
    {"title": "CNE proclama a Maduro", "link": "https://vzla.example/cne?utm_source=rss",
     "guid": "es-1", "description": CNE_ES, "date": date(5)},
    {"title": "Machado convoca protestas", "link": "https://vzla.example/machado",
     "guid": "es-2", "description": MACHADO_ES, "date": date(4)},
    {"title": "Lluvias en Caracas", "link": "https://vzla.example/lluvias", "guid": "es-3",
     "description": "Fuertes lluvias afectaron varias zonas de Caracas durante la noche.",
     "date": date(3)},
]
EN_FEED = [
    # The same article as es-1 under its canonical address: joins that story.
    {"title": "Maduro declared winner by CNE", "link": "https://www.vzla.example/cne/?fbclid=x1",
     "guid": "en-1", "description": "Electoral authority declares Maduro the winner.",
     "date": date(4.5)},
    {"title": "Putin visits troops", "link": "https://world.example/putin", "guid": "en-2",
     "description": "Russian president Vladimir Putin visited troops near the front.",
     "date": date(2)},
    {"title": "Venezuela oil exports fall", "link": "https://world.example/oil", "guid": "en-3",
     "description": OIL_EN, "date": date(1)},
    {"title": "Champions League result", "link": "https://world.example/football",
     "guid": "en-4", "description": "Real Madrid won the match 3-1.", "date": date(1)},
]
FR_FEED = [
    # Another outlet republishing es-2's text word for word: joins by text.
    {"guid": "urn:fr-1", "title": "Machado convoca protestas",
     "link": "https://other.example/a/123", "iso": (NOW - timedelta(hours=2)).isoformat(),
     "description": MACHADO_ES},
    {"guid": "urn:fr-2", "title": "Poutine en Ukraine", "link": "https://other.example/a/124",
     "iso": (NOW - timedelta(hours=1)).isoformat(),
     "description": "Vladimir Poutine a rendu visite aux troupes russes."},
]


def feeds_toml(server: FeedServer, sources: dict[str, tuple[str, str, str]]) -> str:
    """feeds.toml text for {id: (path, lang, scope)} served by `server`."""
    blocks = ['[defaults]\ninterval = "15m"\nmin_interval = "5m"\n']
    for source_id, (path, lang, scope) in sources.items():
        blocks.append(f'[[source]]\nid = "{source_id}"\nname = "{source_id.title()}"\n'
                      f'url = "{server.url(path)}"\nlang = "{lang}"\nscope = "{scope}"\n')
    return "\n".join(blocks)


def channel_page(channel: str, title: str, posts: list[tuple[int, str, str | None]]) -> bytes:
    """A t.me/s page in today's markup: (post id, text, link preview URL or None) per post."""
    wraps = []
    for post_id, text, preview in posts:
        preview_html = (
            f'<a class="tgme_widget_message_link_preview" href="{preview}">'
            f'<div class="link_preview_title" dir="auto">{text[:40]}</div></a>' if preview else ""
        )
        wraps.append(
            f'<div class="tgme_widget_message_wrap js-widget_message_wrap">'
            f'<div class="tgme_widget_message text_not_supported_wrap js-widget_message" '
            f'data-post="{channel}/{post_id}"><div class="tgme_widget_message_bubble">'
            f'<div class="tgme_widget_message_text js-message_text" dir="auto">{text}</div>'
            f"{preview_html}"
            f'<div class="tgme_widget_message_footer compact js-message_footer">'
            f'<div class="tgme_widget_message_info short js-message_info">'
            f'<span class="tgme_widget_message_views">1.1K</span>'
            f'<span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" '
            f'href="https://t.me/{channel}/{post_id}"><time datetime="2024-07-29T19:0{post_id % 10}:00+00:00" '
            f'class="time">19:00</time></a></span></div></div></div></div></div>'
        )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        '<div class="tgme_channel_info"><div class="tgme_channel_info_header">'
        f'<div class="tgme_channel_info_header_title"><span dir="auto">{title}</span></div>'
        "</div></div>"
        '<main class="tgme_main"><section class="tgme_channel_history js-message_history">'
        + "".join(wraps) + "</section></main></body></html>"
    ).encode()
