"""Read public Telegram channels from their t.me/s web preview, paging back for more."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.model import Entry
from bot.sources.channel_page import ChannelError, Page, parse_channel, parse_page
from bot.sources.fetch import Fetcher, FetchError

__all__ = ["ChannelError", "ChannelRead", "channel_name", "parse_channel", "read_channel"]

MAX_PAGES = 20  # page requests one read may make, however many older pages a channel offers
THREAD_BYTES = 256 * 1024  # pages larger than this are parsed off the event loop


@dataclass(frozen=True, slots=True)
class ChannelRead:
    """What one poll of a channel read.

    `entries` are the posts newer than the known newest post (all posts read on a first poll),
    oldest first, at most `max_posts`. `newest` is the highest post id seen on the pages read
    (service messages included), or None when the channel has no posts at all. `complete` is
    False when `max_posts` stopped the paging before it reached the known posts or the start of
    the channel, so older new posts were left unread.
    """

    entries: tuple[Entry, ...]
    newest: int | None
    pages: int
    title: str | None = None
    complete: bool = True
    invalid: int = 0  # posts left out for an id out of Telegram's range


def channel_name(value: str) -> str:
    """The bare channel name of `@name`, `name`, `https://t.me/name`, `t.me/s/name` or a post link.

    Raises ValueError unless it is a public username: 5-32 of [A-Za-z0-9_], starting with a letter.
    """
    text = value.strip()
    link = _CHANNEL_LINK.fullmatch(text)
    if link:
        text = link.group(1)
    text = text.removeprefix("@")
    if not _USERNAME.fullmatch(text):
        raise ValueError(
            f"not a public Telegram channel name: {value!r} "
            "(5-32 letters, digits or underscores, starting with a letter)"
        )
    return text


async def read_channel(
    fetcher: Fetcher,
    *,
    root: str,
    channel: str,
    known_newest: int | None,
    max_posts: int = 100,
    url: str | None = None,
    recheck: bool = False,
) -> ChannelRead:
    """Read a channel's new posts from `{root}/s/{channel}` (or `url`), paging back with `?before=`.

    A first poll (`known_newest` None) reads back up to `max_posts` posts. A later poll reads the
    newest page and pages back only while a whole page is newer than `known_newest` (a burst),
    still bounded by `max_posts`. Pages are read one after the other, never at once. Raises
    ChannelError for a channel without a public preview, a missing channel, a page that is not
    understood or one that yields no posts where posts were expected; other fetch failures
    propagate as FetchError (status, retry_after) for the scheduler to back off on.
    With `recheck`, the known posts of the newest page come back too, so that edits to them
    reach the caller (who tells an edit from a repeat by its text).
    """
    if max_posts < 1:
        raise ValueError(f"max_posts must be at least 1, not {max_posts}")
    page_url = first_url = url or f"{root.rstrip('/')}/s/{channel}"
    found: dict[int, Entry] = {}
    seen: set[int] = set()
    newest: int | None = None
    title: str | None = None
    pages = invalid = 0
    complete = False  # every post since known_newest was read
    last_before: int | None = None
    while True:
        page = await _read_page(fetcher, page_url, channel)
        pages += 1
        invalid += page.feed.invalid
        if pages == 1:
            title = page.feed.title
        if not page.ids:
            if pages == 1 and known_newest is None and not page.claims_posts:
                return ChannelRead(entries=(), newest=None, pages=1, title=title, complete=True)
            raise ChannelError(_zero_posts_reason(channel, page_url, known_newest, pages))
        if seen.issuperset(page.ids):
            break  # an older page that shows nothing new does not lead further back
        seen.update(page.ids)
        newest = max(seen)
        _keep_new_posts(page, found, known_newest=known_newest, known_too=recheck and pages == 1)
        before, complete = _next_page(page, known_newest=known_newest, last_before=last_before)
        if before is None or len(found) >= max_posts or pages >= MAX_PAGES:
            break
        last_before = before
        page_url = _with_before(first_url, before)
    kept = sorted(found)[-max_posts:]
    return ChannelRead(
        entries=tuple(found[post_id] for post_id in kept),
        newest=newest,
        pages=pages,
        title=title,
        complete=complete and len(kept) == len(found),
        invalid=invalid,
    )


def _keep_new_posts(
    page: Page, found: dict[int, Entry], *, known_newest: int | None, known_too: bool
) -> None:
    """Add the page's posts newer than `known_newest` (all of them with `known_too`) to `found`."""
    for post_id, entry in page.posts:
        if known_newest is None or post_id > known_newest or known_too:
            found.setdefault(post_id, entry)


def _next_page(
    page: Page, *, known_newest: int | None, last_before: int | None
) -> tuple[int | None, bool]:
    """The post id to page back from (None: stop here), and whether the pages read so far
    reach back to `known_newest` or to the channel's first post."""
    before = page.feed.before
    if (known_newest is not None and min(page.ids) <= known_newest) or before is None:
        return None, True
    if last_before is not None and before >= last_before:
        return None, False  # a link that does not lead further back
    return before, False


_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,31}")
_CHANNEL_LINK = re.compile(
    r"(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me|telegram\.dog)/(?:s/)?([^/?#]+)(?:/\d+)?/?(?:[?#].*)?",
    re.IGNORECASE,
)


async def _read_page(fetcher: Fetcher, url: str, channel: str) -> Page:
    try:
        fetched = await fetcher.fetch(url)
    except FetchError as error:
        if error.status == 404:
            raise ChannelError(f"channel @{channel} does not exist") from error
        raise
    if "/s/" in urlsplit(url).path and "/s/" not in urlsplit(fetched.url).path:
        raise ChannelError(f"@{channel} has no public preview (t.me redirects away from /s/)")
    body = fetched.body or b""
    if len(body) > THREAD_BYTES:
        return await asyncio.to_thread(parse_page, body, channel)
    return parse_page(body, channel)


def _with_before(url: str, before: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "before"]
    query.append(("before", str(before)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _zero_posts_reason(channel: str, url: str, known_newest: int | None, pages: int) -> str:
    if known_newest is not None and pages == 1:
        why = f"posts up to {known_newest} were read before"
    elif pages > 1:
        why = "the page before it links to older posts"
    else:
        why = "the page says the channel has posts"
    return f"page yielded 0 posts for @{channel} ({url}) although {why}"
