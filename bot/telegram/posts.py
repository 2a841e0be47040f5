"""Channel posts the bot receives as an administrator, read into entries like t.me pages are."""

from __future__ import annotations

from telegram import Message, MessageEntity, MessageOriginChannel

from bot.model import Entry

TITLE_CHARS = 120


def entry_from_post(message: Message) -> Entry | None:
    """The entry of a channel post (or its edit); None for a chat that has no public name."""
    username = message.chat.username
    if not username:
        return None
    text = _text_with_links(message)
    origin = message.forward_origin
    forwarded_from = forwarded_key = None
    if isinstance(origin, MessageOriginChannel):
        forwarded_from = origin.chat.title or origin.chat.username
        if origin.chat.username:
            forwarded_key = f"tg:{origin.chat.username.lower()}/{origin.message_id}"
    return Entry(
        # The same key as the page reader's, so a pushed post and its page copy are one item.
        key=f"tg:{username.lower()}/{message.message_id}",
        url=f"https://t.me/{username}/{message.message_id}",
        title=_title(text) or _media_label(message),
        content=text,
        published_at=message.date,
        author=message.author_signature,
        forwarded_from=forwarded_from,
        forwarded_key=forwarded_key,
    )


def _text_with_links(message: Message) -> str:
    """Text or caption; a hidden link is written after its words, as the page reader does."""
    text = message.text or message.caption or ""
    entities = message.entities or message.caption_entities or ()
    parsed = (
        message.parse_entities([MessageEntity.TEXT_LINK])
        if message.text
        else message.parse_caption_entities([MessageEntity.TEXT_LINK])
    )
    if not entities or not parsed:
        return text
    out, cursor = [], 0
    utf16 = text.encode("utf-16-le")
    for entity, words in sorted(parsed.items(), key=lambda pair: pair[0].offset):
        end = (entity.offset + entity.length) * 2
        out.append(utf16[cursor:end].decode("utf-16-le"))
        if entity.url and entity.url != words:
            out.append(f" ({entity.url})")
        cursor = end
    out.append(utf16[cursor:].decode("utf-16-le"))
    return "".join(out)


def _title(text: str) -> str:
    line = text.strip().split("\n", 1)[0].strip()
    if len(line) <= TITLE_CHARS:
        return line
    return line[:TITLE_CHARS].rsplit(" ", 1)[0] + "…"


def _media_label(message: Message) -> str:
    for attribute, label in (
        ("photo", "(photo)"),
        ("video", "(video)"),
        ("document", "(document)"),
        ("sticker", "(sticker)"),
        ("voice", "(voice message)"),
        ("poll", "(poll)"),
    ):
        if getattr(message, attribute, None):
            return label
    return "(post)"
