"""Entries into clean entries: plain text, canonical URL, UTC time, language, text hash."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import xxhash

from bot.model import CleanEntry, Entry, SourceConfig
from bot.pipeline.dedup import normalise_item
from bot.pipeline.language import identify_language
from bot.text import neutralise_controls

MAX_TEXT = 20_000  # characters kept of an item's text; enough for tagging and folding
MAX_MARKUP = 2**20  # characters of an item's markup read; far more than MAX_TEXT needs
MAX_TITLE = 2_000  # characters of a title's markup read; a title is a line, not a page
MAX_KEY = 500  # characters of an entry's id kept as is; longer ids are stored as their hash
MAX_COUNT = 2**63 - 1  # the largest count a database column holds
EARLIEST_YEAR = 1900  # an earlier date is no news date
FUTURE_SLACK = timedelta(minutes=10)  # a clock a little ahead is not a date from the future


def normalise_entry(entry: Entry, source: SourceConfig, *, now: datetime) -> CleanEntry:
    """Clean one entry: what every later stage reads."""
    text = neutralise_controls(html_to_text(entry.content[:MAX_MARKUP])[:MAX_TEXT])
    title = neutralise_controls(
        _one_line(_strip_tags(entry.title[:MAX_TITLE], only_known_tags=True))
    )
    if not title:
        title = _first_words(text, 120)
    if text == title:
        text = ""
    url = entry.url.strip() if entry.url else None
    return CleanEntry(
        key=entry.key if len(entry.key) <= MAX_KEY else _long_key(entry.key),
        url=url,
        canonical_url=canonical_url(url) if url else None,
        title=title,
        text=text,
        published_at=_published(entry.published_at, now),
        lang=_language(entry.lang or source.lang, title, text),
        text_hash=text_hash(title, text),
        author=_outside(entry.author),
        views=entry.views if entry.views is not None and 0 <= entry.views <= MAX_COUNT else None,
        forwarded_from=_outside(entry.forwarded_from),
        forwarded_key=entry.forwarded_key,
        preview_url=canonical_url(entry.preview_url) if entry.preview_url else None,
    )


def html_to_text(value: str, *, only_known_tags: bool = False) -> str:
    """Plain text from an HTML fragment (or text), paragraphs kept as line breaks.

    Titles are mostly plain text in which "<" may be literal ("Maduro: <<no nos rendiremos>>"),
    so for them only the tags HTML really has are taken out.
    """
    return _tidy(_strip_tags(value, only_known_tags=only_known_tags))


def canonical_url(url: str) -> str:
    """One spelling per page: lower-case host, no fragment, no tracking parameters, sorted query."""
    url = url.strip()
    parts = _http_parts(url)
    if parts is None:
        return url
    host, port, path, query = parts
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = path or "/"
    if len(path) > 1:
        path = path.rstrip("/")  # "" when the path was only slashes
    # http and https copies of one page are one page.
    if not query:
        return f"https://{netloc}{path}"  # what urlunsplit makes of it, without its checks
    kept = sorted(
        (key, value)
        for key, value in parse_qsl(query, keep_blank_values=True)
        if not _is_tracking(key)
    )
    return urlunsplit(("https", netloc, path, urlencode(kept), ""))


def text_hash(title: str, text: str) -> str:
    """A hash of the folded title and text: the same words from two outlets hash the same."""
    # The same folding dedup compares texts by, so an exact copy is a copy for both.
    return xxhash.xxh3_128_hexdigest(normalise_item(title, text).encode())


# Markup is read by one forward scan: linear whatever the input, where patterns such as
# <[^>]*> go quadratic on many "<" without ">" and HTML parsers go quadratic on deep nesting.
_TAG_START = re.compile(r"<(?:/?[A-Za-z]|!--)")
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)")
_HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template"})
_BREAK_TAGS = frozenset({"br", "hr"})
_BREAK_END_TAGS = frozenset(
    {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr"}
)
_KNOWN_TAGS = frozenset(
    "a abbr b big br cite code del div em font h1 h2 h3 h4 h5 h6 i img ins mark p q s small "  # noqa: SIM905
    "span strong sub sup u".split()
)
_HIDDEN_END = {name: re.compile(rf"</{name}\s*>", re.I) for name in _HIDDEN_TAGS}
_BLANKS = re.compile(r"\n{3,}")
# A link with a plain host (no user, port or IPv6), no spaces: scheme, host, path, query, fragment.
_SIMPLE_URL = re.compile(r"https?://([A-Za-z0-9.-]+)(/[^?#\s]*)?(?:\?([^#\s]*))?(?:#\S*)?")
_TRACKING = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid",
    "igshid", "igsh", "_ga", "_gl", "ref_src", "ref_url", "cmpid", "spm", "ocid", "smid",
    "twclid", "s_cid", "mkt_tok", "__twitter_impression", "at_medium", "at_campaign",
}


def _is_tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered.startswith(("utm_", "pk_", "hsa_")) or lowered in _TRACKING


def _http_parts(url: str) -> tuple[str, int | None, str, str] | None:
    """Host (lower case, no "www."), port, path and query of an http(s) link; None for others."""
    simple = _SIMPLE_URL.fullmatch(url)
    if simple:  # how urlsplit reads it, for the plain links most feeds give
        host, port, path, query = simple[1], None, simple[2] or "", simple[3] or ""
    else:
        try:
            parts = urlsplit(url)
            host, port = parts.hostname or "", parts.port
        except ValueError:
            return None
        if parts.scheme not in {"http", "https"}:
            return None
        path, query = parts.path, parts.query
    host = host.lower().removeprefix("www.")
    return (host, port, path, query) if host else None


def _strip_tags(value: str, *, only_known_tags: bool) -> str:
    """Text without tags (only HTML's own with `only_known_tags`), entities decoded, breaks kept."""
    if "<" not in value:
        return html.unescape(value) if "&" in value else value
    out: list[str] = []
    pos = 0
    close = -1  # the next ">" at or after the tag being read; found once, reused while ahead
    while True:
        found = _TAG_START.search(value, pos)  # a "<" that opens no tag stays as text
        if found is None:
            break
        start = found.start()
        if value.startswith("<!--", start):
            end = value.find("-->", start + 4)
            out.append(value[pos:start])
            pos = len(value) if end < 0 else end + 3
            continue
        name = _TAG_NAME.match(value, start)
        assert name is not None  # _TAG_START saw its first letter
        if close < start:
            close = value.find(">", start)
            if close < 0:
                break  # no ">" anywhere further: the rest is text
        tag = name.group(1).lower()
        ending = value[start + 1] == "/"
        if only_known_tags and tag not in _KNOWN_TAGS:
            out.append(value[pos : close + 1])
            pos = close + 1
            continue
        out.append(value[pos:start])
        pos = close + 1
        if tag in _HIDDEN_TAGS and not ending:
            hidden_end = _HIDDEN_END[tag].search(value, pos)
            pos = len(value) if hidden_end is None else hidden_end.end()
            out.append(" ")
        elif tag in _BREAK_TAGS or (ending and tag in _BREAK_END_TAGS):
            out.append("\n")
    out.append(value[pos:])
    return html.unescape("".join(out))


def _outside(value: str | None) -> str | None:
    return neutralise_controls(value) if value else value


def _long_key(key: str) -> str:
    return "hash:" + xxhash.xxh3_128_hexdigest(key.encode("utf-8", "surrogatepass"))


def _tidy(value: str) -> str:
    """Lines stripped, runs of spaces one space, no more than one blank line in a row."""
    text = "\n".join(value.splitlines())  # \r\n, \r, \v, \f, U+2028 ... are all line breaks
    # Tabs, no-break and zero-width spaces count as spaces: str methods, no regex over the text.
    if "\t" in text or "\u00a0" in text or "\u200b" in text:
        text = text.replace("\t", " ").replace("\u00a0", " ").replace("\u200b", " ")
    while "  " in text:
        text = text.replace("  ", " ")
    text = "\n".join([line.strip() for line in text.split("\n")])
    if "\n\n\n" in text:
        text = _BLANKS.sub("\n\n", text)
    return text.strip()


def _one_line(value: str) -> str:
    """A title on one line: every run of spaces, breaks and zero-width spaces one space."""
    return " ".join(value.replace("\u200b", " ").split())


def _first_words(text: str, limit: int) -> str:
    line = text.split("\n", 1)[0]
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0]
    return f"{cut}…"


def _published(value: datetime | None, now: datetime) -> datetime:
    if value is None:
        return now
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except (OverflowError, ValueError):
        return now  # "9999-12-31T23:59:59-23:59" is past the last instant a date can hold
    if value.year < EARLIEST_YEAR:
        return now  # year 1 is no news date, and windows before it cannot be computed
    # A date in the future would pin the item to the top of every digest until then.
    return now if value > now + FUTURE_SLACK else value


def _language(declared: str | None, title: str, text: str) -> str | None:
    if declared:
        code = declared.strip().lower().replace("_", "-").split("-", 1)[0]
        if code:
            return code
    return identify_language(title, text)
