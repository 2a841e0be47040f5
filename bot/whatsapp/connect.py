"""Plugs WhatsApp into a running Vigía: its transport (with one HTTP client) and its webhook route."""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack

import httpx

from bot.http import Handler, Request, Response
from bot.runtime import Runtime
from bot.settings import Settings
from bot.whatsapp.inbox import handle_events
from bot.whatsapp.transport import Reader, WhatsAppTransport
from bot.whatsapp.webhook import WebhookEvents, serve_webhook
from storage import subscribers
from storage.db import Sessions

__all__ = ["PATH", "open_transport", "webhook_route"]

logger = logging.getLogger(__name__)

PATH = "/whatsapp"
TIMEOUT = httpx.Timeout(20.0, connect=10.0)


async def open_transport(settings: Settings, sessions: Sessions,
                         stack: AsyncExitStack) -> WhatsAppTransport:
    """The WhatsApp transport for these settings, reading readers' windows through `sessions`;
    its HTTP client closes with `stack`."""
    assert settings.whatsapp_token is not None and settings.whatsapp_phone_number_id
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    client = await stack.enter_async_context(httpx.AsyncClient(timeout=TIMEOUT, limits=limits))

    async def reader(chat_id: int) -> Reader | None:
        async with sessions() as session:
            found = await subscribers.get_subscriber(session=session, chat_id=chat_id)
        if found is None:
            return None
        return Reader(last_inbound_at=found.last_inbound_at, language=found.language)

    transport = WhatsAppTransport(
        client=client,
        api_url=settings.whatsapp_api_url,
        phone_number_id=settings.whatsapp_phone_number_id,
        token=settings.whatsapp_token.get_secret_value(),
        template=settings.whatsapp_template,
        reader=reader,
        rate=settings.whatsapp_send_rate,
        per_reader=settings.whatsapp_reader_interval,
    )
    if settings.whatsapp_app_secret is None:
        logger.warning("event=whatsapp_webhook_off: BOT_WHATSAPP_APP_SECRET is not set, so no "
                       "webhook can be trusted: readers' messages will be refused")
    logger.info("whatsapp on api=%s phone_number_id=%s template=%s rate=%g",
                settings.whatsapp_api_url, settings.whatsapp_phone_number_id,
                settings.whatsapp_template, settings.whatsapp_send_rate)
    return transport


def webhook_route(settings: Settings, runtime: Runtime, transport: WhatsAppTransport) -> Handler:
    """The handler of `/whatsapp` on the HTTP surface."""
    secret = settings.whatsapp_app_secret
    verify = settings.whatsapp_verify_token

    async def handle(events: WebhookEvents) -> None:
        await handle_events(events, runtime=runtime, transport=transport)

    async def answer(request: Request) -> Response:
        status, body = await serve_webhook(
            method=request.method, query=request.query, headers=request.headers,
            body=request.body,
            app_secret=secret.get_secret_value() if secret is not None else None,
            verify_token=verify.get_secret_value() if verify is not None else None,
            handle=handle,
        )
        return Response(status=status, body=body)

    return answer


