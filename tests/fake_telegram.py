"""A fake Telegram Bot API on loopback that validates, rate-limits and records like Telegram.

Usage (also from another process: it serves real HTTP on 127.0.0.1):

    fake = FakeTelegram(token="123:ABC")        # options below; all can change at runtime
    root = fake.start()                          # "http://127.0.0.1:PORT"
    bot = telegram.Bot("123:ABC", base_url=fake.bot_base_url)   # == f"{root}/bot"
    ...
    fake.stop()

or as a context manager: `with FakeTelegram() as fake: ...`.

Served: `POST|GET {root}/bot{token}/{method}` with JSON, form-encoded (what python-telegram-bot
sends: strings as-is, everything else JSON-encoded), multipart or query-string parameters; answers
`{"ok": true, "result": ...}` or `{"ok": false, "error_code": N, "description": "..."}` with HTTP
status N. Methods: getMe, sendMessage, sendPhoto (multipart upload), editMessageText,
editMessageReplyMarkup, answerCallbackQuery, setMyCommands, getMyCommands, deleteMyCommands, deleteWebhook, getUpdates
(long polling), sendChatAction, close, logOut.

sendMessage/editMessageText check what Telegram checks: HTML parse mode (`parse_telegram_html`,
reusable by tests), text ≤ 4096 UTF-16 units after entity parsing, non-empty text, blocked chats
(403), unknown chats when `strict_chats` (400), rate limits (429 with `parameters.retry_after`):
a global bucket (`global_rate` messages/s, burst `global_burst`) and one per chat (`chat_rate`,
burst `chat_burst`).

Chats are numeric ids, or "@username" of a channel made known with `add_channel(username, chat_id,
member=True, admin=True)`: an unknown @username is 400 "chat not found"; a channel where the bot
is not a member answers 403 "bot is not a member of the channel chat", one where it is a member
but not an admin 400 "need administrator rights in the channel chat" (to sends and edits).

sendPhoto takes an uploaded file only (multipart); it must be a PNG or JPEG (else 400
IMAGE_PROCESS_FAILED) of at most 10 MB, with a caption ≤ 1024 UTF-16 units after parsing.

Inspection (thread-safe): `messages()` (every accepted message in order, `SentMessage`),
`messages_to(chat_id)`, `photos()` (`SentPhoto`, with the uploaded bytes), `edits()`, `callback_answers()`, `commands`, `errors` (Counter of error
codes answered), `wait_sent(n)` / `wait_sent_sync(n)`.
Steering: `set_options(...)`, `block(chat)`, `unblock(chat)`, `add_chats(...)`,
`add_channel(...)`, `fail_next(chat_id, code, description, retry_after=None, times=1)`, `pause_after(n)` +
`paused` (a threading.Event) + `resume(drop_held=True)`, `push_message(chat_id, text, user_id=...)`,
`push_callback(chat_id, data, message_id)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import json
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.held_sends import HeldSends

__all__ = [
    "BOT_USER",
    "MAX_TEXT_UTF16",
    "Edit",
    "FakeTelegram",
    "HtmlError",
    "ParsedHtml",
    "SentMessage",
    "SentPhoto",
    "TextEntity",
    "parse_telegram_html",
    "utf16_len",
]

MAX_TEXT_UTF16 = 4096
BOT_USER: dict[str, Any] = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Vigía",
    "username": "vigia_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

# Telegram's HTML tags, each with the entity type it makes.
_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*?)?)\s*(/?)>")
_ATTR = re.compile(r"""([a-zA-Z][a-zA-Z0-9_-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def _json_bytes(payload: Any) -> bytes:
    """The JSON of an answer; text with lone surrogates goes out as \\uXXXX escapes, as JSON
    allows (and as a client may well receive from the real API)."""
    try:
        return json.dumps(payload, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return json.dumps(payload).encode()


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts: astral characters count twice."""
    return len(text.encode("utf-16-le")) // 2


class HtmlError(ValueError):
    """Text that Telegram would refuse in HTML parse mode; `str(error)` is Telegram's wording."""


@dataclass(frozen=True, slots=True)
class TextEntity:
    """A formatting entity of the parsed text; offset and length in UTF-16 units, like Telegram."""

    type: str
    offset: int
    length: int
    url: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedHtml:
    """What the user sees: the visible text and its entities."""

    text: str
    entities: tuple[TextEntity, ...]

    @property
    def links(self) -> tuple[str, ...]:
        """Every link target, in order."""
        return tuple(e.url for e in self.entities if e.type == "text_link" and e.url is not None)


def parse_telegram_html(html: str) -> ParsedHtml:
    """Parse text as Telegram does with parse_mode=HTML, or raise HtmlError.

    Allowed tags only (b strong i em u ins s strike del span.tg-spoiler tg-spoiler a[href] code pre
    blockquote tg-emoji), properly nested and closed; `<`, `>` and `&` must be escaped: a `&` must
    begin `&lt;` `&gt;` `&amp;` `&quot;` or a numeric reference.
    """
    out: list[str] = []
    units = 0  # UTF-16 length of out so far
    stack: list[tuple[str, int, str | None]] = []  # (tag, start offset, url)
    entities: list[TextEntity] = []
    i = 0
    n = len(html)
    while i < n:
        ch = html[i]
        if ch == "<":
            match = _TAG.match(html, i)
            if match is None:
                raise HtmlError(
                    f"can't parse entities: Unclosed start tag at byte offset {_byte_offset(html, i)}"
                )
            closing, name, attrs, _ = match.groups()
            name = name.lower()
            if name not in _TAGS:
                raise HtmlError(
                    f'can\'t parse entities: Unsupported start tag "{name}" at byte offset '
                    f"{_byte_offset(html, i)}"
                )
            if closing:
                if not stack or stack[-1][0] != name:
                    raise HtmlError(
                        f'can\'t parse entities: Unmatched end tag at byte offset {_byte_offset(html, i)}, expected "</{stack[-1][0]}>", found "</{name}>"'
                        if stack
                        else f"can't parse entities: Unexpected end tag at byte offset {_byte_offset(html, i)}"
                    )
                tag, start, url = stack.pop()
                if units > start:
                    entities.append(TextEntity(_TAGS[tag], start, units - start, url))
            else:
                url = _check_attributes(name, attrs, html, i)
                stack.append((name, units, url))
            i = match.end()
        elif ch == ">":
            raise HtmlError(
                f"can't parse entities: Unexpected end of name token at byte offset {_byte_offset(html, i)}"
            )
        elif ch == "&":
            match = _ENTITY.match(html, i)
            if match is None:
                raise HtmlError(
                    "can't parse entities: Character entity expected at byte offset "
                    f"{_byte_offset(html, i)}"
                )
            decoded = _decode_entity(match)
            out.append(decoded)
            units += utf16_len(decoded)
            i = match.end()
        else:
            j = i
            while j < n and html[j] not in "<>&":
                j += 1
            chunk = html[i:j]
            out.append(chunk)
            units += utf16_len(chunk)
            i = j
    if stack:
        raise HtmlError(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1][0]}\""
        )
    entities.sort(key=lambda e: (e.offset, -e.length))
    return ParsedHtml("".join(out), tuple(entities))


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(match: re.Match[str]) -> str:
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED_ENTITIES[named]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return chr(code)


def _check_attributes(name: str, attrs: str, html: str, index: int) -> str | None:
    found = {m.group(1).lower(): _unescape_attribute(m) for m in _ATTR.finditer(attrs)}
    if name == "span" and found.get("class") != "tg-spoiler":
        raise HtmlError(
            'can\'t parse entities: Tag "span" must have class "tg-spoiler" at byte offset '
            f"{_byte_offset(html, index)}"
        )
    if name == "a":
        href = found.get("href")
        return href if href else None
    return None


def _unescape_attribute(match: re.Match[str]) -> str:
    raw = next((g for g in match.groups()[1:] if g is not None), "")
    if "&" in raw:
        pieces = raw.split("&")
        for piece in pieces[1:]:
            if _ENTITY.match("&" + piece) is None:
                raise HtmlError("can't parse entities: Character entity expected in an attribute")
    return _ENTITY.sub(_decode_entity, raw)


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the fake accepted: what was sent and what the user sees."""

    chat_id: int
    message_id: int
    text: str  # as sent
    visible: str  # after entity parsing
    parse_mode: str | None
    entities: tuple[TextEntity, ...]
    reply_markup: dict[str, Any] | None
    link_preview_disabled: bool
    time: float  # time.monotonic() when accepted

    @property
    def links(self) -> tuple[str, ...]:
        """Every link target of the message, in order."""
        return tuple(e.url for e in self.entities if e.type == "text_link" and e.url is not None)


@dataclass(frozen=True, slots=True)
class SentPhoto:
    """A photo the fake accepted: the uploaded bytes and the caption."""

    chat_id: int
    message_id: int
    data: bytes
    filename: str
    caption: str  # as sent
    caption_visible: str
    reply_markup: dict[str, Any] | None
    time: float


@dataclass(frozen=True, slots=True)
class _Channel:
    chat_id: int
    member: bool
    admin: bool


@dataclass(frozen=True, slots=True)
class _Upload:
    """A file part of a multipart request."""

    filename: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Edit:
    """An accepted editMessageText / editMessageReplyMarkup."""

    chat_id: int
    message_id: int
    text: str | None
    reply_markup: dict[str, Any] | None
    time: float


@dataclass
class _Failure:
    code: int
    description: str
    retry_after: int | None
    times: int


@dataclass
class _Bucket:
    """A token bucket: `rate` tokens a second, at most `burst` kept."""

    rate: float
    burst: float
    tokens: float
    stamp: float

    def take(self, now: float) -> float:
        """0 when a token was taken, else the seconds until one is available."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class _ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


class _Dropped(Exception):
    """The request is dropped unanswered (its client was killed while it was held)."""


@dataclass
class _Options:
    token: str | None
    global_rate: float | None
    global_burst: float | None
    chat_rate: float | None
    chat_burst: float
    strict_chats: bool
    latency: float
    slow_chats: set[int] = field(default_factory=set)
    known_chats: set[int] = field(default_factory=set)
    blocked_chats: set[int] = field(default_factory=set)


class FakeTelegram:
    """The fake Bot API server; runs its own event loop in a daemon thread."""

    def __init__(
        self,
        *,
        token: str | None = None,
        global_rate: float | None = 30.0,
        global_burst: float | None = None,
        chat_rate: float | None = 1.0,
        chat_burst: float = 3.0,
        strict_chats: bool = False,
        known_chats: Iterable[int] = (),
        latency: float = 0.0,
    ) -> None:
        """`token=None` accepts any token; `global_rate=None`/`chat_rate=None` turn a limit off;
        `global_burst` defaults to one second's worth; `latency` delays every sendMessage answer
        (only to the chats in `slow_chats`, when set with `set_options`)."""
        self._options = _Options(
            token=token,
            global_rate=global_rate,
            global_burst=global_burst,
            chat_rate=chat_rate,
            chat_burst=chat_burst,
            strict_chats=strict_chats,
            latency=latency,
            known_chats=set(known_chats),
        )
        self._lock = threading.Lock()
        self._messages: list[SentMessage] = []
        self._photos: list[SentPhoto] = []
        self._channels: dict[str, _Channel] = {}
        self._edits: list[Edit] = []
        self._callback_answers: list[dict[str, Any]] = []
        self._next_message_id: dict[int, int] = {}
        self._texts: dict[tuple[int, int], tuple[str, dict[str, Any] | None]] = {}
        self._failures: dict[int, list[_Failure]] = {}
        self._global_bucket: _Bucket | None = None
        self._chat_buckets: dict[int, _Bucket] = {}
        self._updates: list[dict[str, Any]] = []
        self.webhooks: list[dict[str, Any]] = []  # every setWebhook call, as sent
        self._next_update_id = 1
        self.commands: list[dict[str, Any]] = []
        self.errors: Counter[int] = Counter()
        self.requests: Counter[str] = Counter()  # method name -> count
        self.held = HeldSends(self._lock, lambda: len(self._messages))
        self.paused = self.held.paused
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._update_signal: asyncio.Event | None = None
        self.port = 0

    # ---- life cycle ----------------------------------------------------------------------

    def start(self) -> str:
        """Start serving on 127.0.0.1 (a free port); return the API root `http://127.0.0.1:PORT`."""
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._open())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-telegram", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self.root

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._loop is None:
            return
        loop = self._loop
        asyncio.run_coroutine_threadsafe(self._close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        loop.close()
        self._loop = None

    def __enter__(self) -> FakeTelegram:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root(self) -> str:
        """The API root, as BOT_TELEGRAM_API_URL takes it."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def bot_base_url(self) -> str:
        """What `telegram.Bot(base_url=...)` and `ApplicationBuilder.base_url(...)` take."""
        return f"{self.root}/bot"

    # ---- steering ------------------------------------------------------------------------

    def set_options(self, **changes: Any) -> None:
        """Change any constructor option at runtime (rate limits reset their buckets)."""
        with self._lock:
            for name, value in changes.items():
                if not hasattr(self._options, name):
                    raise TypeError(f"unknown option {name}")
                wrap = name in ("known_chats", "slow_chats")
                setattr(self._options, name, set(value) if wrap else value)
            self._global_bucket = None
            self._chat_buckets.clear()

    def add_chats(self, *chat_ids: int) -> None:
        """Make chats known (they exist for `strict_chats`)."""
        with self._lock:
            self._options.known_chats.update(chat_ids)

    def add_channel(
        self, username: str, chat_id: int, *, member: bool = True, admin: bool = True
    ) -> None:
        """A channel reachable as "@username" (and as chat_id); the bot may be a member and an
        admin of it (posting needs both)."""
        with self._lock:
            self._channels[username.lstrip("@").lower()] = _Channel(chat_id, member, admin)
            self._options.known_chats.add(chat_id)

    def block(self, *chat_ids: int) -> None:
        """The users of these chats blocked the bot: sends get 403."""
        with self._lock:
            self._options.blocked_chats.update(chat_ids)

    def unblock(self, *chat_ids: int) -> None:
        with self._lock:
            self._options.blocked_chats.difference_update(chat_ids)

    def fail_next(
        self,
        chat_id: int,
        code: int,
        description: str = "",
        *,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` sendMessage calls to `chat_id` with this error (429 takes
        `retry_after`; 5xx descriptions default to "Internal Server Error")."""
        text = description or {429: f"Too Many Requests: retry after {retry_after}"}.get(
            code, "Internal Server Error" if code >= 500 else "Bad Request: injected"
        )
        with self._lock:
            self._failures.setdefault(chat_id, []).append(_Failure(code, text, retry_after, times))

    def pause_after(self, count: int) -> None:
        """Once `count` messages are recorded, hold every further sendMessage unanswered and
        unrecorded (as if it never reached Telegram) and set `paused`."""
        self.held.pause_after(count)

    def resume(self, *, drop_held: bool = True) -> int:
        """Stop holding; held requests are dropped unanswered (or processed when `drop_held` is
        False). Returns how many were held."""
        return self.held.resume(drop_held=drop_held)

    def push_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        first_name: str = "Ana",
        language_code: str | None = None,
    ) -> int:
        """Queue an incoming private message (commands get their bot_command entity); returns
        the update_id. `language_code` is the user's app language, as Telegram sends it."""
        user: dict[str, Any] = {"id": user_id or chat_id, "is_bot": False, "first_name": first_name}
        if language_code is not None:
            user["language_code"] = language_code
        message: dict[str, Any] = {
            "message_id": self._take_message_id(chat_id),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": user,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        return self._push_update({"message": message})

    def push_channel_post(
        self,
        chat_id: int,
        username: str,
        message_id: int,
        text: str,
        *,
        edited: bool = False,
        entities: list[dict[str, Any]] | None = None,
        forwarded_from: tuple[str, int] | None = None,
    ) -> int:
        """Queue a post (or its edit) in a channel the bot administers; returns the update_id."""
        chat = {"id": chat_id, "type": "channel", "title": username, "username": username}
        post: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "sender_chat": chat,
            "text": text,
        }
        if edited:
            post["edit_date"] = int(time.time())
        if entities:
            post["entities"] = entities
        if forwarded_from:
            origin_name, origin_id = forwarded_from
            post["forward_origin"] = {
                "type": "channel",
                "date": int(time.time()) - 60,
                "chat": {"id": -100999, "type": "channel", "title": origin_name,
                         "username": origin_name},
                "message_id": origin_id,
            }
        return self._push_update({"edited_channel_post" if edited else "channel_post": post})

    def push_callback(
        self, chat_id: int, data: str, message_id: int, *, user_id: int | None = None
    ) -> int:
        """Queue a press on an inline button of the bot's message `message_id`; returns the
        update_id."""
        user = {"id": user_id or chat_id, "is_bot": False, "first_name": "Ana"}
        with self._lock:
            text, markup = self._texts.get((chat_id, message_id), ("", None))
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": BOT_USER,
            "text": text or "…",
        }
        if markup:
            message["reply_markup"] = markup
        query = {
            "id": f"cb{self._next_update_id}",
            "from": user,
            "message": message,
            "chat_instance": str(chat_id),
            "data": data,
        }
        return self._push_update({"callback_query": query})

    # ---- inspection ----------------------------------------------------------------------

    def messages(self) -> list[SentMessage]:
        """Every accepted message, in the order accepted."""
        with self._lock:
            return list(self._messages)

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        with self._lock:
            return [m for m in self._messages if m.chat_id == chat_id]

    def photos(self) -> list[SentPhoto]:
        """Every accepted photo, in the order accepted."""
        with self._lock:
            return list(self._photos)

    def edits(self) -> list[Edit]:
        with self._lock:
            return list(self._edits)

    def callback_answers(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._callback_answers)

    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by getUpdates."""
        with self._lock:
            return len(self._updates)

    def wait_sent_sync(self, count: int, timeout: float = 10.0) -> list[SentMessage]:
        """Block until at least `count` messages were accepted; raise TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self._messages) >= count:
                    return list(self._messages)
            time.sleep(0.005)
        raise TimeoutError(f"{len(self._messages)} messages accepted, waited for {count}")

    async def wait_sent(self, count: int, timeout: float = 10.0) -> list[SentMessage]:
        """Like wait_sent_sync, without blocking the caller's event loop."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self._messages) >= count:
                    return list(self._messages)
            await asyncio.sleep(0.005)
        raise TimeoutError(f"{len(self._messages)} messages accepted, waited for {count}")

    # ---- the server ----------------------------------------------------------------------

    async def _open(self) -> None:
        self._update_signal = asyncio.Event()
        self._server = await asyncio.start_server(
            self._serve_connection, "127.0.0.1", self.port, limit=1 << 20
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                _method, target, headers, body = request
                try:
                    status, payload = await self._answer(target, headers, body)
                except _Dropped:
                    break
                except Exception as error:  # a bug in the fake must show, not hang the client
                    status, payload = (
                        500,
                        {
                            "ok": False,
                            "error_code": 500,
                            "description": f"Internal Server Error: fake failed: {error!r}",
                        },
                    )
                data = _json_bytes(payload)
                writer.write(
                    f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
                    "Content-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\n"
                    "Connection: keep-alive\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:  # the fake is stopping (a long poll was waiting): quietly
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(
        self, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        parts = urlsplit(target)
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", parts.path)
        if match is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        token, name = match.groups()
        expected = self._options.token
        if expected is not None and token != expected:
            return self._error(_ApiError(401, "Unauthorized"))
        handler = _METHODS.get(name.lower())
        with self._lock:
            self.requests[name] += 1
        if handler is None:
            return self._error(_ApiError(404, "Not Found: method not found"))
        try:
            params = _parse_params(parts.query, headers, body)
            result = await handler(self, params)
        except _ApiError as error:
            return self._error(error)
        return 200, {"ok": True, "result": result}

    def _error(self, error: _ApiError) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.errors[error.code] += 1
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": error.code,
            "description": error.description,
        }
        if error.retry_after is not None:
            payload["parameters"] = {"retry_after": error.retry_after}
        return error.code, payload

    # ---- methods -------------------------------------------------------------------------

    async def _get_me(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _set_webhook(self, params: dict[str, Any]) -> Any:
        with self._lock:
            self.webhooks.append(dict(params))
        return True

    async def _harmless(self, params: dict[str, Any]) -> Any:
        return True

    async def _set_my_commands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, 'Bad Request: parameter "commands" is required')
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name) or not command.get("description"):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        with self._lock:
            self.commands = list(commands)
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> Any:
        with self._lock:
            return list(self.commands)

    async def _delete_my_commands(self, params: dict[str, Any]) -> Any:
        with self._lock:
            self.commands = []
        return True

    async def _answer_callback_query(self, params: dict[str, Any]) -> Any:
        if not params.get("callback_query_id"):
            raise _ApiError(400, "Bad Request: query is too old and response timeout expired")
        with self._lock:
            self._callback_answers.append(dict(params))
        return True

    async def _get_updates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        assert self._update_signal is not None
        while True:
            with self._lock:
                if offset:
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = self._updates[:limit]
            if ready or time.monotonic() >= deadline:
                return ready
            self._update_signal.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._update_signal.wait(), max(0.0, deadline - time.monotonic())
                )

    async def _send_chat_action(self, params: dict[str, Any]) -> Any:
        self._check_chat(self._chat(params))
        return True

    async def _send_message(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat(params)
        if not await self.held.hold():
            raise _Dropped
        slow = self._options.slow_chats
        if self._options.latency and (not slow or chat_id in slow):
            await asyncio.sleep(self._options.latency)
        with self._lock:
            self._check_chat(chat_id)
            self._check_failures(chat_id)
            text = params.get("text")
            parse_mode = params.get("parse_mode")
            parsed = _parse_text(text, parse_mode)
            markup = _parse_markup(params.get("reply_markup"))
            self._check_rate(chat_id)
            message_id = self._take_message_id_locked(chat_id)
            preview = params.get("link_preview_options") or {}
            disabled = bool(preview.get("is_disabled")) or bool(
                params.get("disable_web_page_preview")
            )
            self._messages.append(
                SentMessage(
                    chat_id=chat_id,
                    message_id=message_id,
                    text=str(text),
                    visible=parsed.text,
                    parse_mode=parse_mode,
                    entities=parsed.entities,
                    reply_markup=markup,
                    link_preview_disabled=disabled,
                    time=time.monotonic(),
                )
            )
            self._texts[(chat_id, message_id)] = (parsed.text, markup)
            self.held.recorded()
        return _message_json(chat_id, message_id, parsed, markup)

    async def _edit_message_text(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat(params)
        message_id = int(params.get("message_id") or 0)
        with self._lock:
            self._check_chat(chat_id)
            old = self._texts.get((chat_id, message_id))
            if old is None:
                raise _ApiError(400, "Bad Request: message to edit not found")
            parsed = _parse_text(params.get("text"), params.get("parse_mode"))
            markup = _parse_markup(params.get("reply_markup"))
            if (parsed.text, markup) == old:
                raise _ApiError(
                    400,
                    "Bad Request: message is not modified: specified new message content and "
                    "reply markup are exactly the same as a current content and reply markup "
                    "of the message",
                )
            self._texts[(chat_id, message_id)] = (parsed.text, markup)
            self._edits.append(Edit(chat_id, message_id, parsed.text, markup, time.monotonic()))
        return _message_json(chat_id, message_id, parsed, markup)

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat(params)
        message_id = int(params.get("message_id") or 0)
        with self._lock:
            self._check_chat(chat_id)
            old = self._texts.get((chat_id, message_id))
            if old is None:
                raise _ApiError(400, "Bad Request: message to edit not found")
            markup = _parse_markup(params.get("reply_markup"))
            if markup == old[1]:
                raise _ApiError(400, "Bad Request: message is not modified")
            self._texts[(chat_id, message_id)] = (old[0], markup)
            self._edits.append(Edit(chat_id, message_id, None, markup, time.monotonic()))
        return _message_json(chat_id, message_id, ParsedHtml(old[0], ()), markup)

    async def _send_photo(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat(params)
        photo = params.get("photo")
        if not isinstance(photo, _Upload):
            raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if len(photo.data) > 10 * 1024 * 1024:
            raise _ApiError(400, "Bad Request: file is too big")
        if not photo.data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
            raise _ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        caption = params.get("caption") or ""
        with self._lock:
            self._check_chat(chat_id)
            self._check_failures(chat_id)
            parsed = ParsedHtml("", ())
            if caption:
                parsed = _parse_text(caption, params.get("parse_mode"))
                if utf16_len(parsed.text) > 1024:
                    raise _ApiError(400, "Bad Request: message caption is too long")
            markup = _parse_markup(params.get("reply_markup"))
            self._check_rate(chat_id)
            message_id = self._take_message_id_locked(chat_id)
            self._photos.append(
                SentPhoto(
                    chat_id=chat_id,
                    message_id=message_id,
                    data=photo.data,
                    filename=photo.filename,
                    caption=str(caption),
                    caption_visible=parsed.text,
                    reply_markup=markup,
                    time=time.monotonic(),
                )
            )
        result = _message_json(chat_id, message_id, ParsedHtml("", ()), markup)
        del result["text"]
        result["photo"] = [
            {"file_id": f"photo{message_id}", "file_unique_id": f"u{message_id}",
             "width": 1200, "height": 800, "file_size": len(photo.data)}
        ]
        if caption:
            result["caption"] = parsed.text
        return result

    def _chat(self, params: dict[str, Any]) -> int:
        """The numeric chat a request names (an @username of a known channel resolves)."""
        value = params.get("chat_id")
        if isinstance(value, str) and value.startswith("@"):
            with self._lock:
                channel = self._channels.get(value[1:].lower())
            if channel is None:
                raise _ApiError(400, "Bad Request: chat not found")
            return channel.chat_id
        return _chat_id(params)

    # ---- checks (called with the lock held) ----------------------------------------------

    def _check_chat(self, chat_id: int) -> None:
        options = self._options
        for channel in self._channels.values():
            if channel.chat_id != chat_id:
                continue
            if not channel.member:
                raise _ApiError(403, "Forbidden: bot is not a member of the channel chat")
            if not channel.admin:
                raise _ApiError(400, "Bad Request: need administrator rights in the channel chat")
        if chat_id in options.blocked_chats:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        if options.strict_chats and chat_id not in options.known_chats:
            raise _ApiError(400, "Bad Request: chat not found")

    def _check_failures(self, chat_id: int) -> None:
        queue = self._failures.get(chat_id)
        if not queue:
            return
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        raise _ApiError(failure.code, failure.description, failure.retry_after)

    def _check_rate(self, chat_id: int) -> None:
        now = time.monotonic()
        options = self._options
        wait = 0.0
        if options.global_rate:
            if self._global_bucket is None:
                burst = options.global_burst or options.global_rate
                self._global_bucket = _Bucket(options.global_rate, burst, burst, now)
            wait = self._global_bucket.take(now)
        if not wait and options.chat_rate:
            bucket = self._chat_buckets.get(chat_id)
            if bucket is None:
                bucket = _Bucket(options.chat_rate, options.chat_burst, options.chat_burst, now)
                self._chat_buckets[chat_id] = bucket
            wait = bucket.take(now)
            if wait and self._global_bucket is not None:
                self._global_bucket.tokens += 1.0  # the refused message spent no global token
        if wait:
            retry_after = max(1, math.ceil(wait))
            raise _ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    # ---- updates -------------------------------------------------------------------------

    def _push_update(self, body: dict[str, Any]) -> int:
        with self._lock:
            update_id = self._next_update_id
            self._next_update_id += 1
            self._updates.append({"update_id": update_id, **body})
        if self._loop is not None and self._update_signal is not None:
            self._loop.call_soon_threadsafe(self._update_signal.set)
        return update_id

    def _take_message_id(self, chat_id: int) -> int:
        with self._lock:
            return self._take_message_id_locked(chat_id)

    def _take_message_id_locked(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 0) + 1
        self._next_message_id[chat_id] = message_id
        return message_id


_METHODS = {
    "getme": FakeTelegram._get_me,
    "sendmessage": FakeTelegram._send_message,
    "sendphoto": FakeTelegram._send_photo,
    "editmessagetext": FakeTelegram._edit_message_text,
    "editmessagereplymarkup": FakeTelegram._edit_message_reply_markup,
    "answercallbackquery": FakeTelegram._answer_callback_query,
    "setmycommands": FakeTelegram._set_my_commands,
    "getmycommands": FakeTelegram._get_my_commands,
    "deletemycommands": FakeTelegram._delete_my_commands,
    "deletewebhook": FakeTelegram._harmless,
    "setwebhook": FakeTelegram._set_webhook,
    "getupdates": FakeTelegram._get_updates,
    "sendchataction": FakeTelegram._send_chat_action,
    "close": FakeTelegram._harmless,
    "logout": FakeTelegram._harmless,
}
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
# Parameters that arrive JSON-encoded in form data.
_JSON_FIELDS = {
    "reply_markup",
    "link_preview_options",
    "commands",
    "scope",
    "allowed_updates",
    "entities",
    "reply_parameters",
}


def _chat_id(params: dict[str, Any]) -> int:
    value = params.get("chat_id")
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _ApiError(400, "Bad Request: chat not found") from None


def _parse_text(text: Any, parse_mode: Any) -> ParsedHtml:
    if not isinstance(text, str) or not text.strip():
        raise _ApiError(400, "Bad Request: message text is empty")
    if isinstance(parse_mode, str) and parse_mode.lower() == "html":
        try:
            parsed = parse_telegram_html(text)
        except HtmlError as error:
            raise _ApiError(400, f"Bad Request: {error}") from None
    elif parse_mode:
        raise _ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r} in the fake")
    else:
        parsed = ParsedHtml(text, ())
    if not parsed.text.strip():
        raise _ApiError(400, "Bad Request: message text is empty")
    if utf16_len(parsed.text) > MAX_TEXT_UTF16:
        raise _ApiError(400, "Bad Request: message is too long")
    return parsed


def _parse_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    keyboard = markup.get("inline_keyboard")
    if keyboard is not None:
        if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
            raise _ApiError(400, "Bad Request: can't parse inline keyboard button")
        for row in keyboard:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise _ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and len(str(data).encode()) > 64:
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _message_json(
    chat_id: int, message_id: int, parsed: ParsedHtml, markup: dict[str, Any] | None
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
        "from": BOT_USER,
        "text": parsed.text,
    }
    if parsed.entities:
        message["entities"] = [
            {
                k: v
                for k, v in (
                    ("type", e.type),
                    ("offset", e.offset),
                    ("length", e.length),
                    ("url", e.url),
                )
                if v is not None
            }
            for e in parsed.entities
        ]
    if markup:
        message["reply_markup"] = markup
    return message


def _parse_params(query: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    raw: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    content_type = headers.get("content-type", "")
    if body:
        if content_type.startswith("application/json"):
            try:
                loaded = json.loads(body)
            except ValueError:
                raise _ApiError(400, "Bad Request: can't parse JSON") from None
            if not isinstance(loaded, dict):
                raise _ApiError(400, "Bad Request: can't parse JSON")
            raw.update(loaded)
            return raw
        if content_type.startswith("multipart/form-data"):
            message = email.parser.BytesParser().parsebytes(
                f"Content-Type: {content_type}\r\n\r\n".encode() + body
            )
            for part in message.get_payload() or []:
                name = part.get_param("name", header="content-disposition")
                filename = part.get_filename()
                payload = part.get_payload(decode=True)
                if isinstance(name, str) and isinstance(payload, bytes):
                    raw[name] = (
                        _Upload(filename, payload)
                        if filename is not None
                        else payload.decode("utf-8", "replace")
                    )
        else:
            raw.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    for name in _JSON_FIELDS & raw.keys():
        if isinstance(raw[name], str) and raw[name]:
            try:
                raw[name] = json.loads(raw[name])
            except ValueError:
                raise _ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
    for name, value in list(raw.items()):
        if value in ("true", "false") and name not in ("text", "data"):
            raw[name] = value == "true"
    return raw


async def _read_request(
    reader: asyncio.StreamReader,
) -> tuple[str, str, dict[str, str], bytes] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(chunks)
    else:
        body = await reader.readexactly(int(headers.get("content-length") or 0))
    return method, target, headers, body
