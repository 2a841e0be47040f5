"""A synthetic but realistic corpus of Venezuela news feeds in es/en/fr, for the benchmarks."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

ACTORS = {
    "es": ["Nicolás Maduro", "María Corina Machado", "Edmundo González Urrutia",
           "Diosdado Cabello", "Delcy Rodríguez", "Jorge Rodríguez", "Vladimir Padrino López",
           "el CNE", "Tarek William Saab", "Yván Gil", "el Tren de Aragua", "el Centro Carter"],
    "en": ["Nicolás Maduro", "María Corina Machado", "Edmundo González", "Diosdado Cabello",
           "Delcy Rodríguez", "Venezuela's National Electoral Council", "Tren de Aragua",
           "the Carter Center", "Antony Blinken", "Vladimir Putin"],
    "fr": ["Nicolas Maduro", "María Corina Machado", "Edmundo Gonzalez", "Diosdado Cabello",
           "Delcy Rodriguez", "la Commission électorale nationale", "le Centre Carter",
           "Vladimir Poutine", "Tren de Aragua"],
}
PLACES = {
    "es": ["Caracas", "Maracaibo", "Valencia", "Barquisimeto", "el estado Zulia", "Táchira",
           "Petare", "Ciudad Guayana"],
    "en": ["Caracas", "Maracaibo", "Venezuela", "the Venezuelan border", "Zulia state"],
    "fr": ["Caracas", "Maracaibo", "le Venezuela", "la frontière vénézuélienne"],
}
VERBS = {
    "es": ["denunció", "anunció", "rechazó", "respaldó", "exigió", "advirtió sobre", "criticó"],
    "en": ["denounced", "announced", "rejected", "backed", "demanded", "warned about",
           "criticised"],
    "fr": ["a dénoncé", "a annoncé", "a rejeté", "a soutenu", "a exigé", "a mis en garde contre"],
}
OBJECTS = {
    "es": ["los resultados electorales", "las sanciones petroleras", "la detención de activistas",
           "el diálogo con la oposición", "la crisis migratoria", "las protestas",
           "el cierre de la embajada", "la inflación", "las actas de votación"],
    "en": ["the election results", "oil sanctions", "the detention of activists",
           "talks with the opposition", "the migration crisis", "the protests",
           "the embassy closure", "inflation", "the vote tallies"],
    "fr": ["les résultats électoraux", "les sanctions pétrolières", "l'arrestation de militants",
           "le dialogue avec l'opposition", "la crise migratoire", "les manifestations",
           "la fermeture de l'ambassade", "l'inflation"],
}
FILLER = {
    "es": "Según fuentes consultadas, la situación generó preocupación entre analistas y "
          "organizaciones no gubernamentales que siguen de cerca la evolución del país.",
    "en": "According to people familiar with the matter, the situation worried analysts and "
          "non-governmental organisations that follow the country closely.",
    "fr": "Selon des sources proches du dossier, la situation inquiète les analystes et les "
          "organisations non gouvernementales qui suivent de près l'évolution du pays.",
}
OFF_TOPIC = {
    "es": "El Real Madrid ganó tres a uno y se acerca al liderato de la liga española.",
    "en": "The central bank of Japan kept interest rates unchanged on Tuesday.",
    "fr": "Le festival de Cannes a dévoilé sa sélection officielle ce jeudi.",
}


@dataclass(frozen=True, slots=True)
class Article:
    guid: str
    title: str
    link: str
    text: str
    published: datetime


def make_articles(count: int, lang: str, rng: random.Random, *, now: datetime,
                  prefix: str) -> list[Article]:
    """`count` distinct articles; one in ten is off topic, so general sources skip it."""
    articles = []
    for index in range(count):
        if index % 10 == 9:
            title = OFF_TOPIC[lang][:60]
            text = OFF_TOPIC[lang] + " " + FILLER[lang]
        else:
            actor, other = rng.sample(ACTORS[lang], 2)
            place = rng.choice(PLACES[lang])
            verb, obj = rng.choice(VERBS[lang]), rng.choice(OBJECTS[lang])
            number = rng.randint(2, 9999)
            title = f"{actor} {verb} {obj} en {place}" if lang == "es" else \
                f"{actor} {verb} {obj} in {place}" if lang == "en" else \
                f"{actor} {verb} {obj} à {place}"
            text = (f"{title}. {other} {rng.choice(VERBS[lang])} {rng.choice(OBJECTS[lang])} "
                    f"({number}). {FILLER[lang]} {rng.choice(ACTORS[lang])} "
                    f"{rng.choice(VERBS[lang])} {rng.choice(OBJECTS[lang])}.")
        articles.append(Article(
            guid=f"{prefix}-{index}", title=title,
            link=f"https://{prefix}.example/{index}/{rng.randint(1, 10**9)}",
            text=text, published=now - timedelta(minutes=rng.randint(0, 60 * 48)),
        ))
    return articles


def rss_body(title: str, lang: str, articles: list[Article]) -> bytes:
    """An RSS 2.0 document such as WordPress writes."""
    items = "".join(
        f"<item><title>{escape(a.title)}</title><link>{escape(a.link)}</link>"
        f"<guid isPermaLink=\"false\">{escape(a.guid)}</guid>"
        f"<pubDate>{format_datetime(a.published)}</pubDate>"
        f"<description><![CDATA[<p>{a.text}</p>]]></description></item>"
        for a in articles
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>https://example.org/</link>"
            f"<language>{lang}</language>{items}</channel></rss>").encode()


def make_feeds(feeds: int, per_feed: int, *, seed: int = 7) -> list[tuple[str, str, bytes]]:
    """(source id, lang, body) per feed; about 20% of items are copies of another feed's items."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    langs = ["es", "en", "fr"]
    pool: list[Article] = []
    result = []
    for index in range(feeds):
        lang = langs[index % 3]
        own = make_articles(per_feed, lang, rng, now=now, prefix=f"f{index}")
        if pool:
            for slot in rng.sample(range(per_feed), k=per_feed // 5):
                original = rng.choice(pool)
                # A republication: same text, tracking parameters on the same link.
                own[slot] = Article(guid=f"f{index}-copy-{slot}", title=original.title,
                                    link=f"{original.link}?utm_source=rss&fbclid={slot}",
                                    text=original.text, published=original.published)
        pool.extend(own[: per_feed // 2])
        result.append((f"feed-{index:04d}", lang, rss_body(f"Feed {index}", lang, own)))
    return result
