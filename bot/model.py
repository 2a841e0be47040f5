"""The frozen records that travel between stages: the ground floor, importing nothing of ours."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One configured source, as feeds.toml declares it."""

    id: str
    name: str
    kind: str  # "rss" | "telegram"
    url: str  # for telegram: the page root override, or "" to use BOT_TELEGRAM_WEB_URL
    lang: str | None = None
    scope: str = "general"  # "venezuela" | "general"
    channel: str | None = None  # telegram channel name, without "@"
    enabled: bool = True
    interval: int = 900  # seconds; the starting interval of the adaptive schedule
    min_interval: int = 300
    max_interval: int = 21600
    line: int = 0  # where the [[source]] table starts in feeds.toml, for messages


@dataclass(frozen=True, slots=True)
class PublishConfig:
    """A channel or group Vigía keeps fed, as a [[publish]] table of feeds.toml declares it."""

    id: str
    chat: str  # "@name", or a numeric chat id as text ("-1001234567890")
    what: str = "stories"  # "stories": each once told by min_sources outlets | "digest": at times
    min_sources: int = 2
    actors: tuple[str, ...] = ()  # only stories naming one of these actor ids; empty: all
    languages: tuple[str, ...] = ()  # stories with an item in one of these; empty: all
    times: tuple[str, ...] = ("08:00", "20:00")  # HH:MM, for what = "digest"
    timezone: str = "America/Caracas"
    line: int = 0
    actor_lines: tuple[int, ...] = ()  # where `actors` is written, for messages


@dataclass(frozen=True, slots=True)
class Actor:
    """A person, organisation, group or state that Vigía tags, as actors.toml declares it."""

    id: str
    name: str
    kind: str  # person | organisation | group | state
    aliases: tuple[str, ...] = ()  # strong: tagged on sight
    surnames: tuple[str, ...] = ()  # weak: capitalised and licensed only
    # Capitalised names nobody else in the news bears: tagged unless another first name precedes.
    distinctive: tuple[str, ...] = ()
    # Names other countries' bodies or other people share ("CNE", "Jorge Rodríguez"): tagged only
    # in an item about Venezuela, and never when another country is named right beside them.
    generic: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()  # words that license a bare surname right after them
    exclude: tuple[str, ...] = ()  # phrases that are never this actor
    venezuelan: bool = True  # naming this actor makes an item about Venezuela
    # A foreign actor's country (a name of bot.pipeline.words.FOREIGN_COUNTRIES): naming the actor
    # names that country, and naming the country licenses the actor's bare surname.
    country: str = ""
    weight: float = 1.0  # ranking weight of stories naming this actor
    line: int = 0


@dataclass(frozen=True, slots=True)
class Topic:
    """A subject Vigía tags (elections, migration, oil, ...), with its keywords in es/en/fr."""

    id: str
    name: str
    keywords: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry parsed from a feed or a channel page, not yet stored.

    `title` and `content` are as the source gave them (they may hold HTML); `normalise` cleans them.
    """

    key: str  # the guid in its source; tg:CHANNEL/ID for channel posts
    url: str | None
    title: str
    content: str
    published_at: datetime | None = None  # aware, any zone; None when the source gave no date
    author: str | None = None
    lang: str | None = None
    views: int | None = None
    forwarded_from: str | None = None  # a channel's name, or a display name
    forwarded_key: str | None = None  # tg:CHANNEL/ID of the original post, when known
    preview_url: str | None = None
    preview_title: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What a feed body or a channel page yields."""

    entries: tuple[Entry, ...]
    title: str | None = None
    ttl: int | None = None  # seconds, from <ttl> or the channel's own hint
    before: int | None = None  # channel pages: the id for ?before= to read older posts
    invalid: int = 0  # entries or posts left out for a value out of any sane range
    capped: int = 0  # older entries left out of a body longer than the entry cap


@dataclass(frozen=True, slots=True)
class CleanEntry:
    """An entry after `normalise`: plain text, canonical URL, UTC time, language."""

    key: str
    url: str | None
    canonical_url: str | None
    title: str
    text: str
    published_at: datetime  # UTC; the fetch time when the source gave none or a future one
    lang: str | None
    text_hash: str  # hash of the normalised title + text, for exact cross-source dedup
    author: str | None = None
    views: int | None = None
    forwarded_from: str | None = None
    forwarded_key: str | None = None
    preview_url: str | None = None


@dataclass(frozen=True, slots=True)
class ActorTag:
    """An actor named in a text, with how sure the tagger is (0..1)."""

    id: str
    name: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Tagging:
    """What `tag` and `relevance` say of a text."""

    relevant: bool
    actors: tuple[ActorTag, ...] = ()
    topics: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = field(default=())  # surnames that fit several actors, left untagged


@dataclass(frozen=True, slots=True)
class StoryView:
    """A story as digests, `/actor`, `/search` and alerts show it."""

    id: int
    title: str
    url: str | None  # the best source's link
    source_name: str  # the best source's name
    source_count: int
    first_seen: datetime
    last_seen: datetime
    actors: tuple[str, ...] = ()  # display names, most important first
    topics: tuple[str, ...] = ()  # topic names
    score: float = 0.0
    lang: str | None = None
    actor_weight: float = 0.0  # the weight of the weightiest actor named, for ranking
    follow_up: bool = False  # already sent to this chat, and since reported by more sources
    languages: tuple[str, ...] = ()  # the languages it was reported in, first reported first


# ---- the one seam for everything that goes out ------------------------------------------------
# A digest, an alert, an answer or a channel post is composed once as a `Message`; each transport
# renders it (escaping untrusted text its own way, splitting under its own limit) into payloads
# that the outbox stores and that transport's sender sends. See bot/outbox.py.


@dataclass(frozen=True, slots=True)
class Span:
    """A run of a paragraph's text; untrusted, escaped by each renderer its own way."""

    text: str
    style: str = ""  # "" | "bold" | "italic" | "code"
    link: str | None = None  # an http(s) address; renderers drop anything else


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Plain words (one or more lines), optionally styled in runs."""

    spans: tuple[Span, ...]

    @staticmethod
    def of(text: str, *, style: str = "") -> Paragraph:
        """A paragraph of one run."""
        return Paragraph(spans=(Span(text, style),))


@dataclass(frozen=True, slots=True)
class StoryBlock:
    """One story as every transport shows it: title, link, outlets, languages, actors, topics, time."""

    title: str
    url: str | None
    source_name: str  # the best source's name
    source_count: int
    time: datetime  # when the story was first seen (aware)
    languages: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()  # display names, most important first
    topics: tuple[str, ...] = ()
    index: int | None = None  # its number in a digest
    follow_up: bool = False  # sent before, back because more outlets carry it
    # The reader's language (es/en/fr) for the block's own words around the feed's; None: English.
    reader_language: str | None = None


Block = Paragraph | StoryBlock


@dataclass(frozen=True, slots=True)
class Choice:
    """A button: its label (plain text) and what pressing it asks for (≤ 64 bytes)."""

    label: str
    data: str


@dataclass(frozen=True, slots=True)
class Picture:
    """A PNG with a one-line caption (plain text)."""

    png: bytes
    caption: str


@dataclass(frozen=True, slots=True)
class Message:
    """What Vigía says, before any transport: blocks in order, choices under them, a picture.

    `timezone` and `now` are the reader's: times are shown in their zone, as "14:05" today.
    `replaces` is the receipt of an earlier delivery this message rewrites in place (a channel
    post growing as more outlets join); a transport that cannot edit sends it anew.
    """

    blocks: tuple[Block, ...] = ()
    choices: tuple[tuple[Choice, ...], ...] = ()
    picture: Picture | None = None
    timezone: str = "UTC"
    now: datetime | None = None
    replaces: str | None = None


class Status(StrEnum):
    """What a transport says of one send."""

    DELIVERED = "delivered"
    RETRY = "retry"  # not now: after `retry_after` seconds, or the outbox's back-off
    BLOCKED = "blocked"  # the destination is gone or refuses us: stop sending it anything
    REJECTED = "rejected"  # this payload will never go: give it up, keep the destination
    UNKNOWN = "unknown"  # it left, but no answer came: it may have arrived, so never again


@dataclass(frozen=True, slots=True)
class Outcome:
    """The answer of `Transport.send` for one delivery."""

    status: Status
    receipt: str | None = None  # the platform's id of what it delivered (edits refer to it)
    retry_after: float | None = None  # seconds the platform asked for; None: back off
    flood: bool = False  # the platform paced us (429): waiting is not a failed attempt
    reason: str = ""  # for the log and the row's error; never a secret
