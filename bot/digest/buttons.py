"""Button payloads of every transport: short (≤ 64 bytes), one prefix per kind, checked on return."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.digest.bylines import word
from bot.digest.compose import Digest
from bot.model import Choice

MAX_OFFSET = 1000  # nobody pages past a hundred pages; a larger offset is a forged button
MAX_SPAN = timedelta(days=31)


@dataclass(frozen=True, slots=True)
class DigestMore:
    """The next page of a digest window."""

    since: datetime
    until: datetime
    offset: int


@dataclass(frozen=True, slots=True)
class ActorMore:
    """A page of an actor's stories (offset 0: the actor chosen among several)."""

    actor_id: str
    offset: int


@dataclass(frozen=True, slots=True)
class FollowChoice:
    """Follow (or stop following) the actor chosen among several."""

    actor_id: str
    follow: bool


@dataclass(frozen=True, slots=True)
class SettingChoice:
    """One settings button: what to change and to which value."""

    field: str  # schedule | time | tz | lang | show
    value: str


@dataclass(frozen=True, slots=True)
class TrendChoice:
    """Chart the actor chosen among several, over so many days."""

    actor_id: str
    days: int


Pressed = DigestMore | ActorMore | FollowChoice | SettingChoice | TrendChoice


def digest_more(*, since: datetime, until: datetime, offset: int) -> str:
    """The payload of a digest's "more" button: the window is fixed, so pages do not shift."""
    return f"dg:{int(since.timestamp())}:{int(until.timestamp())}:{offset}"


def more_button(left: int, data: str, *, language: str | None = None) -> Choice:
    """The "more" button under a page of stories: how many are left (said in the reader's
    language), and the next page's payload."""
    return Choice(word("more", language, n=left), data)


def digest_more_button(digest: Digest, *, language: str | None = None) -> Choice | None:
    """The "more" button of a digest page, None when nothing is left after it."""
    if digest.left <= 0:
        return None
    data = digest_more(since=digest.since, until=digest.until, offset=digest.next_offset)
    return more_button(digest.left, data, language=language)


def actor_page(actor_id: str, offset: int) -> str:
    """The payload of an actor's "more" button, or of choosing that actor."""
    return f"ac:{actor_id}:{offset}"


def follow_choice(actor_id: str, _offset: int = 0) -> str:
    """The payload of choosing an actor to follow."""
    return f"fo:{actor_id}"


def unfollow_choice(actor_id: str, _offset: int = 0) -> str:
    """The payload of choosing an actor to stop following."""
    return f"uf:{actor_id}"


def trend_choice(actor_id: str, days: int) -> str:
    """The payload of choosing an actor to chart."""
    return f"tr:{actor_id}:{days}"


def setting(field: str, value: str) -> str:
    """The payload of a settings button."""
    return f"st:{field}:{value}"


def parse_pressed(data: str | None) -> Pressed | None:
    """What a pressed button asks for; None for anything malformed or forged."""
    if not data or len(data) > 64:
        return None
    kind, _, rest = data.partition(":")
    if kind == "dg":
        return _digest(rest)
    if kind == "ac":
        actor_id, _, offset = rest.partition(":")
        page = _offset(offset)
        if _ID.fullmatch(actor_id) and page is not None:
            return ActorMore(actor_id=actor_id, offset=page)
        return None
    if kind in ("fo", "uf"):
        return FollowChoice(actor_id=rest, follow=kind == "fo") if _ID.fullmatch(rest) else None
    if kind == "tr":
        actor_id, _, days = rest.partition(":")
        if _ID.fullmatch(actor_id) and days in ("7", "30", "90"):
            return TrendChoice(actor_id=actor_id, days=int(days))
        return None
    if kind == "st":
        field, _, value = rest.partition(":")
        if field in _SETTING_FIELDS and _VALUE.fullmatch(value):
            return SettingChoice(field=field, value=value)
    return None


def _digest(rest: str) -> DigestMore | None:
    parts = rest.split(":")
    if len(parts) != 3 or not all(_digits(part, 12) for part in parts[:2]):
        return None
    offset = _offset(parts[2])
    if offset is None:
        return None
    try:
        since = datetime.fromtimestamp(int(parts[0]), UTC)
        until = datetime.fromtimestamp(int(parts[1]), UTC)
    except (OverflowError, OSError, ValueError):
        return None
    if not since < until or until - since > MAX_SPAN:
        return None
    return DigestMore(since=since, until=until, offset=offset)


def _digits(text: str, most: int) -> bool:
    """ASCII digits only: "²".isdigit() is true, and int("²") raises."""
    return text.isascii() and text.isdigit() and len(text) <= most


def _offset(text: str) -> int | None:
    if not _digits(text, 4):
        return None
    value = int(text)
    return value if value <= MAX_OFFSET else None


_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_VALUE = re.compile(r"[A-Za-z0-9_/+:-]{0,40}")
_SETTING_FIELDS = frozenset({"schedule", "time", "tz", "lang", "show"})
