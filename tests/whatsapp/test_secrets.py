"""The WhatsApp token, app secret and verify token never reach a log line."""

from __future__ import annotations

import io
import logging

from pydantic import SecretStr

from bot.logs import TokenFilter, configure_logging
from bot.settings import Settings
from bot.whatsapp.transport import WhatsAppTransport

TOKEN = "EAAJZC9x3pQ4BANOTAREALTOKENbutLONGenoughZZ"
APP_SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
VERIFY = "mi-token-de-verificacion"


def test_configured_secrets_are_redacted_from_every_record() -> None:
    settings = Settings(_env_file=None, whatsapp_token=SecretStr(TOKEN),  # type: ignore[call-arg]
                        whatsapp_phone_number_id="1065", whatsapp_app_secret=SecretStr(APP_SECRET),
                        whatsapp_verify_token=SecretStr(VERIFY))
    assert settings.whatsapp_enabled
    configure_logging("INFO")  # the settings hid their secrets when they were read
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(TokenFilter())
    logger = logging.getLogger("tests.whatsapp.secrets")
    logger.addHandler(handler)
    try:
        logger.warning("GET /whatsapp?hub.verify_token=%s", VERIFY)
        try:
            raise RuntimeError(f"Authorization: Bearer {TOKEN} secret={APP_SECRET}")
        except RuntimeError:
            logger.exception("send failed")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "send failed" in written and "[REDACTED]" in written
    for secret in (TOKEN, APP_SECRET, VERIFY):
        assert secret not in written
    assert TOKEN not in repr(settings) and APP_SECRET not in str(settings)


def test_the_transport_does_not_show_its_token() -> None:
    transport = WhatsAppTransport(client=None, api_url="https://graph.facebook.com/v23.0",
                                  phone_number_id="1065", token=TOKEN, template="vigia_digest")
    assert TOKEN not in repr(transport) and TOKEN not in str(transport)
