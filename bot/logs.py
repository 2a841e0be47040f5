"""Logging set-up: key=value lines (or JSON lines), and no Telegram bot token in any record, ever.

`configure_logging(level)` installs `TokenFilter` on the root handlers (so records of every logger,
ours or a library's, are redacted before they are written) and quiets httpx/httpcore, whose INFO
lines carry request URLs — and Bot API URLs carry the token: `…/bot123456:ABC-DEF…/sendMessage`.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from urllib.parse import quote

__all__ = [
    "REDACTED",
    "JsonFormatter",
    "TokenFilter",
    "configure_logging",
    "hide_secrets",
    "redact_tokens",
]

REDACTED = "bot[REDACTED]"
# A bot token is "<bot id>:<35-ish url-safe characters>"; in URLs it follows "bot".
_TOKEN = re.compile(r"(?:\bbot)?\d{5,}:[A-Za-z0-9_-]{20,}")
_SECRETS: set[str] = set()  # the values of secret settings, whatever their shape
_QUIET = ("httpx", "httpcore", "telegram.request", "apscheduler.executors.default",
          "tornado.access")


def configure_logging(level: int | str = logging.INFO, *, json_lines: bool = False) -> None:
    """One stream handler with key=value lines (or one JSON object a line), tokens redacted,
    HTTP client chatter quiet."""
    root = logging.getLogger()
    root.setLevel(level)
    if not root.handlers:
        stream = logging.StreamHandler()
        stream.setFormatter(
            logging.Formatter("%(asctime)s level=%(levelname)s logger=%(name)s %(message)s")
        )
        root.addHandler(stream)
    for handler in root.handlers:
        if json_lines:
            handler.setFormatter(JsonFormatter())
        if not any(isinstance(f, TokenFilter) for f in handler.filters):
            handler.addFilter(TokenFilter())
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)


def hide_secrets(*values: str | None) -> None:
    """Redact these values (a token, a webhook secret, a password) from every line from now on.

    The token pattern alone misses short or odd tokens ("123456:TEST"), so the values
    themselves are remembered, also as they appear URL-encoded.
    """
    for value in values:
        if value:
            _SECRETS.update({value, quote(value, safe="")})


def redact_tokens(text: str) -> str:
    """`text` with every Telegram bot token and every hidden secret replaced by a placeholder."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "[REDACTED]")
    return _TOKEN.sub(REDACTED, text)


class TokenFilter(logging.Filter):
    """Rewrites a record's message (args merged in) and exception text without tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact_tokens(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_tokens(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and the traceback if any.

    Runs after TokenFilter, so what it writes is already redacted.
    """

    def format(self, record: logging.LogRecord) -> str:
        document = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            document["exception"] = redact_tokens(record.exc_text)
        return json.dumps(document, ensure_ascii=False)
