"""One t.me/s channel page parsed into its posts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from selectolax.lexbor import LexborHTMLParser, LexborNode

from bot.model import Entry, ParsedFeed
from bot.sources.channel_text import children, has_class, href, plain_text, text_of

TITLE_LIMIT = 120  # characters of a post's first line kept as its title
MAX_POST_ID = 2**31 - 1  # Telegram numbers a channel's posts with 32-bit integers
MAX_VIEWS = 2**63 - 1
MAX_TREE_COST = 50_000_000  # parser steps spent on scope checks: about a third of a second


class ChannelError(Exception):
    """A channel page that cannot be read as a channel, with a reason an operator can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
    return parse_page(html, channel).feed


_POST_LINK = re.compile(
    r"https?://(?:www\.)?(?:t\.me|telegram\.me)/(?:s/)?([A-Za-z][A-Za-z0-9_]{3,31})/(\d+)(?:[/?#].*)?",
    re.IGNORECASE,
)
_DATA_POST = re.compile(r"([A-Za-z0-9_]+)/(\d+)", re.ASCII)
_VIEWS = re.compile(r"(\d{1,20}(?:[.,]\d{1,20})?)\s*([KMB]?)", re.IGNORECASE | re.ASCII)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
_VOID_TAGS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_SCOPE_CHECKING_TAGS = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption "  # noqa: SIM905
    "figure footer header hgroup main menu nav ol p section summary ul h1 h2 h3 h4 h5 h6 pre "
    "listing form li dd dt table hr xmp".split()
)
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


@dataclass(frozen=True, slots=True)
class Page:
    feed: ParsedFeed
    posts: tuple[tuple[int, Entry], ...]  # (post id, entry), oldest first
    ids: tuple[int, ...]  # every post id on the page, service messages included
    claims_posts: bool  # the page says the channel has posts: a link to older ones, media counters


def parse_page(html: bytes | str, channel: str) -> Page:
    """One page's posts; ChannelError when it is no channel page or nests beyond MAX_DEPTH."""
    tree = _parse_html(html, channel)
    history = tree.css_first(".tgme_channel_history")
    wraps = tree.css(".tgme_widget_message_wrap")
    _check_is_channel_page(tree, history=history, wraps=wraps, channel=channel)
    posts, ids, invalid = _read_wraps(wraps, channel)
    if not ids and history is not None and _holds_unknown_posts(history):
        raise ChannelError(
            f"page structure not recognised for @{channel}: the channel history holds no "
            ".tgme_widget_message_wrap posts"
        )
    posts.sort(key=lambda post: post[0])
    before = _older_page(tree)
    feed = ParsedFeed(
        entries=tuple(entry for _, entry in posts),
        title=text_of(tree.css_first(".tgme_channel_info_header_title")),
        before=before,
        invalid=invalid,
    )
    return Page(
        feed=feed,
        posts=tuple(posts),
        ids=tuple(sorted(ids)),
        claims_posts=before is not None or _counts_media(tree),
    )


def _parse_html(html: bytes | str, channel: str) -> LexborHTMLParser:
    """The page's tree; ChannelError when it nests so deep that parsing it would take minutes."""
    if isinstance(html, str):
        html = html.encode("utf-8", "replace")  # lone surrogates cannot reach the parser
    text = html.decode("utf-8", "replace")
    cost = _tree_cost(text)
    if cost > MAX_TREE_COST:
        # Each block element opened deep in the tree makes the HTML parser walk the open
        # elements: 100,000 nested <div>s take minutes. A t.me page costs a few thousand steps.
        raise ChannelError(
            f"page for @{channel} nests elements so deep that reading it would take minutes "
            f"({cost:,} steps, more than {MAX_TREE_COST:,}); refused as hostile"
        )
    return LexborHTMLParser(text)


def _check_is_channel_page(
    tree: LexborHTMLParser,
    *,
    history: LexborNode | None,
    wraps: list[LexborNode],
    channel: str,
) -> None:
    """ChannelError when the page shows no channel's posts: a landing page, or another page."""
    header = tree.css_first(".tgme_channel_info")
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


def _read_wraps(
    wraps: list[LexborNode], channel: str
) -> tuple[list[tuple[int, Entry]], list[int], int]:
    """The (post id, entry) of each post, every post id (service messages included), and how
    many posts bear an id Telegram never gives; ChannelError when a post is malformed."""
    posts: list[tuple[int, Entry]] = []
    ids: list[int] = []
    invalid = 0
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
        post_id = _post_id(found.group(2))
        if post_id is None:
            invalid += 1  # a post numbered beyond what Telegram numbers is no post
            continue
        ids.append(post_id)
        if has_class(message, "service_message") or wrap.css_first(".service_message") is not None:
            continue
        bubble = message.css_first(".tgme_widget_message_bubble")
        if bubble is None:
            raise ChannelError(
                f"page structure not recognised for @{channel}: post {post_id} has no "
                ".tgme_widget_message_bubble"
            )
        posts.append((post_id, _read_post(message, bubble, found.group(1), post_id)))
    return posts, ids, invalid


def _read_post(message: LexborNode, bubble: LexborNode, owner: str, post_id: int) -> Entry:
    text = _post_text(bubble)
    poll = _poll_text(message)
    if poll:
        text = f"{text}\n\n{poll}" if text else poll
    label = _media_label(message)
    preview = message.css_first(".tgme_widget_message_link_preview")
    forwarded = message.css_first(".tgme_widget_message_forwarded_from_name")
    forwarded_href = href(forwarded)
    forwarded_link = _POST_LINK.fullmatch(forwarded_href) if forwarded_href else None
    return Entry(
        key=f"tg:{owner.lower()}/{post_id}",
        url=f"https://t.me/{owner}/{post_id}",
        title=_title(text) or label,
        content=text,
        published_at=_published_at(message),
        author=text_of(message.css_first(".tgme_widget_message_from_author")),
        views=_views(text_of(message.css_first(".tgme_widget_message_views"))),
        forwarded_from=text_of(forwarded),
        forwarded_key=(
            f"tg:{forwarded_link.group(1).lower()}/{forwarded_link.group(2)}"
            if forwarded_link
            else None
        ),
        preview_url=href(preview),
        preview_title=text_of(preview.css_first(".link_preview_title")) if preview else None,
    )


def _post_text(bubble: LexborNode) -> str:
    """The post's own text: the bubble's direct text blocks, not those quoted in a reply."""
    blocks: list[str] = []
    for child in children(bubble):
        if has_class(child, "media_supported_cont"):
            blocks.extend(plain_text(part) for part in children(child) if _is_text_block(part))
        elif _is_text_block(child):
            blocks.append(plain_text(child))
    return "\n".join(block for block in blocks if block)


def _poll_text(message: LexborNode) -> str:
    poll = message.css_first(".tgme_widget_message_poll")
    if poll is None:
        return ""
    question = text_of(poll.css_first(".tgme_widget_message_poll_question")) or ""
    options = [
        f"• {option}"
        for node in poll.css(".tgme_widget_message_poll_option_text")
        if (option := text_of(node))
    ]
    return "\n".join(line for line in (question, *options) if line)


def _media_label(message: LexborNode) -> str:
    document = text_of(message.css_first(".tgme_widget_message_document_title"))
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
    views = int(number * _MULTIPLIERS[found.group(2).upper()])
    return views if views <= MAX_VIEWS else None


def _older_page(tree: LexborHTMLParser) -> int | None:
    more = tree.css_first("a.tme_messages_more[data-before]")
    value = (more.attributes.get("data-before") or "").strip() if more is not None else ""
    return _post_id(value)


def _post_id(digits: str) -> int | None:
    """A post id within Telegram's range, or None ("²" and 10^30 are no post ids)."""
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 10:
        return None
    number = int(digits)
    return number if 0 < number <= MAX_POST_ID else None


def _counts_media(tree: LexborHTMLParser) -> bool:
    """Whether the channel header counts photos, videos, files or links (members do not count)."""
    for counter in tree.css(".tgme_channel_info_counter"):
        kind = (text_of(counter.css_first(".counter_type")) or "").lower()
        value = text_of(counter.css_first(".counter_value")) or "0"
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


def _is_text_block(node: LexborNode) -> bool:
    return has_class(node, "tgme_widget_message_text")


def _tree_cost(html: str) -> int:
    """The open elements an HTML parser walks past for this page's block elements: each block
    start tag checks the elements open above it. Counted from the tags in one linear pass."""
    depth = cost = 0
    for closing, name in _TAG.findall(html):
        if closing:
            depth = max(0, depth - 1)
            continue
        tag = name.lower()
        if tag in _VOID_TAGS:
            continue
        if tag in _SCOPE_CHECKING_TAGS:
            cost += depth
        depth += 1
    return cost
