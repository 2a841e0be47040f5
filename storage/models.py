"""The tables, and nothing else: every schema change goes through an Alembic revision."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    LargeBinary,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from storage.times import as_utc


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def to_text(value: datetime | None) -> str | None:
            # The text SQLite's DATETIME type writes, by the C isoformat: a fifth of the time,
            # and ingest writes several times per item.
            if value is None:
                return None
            if not isinstance(value, datetime):
                raise TypeError(f"SQLite DateTime type only accepts datetime objects: {value!r}")
            if value.tzinfo is not None:
                value = value.astimezone(UTC).replace(tzinfo=None)
            return value.isoformat(" ", "microseconds")

        return to_text

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


def _utc(**kwargs: object) -> Column[datetime]:
    return Column(UTCDateTime(), **kwargs)  # type: ignore[arg-type]


class Source(SQLModel, table=True):
    """A configured feed or channel and its poll state."""

    __tablename__ = "source"

    id: str = Field(primary_key=True)
    name: str
    kind: str = "rss"
    url: str = ""
    channel: str | None = None
    lang: str | None = None
    scope: str = "general"
    enabled: bool = True
    in_config: bool = True  # false once removed from feeds.toml: kept, never deleted
    interval: int = 900  # current adaptive interval, seconds
    min_interval: int = 300
    max_interval: int = 21600
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    last_status: int | None = None
    error_count: int = 0
    last_error: str | None = None
    disabled_reason: str | None = None
    last_polled_at: datetime | None = Field(default=None, sa_column=_utc())
    last_success_at: datetime | None = Field(default=None, sa_column=_utc())
    last_new_at: datetime | None = Field(default=None, sa_column=_utc())
    next_poll_at: datetime | None = Field(default=None, sa_column=_utc(index=True))
    lease_until: datetime | None = Field(default=None, sa_column=_utc())
    lease_owner: str | None = None  # the worker polling it now (see storage/workers.py)
    newest_post: int | None = None  # channels: the highest post id seen


class Story(SQLModel, table=True):
    """Items from one or more sources that tell the same news."""

    __tablename__ = "story"

    id: int | None = Field(default=None, primary_key=True)
    title: str
    url: str | None = None
    item_id: int | None = None  # the representative item
    first_seen: datetime = Field(sa_column=_utc(nullable=False, index=True))
    last_seen: datetime = Field(sa_column=_utc(nullable=False, index=True))
    source_count: int = 1
    item_count: int = 1
    score: float = 0.0


class Item(SQLModel, table=True):
    """One stored entry of one source."""

    __tablename__ = "item"
    __table_args__ = (
        UniqueConstraint("source_id", "key", name="uq_item_source_key"),
        Index("ix_item_story", "story_id"),
        Index("ix_item_published", "published_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(foreign_key="source.id")
    key: str
    url: str | None = None
    canonical_url: str | None = None
    title: str
    text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    lang: str | None = None
    author: str | None = None
    text_hash: str
    published_at: datetime = Field(sa_column=_utc(nullable=False))
    fetched_at: datetime = Field(sa_column=_utc(nullable=False))
    updated_at: datetime | None = Field(default=None, sa_column=_utc())
    story_id: int | None = Field(default=None, foreign_key="story.id")
    views: int | None = None
    forwarded_from: str | None = None
    forwarded_key: str | None = None


class Actor(SQLModel, table=True):
    """An actor from actors.toml, mirrored so that queries can join on it."""

    __tablename__ = "actor"

    id: str = Field(primary_key=True)
    name: str
    kind: str = "person"
    weight: float = 1.0


class ItemActor(SQLModel, table=True):
    """An actor named by an item, with the tagger's confidence."""

    __tablename__ = "item_actor"
    __table_args__ = (Index("ix_item_actor_actor", "actor_id"),)

    item_id: int = Field(foreign_key="item.id", primary_key=True, ondelete="CASCADE")
    actor_id: str = Field(primary_key=True)
    confidence: float = 1.0


class StoryActor(SQLModel, table=True):
    """The union of a story's items' actors, kept for fast `/actor` queries."""

    __tablename__ = "story_actor"
    __table_args__ = (Index("ix_story_actor_actor_seen", "actor_id", "last_seen"),)

    story_id: int = Field(foreign_key="story.id", primary_key=True, ondelete="CASCADE")
    actor_id: str = Field(primary_key=True)
    last_seen: datetime = Field(sa_column=_utc(nullable=False))


class StoryTopic(SQLModel, table=True):
    """The union of a story's items' topics."""

    __tablename__ = "story_topic"

    story_id: int = Field(foreign_key="story.id", primary_key=True, ondelete="CASCADE")
    topic: str = Field(primary_key=True)


class StoryKey(SQLModel, table=True):
    """An exact key (canonical URL, text hash, channel post) that points to the story it belongs to."""

    __tablename__ = "story_key"

    key: str = Field(primary_key=True)
    story_id: int = Field(foreign_key="story.id", ondelete="CASCADE")
    seen_at: datetime = Field(sa_column=_utc(nullable=False))


class ItemBands(SQLModel, table=True):
    """An item's LSH band hashes, packed as little-endian int64: what the near-duplicate index reads.

    One row an item: each worker keeps the index itself in memory (`storage.bands.BandIndex`)
    and reads only the rows added since it last looked. Derived data, rebuilt by ingest and
    pruned by age, so it carries no foreign key to check on every insert.
    """

    __tablename__ = "item_bands"

    item_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    seen_at: datetime = Field(sa_column=_utc(nullable=False, index=True))
    bands: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Subscriber(SQLModel, table=True):
    """A chat that receives digests, with its settings and watermark."""

    __tablename__ = "subscriber"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    active: bool = True
    schedule: str = "daily"  # daily | twice | hourly | off
    digest_time: str = "08:00"  # HH:MM in the subscriber's timezone
    timezone: str = "America/Caracas"
    languages: str = ""  # comma-separated language codes; empty means all
    watermark: datetime | None = Field(default=None, sa_column=_utc())
    next_digest_at: datetime | None = Field(default=None, sa_column=_utc(index=True))
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    deactivated_reason: str | None = None
    transport: str = Field(default="telegram", sa_column_kwargs={"server_default": "telegram"})
    # The language the reader speaks to Vigía in (WhatsApp words), for its answers; None: English.
    language: str | None = None
    # When the reader last wrote (WhatsApp's own timestamp): free-form messages only within 24 h.
    last_inbound_at: datetime | None = Field(default=None, sa_column=_utc())


class Follow(SQLModel, table=True):
    """A subscriber following an actor."""

    __tablename__ = "follow"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    actor_id: str = Field(primary_key=True)


class Delivery(SQLModel, table=True):
    """The outbox: a message promised to a destination of a transport, written before it is sent."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("dedup_key", name="uq_delivery_dedup"),
        Index("ix_delivery_pending", "status", "next_attempt_at"),
        Index("ix_delivery_destination", "transport", "destination", "sent_at"),
        Index("ix_delivery_receipt", "transport", "receipt"),
    )

    id: int | None = Field(default=None, primary_key=True)
    transport: str = Field(default="telegram", sa_column=Column(Text, nullable=False))
    # Where the transport sends it: a Telegram chat id ("123", "-100…") or "@channel", a phone…
    destination: str = Field(sa_column=Column(Text, nullable=False))
    kind: str  # digest | alert | post | edit | admin (the daily report of failing sources)
    dedup_key: str  # e.g. digest:CHAT:2026-11-22T08:00 — a retry writes nothing twice
    part: int = 0
    payload: str = Field(sa_column=Column(Text, nullable=False))  # what the transport sends
    # pending | sending | sent | failed | unknown (sent, but the answer never came)
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=_utc(nullable=False))
    lease_until: datetime | None = Field(default=None, sa_column=_utc())
    lease_owner: str | None = None  # the worker sending it now
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=_utc())
    receipt: str | None = None  # the transport's id of what it delivered (a Telegram message id)
    # What the platform last said of it, for transports that say (WhatsApp's status webhooks):
    # sent | delivered | read | failed.
    receipt_status: str | None = None
    receipt_status_at: datetime | None = Field(default=None, sa_column=_utc())
    error: str | None = None


class SentStory(SQLModel, table=True):
    """A story already delivered to a chat, so it is never sent again as new."""

    __tablename__ = "sent_story"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    story_id: int = Field(foreign_key="story.id", primary_key=True, ondelete="CASCADE")
    source_count: int = 1
    sent_at: datetime = Field(sa_column=_utc(nullable=False))


class InboundMessage(SQLModel, table=True):
    """A message a reader sent over WhatsApp, kept so that a webhook Meta sends again is handled
    once: `done` once its answer is in the outbox."""

    __tablename__ = "inbound_message"

    id: str = Field(primary_key=True)  # the transport's message id (wamid)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    sent_at: datetime = Field(sa_column=_utc(nullable=False))
    received_at: datetime = Field(sa_column=_utc(nullable=False, index=True))
    done: bool = False


class Checkpoint(SQLModel, table=True):
    """Where a recurring check left off, e.g. the last item the alert check looked at."""

    __tablename__ = "checkpoint"

    name: str = Field(primary_key=True)
    value: int = 0


class Worker(SQLModel, table=True):
    """A running Vigía process, seen alive at `seen_at`: the deployment's roll call."""

    __tablename__ = "worker"

    id: str = Field(primary_key=True)  # host:pid:nonce
    host: str
    pid: int
    started_at: datetime = Field(sa_column=_utc(nullable=False))
    seen_at: datetime = Field(sa_column=_utc(nullable=False))


class Lease(SQLModel, table=True):
    """A job only one process may do at a time (receiving updates), held until `until`."""

    __tablename__ = "lease"

    name: str = Field(primary_key=True)
    owner: str
    until: datetime = Field(sa_column=_utc(nullable=False))


class SendBudget(SQLModel, table=True):
    """The deployment's one send budget: the next free moment to send a message (PostgreSQL)."""

    __tablename__ = "send_budget"

    name: str = Field(primary_key=True)
    next_at: datetime = Field(sa_column=_utc(nullable=False))


class PublishTarget(SQLModel, table=True):
    """A channel or group Vigía keeps fed (a [[publish]] table of feeds.toml), and how that goes."""

    __tablename__ = "publish_target"

    id: str = Field(primary_key=True)
    chat: str  # "@name" or a numeric chat id, as feeds.toml says
    what: str = "stories"  # stories | digest
    in_config: bool = True  # false once removed from feeds.toml: kept, never deleted
    next_digest_at: datetime | None = Field(default=None, sa_column=_utc())
    watermark: datetime | None = Field(default=None, sa_column=_utc())  # digests: sent up to here
    # The chat refused us (not an admin, no such chat): nothing more is sent until the operator
    # fixes it and feeds.toml (or /reload) says so again.
    failed_reason: str | None = None
    failed_at: datetime | None = Field(default=None, sa_column=_utc())


class PublishedStory(SQLModel, table=True):
    """A story posted to a publish target: edited in place as more outlets join, never reposted."""

    __tablename__ = "published_story"

    target_id: str = Field(primary_key=True)
    story_id: int = Field(foreign_key="story.id", primary_key=True, ondelete="CASCADE")
    source_count: int = 1  # as last posted or edited
    languages: str = ""  # comma-separated, as last posted or edited
    post_key: str  # the dedup key of the post's delivery, whose receipt an edit rewrites
    posted_at: datetime = Field(sa_column=_utc(nullable=False))
    edited_at: datetime | None = Field(default=None, sa_column=_utc())
    edits: int = 0
