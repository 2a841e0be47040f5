"""Parse a feed body (RSS 0.9x/1.0/2.0, Atom, RDF, JSON Feed) into entries."""

from __future__ import annotations

import calendar
import codecs
import heapq
import io
import json
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import fastfeedparser
import feedparser
import xxhash
from feedparser.exceptions import CharacterEncodingOverride, NonXMLContentType
from lxml import etree

from bot.model import Entry, ParsedFeed

__all__ = ["MAX_ENTRIES", "FeedError", "parse_feed"]

MAX_ENTRIES = 1_000  # entries kept of one read, the newest; a feed is not an archive
MAX_LENIENT_TAGS = 1_000_000  # tags the lenient parser reads: about half a minute of its work


class FeedError(Exception):
    """A body that is not a feed, with a readable reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_feed(body: bytes, *, url: str = "") -> ParsedFeed:
    """The entries of a feed body; `url` (where it was fetched) resolves relative links.

    Raises FeedError when the body is not a feed: an HTML page, garbage, XML with no entries
    recovered, an entity bomb. A valid feed with no entries is not an error.
    """
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        raise FeedError("not a feed: empty body")
    if head.startswith((b"{", b"[")):
        return _newest(_parse_json_feed(body, url))
    if head.startswith((b"<!doctype html", b"<html")):
        raise FeedError("not a feed: an HTML page")
    if _ENTITY_BOMB.search(body, 0, 65536):
        raise FeedError("not a feed: entity declarations refused (possible entity bomb)")
    body = _repair_utf8(body)
    body, dropped = _trim(body)
    feed = _newest(_parse_fast(body, url) or _parse_xml_feed(body, url))
    return replace(feed, capped=feed.capped + dropped) if dropped else feed


def _trim(body: bytes) -> tuple[bytes, int]:
    """A body of more than MAX_ENTRIES entries cut to its newest ones, and how many went.

    The feed parsers build every entry first (fastfeedparser spends ~0.3 ms on each, and
    memory to match): 200,000 tiny items took minutes. One streaming pass keeps the newest
    entries by date and rebuilds a small document; a body it cannot stream is left whole.
    """
    if body.count(b"<item") + body.count(b"<entry") <= MAX_ENTRIES:
        return body, 0
    kept: list[tuple[float, int, bytes]] = []  # a heap of the newest: (stamp, -index, xml)
    parent = None
    total = 0
    try:
        events = etree.iterparse(
            io.BytesIO(body), events=("end",), tag=("{*}item", "{*}entry"), recover=True,
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        )
        root = None
        for _, element in events:
            if root is None:
                root = element.getroottree().getroot()
            parent = element.getparent()
            rank = (_stamp(element), -total)
            total += 1
            if len(kept) < MAX_ENTRIES:
                heapq.heappush(kept, (*rank, etree.tostring(element)))
            elif rank > kept[0][:2]:
                heapq.heapreplace(kept, (*rank, etree.tostring(element)))
            element.clear()
            while element.getprevious() is not None:  # drop what was read: memory stays flat
                del parent[0]
        if parent is None or root is None or total <= MAX_ENTRIES:
            return body, 0
        for child in list(parent):
            if etree.QName(child).localname in ("item", "entry"):
                parent.remove(child)
        for _, _, xml in sorted(kept, key=lambda entry: -entry[1]):
            parent.append(etree.fromstring(xml))
        return etree.tostring(root, xml_declaration=True, encoding="utf-8"), total - len(kept)
    except (etree.LxmlError, ValueError):
        return body, 0


def _stamp(element: Any) -> float:
    """An entry element's date as a POSIX time; undated entries rank oldest."""
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag.rpartition("}")[2] in _DATE_TAGS:
            text = (child.text or "").strip()
            try:
                when = (
                    datetime.fromisoformat(text) if text[:1].isdigit() else parsedate_to_datetime(text)
                )
                return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
            except (ValueError, TypeError, IndexError, OverflowError):
                continue
    return float("-inf")


_DATE_TAGS = frozenset({"pubDate", "published", "updated", "date"})


def _newest(feed: ParsedFeed) -> ParsedFeed:
    """The feed with its newest MAX_ENTRIES entries (undated ones ranked by their place)."""
    if len(feed.entries) <= MAX_ENTRIES:
        return feed
    oldest = datetime.min.replace(tzinfo=UTC)
    ranked = heapq.nlargest(
        MAX_ENTRIES,
        range(len(feed.entries)),
        key=lambda index: (feed.entries[index].published_at or oldest, -index),
    )
    kept = tuple(feed.entries[index] for index in sorted(ranked))
    return replace(feed, entries=kept, capped=len(feed.entries) - len(kept))


# An internal DTD entity whose value names another entity (the billion-laughs pattern) or an
# external one (XXE). Plain character entities such as `&#160;` stay allowed.
_ENTITY_BOMB = re.compile(
    rb"<!ENTITY\s+%?\s*[^\s>]+\s+(?:\"[^\"]*&[A-Za-z_:%]|'[^']*&[A-Za-z_:%]|SYSTEM\b|PUBLIC\b)"
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_CLOSED = re.compile(rb"</(?:[A-Za-z0-9_]+:)?(?:rss|feed|RDF)>\s*$")
_LONGEST_TTL = 366 * 24 * 60  # minutes
_UTF8_NAMES = frozenset({"utf-8", "utf8"})
_NOT_FATAL = (CharacterEncodingOverride, NonXMLContentType)


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes that are not UTF-8 as Windows-1252 (Latin-1 where it has a hole)."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return "".join(_cp1252_char(b) for b in bad), error.end


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


codecs.register_error("vigia.latin1_fallback", _latin1_fallback)


def _repair_utf8(body: bytes) -> bytes:
    """A body declared (or defaulting to) UTF-8 but holding Latin-1 bytes, made UTF-8.

    Feeds often declare UTF-8 and then send Latin-1, wholly or in a few pasted paragraphs.
    Decoding the whole document as Windows-1252 would garble its real UTF-8 parts, so only the
    bytes that are not UTF-8 are reinterpreted.
    """
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body
    declared = _XML_ENCODING.match(body[:512])
    if declared and declared.group(1).decode("ascii").lower() not in _UTF8_NAMES:
        return body
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("utf-8", errors="vigia.latin1_fallback").encode("utf-8")
    return body


def _parse_fast(body: bytes, url: str) -> ParsedFeed | None:
    """fastfeedparser's reading (about 25× faster), or None where only feedparser reads right.

    bench/parse.py checks that both agree on what Vigía keeps. fastfeedparser raises on malformed
    input, recovers cut-off entries, and misses RSS <language>/<ttl>, RDF content and per-entry
    xml:lang; those bodies, and every non-UTF-8 one, go to feedparser.
    """
    head = body[:4096]
    declared = _XML_ENCODING.match(head)
    if declared and declared.group(1).decode("ascii").lower() not in _UTF8_NAMES:
        return None
    if b"<rdf:RDF" in head or body.count(b"xml:lang") > 1 or not _CLOSED.search(body[-256:]):
        return None
    try:
        parsed = fastfeedparser.parse(body, include_tags=False, include_media=False)
    except Exception:  # any failure of the fast path just means the careful path reads it
        return None
    if not parsed.entries:
        return None  # only feedparser tells an empty feed from a broken one
    channel: Mapping[str, Any] = parsed.feed
    feed_lang = _language(channel.get("language")) or _language(
        _rss_channel_value(body, "language")
    )
    return ParsedFeed(
        entries=tuple(
            entry
            for entry in (_entry_from_fast(e, feed_lang, url) for e in parsed.entries)
            if entry.title or entry.content or entry.url
        ),
        title=_text(channel.get("title")),
        ttl=_ttl(_rss_channel_value(body, "ttl")),
    )


def _entry_from_fast(raw: Mapping[str, Any], feed_lang: str | None, base: str) -> Entry:
    title = _text(raw.get("title")) or ""
    # dict first: what the parser hands back, and a check 5× faster than against the ABC.
    contents = [
        _text(c.get("value")) for c in raw.get("content") or () if isinstance(c, (dict, Mapping))
    ]
    content = _fullest([*contents, _text(raw.get("description"))])
    link = _link(raw.get("link"), base)
    return Entry(
        key=_text(raw.get("id")) or link or _hash_key(title, content),
        url=link,
        title=title,
        content=content,
        published_at=_from_iso(raw.get("published")) or _from_iso(raw.get("updated")),
        author=_text(raw.get("author")),
        lang=feed_lang,
    )


def _rss_channel_value(body: bytes, tag: str) -> str | None:
    """An RSS channel element's text, looked for outside the items (the fast path skips them)."""
    first_item = body.find(b"<item")
    last_item = body.rfind(b"</item>")
    pattern = re.compile(rb"<(?:dc:)?" + tag.encode() + rb">\s*([^<]{1,64}?)\s*</")
    for part in (
        body[:first_item] if first_item >= 0 else body,
        body[last_item:] if last_item >= 0 else b"",
    ):
        found = pattern.search(part)
        if found:
            return found.group(1).decode("utf-8", errors="replace")
    return None


def _parse_xml_feed(body: bytes, url: str) -> ParsedFeed:
    tags = body.count(b"<")
    if tags > MAX_LENIENT_TAGS:
        # feedparser's lenient reader spends ~35 µs on each tag: 15 MiB of them would keep a
        # thread busy for many minutes. A feed this large is well-formed or it is not a feed.
        raise FeedError(
            f"not a feed: malformed, and too large to read leniently ({tags:,} tags, "
            f"more than {MAX_LENIENT_TAGS:,})"
        )
    headers = {"content-location": url} if url else None
    try:
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    except Exception as exc:  # hostile input must end as FeedError, whatever the library trips on
        raise FeedError(f"not a feed: {type(exc).__name__}") from None
    problem = parsed.get("bozo_exception")
    fatal = bool(parsed.get("bozo")) and not isinstance(problem, _NOT_FATAL)
    raw_entries = list(parsed.entries)
    if fatal and raw_entries and not _CLOSED.search(body[-256:]):
        raw_entries.pop()  # the body was cut short: its last entry is cut too
    if not raw_entries and (fatal or not parsed.get("version")):
        reason = _describe(problem) if fatal else "no feed element found"
        raise FeedError(f"not a feed: {reason}")
    channel: Mapping[str, Any] = parsed.feed
    feed_lang = _language(channel.get("language"))
    entries = tuple(
        entry
        for entry in (_entry_from_xml(e, feed_lang, url) for e in raw_entries)
        if entry.title or entry.content or entry.url
    )
    return ParsedFeed(
        entries=entries, title=_text(channel.get("title")), ttl=_ttl(channel.get("ttl"))
    )


def _entry_from_xml(raw: Mapping[str, Any], feed_lang: str | None, base: str) -> Entry:
    title = _text(raw.get("title")) or ""
    contents = [_text(c.get("value")) for c in raw.get("content") or () if isinstance(c, Mapping)]
    content = _fullest([*contents, _text(raw.get("summary"))])
    link = _link(raw.get("link"), base)
    stamp = raw.get("published_parsed") or raw.get("updated_parsed")
    lang = None
    for detail in ("title_detail", "summary_detail"):
        if isinstance(raw.get(detail), Mapping):
            lang = lang or _language(raw[detail].get("language"))
    return Entry(
        key=_text(raw.get("id")) or link or _hash_key(title, content),
        url=link,
        title=title,
        content=content,
        published_at=_from_struct(stamp),
        author=_text(raw.get("author")),
        lang=lang or feed_lang,
    )


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        raise FeedError("not a feed: invalid JSON") from None
    if not isinstance(doc, dict) or "jsonfeed.org/version" not in str(doc.get("version", "")):
        raise FeedError("not a feed: JSON without a JSON Feed version")
    items = doc.get("items", [])
    if not isinstance(items, list):
        raise FeedError("not a feed: JSON Feed items is not a list")
    feed_lang = _language(doc.get("language"))
    feed_author = _json_author(doc)
    entries = tuple(
        entry
        for entry in (
            _entry_from_json(item, feed_lang, feed_author, url)
            for item in items
            if isinstance(item, dict)
        )
        if entry.title or entry.content or entry.url
    )
    return ParsedFeed(entries=entries, title=_text(doc.get("title")))


def _entry_from_json(
    item: Mapping[str, Any], feed_lang: str | None, feed_author: str | None, base: str
) -> Entry:
    title = _text(item.get("title")) or ""
    content = _fullest(
        [_text(item.get(name)) for name in ("content_html", "content_text", "summary")]
    )
    link = _link(item.get("url"), base) or _link(item.get("external_url"), base)
    item_id = item.get("id")
    key = str(item_id) if isinstance(item_id, str | int) and str(item_id) else None
    return Entry(
        key=key or link or _hash_key(title, content),
        url=link,
        title=title,
        content=content,
        published_at=_from_iso(item.get("date_published")) or _from_iso(item.get("date_modified")),
        author=_json_author(item) or feed_author,
        lang=_language(item.get("language")) or feed_lang,
    )


def _json_author(obj: Mapping[str, Any]) -> str | None:
    authors = obj.get("authors")
    candidates = authors if isinstance(authors, list) else [obj.get("author")]  # 1.1, then 1.0
    for author in candidates:
        if isinstance(author, dict) and _text(author.get("name")):
            return _text(author.get("name"))
    return None


def _describe(problem: object) -> str:
    if problem is None:
        return "unreadable"
    message = getattr(problem, "getMessage", None)
    text = message() if callable(message) else str(problem)
    return f"malformed XML ({text})" if text else type(problem).__name__


def _text(value: object) -> str | None:
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    return None


def _fullest(candidates: Iterable[str | None]) -> str:
    """The longest candidate, the first of equals; "" when none has text."""
    fullest = ""
    for candidate in candidates:
        if candidate and len(candidate) > len(fullest):
            fullest = candidate
    return fullest


def _link(value: object, base: str) -> str | None:
    link = _text(value)
    if link is None:
        return None
    if not base:
        return link
    try:
        return urljoin(base, link)
    except ValueError:  # "http://[bad" and the like: keep the link as the feed wrote it
        return link


def _hash_key(title: str, content: str) -> str:
    return "hash:" + xxhash.xxh3_128_hexdigest(f"{title}\x00{content}".encode())


def _language(value: object) -> str | None:
    """The primary language subtag, lower-cased: `es-VE` → `es`."""
    text = _text(value)
    if text is None:
        return None
    primary = text.replace("_", "-").split("-", 1)[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def _ttl(value: object) -> int | None:
    """RSS <ttl> is in minutes; Vigía schedules in seconds. Beyond a year means "rarely"."""
    text = _text(value)
    if text is None or not (text.isascii() and text.isdigit()) or int(text[:12]) == 0:
        return None
    return min(int(text[:12]), _LONGEST_TTL) * 60 if len(text) <= 12 else _LONGEST_TTL * 60


def _from_struct(stamp: object) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime."""
    if not isinstance(stamp, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(stamp), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _from_iso(value: object) -> datetime | None:
    """An RFC 3339 date as JSON Feed carries it; a date without a zone is taken as UTC."""
    text = _text(value)
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
