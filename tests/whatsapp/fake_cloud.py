"""A strict fake of the WhatsApp Business Cloud API on loopback, for tests and the fan-out bench.

It serves `POST /{version}/{phone_number_id}/messages` as Meta documents it and refuses what Meta
refuses, with Meta's error codes:
- a wrong bearer token: 401, code 190; an unknown phone number id: 400, code 100;
- a malformed body (no messaging_product, a `to` that is not digits, an unknown type, a text over
  4,096 characters, more than 3 reply buttons, a button title over 20, more than 10 list rows, a row
  title over 24, an interactive body over 1,024, an unknown template): 400, code 131009 or 132001;
- a free-form message to a reader who has not written in the last 24 hours: 400, code 131047
  (the window runs from the timestamp of the reader's last message, which the fake itself sent);
- more than `rate` messages a second for the number: 400, code 130429; a message to one reader
  less than `pair_interval` seconds after the last accepted one: 400, code 131056;
- a reader who blocked the number or has no account: 400, code 131026;
- failures queued by a test (`fail_next`) with any code.

It records every request and every accepted message (with its time), plays the reader: its
webhooks (text, button and list replies, template quick replies) are signed with the app secret
exactly as Meta signs them, and it posts status receipts (sent, delivered, read) for what it accepts,
or (`fail_late`) "sent" then "failed" with an error code, as for a message WhatsApp took and
could not deliver.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.held_sends import HeldSends

MAX_TEXT = 4096
WINDOW = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class Accepted:
    """A message the fake accepted."""

    wa_id: str
    message_id: str
    type: str
    payload: dict[str, Any]
    time: float  # time.monotonic() when accepted

    @property
    def body(self) -> str:
        """What the reader reads first: the text, the interactive body or the template's values."""
        if self.type == "text":
            return str(self.payload["text"]["body"])
        if self.type == "interactive":
            return str(self.payload["interactive"]["body"]["text"])
        parameters = self.payload["template"]["components"][0]["parameters"]
        return " | ".join(str(p["text"]) for p in parameters)

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(id, title) of every button or list row the message offers."""
        if self.type != "interactive":
            return []
        action = self.payload["interactive"]["action"]
        if "buttons" in action:
            return [(b["reply"]["id"], b["reply"]["title"]) for b in action["buttons"]]
        return [(r["id"], r["title"]) for s in action["sections"] for r in s["rows"]]


@dataclass(frozen=True, slots=True)
class Refused:
    """A message the fake refused, with the Cloud API error code it answered."""

    wa_id: str
    code: int
    payload: dict[str, Any]
    time: float


@dataclass
class _Bucket:
    rate: float
    burst: float
    tokens: float
    stamp: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class CloudError(Exception):
    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class FakeCloud:
    """The fake; `start()` (or `with`) serves it on a free loopback port in its own thread."""

    token: str = "EAAG-fake-access-token-0123456789"
    phone_number_id: str = "106540352242922"
    app_secret: str = "fake-app-secret-0123456789abcdef"
    version: str = "v23.0"
    rate: float = 80.0  # messages a second for the number
    burst: float | None = None  # default: one second's worth
    pair_interval: float = 6.0  # seconds between two messages to one reader
    templates: dict[str, set[str]] = field(
        default_factory=lambda: {"vigia_digest": {"es", "en", "fr"}}
    )
    receipts: bool = True  # post sent/delivered/read receipts for what is accepted
    webhook_url: str | None = None  # where the bot listens: http://127.0.0.1:PORT/whatsapp
    latency: float = 0.0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.accepted: list[Accepted] = []
        self.refused: list[Refused] = []
        self.requests = 0
        self.errors: Counter[int] = Counter()
        self.blocked: set[str] = set()
        self.last_inbound: dict[str, float] = {}  # wa_id -> unix time of their last message
        self._failures: dict[str, list[list[int]]] = {}  # wa_id -> [[code, times]]
        self._late: dict[str, list[int]] = {}  # wa_id -> codes of accepted messages failed later
        self.failed_late: list[Accepted] = []  # accepted, then reported failed by a status
        self._late_codes: dict[str, int] = {}  # message id -> the code its status will carry
        self._global: _Bucket | None = None
        self._last_to: dict[str, float] = {}
        self._ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._client: httpx.AsyncClient | None = None
        self.port = 0
        self.webhook_answers: list[int] = []  # HTTP status of every webhook the fake posted
        self.held = HeldSends(self._lock, lambda: len(self.accepted))
        self.paused = self.held.paused

    # ---- life cycle ----------------------------------------------------------------------

    def start(self) -> FakeCloud:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._open())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-cloud", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        loop = self._loop
        asyncio.run_coroutine_threadsafe(self._close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        loop.close()
        self._loop = None

    def __enter__(self) -> FakeCloud:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        """What BOT_WHATSAPP_API_URL takes."""
        return f"http://127.0.0.1:{self.port}/{self.version}"

    # ---- what a test arranges ------------------------------------------------------------

    def fail_next(self, wa_id: str, code: int, times: int = 1) -> None:
        """The next `times` messages to `wa_id` are refused with `code`."""
        with self._lock:
            self._failures.setdefault(wa_id, []).append([code, times])

    def fail_late(self, wa_id: str, code: int) -> None:
        """The next message to `wa_id` is accepted (200, a message id), then a status webhook
        reports it failed with `code`, as WhatsApp does when it finds out after answering."""
        with self._lock:
            self._late.setdefault(wa_id, []).append(code)

    def pause_after(self, count: int) -> None:
        """Once `count` messages are accepted, hold every further send unanswered and unrecorded
        (as if it never reached WhatsApp) and set `paused`."""
        self.held.pause_after(count)

    def resume(self, *, drop_held: bool = True) -> int:
        """Stop holding; held sends are dropped unanswered (or served when `drop_held` is
        False). Returns how many were held."""
        return self.held.resume(drop_held=drop_held)

    def block(self, *wa_ids: str) -> None:
        with self._lock:
            self.blocked.update(wa_ids)

    def messages_to(self, wa_id: str) -> list[Accepted]:
        with self._lock:
            return [m for m in self.accepted if m.wa_id == wa_id]

    def wait_messages(self, wa_id: str, count: int, timeout: float = 20.0) -> list[Accepted]:
        """Block until `wa_id` got `count` messages; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages_to(wa_id)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise TimeoutError(f"{wa_id} got {len(self.messages_to(wa_id))} messages, not {count}")

    # ---- the reader's side: signed webhooks ----------------------------------------------

    def user_text(self, wa_id: str, text: str, *, sent_at: float | None = None,
                  message_id: str | None = None, name: str = "Lectora") -> tuple[int, str]:
        """The reader sends `text`; returns (the bot's HTTP answer, the message id)."""
        return self._user_message(wa_id, {"type": "text", "text": {"body": text}},
                                  sent_at=sent_at, message_id=message_id, name=name)

    def user_choice(self, wa_id: str, reply: tuple[str, str], *, list_row: bool = False,
                    sent_at: float | None = None) -> tuple[int, str]:
        """The reader presses a reply button (or picks a list row) with this (id, title)."""
        kind = "list_reply" if list_row else "button_reply"
        body = {"type": "interactive",
                "interactive": {"type": kind, kind: {"id": reply[0], "title": reply[1]}}}
        return self._user_message(wa_id, body, sent_at=sent_at)

    def user_template_button(self, wa_id: str, accepted: Accepted) -> tuple[int, str]:
        """The reader presses the quick-reply button of a template the fake delivered."""
        components = accepted.payload["template"]["components"]
        payload = next(c for c in components if c["type"] == "button")["parameters"][0]["payload"]
        body = {"type": "button", "button": {"payload": payload, "text": "Leer / Read"},
                "context": {"from": self.phone_number_id, "id": accepted.message_id}}
        return self._user_message(wa_id, body)

    def post_webhook(self, body: bytes, *, signature: str | None = "sign") -> int:
        """POST raw bytes to the bot's webhook: signed correctly by default, with the given
        header value otherwise (None: no header at all)."""
        assert self.webhook_url is not None, "set webhook_url to the bot's /whatsapp"
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            headers["X-Hub-Signature-256"] = self.sign(body)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        answer = httpx.post(self.webhook_url, content=body, headers=headers, timeout=10)
        with self._lock:
            self.webhook_answers.append(answer.status_code)
        return answer.status_code

    def sign(self, body: bytes) -> str:
        return "sha256=" + hmac.new(self.app_secret.encode(), body, hashlib.sha256).hexdigest()

    def envelope(self, value: dict[str, Any]) -> bytes:
        """A webhook body around one `value`, as Meta wraps it."""
        return json.dumps({
            "object": "whatsapp_business_account",
            "entry": [{"id": "WABA-1", "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "15550000000",
                             "phone_number_id": self.phone_number_id},
                **value}}]}],
        }).encode()

    def _user_message(self, wa_id: str, body: dict[str, Any], *, sent_at: float | None = None,
                      message_id: str | None = None, name: str = "Lectora") -> tuple[int, str]:
        sent = time.time() if sent_at is None else sent_at
        message_id = message_id or f"wamid.IN{next(self._ids):08d}"
        with self._lock:
            self.last_inbound[wa_id] = max(self.last_inbound.get(wa_id, 0.0), sent)
        value = {"contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                 "messages": [{"from": wa_id, "id": message_id, "timestamp": str(int(sent)),
                               **body}]}
        return self.post_webhook(self.envelope(value)), message_id

    # ---- the server ----------------------------------------------------------------------

    async def _open(self) -> None:
        self._client = httpx.AsyncClient(timeout=10)
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
        if self._client is not None:
            await self._client.aclose()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                method, target, headers, body = request
                if not await self.held.hold():
                    break  # dropped unanswered: the client sees its connection close
                status, answer = await self._answer(method, target, headers, body)
                data = json.dumps(answer).encode()
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\nConnection: keep-alive\r\n\r\n".encode()
                    + data)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(self, method: str, target: str, headers: dict[str, str],
                      body: bytes) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        match = re.fullmatch(r"/([^/]+)/([^/]+)/messages", target.split("?")[0])
        try:
            if method != "POST" or match is None or match.group(1) != self.version:
                raise CloudError(100, "Unsupported post request", 400)
            if headers.get("authorization") != f"Bearer {self.token}":
                raise CloudError(190, "Invalid OAuth access token", 401)
            if match.group(2) != self.phone_number_id:
                raise CloudError(100, "Object with ID does not exist", 400)
            if "json" not in headers.get("content-type", ""):
                raise CloudError(100, "Content-Type must be application/json")
            try:
                payload = json.loads(body)
            except ValueError:
                raise CloudError(100, "Invalid JSON") from None
            accepted = self._accept(payload)
        except CloudError as error:
            return error.status, {"error": {"message": f"(#{error.code}) {error.message}",
                                            "type": "OAuthException", "code": error.code,
                                            "fbtrace_id": "FAKE"}}
        with self._lock:
            late_code = self._late_codes.pop(accepted.message_id, None)
        if (self.receipts or late_code is not None) and self.webhook_url:
            asyncio.get_running_loop().create_task(self._receipts(accepted, late_code))
        return 200, {"messaging_product": "whatsapp",
                     "contacts": [{"input": accepted.wa_id, "wa_id": accepted.wa_id}],
                     "messages": [{"id": accepted.message_id}]}

    def _accept(self, payload: Any) -> Accepted:
        _check_shape(payload, self.templates)
        wa_id = payload["to"]
        now, wall = time.monotonic(), time.time()
        with self._lock:
            try:
                queue = self._failures.get(wa_id)
                if queue:
                    code = queue[0][0]
                    queue[0][1] -= 1
                    if queue[0][1] <= 0:
                        queue.pop(0)
                    raise CloudError(code, f"failure {code} arranged by the test")
                if wa_id in self.blocked:
                    raise CloudError(131026, "Message undeliverable")
                if payload["type"] != "template" and wall - self.last_inbound.get(wa_id, 0) > WINDOW:
                    raise CloudError(131047, "Re-engagement message: more than 24 hours have "
                                             "passed since the recipient last replied")
                if self._global is None:
                    burst = self.burst or self.rate
                    self._global = _Bucket(self.rate, burst, burst, now)
                if not self._global.take(now):
                    raise CloudError(130429, "Rate limit hit: cloud API message throughput")
                if now - self._last_to.get(wa_id, -1e9) < self.pair_interval:
                    self._global.tokens += 1.0
                    raise CloudError(131056, "(Business Account, Consumer Account) pair rate "
                                             "limit hit")
            except CloudError as error:
                self.errors[error.code] += 1
                self.refused.append(Refused(wa_id, error.code, payload, now))
                raise
            self._last_to[wa_id] = now
            accepted = Accepted(wa_id, f"wamid.OUT{next(self._ids):08d}", payload["type"],
                                payload, now)
            self.accepted.append(accepted)
            late = self._late.get(wa_id)
            if late:
                self._late_codes[accepted.message_id] = late.pop(0)
                self.failed_late.append(accepted)
            self.held.recorded()
        return accepted

    async def _receipts(self, accepted: Accepted, late_code: int | None = None) -> None:
        assert self._client is not None and self.webhook_url is not None
        stages = ("sent", "delivered", "read") if late_code is None else ("sent", "failed")
        for status in stages:
            receipt: dict[str, Any] = {"id": accepted.message_id, "status": status,
                                       "timestamp": str(int(time.time())),
                                       "recipient_id": accepted.wa_id}
            value = {"statuses": [receipt]}
            if status == "failed":
                receipt["errors"] = [{
                    "code": late_code, "title": f"failure {late_code} reported late",
                    "message": f"failure {late_code} arranged by the test",
                    "error_data": {"details": "reported after the message was accepted"}}]
            body = self.envelope(value)
            with contextlib.suppress(httpx.HTTPError):
                answer = await self._client.post(
                    self.webhook_url, content=body,
                    headers={"Content-Type": "application/json",
                             "X-Hub-Signature-256": self.sign(body)})
                with self._lock:
                    self.webhook_answers.append(answer.status_code)


def _check_shape(payload: Any, templates: dict[str, set[str]]) -> None:
    """Refuse what the Cloud API refuses (the documented limits), code 131009 or 132001."""
    def bad(message: str) -> CloudError:
        return CloudError(131009, f"Parameter value is not valid: {message}")

    if not isinstance(payload, dict) or payload.get("messaging_product") != "whatsapp":
        raise bad("messaging_product must be whatsapp")
    to = payload.get("to")
    if not isinstance(to, str) or not to.isdigit() or not 7 <= len(to) <= 15:
        raise bad("to must be a phone number")
    kind = payload.get("type")
    if kind == "text":
        text = payload.get("text") or {}
        body = text.get("body")
        if not isinstance(body, str) or not body.strip():
            raise bad("text.body is required")
        if len(body) > MAX_TEXT:
            raise bad(f"text.body is longer than {MAX_TEXT}")
    elif kind == "interactive":
        _check_interactive(payload.get("interactive") or {}, bad)
    elif kind == "template":
        template = payload.get("template") or {}
        language = (template.get("language") or {}).get("code")
        if language not in templates.get(template.get("name", ""), set()):
            raise CloudError(132001, "Template name does not exist in the translation")
        for component in template.get("components", []):
            for parameter in component.get("parameters", []):
                text = parameter.get("text", parameter.get("payload", ""))
                if not isinstance(text, str) or not text or "\n" in text or "    " in text:
                    raise CloudError(132000, "Number of parameters does not match / bad text")
    else:
        raise bad(f"unknown message type {kind!r}")


def _check_interactive(interactive: dict[str, Any], bad: Any) -> None:
    body = (interactive.get("body") or {}).get("text")
    if not isinstance(body, str) or not body.strip() or len(body) > 1024:
        raise bad("interactive.body.text is required, at most 1024 characters")
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= 3:
            raise bad("1 to 3 reply buttons")
        ids = [b["reply"]["id"] for b in buttons]
        if len(set(ids)) != len(ids):
            raise bad("button ids must be unique")
        for button in buttons:
            title = button["reply"]["title"]
            if not title or len(title) > 20:
                raise bad("button title is at most 20 characters")
            if not button["reply"]["id"] or len(button["reply"]["id"]) > 256:
                raise bad("button id is at most 256 characters")
    elif interactive.get("type") == "list":
        label = action.get("button")
        if not isinstance(label, str) or not label or len(label) > 20:
            raise bad("list button label is at most 20 characters")
        rows = [row for section in action.get("sections") or [] for row in section["rows"]]
        if not 1 <= len(rows) <= 10:
            raise bad("1 to 10 list rows")
        for row in rows:
            if not row["title"] or len(row["title"]) > 24:
                raise bad("row title is at most 24 characters")
            if len(row.get("description", "")) > 72 or len(row["id"]) > 200:
                raise bad("row description ≤ 72, row id ≤ 200")
        if len({row["id"] for row in rows}) != len(rows):
            raise bad("row ids must be unique")
    else:
        raise bad("interactive.type must be button or list")


async def _read_request(
    reader: asyncio.StreamReader,
) -> tuple[str, str, dict[str, str], bytes] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":")
               for line in lines[1:] if ":" in line)}
    body = await reader.readexactly(int(headers.get("content-length") or 0))
    return method, target, headers, body
