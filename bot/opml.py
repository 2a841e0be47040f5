"""OPML, the format every feed reader exports: outlines in, feeds.toml blocks out, and back."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from bot.fold import fold_words
from bot.model import SourceConfig

__all__ = ["ImportPlan", "OpmlError", "Outline", "plan_import", "read_opml", "write_opml"]

_LANG = re.compile(r"^[a-z]{2,3}$")
_CHANNEL = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


class OpmlError(Exception):
    """A file that is not OPML Vigía can read, with the reason."""


@dataclass(frozen=True, slots=True)
class Outline:
    """One subscription of an OPML file."""

    title: str
    kind: str  # rss | telegram
    url: str = ""  # the feed's address (rss)
    channel: str | None = None  # the public channel's name (telegram)
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What importing an OPML file into feeds.toml would do."""

    added: tuple[tuple[str, Outline], ...]  # (new source id, outline)
    duplicates: tuple[tuple[Outline, str], ...]  # (outline, id of the source that has it)
    ignored: int  # outlines without a feed address (links, notes), folders not counted

    def toml(self, *, origin: str, now: datetime) -> str:
        """The [[source]] blocks to append to feeds.toml."""
        blocks = [f"\n# Imported from {origin} on {now:%Y-%m-%d}.\n"]
        for source_id, outline in self.added:
            lines = ["[[source]]", f"id = {_toml(source_id)}", f"name = {_toml(outline.title)}"]
            if outline.kind == "telegram":
                lines += ['kind = "telegram"', f"channel = {_toml(outline.channel or '')}"]
            else:
                lines.append(f"url = {_toml(outline.url)}")
            if outline.lang:
                lines.append(f"lang = {_toml(outline.lang)}")
            blocks.append("\n".join(lines) + "\n")
        return "\n".join(blocks)


def read_opml(data: bytes) -> tuple[list[Outline], int]:
    """Every subscription in an OPML document, folders flattened, in document order; and how
    many other outlines (not folders) have no feed address Vigía can read."""
    try:
        root = fromstring(data)
    except (ParseError, DefusedXmlException) as error:
        raise OpmlError(f"not readable OPML: {error}") from None
    if root.tag.lower() != "opml" or root.find("body") is None:
        raise OpmlError("not an OPML document: it has no <opml><body>")
    outlines, unreadable = [], 0
    for element in root.iter("outline"):
        outline = _outline(element)
        if outline is not None:
            outlines.append(outline)
        elif len(element) == 0:  # a folder holds outlines; a leaf without an address is lost
            unreadable += 1
    return outlines, unreadable


def plan_import(outlines: Iterable[Outline], sources: Sequence[SourceConfig],
                *, unreadable: int = 0) -> ImportPlan:
    """Which outlines become new sources (with ids made from their titles) and which are
    already in feeds.toml (the same feed address or channel, whatever its id)."""
    known = {_key_of_source(source): source.id for source in sources}
    ids = {source.id for source in sources}
    added: list[tuple[str, Outline]] = []
    duplicates: list[tuple[Outline, str]] = []
    for outline in outlines:
        key = _key_of(outline)
        if key in known:
            duplicates.append((outline, known[key]))
            continue
        source_id = _unique_id(_slug(outline), ids)
        ids.add(source_id)
        known[key] = source_id
        added.append((source_id, outline))
    return ImportPlan(added=tuple(added), duplicates=tuple(duplicates), ignored=unreadable)


def write_opml(sources: Sequence[SourceConfig], *, now: datetime | None = None) -> str:
    """The sources as an OPML 2.0 document (telegram channels as outlines of type telegram)."""
    now = now or datetime.now(UTC)
    opml = Element("opml", version="2.0")
    head = SubElement(opml, "head")
    SubElement(head, "title").text = "Vigía sources"
    SubElement(head, "dateCreated").text = now.strftime("%a, %d %b %Y %H:%M:%S +0000")
    body = SubElement(opml, "body")
    for source in sources:
        attributes = {"text": source.name, "title": source.name}
        if source.kind == "telegram":
            attributes |= {"type": "telegram", "htmlUrl": f"https://t.me/s/{source.channel}"}
        else:
            attributes |= {"type": "rss", "xmlUrl": source.url}
        if source.lang:
            attributes["language"] = source.lang
        SubElement(body, "outline", attributes)
    indent(opml)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(opml, encoding="unicode") + "\n"


def _outline(element: Element) -> Outline | None:
    title = " ".join((element.get("title") or element.get("text") or "").split())
    lang = (element.get("language") or "").strip().lower()[:3] or None
    lang = lang if lang and _LANG.match(lang) else None
    if (element.get("type") or "").lower() == "telegram":
        channel = (element.get("htmlUrl") or "").rstrip("/").rsplit("/", 1)[-1].lstrip("@")
        if not _CHANNEL.match(channel):
            return None
        return Outline(title=title or channel, kind="telegram", channel=channel, lang=lang)
    url = (element.get("xmlUrl") or element.get("xmlurl") or "").strip()
    if not url:
        return None
    return Outline(title=title or (urlsplit(url).hostname or url), kind="rss", url=url, lang=lang)


def _key_of(outline: Outline) -> tuple[str, ...]:
    if outline.kind == "telegram":
        return ("telegram", (outline.channel or "").lower())
    return _url_key(outline.url)


def _key_of_source(source: SourceConfig) -> tuple[str, ...]:
    if source.kind == "telegram":
        return ("telegram", (source.channel or "").lower())
    return _url_key(source.url)


def _url_key(url: str) -> tuple[str, ...]:
    """The same feed whatever the scheme, a leading www. or a trailing slash."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ("url", url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    return ("url", host + port, parts.path.rstrip("/") or "/", parts.query)


def _slug(outline: Outline) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", fold_words(outline.title)).strip("-")[:60].strip("-")
    if not text:
        text = re.sub(r"[^a-z0-9]+", "-", _url_key(outline.url)[1]).strip("-")[:60] or "source"
    return text


def _unique_id(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _toml(text: str) -> str:
    # A JSON string is a valid TOML basic string: quotes, backslashes, controls escaped.
    return json.dumps(text, ensure_ascii=False)
