"""Times as Vigía keeps them: aware and in UTC, whatever the database or the caller handed over."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive time is taken to be UTC already.

    Columns hand back aware times, but SQLite keeps no zone: an aggregate (`max(last_seen)`)
    or a raw text comparison comes back naive, and it was written in UTC.
    """
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
