"""The fake Cloud API refuses what WhatsApp refuses, with WhatsApp's codes (so passing means something)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.whatsapp.fake_cloud import FakeCloud

ANA = "584121234567"


@pytest.fixture
def fake() -> Iterator[FakeCloud]:
    with FakeCloud(pair_interval=0.2) as server:
        server.last_inbound[ANA] = time.time()
        yield server


def send(fake: FakeCloud, body: dict[str, Any], *, token: str | None = None) -> tuple[int, int]:
    answer = httpx.post(f"{fake.api_url}/{fake.phone_number_id}/messages", json=body,
                        headers={"Authorization": f"Bearer {token or fake.token}"})
    if answer.status_code == 200:
        return 200, 0
    return answer.status_code, int(answer.json()["error"]["code"])


def text(to: str = ANA, body: str = "hola") -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}}


def buttons(titles: list[str]) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": ANA, "type": "interactive", "interactive": {
        "type": "button", "body": {"text": "¿Cuál?"}, "action": {"buttons": [
            {"type": "reply", "reply": {"id": f"b{i}", "title": t}} for i, t in enumerate(titles)
        ]}}}


def test_a_good_text_is_accepted_and_recorded(fake: FakeCloud) -> None:
    assert send(fake, text()) == (200, 0)
    (message,) = fake.messages_to(ANA)
    assert message.body == "hola"


def test_a_wrong_token_is_190(fake: FakeCloud) -> None:
    assert send(fake, text(), token="stolen") == (401, 190)


@pytest.mark.parametrize("body", [
    text(body="x" * 4097),
    text(body="   "),
    text(to="+58 412"),
    {"to": ANA, "type": "text", "text": {"body": "sin producto"}},
    buttons(["uno", "dos", "tres", "cuatro"]),
    buttons(["un título demasiado largo"]),
])
def test_what_breaks_the_documented_limits_is_131009(fake: FakeCloud, body: dict[str, Any]) -> None:
    assert send(fake, body) == (400, 131009)
    assert fake.messages_to(ANA) == []


def test_outside_the_24_hour_window_only_a_template_goes(fake: FakeCloud) -> None:
    away = "33612345678"
    fake.last_inbound[away] = time.time() - 25 * 3600
    assert send(fake, text(to=away)) == (400, 131047)
    template = {"messaging_product": "whatsapp", "to": away, "type": "template", "template": {
        "name": "vigia_digest", "language": {"code": "fr"}, "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "3"},
                                            {"type": "text", "text": "Un titre"}]}]}}
    assert send(fake, template) == (200, 0)
    template["template"]["language"] = {"code": "de"}
    assert send(fake, template)[1] == 132001


def test_one_reader_is_paced_and_the_number_is_capped(fake: FakeCloud) -> None:
    assert send(fake, text()) == (200, 0)
    assert send(fake, text()) == (400, 131056)
    time.sleep(0.25)
    assert send(fake, text()) == (200, 0)
    with FakeCloud(rate=1.0) as slow:
        crowd = [f"5841200000{i:02d}" for i in range(6)]
        for wa_id in crowd:
            slow.last_inbound[wa_id] = time.time()
        codes = [send(slow, text(to=wa_id))[1] for wa_id in crowd]
    assert 130429 in codes  # six in a row is more than one a second


def test_a_blocked_reader_is_131026(fake: FakeCloud) -> None:
    fake.block(ANA)
    assert send(fake, text()) == (400, 131026)


def test_webhooks_are_signed_as_meta_signs_them(fake: FakeCloud) -> None:
    import hashlib
    import hmac

    body = fake.envelope({"messages": []})
    expected = hmac.new(fake.app_secret.encode(), body, hashlib.sha256).hexdigest()
    assert fake.sign(body) == f"sha256={expected}"
