"""Entries into clean entries: plain text, canonical URL, UTC time, language, text hash."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import xxhash

from bot.model import CleanEntry, Entry, SourceConfig
from bot.pipeline.dedup import normalise_text

MAX_TEXT = 20_000  # characters kept of an item's text; enough for tagging and folding
FUTURE_SLACK = timedelta(minutes=10)  # a clock a little ahead is not a date from the future


def normalise_entry(entry: Entry, source: SourceConfig, *, now: datetime) -> CleanEntry:
    """Clean one entry: what every later stage reads."""
    text = html_to_text(entry.content)[:MAX_TEXT]
    title = " ".join(html_to_text(entry.title, only_known_tags=True).split())
    if not title:
        title = _first_words(text, 120)
    if text == title:
        text = ""
    url = entry.url.strip() if entry.url else None
    return CleanEntry(
        key=entry.key,
        url=url,
        canonical_url=canonical_url(url) if url else None,
        title=title,
        text=text,
        published_at=_published(entry.published_at, now),
        lang=_language(entry.lang or source.lang, f"{title} {text}"),
        text_hash=text_hash(title, text),
        author=entry.author,
        views=entry.views,
        forwarded_from=entry.forwarded_from,
        forwarded_key=entry.forwarded_key,
        preview_url=canonical_url(entry.preview_url) if entry.preview_url else None,
    )


def html_to_text(value: str, *, only_known_tags: bool = False) -> str:
    """Plain text from an HTML fragment (or text), paragraphs kept as line breaks.

    Titles are mostly plain text in which "<" may be literal ("Maduro: <<no nos rendiremos>>"),
    so for them only the tags HTML really has are taken out.
    """
    if "<" not in value and "&" not in value:
        return _tidy(value)
    value = _INVISIBLE.sub(" ", value)
    value = _BREAK.sub("\n", value)
    value = (_KNOWN_TAG if only_known_tags else _TAG).sub("", value)
    return _tidy(html.unescape(value))


def canonical_url(url: str) -> str:
    """One spelling per page: lower-case host, no fragment, no tracking parameters, sorted query."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().removeprefix("www.")
        port = parts.port
    except ValueError:
        return url.strip()
    if parts.scheme not in {"http", "https"} or not host:
        return url.strip()
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(key)
    )
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    # http and https copies of one page are one page.
    return urlunsplit(("https", netloc, path, urlencode(query), ""))


def text_hash(title: str, text: str) -> str:
    """A hash of the folded title and text: the same words from two outlets hash the same."""
    # The same folding dedup compares texts by, so an exact copy is a copy for both.
    return xxhash.xxh3_128_hexdigest(normalise_text(f"{title}\n{text}").encode())


_INVISIBLE = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)
_BREAK = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|/blockquote|/tr|hr)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_KNOWN_TAG = re.compile(
    r"</?(?:a|abbr|b|big|br|cite|code|del|div|em|font|h[1-6]|i|img|ins|mark|p|q|s|small|span"
    r"|strong|sub|sup|u)\b[^>]*>",
    re.I,
)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_BLANKS = re.compile(r"\n{3,}")
_WORD = re.compile(r"\w+")
_TRACKING = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid",
    "igshid", "igsh", "_ga", "_gl", "ref_src", "ref_url", "cmpid", "spm", "ocid", "smid",
    "twclid", "s_cid", "mkt_tok", "__twitter_impression", "at_medium", "at_campaign",
}
_LANGUAGE_WORDS = {
    "es": {"el", "la", "los", "las", "del", "que", "por", "para", "con", "una", "según", "fue"},
    "en": {"the", "of", "and", "to", "in", "is", "was", "for", "on", "that", "with", "said"},
    "fr": {"le", "les", "des", "du", "et", "une", "est", "pour", "dans", "qui", "sur", "selon"},
}


def _is_tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered.startswith(("utm_", "pk_", "hsa_")) or lowered in _TRACKING


def _tidy(value: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in value.splitlines())
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


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
    value = value.astimezone(UTC)
    # A date in the future would pin the item to the top of every digest until then.
    return now if value > now + FUTURE_SLACK else value


def _language(declared: str | None, text: str) -> str | None:
    if declared:
        code = declared.strip().lower().replace("_", "-").split("-", 1)[0]
        if code:
            return code
    words = _WORD.findall(text[:2000].lower())
    if not words:
        return None
    counts = {lang: sum(1 for w in words if w in vocab) for lang, vocab in _LANGUAGE_WORDS.items()}
    best = max(counts, key=lambda lang: counts[lang])
    return best if counts[best] >= 2 else None
