"""The Cloud API message bodies Vigía sends, built within WhatsApp's limits (the documented JSON).

Every builder returns the body of one `POST {api}/{phone_number_id}/messages`. Titles longer than
WhatsApp allows are shortened, never refused: a reader gets a shorter label, not an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.whatsapp.markup import MAX_TEXT, neutralise, shorten

__all__ = [
    "MAX_BUTTONS",
    "MAX_BUTTON_TITLE",
    "MAX_INTERACTIVE_BODY",
    "MAX_ROWS",
    "MAX_ROW_TITLE",
    "Offer",
    "buttons_message",
    "list_message",
    "template_message",
    "text_message",
]

MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_LIST_BUTTON = 20
MAX_INTERACTIVE_BODY = 1024
MAX_CHOICE_ID = 200

Payload = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Offer:
    """One reply button or list row: the id that comes back when pressed, what the reader sees."""

    id: str  # a button payload of bot/digest/buttons.py, read back by its parser
    title: str
    description: str = ""


def text_message(to: str, body: str) -> Payload:
    """A text message; `body` is WhatsApp markup already made safe, at most 4,096 characters."""
    if len(body) > MAX_TEXT:
        raise ValueError(f"a WhatsApp text is at most {MAX_TEXT} characters, this one {len(body)}")
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"body": body, "preview_url": False},
    }


def buttons_message(to: str, body: str, choices: Sequence[Offer]) -> Payload:
    """Up to three reply buttons under a short text (titles cut to 20 characters)."""
    buttons = [
        {"type": "reply", "reply": {"id": choice.id[:MAX_CHOICE_ID],
                                    "title": _title(choice.title, MAX_BUTTON_TITLE)}}
        for choice in choices[:MAX_BUTTONS]
    ]
    return _interactive(to, body, {"type": "button", "action": {"buttons": buttons}})


def list_message(to: str, body: str, label: str, choices: Sequence[Offer]) -> Payload:
    """A list to choose from: up to ten rows (titles cut to 24 characters) behind one button."""
    rows = [
        {"id": choice.id[:MAX_CHOICE_ID], "title": _title(choice.title, MAX_ROW_TITLE),
         **({"description": _title(choice.description, MAX_ROW_DESCRIPTION)}
            if choice.description.strip() else {})}
        for choice in choices[:MAX_ROWS]
    ]
    action = {"button": _title(label, MAX_LIST_BUTTON),
              "sections": [{"title": _title(label, MAX_ROW_TITLE), "rows": rows}]}
    return _interactive(to, body, {"type": "list", "action": action})


def template_message(to: str, *, name: str, language: str, parameters: Sequence[str],
                     button_payload: str) -> Payload:
    """The approved template (outside the 24-hour window), its body filled in, and the payload
    its quick-reply button sends back when pressed."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": language},
            "components": [
                {"type": "body",
                 "parameters": [{"type": "text", "text": _parameter(text)} for text in parameters]},
                {"type": "button", "sub_type": "quick_reply", "index": "0",
                 "parameters": [{"type": "payload", "payload": button_payload[:MAX_CHOICE_ID]}]},
            ],
        },
    }


def _interactive(to: str, body: str, part: Payload) -> Payload:
    interactive = {"type": part["type"], "body": {"text": shorten(body, MAX_INTERACTIVE_BODY)},
                   "action": part["action"]}
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "interactive",
        "interactive": interactive,
    }


def _title(text: str, limit: int) -> str:
    return shorten(neutralise(text).strip(), limit) or "…"


def _parameter(text: str) -> str:
    # Template parameters may not hold newlines, tabs or more than four spaces in a row.
    return shorten(" ".join(text.split()), 120) or "—"
