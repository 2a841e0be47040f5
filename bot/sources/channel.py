"""Read public Telegram channels from their t.me/s web preview: parse one page, page back for more."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from bot.model import Entry, ParsedFeed
from bot.sources.fetch import Fetcher, FetchError

__all__ = ["ChannelError", "ChannelRead", "channel_name", "parse_channel", "read_channel"]

TITLE_LIMIT = 120  # characters of a post's first line kept as its title


class ChannelError(Exception):
    """A channel page that cannot be read as a channel, with a reason an operator can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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


def parse_channel(html: bytes | str, *, channel: str) -> ParsedFeed:
    """The posts of one t.me/s page, oldest first; raises ChannelError when it is no channel page.

    Each post becomes an Entry keyed `tg:CHANNEL/ID`, CHANNEL lower-cased because usernames are
    case-insensitive (so a forward's `forwarded_key` equals the original's own key). `content` is
    plain text, not HTML: line breaks kept, links as their text followed by ` (URL)` when the text
    is not the URL itself (mentions and hashtags stay bare), emoji as characters, polls as the
    question and one `• option` line each (no percentages: they change on every read). `title` is
    the first line, cut at a word near 120 characters; a post without text is titled by its
    media, e.g. "(photo)", "(album)", "(video)", with `content=""`. Service messages (pinned,
    channel created) are skipped. A channel with no posts yields an empty ParsedFeed.
    """
    return _parse_page(html, channel).feed


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
    first_url = url or f"{root.rstrip('/')}/s/{channel}"
    found: dict[int, Entry] = {}
    seen: set[int] = set()
    newest: int | None = None
    title: str | None = None
    pages = 0
    complete = False
    page_url = first_url
    last_before: int | None = None
    while True:
        page = await _read_page(fetcher, page_url, channel)
        pages += 1
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
        for post_id, entry in page.posts:
            if known_newest is None or post_id > known_newest or (recheck and pages == 1):
                found.setdefault(post_id, entry)
        before = page.feed.before
        if (known_newest is not None and min(page.ids) <= known_newest) or before is None:
            complete = True
            break
        if len(found) >= max_posts:
            break
        if last_before is not None and before >= last_before:
            break  # a link that does not lead further back
        last_before = before
        page_url = _with_before(first_url, before)
    kept = sorted(found)[-max_posts:]
    complete = complete and len(kept) == len(found)
    entries = tuple(found[post_id] for post_id in kept)
    return ChannelRead(entries=entries, newest=newest, pages=pages, title=title, complete=complete)


# Parsing one page.

_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,31}")
_CHANNEL_LINK = re.compile(
    r"(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me|telegram\.dog)/(?:s/)?([^/?#]+)(?:/\d+)?/?(?:[?#].*)?",
    re.IGNORECASE,
)
_POST_LINK = re.compile(
    r"https?://(?:www\.)?(?:t\.me|telegram\.me)/(?:s/)?([A-Za-z][A-Za-z0-9_]{3,31})/(\d+)(?:[/?#].*)?",
    re.IGNORECASE,
)
_DATA_POST = re.compile(r"([A-Za-z0-9_]+)/(\d+)")
_VIEWS = re.compile(r"(\d+(?:[.,]\d+)?)\s*([KMB]?)", re.IGNORECASE)
_EMOJI_IMAGE = re.compile(r"/emoji/\d+/([0-9A-Fa-f]+)\.png")
_SPACES = re.compile(r"[ \t\n\r\f]+")  # HTML collapsible white space; a no-break space stays
_BLANK_LINES = re.compile(r"\n{3,}")
_MULTIPLIERS = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}

# Media, in the order their label wins when a post has no text.
_MEDIA_LABELS = (
    ("tgme_widget_message_grouped_wrap", "(album)"),
    ("tgme_widget_message_video_player", "(video)"),
    ("tgme_widget_message_roundvideo_player", "(video)"),
    ("tgme_widget_message_photo_wrap", "(photo)"),
    ("tgme_widget_message_sticker_wrap", "(sticker)"),
    ("tgme_widget_message_sticker", "(sticker)"),
    ("tgme_widget_message_tgsticker", "(sticker)"),
    ("tgme_widget_message_videosticker", "(sticker)"),
    ("tgme_widget_message_voice_player", "(voice message)"),
    ("tgme_widget_message_voice", "(voice message)"),
    ("tgme_widget_message_document_wrap", "(document)"),
    ("tgme_widget_message_location_wrap", "(location)"),
    ("tgme_widget_message_contact_wrap", "(contact)"),
)
_SKIPPED_TAGS = frozenset(
    {"-comment", "script", "style", "svg", "template", "noscript", "img", "video", "audio"}
)
_SKIPPED_CLASSES = frozenset(
    {"tgme_widget_message_reactions", "tgme_widget_message_poll", "tgme_widget_message_footer"}
)
_BLOCK_TAGS = frozenset({"blockquote", "pre", "div", "p", "ul", "ol", "li"})


@dataclass(frozen=True, slots=True)
class _Page:
    feed: ParsedFeed
    posts: tuple[tuple[int, Entry], ...]  # (post id, entry), oldest first
    ids: tuple[int, ...]  # every post id on the page, service messages included
    claims_posts: bool  # the page says the channel has posts: a link to older ones, media counters


async def _read_page(fetcher: Fetcher, url: str, channel: str) -> _Page:
    try:
        fetched = await fetcher.fetch(url)
    except FetchError as error:
        if error.status == 404:
            raise ChannelError(f"channel @{channel} does not exist") from error
        raise
    if "/s/" in urlsplit(url).path and "/s/" not in urlsplit(fetched.url).path:
        raise ChannelError(f"@{channel} has no public preview (t.me redirects away from /s/)")
    return _parse_page(fetched.body or b"", channel)


def _parse_page(html: bytes | str, channel: str) -> _Page:
    if isinstance(html, str):
        html = html.encode("utf-8", "replace")  # lone surrogates cannot reach the parser
    tree = LexborHTMLParser(html.decode("utf-8", "replace"))
    history = tree.css_first(".tgme_channel_history")
    header = tree.css_first(".tgme_channel_info")
    wraps = tree.css(".tgme_widget_message_wrap")
    if history is None and header is None and not wraps:
        if tree.css_first(".tgme_page") is not None:
            raise ChannelError(
                f"no public preview for @{channel}: t.me shows the channel's landing page, "
                "not its posts"
            )
        raise ChannelError(f"no public preview for @{channel}: the page holds no channel posts")
    if history is None and not wraps:
        raise ChannelError(
            f"page structure not recognised for @{channel}: no .tgme_channel_history"
        )
    posts: list[tuple[int, Entry]] = []
    ids: list[int] = []
    for wrap in wraps:
        if wrap.css_first(".tme_no_messages_found") is not None:
            continue
        message = wrap.css_first(".tgme_widget_message[data-post]")
        found = _DATA_POST.fullmatch((message.attributes.get("data-post") or "") if message else "")
        if message is None or found is None:
            raise ChannelError(
                f"page structure not recognised for @{channel}: a post without "
                'data-post="CHANNEL/ID"'
            )
        post_id = int(found.group(2))
        ids.append(post_id)
        if _has_class(message, "service_message") or wrap.css_first(".service_message") is not None:
            continue
        bubble = message.css_first(".tgme_widget_message_bubble")
        if bubble is None:
            raise ChannelError(
                f"page structure not recognised for @{channel}: post {post_id} has no "
                ".tgme_widget_message_bubble"
            )
        posts.append((post_id, _read_post(message, bubble, found.group(1), post_id)))
    if not ids and history is not None and _holds_unknown_posts(history):
        raise ChannelError(
            f"page structure not recognised for @{channel}: the channel history holds no "
            ".tgme_widget_message_wrap posts"
        )
    posts.sort(key=lambda post: post[0])
    before = _older_page(tree)
    feed = ParsedFeed(
        entries=tuple(entry for _, entry in posts),
        title=_text_of(tree.css_first(".tgme_channel_info_header_title")),
        before=before,
    )
    return _Page(
        feed=feed,
        posts=tuple(posts),
        ids=tuple(sorted(ids)),
        claims_posts=before is not None or _counts_media(tree),
    )


def _read_post(message: LexborNode, bubble: LexborNode, owner: str, post_id: int) -> Entry:
    text = _post_text(bubble)
    poll = _poll_text(message)
    if poll:
        text = f"{text}\n\n{poll}" if text else poll
    label = _media_label(message)
    preview = message.css_first(".tgme_widget_message_link_preview")
    forwarded = message.css_first(".tgme_widget_message_forwarded_from_name")
    forwarded_href = _href(forwarded)
    forwarded_link = _POST_LINK.fullmatch(forwarded_href) if forwarded_href else None
    return Entry(
        key=f"tg:{owner.lower()}/{post_id}",
        url=f"https://t.me/{owner}/{post_id}",
        title=_title(text) or label,
        content=text,
        published_at=_published_at(message),
        author=_text_of(message.css_first(".tgme_widget_message_from_author")),
        views=_views(_text_of(message.css_first(".tgme_widget_message_views"))),
        forwarded_from=_text_of(forwarded),
        forwarded_key=(
            f"tg:{forwarded_link.group(1).lower()}/{forwarded_link.group(2)}"
            if forwarded_link
            else None
        ),
        preview_url=_href(preview),
        preview_title=_text_of(preview.css_first(".link_preview_title")) if preview else None,
    )


def _post_text(bubble: LexborNode) -> str:
    """The post's own text: the bubble's direct text blocks, not those quoted in a reply."""
    blocks: list[str] = []
    for child in _children(bubble):
        if _has_class(child, "media_supported_cont"):
            blocks.extend(_plain_text(part) for part in _children(child) if _is_text_block(part))
        elif _is_text_block(child):
            blocks.append(_plain_text(child))
    return "\n".join(block for block in blocks if block)


def _poll_text(message: LexborNode) -> str:
    poll = message.css_first(".tgme_widget_message_poll")
    if poll is None:
        return ""
    question = _text_of(poll.css_first(".tgme_widget_message_poll_question")) or ""
    options = [
        f"• {option}"
        for node in poll.css(".tgme_widget_message_poll_option_text")
        if (option := _text_of(node))
    ]
    return "\n".join(line for line in (question, *options) if line)


def _media_label(message: LexborNode) -> str:
    document = _text_of(message.css_first(".tgme_widget_message_document_title"))
    if document:
        return f"(document: {document})"
    for css_class, label in _MEDIA_LABELS:
        if message.css_first(f".{css_class}") is not None:
            return label
    return "(post)"


def _title(text: str) -> str:
    line = next((line.strip() for line in text.split("\n") if line.strip()), "")
    if len(line) <= TITLE_LIMIT:
        return line
    cut = line[: TITLE_LIMIT - 1]  # room for the ellipsis
    space = cut.rfind(" ")
    if space > TITLE_LIMIT // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def _published_at(message: LexborNode) -> datetime | None:
    time = message.css_first(".tgme_widget_message_date time[datetime]")
    value = time.attributes.get("datetime") if time is not None else None
    if not value:
        return None
    try:
        published = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return published if published.tzinfo is not None else published.replace(tzinfo=UTC)


def _views(text: str | None) -> int | None:
    """ "987" → 987, "4.4K" → 4400, "1.2M" → 1200000; None when absent or not a count."""
    found = _VIEWS.fullmatch(text or "")
    if found is None:
        return None
    try:
        number = Decimal(found.group(1).replace(",", "."))
    except InvalidOperation:
        return None
    return int(number * _MULTIPLIERS[found.group(2).upper()])


def _older_page(tree: LexborHTMLParser) -> int | None:
    more = tree.css_first("a.tme_messages_more[data-before]")
    value = (more.attributes.get("data-before") or "").strip() if more is not None else ""
    return int(value) if value.isdigit() else None


def _counts_media(tree: LexborHTMLParser) -> bool:
    """Whether the channel header counts photos, videos, files or links (members do not count)."""
    for counter in tree.css(".tgme_channel_info_counter"):
        kind = (_text_of(counter.css_first(".counter_type")) or "").lower()
        value = _text_of(counter.css_first(".counter_value")) or "0"
        if kind and not kind.startswith(("subscriber", "member")) and value.strip("0. ") != "":
            return True
    return False


def _holds_unknown_posts(history: LexborNode) -> bool:
    """Whether the history shows something (text, data-post) although no post was recognised."""
    if history.css_first("[data-post]") is not None:
        return True
    if history.css_first(".tme_no_messages_found") is not None:
        return False
    return bool((history.text(deep=True) or "").strip())


# Text of a post: what a reader sees, as plain text.


class _TextBuffer:
    """Plain text built as a browser lays it out: collapsed spaces, <br> as a line break."""

    __slots__ = ("_last", "_parts")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._last = "\n"  # as if at the start of a line

    def add(self, text: str, *, pre: bool = False) -> None:
        if not pre:
            text = _SPACES.sub(" ", text)
            if self._last in " \n":
                text = text.lstrip(" ")
        if text:
            self._parts.append(text)
            self._last = text[-1]

    def mark(self) -> int:
        return len(self._parts)

    def since(self, mark: int) -> str:
        return "".join(self._parts[mark:])

    def line_break(self) -> None:
        while self._parts and self._parts[-1].endswith(" "):
            trimmed = self._parts[-1].rstrip(" ")
            if trimmed:
                self._parts[-1] = trimmed
                break
            self._parts.pop()
        self._parts.append("\n")
        self._last = "\n"

    def block_break(self) -> None:
        if self._parts and self._last != "\n":
            self.line_break()

    def text(self) -> str:
        return _BLANK_LINES.sub("\n\n", "".join(self._parts)).strip()


def _plain_text(root: LexborNode) -> str:
    """Walks the tree without recursion: hostile pages nest elements a hundred thousand deep."""
    out = _TextBuffer()
    pre_depth = 0
    anchors: list[int] = []
    stack: list[LexborNode] = []
    node = root.child
    while node is not None:
        tag = node.tag or ""
        descend = False
        if tag == "-text":
            out.add(node.text_content or "", pre=pre_depth > 0)
        elif tag == "br":
            out.line_break()
        elif tag in ("i", "img") and _has_class(node, "emoji"):
            out.add(_emoji(node))
        elif tag in _SKIPPED_TAGS or _has_any_class(node, _SKIPPED_CLASSES):
            pass
        else:
            descend = node.child is not None
            if tag in _BLOCK_TAGS:
                out.block_break()
            if tag == "pre":
                pre_depth += 1
            if tag == "a":
                anchors.append(out.mark())
            if not descend:
                pre_depth = _leave(node, out, pre_depth, anchors)
        if descend:
            stack.append(node)
            node = node.child
            continue
        while node is not None and node.next is None and stack:
            node = stack.pop()
            pre_depth = _leave(node, out, pre_depth, anchors)
        node = node.next if node is not None else None
    return out.text()


def _leave(node: LexborNode, out: _TextBuffer, pre_depth: int, anchors: list[int]) -> int:
    """Closes an element: a link's URL after its text, the end of a block; the new <pre> depth."""
    tag = node.tag or ""
    if tag == "a" and anchors:
        out.add(_link_suffix(out.since(anchors.pop()), _href(node)))
    if tag == "pre":
        pre_depth -= 1
    if tag in _BLOCK_TAGS:
        out.block_break()
    return pre_depth


def _link_suffix(text: str, href: str | None) -> str:
    """` (URL)` after a link whose text hides where it points; nothing for the rest."""
    if not href or not href.lower().startswith(("http://", "https://")):
        return ""  # hashtag searches (?q=%23…) and tg:// links
    shown = text.strip()
    if not shown or shown.startswith(("@", "#")):
        return ""
    bare_href = _bare_url(href)
    if _bare_url(shown) == bare_href or (
        shown.endswith("…") and bare_href.startswith(_bare_url(shown[:-1]))
    ):
        return ""
    return f" ({href})"


def _bare_url(url: str) -> str:
    bare = url.strip().lower().removeprefix("https://").removeprefix("http://")
    return bare.removeprefix("www.").rstrip("/")


def _emoji(node: LexborNode) -> str:
    """The emoji an emoji image stands for: its text or alt, else the code points in its file name."""
    text = (node.text(deep=True) or node.attributes.get("alt") or "").strip()
    if text:
        return text
    found = _EMOJI_IMAGE.search(node.attributes.get("style") or "")
    if found is None or len(found.group(1)) % 2:
        return ""
    return bytes.fromhex(found.group(1)).decode("utf-8", "replace")


# Small readers of nodes.


def _children(node: LexborNode) -> Iterator[LexborNode]:
    child = node.child
    while child is not None:
        yield child
        child = child.next


def _is_text_block(node: LexborNode) -> bool:
    return _has_class(node, "tgme_widget_message_text")


def _has_class(node: LexborNode, name: str) -> bool:
    if node.tag is None or node.tag.startswith("-"):
        return False
    return name in (node.attributes.get("class") or "").split()


def _has_any_class(node: LexborNode, names: frozenset[str]) -> bool:
    if node.tag is None or node.tag.startswith("-"):
        return False
    return not names.isdisjoint((node.attributes.get("class") or "").split())


def _text_of(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    text = _SPACES.sub(" ", node.text(deep=True) or "").strip()
    return text or None


def _href(node: LexborNode | None) -> str | None:
    """A link's target; t.me writes `&` in outbound links as `&amp;` once too often."""
    if node is None:
        return None
    href = (node.attributes.get("href") or "").strip()
    return href.replace("&amp;", "&") or None


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
