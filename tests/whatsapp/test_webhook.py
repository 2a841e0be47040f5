"""The /whatsapp webhook as a function: verification, signatures, and what a body carries."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.whatsapp.webhook import WebhookEvents, read_events, serve_webhook, signature_ok

SECRET = "app-secret-for-the-tests-0001"
VERIFY = "verify-me-please"


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def envelope(value: dict[str, Any]) -> bytes:
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
        {"field": "messages", "value": {"messaging_product": "whatsapp", **value}}]}]}).encode()


class Seen:
    def __init__(self) -> None:
        self.events: list[WebhookEvents] = []

    async def __call__(self, events: WebhookEvents) -> None:
        self.events.append(events)


async def call(method: str, *, query: dict[str, str] | None = None, body: bytes = b"",
               signature: str | None = None, seen: Seen | None = None) -> tuple[int, bytes]:
    headers = {"X-Hub-Signature-256": signature} if signature is not None else {}
    return await serve_webhook(method=method, query=query or {}, headers=headers, body=body,
                               app_secret=SECRET, verify_token=VERIFY, handle=seen or Seen())


async def test_meta_verification_echoes_the_challenge_only_with_the_right_token() -> None:
    good = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    assert await call("GET", query=good) == (200, b"1158201444")
    assert (await call("GET", query={**good, "hub.verify_token": "guess"}))[0] == 403
    assert (await call("GET", query={**good, "hub.mode": "unsubscribe"}))[0] == 403
    assert (await call("GET", query={}))[0] == 403


@pytest.mark.parametrize("signature", [None, "", "sha256=", "sha1=abc", "sha256=" + "0" * 64])
async def test_unsigned_or_badly_signed_posts_are_refused_and_nothing_is_handled(
    signature: str | None,
) -> None:
    body = envelope({"messages": [{"from": "584121234567", "id": "wamid.A", "timestamp": "1",
                                   "type": "text", "text": {"body": "hola"}}]})
    seen = Seen()
    status, _ = await call("POST", body=body, signature=signature, seen=seen)
    assert status == 403
    assert seen.events == []


async def test_a_body_signed_with_another_secret_or_altered_after_signing_is_refused() -> None:
    body = envelope({"messages": []})
    seen = Seen()
    assert (await call("POST", body=body, signature=sign(body, "other"), seen=seen))[0] == 403
    assert (await call("POST", body=body + b" ", signature=sign(body), seen=seen))[0] == 403
    assert seen.events == []
    assert signature_ok(body=body, header=sign(body).upper().replace("SHA256", "sha256"),
                        secret=SECRET)


async def test_a_signed_post_is_read_into_messages_and_receipts() -> None:
    body = envelope({
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": "584121234567"}],
        "messages": [
            {"from": "584121234567", "id": "wamid.T", "timestamp": "1764590000", "type": "text",
             "text": {"body": "actor Maduro"}},
            {"from": "584121234567", "id": "wamid.B", "timestamp": "1764590001",
             "type": "interactive",
             "interactive": {"type": "list_reply", "list_reply": {"id": "actor:delcy",
                                                                  "title": "Delcy Rodríguez"}}},
            {"from": "584121234567", "id": "wamid.Q", "timestamp": "1764590002", "type": "button",
             "button": {"payload": "open:1764500000", "text": "Leer"}},
            {"from": "584121234567", "id": "wamid.I", "timestamp": "1764590003", "type": "image",
             "image": {"id": "1"}},
            {"from": "not-a-number", "id": "wamid.X", "timestamp": "1764590004", "type": "text",
             "text": {"body": "hola"}},
        ],
        "statuses": [{"id": "wamid.OUT1", "status": "failed", "timestamp": "1764590005",
                      "recipient_id": "584121234567",
                      "errors": [{"code": 131026, "title": "Message undeliverable"}]},
                     {"id": "wamid.OUT2", "status": "typing", "timestamp": "1764590006"}],
    })
    seen = Seen()
    assert (await call("POST", body=body, signature=sign(body), seen=seen))[0] == 200
    (events,) = seen.events
    text, pressed, template, image = events.messages
    assert (text.wa_id, text.text, text.name) == ("584121234567", "actor Maduro", "Ana")
    assert text.sent_at == datetime.fromtimestamp(1764590000, UTC)
    assert pressed.choice_id == "actor:delcy"
    assert template.choice_id == "open:1764500000"
    assert (image.text, image.choice_id) == ("", None)  # answered with the short help
    (receipt,) = events.receipts
    assert (receipt.message_id, receipt.status, receipt.error_code) == ("wamid.OUT1", "failed",
                                                                        131026)


async def test_a_failure_while_handling_asks_meta_to_send_it_again() -> None:
    async def broken(events: WebhookEvents) -> None:
        raise RuntimeError("database is locked")

    body = envelope({"messages": []})
    status, _ = await serve_webhook(method="POST", query={}, headers={
        "x-hub-signature-256": sign(body)}, body=body, app_secret=SECRET, verify_token=VERIFY,
        handle=broken)
    assert status == 500


@pytest.mark.parametrize("payload", [[], {"object": "page"}, "x", None])
def test_what_is_not_a_whatsapp_webhook_is_said_so(payload: object) -> None:
    with pytest.raises(ValueError):
        read_events(payload)


async def test_a_signed_body_that_is_not_json_is_a_bad_request() -> None:
    body = b"{not json"
    assert (await call("POST", body=body, signature=sign(body)))[0] == 400
