"""Benchmark feed parsing: feedparser alone against fastfeedparser with feedparser as fallback.

Builds realistic bodies (RSS 2.0 and Atom, Spanish/English/French news about Venezuela),
parses each with both paths, prints entries per second and whether the outputs agree on what
Vigía keeps (key, link, title, date, language, content). Run from the project root: .venv/bin/python -m bench.parse
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

from bot.model import ParsedFeed
from bot.sources import feed
from bot.sources.feed import FeedError, parse_feed

FEEDS = 200
ITEMS = 50
FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "feeds"

SENTENCES = {
    "es": [
        "Nicolás Maduro anunció en Caracas nuevas medidas económicas para el sector petrolero.",
        "María Corina Machado convocó una marcha en la avenida Francisco de Miranda.",
        "El Consejo Nacional Electoral no publicó las actas de escrutinio mesa por mesa.",
        "Diosdado Cabello afirmó que los detenidos serán presentados ante tribunales.",
        "Miles de venezolanos cruzaron la frontera con Colombia por el puente Simón Bolívar.",
        "La vicepresidenta Delcy Rodríguez se reunió con empresarios de Fedecámaras.",
    ],
    "en": [
        "Venezuela's opposition said Edmundo González won the election by a wide margin.",
        "Chevron's licence to pump oil in Venezuela was extended for six more months.",
        "Power cuts returned to Maracaibo as temperatures climbed above 38 degrees.",
        "The Tren de Aragua gang was designated a terrorist organisation on Tuesday.",
        "Inflation slowed in December, the central bank said, without publishing details.",
    ],
    "fr": [
        "Le Conseil national électoral a proclamé Nicolás Maduro vainqueur du scrutin.",
        "L'opposition vénézuélienne dénonce une fraude massive et réclame les procès-verbaux.",
        "D'Edmundo González s'est exilé à Madrid après un mandat d'arrêt.",
        "Des milliers de Vénézuéliens ont manifesté à Caracas et à Maracaibo.",
    ],
}


def main() -> None:
    bodies = build_bodies(random.Random(7))
    total_bytes = sum(len(b) for b in bodies)
    print(f"bodies={len(bodies)} items_each={ITEMS} megabytes={total_bytes / 2**20:.1f}")

    slow, slow_s = time_parser(parse_slow, bodies)
    fast, fast_s = time_parser(parse_feed, bodies)
    entries = sum(len(p.entries) for p in slow)
    print(f"feedparser               entries/s={entries / slow_s:>9,.0f}  seconds={slow_s:.2f}")
    print(f"fastfeedparser+fallback  entries/s={entries / fast_s:>9,.0f}  seconds={fast_s:.2f}")
    print(f"speed-up={slow_s / fast_s:.1f}x")
    print(f"generated feeds agree: {report_agreement(slow, fast)}")

    fixtures = sorted(FIXTURES.iterdir())
    for path in fixtures:
        body = path.read_bytes()
        try:
            reference = parse_slow(body)
            candidate = parse_feed(body)
        except FeedError as exc:
            print(f"fixture {path.name:<26} refused by both: {exc.reason}")
            continue
        fast = feed._parse_fast(feed._repair_utf8(body), "") is not None
        taken = "json" if body.lstrip()[:1] == b"{" else "fast path" if fast else "fallback"
        agreement = report_agreement([reference], [candidate])
        ttl = "equal" if reference.ttl == candidate.ttl else "DIFFERS"
        print(f"fixture {path.name:<26} {taken:<9} ttl {ttl}  {agreement}")


def build_bodies(rng: random.Random) -> list[bytes]:
    bodies = []
    for n in range(FEEDS):
        lang = ("es", "en", "fr")[n % 3]
        maker = build_rss if n % 2 == 0 else build_atom
        bodies.append(maker(rng, n, lang))
    return bodies


def build_rss(rng: random.Random, n: int, lang: str) -> bytes:
    now = datetime(2025, 1, 10, 12, tzinfo=UTC)
    items = []
    for i in range(ITEMS):
        when = format_datetime(now - timedelta(minutes=37 * i), usegmt=True)
        text = " ".join(rng.choices(SENTENCES[lang], k=6))
        items.append(
            f"<item><title>{escape(text[:80])}</title>"
            f"<link>https://medio{n}.example/{i}/nota?utm_source=rss&amp;id={i}</link>"
            f'<guid isPermaLink="false">medio{n}-{i}</guid><pubDate>{when}</pubDate>'
            f"<dc:creator>Redacción {n}</dc:creator>"
            f"<description>{escape(text[:200])}</description>"
            f"<content:encoded><![CDATA[<p>{text}</p><p>{text}</p>]]></content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>Medio {n}</title><link>https://medio{n}.example/</link>"
        f"<language>{lang}</language><ttl>15</ttl>{''.join(items)}</channel></rss>"
    ).encode()


def build_atom(rng: random.Random, n: int, lang: str) -> bytes:
    now = datetime(2025, 1, 10, 12, tzinfo=UTC)
    entries = []
    for i in range(ITEMS):
        when = (now - timedelta(minutes=41 * i)).isoformat()
        text = " ".join(rng.choices(SENTENCES[lang], k=6))
        entries.append(
            f"<entry><title>{escape(text[:80])}</title><id>tag:medio{n}.example,2025:{i}</id>"
            f'<link rel="alternate" href="https://medio{n}.example/{i}"/>'
            f"<published>{when}</published><updated>{when}</updated>"
            f"<author><name>Autor {n}</name></author><summary>{escape(text[:200])}</summary>"
            f'<content type="html">{escape(f"<p>{text}</p><p>{text}</p>")}</content></entry>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">'
        f"<title>Agencia {n}</title><id>tag:medio{n}.example,2025:feed</id>"
        f"<updated>{now.isoformat()}</updated>{''.join(entries)}</feed>"
    ).encode()


def parse_slow(body: bytes) -> ParsedFeed:
    """parse_feed without the fast path: feedparser alone (JSON Feed is ours either way)."""
    head = body[:2048].lstrip()
    if head.startswith((b"{", b"[")) or feed._ENTITY_BOMB.search(body, 0, 65536):
        return parse_feed(body)  # JSON Feed and refused bodies take no fast path anyway
    return feed._parse_xml_feed(feed._repair_utf8(body), "")


def time_parser(
    parser: Callable[[bytes], ParsedFeed], bodies: list[bytes]
) -> tuple[list[ParsedFeed], float]:
    started = time.perf_counter()
    results = [parser(body) for body in bodies]
    return results, time.perf_counter() - started


def report_agreement(reference: list[ParsedFeed], candidate: list[ParsedFeed]) -> str:
    fields = ("key", "url", "title", "published_at", "lang", "content", "author")
    differing: dict[str, int] = {}
    compared = 0
    for ref, cand in zip(reference, candidate, strict=True):
        if len(ref.entries) != len(cand.entries):
            differing["entry count"] = differing.get("entry count", 0) + 1
            continue
        for a, b in zip(ref.entries, cand.entries, strict=True):
            compared += 1
            for name in fields:
                if getattr(a, name) != getattr(b, name):
                    differing[name] = differing.get(name, 0) + 1
    if not differing:
        return f"yes ({compared} entries equal on {', '.join(fields)})"
    detail = ", ".join(f"{name}={count}" for name, count in differing.items())
    return f"NO ({compared} entries compared; differing: {detail})"


if __name__ == "__main__":
    sys.exit(main())
