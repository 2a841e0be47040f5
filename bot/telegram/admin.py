"""What the operators' commands answer (`/stats`, `/reload`, `/feeds`); others get a refusal."""

from __future__ import annotations

import html
from collections.abc import Collection
from datetime import UTC, datetime

from bot.steering import Reload, Steering
from bot.telegram import texts
from bot.telegram.render import pack_messages
from bot.telegram.reply import Reply, reply_text
from storage import stories as story_store
from storage.db import Sessions
from storage.models import PublishTarget, Source
from storage.publish import list_targets

LIST_LIMIT = 4000  # visible characters of a message of list lines
MAX_ERROR = 200  # characters of a source's last error shown in /feeds


async def answer_stats(
    *, sessions: Sessions, admins: Collection[int], user_id: int | None, now: datetime | None = None
) -> Reply:
    """`/stats`: sources ok and failing, items today, subscribers, deliveries pending."""
    if not is_admin(admins, user_id):
        return _refuse("stats")
    now = now or datetime.now(UTC)
    async with sessions() as session:
        stats = await story_store.collect_stats(session=session, now=now)
    return reply_text(
        "<b>Vigía · stats</b>\n"
        f"Sources: {stats.sources_ok} ok, {stats.sources_failing} failing\n"
        f"Items in the last 24 h: {stats.items_today}\n"
        f"Subscribers: {stats.subscribers}\n"
        f"Deliveries pending: {stats.deliveries_pending}"
    )


async def answer_reload(
    *, reload: Reload, steering: Steering, admins: Collection[int], user_id: int | None
) -> Reply:
    """`/reload`: re-read feeds.toml and actors.toml; report problems or what is now loaded."""
    if not is_admin(admins, user_id):
        return _refuse("reload")
    problems = await reload()
    outputs = f", {len(steering.publish)} channel outputs" if steering.publish else ""
    loaded = f"{len(steering.sources)} sources{outputs}, {len(steering.catalog.actors)} actors"
    if not problems:
        return reply_text(f"Reloaded: {loaded}.")
    lines = [f"• <code>{html.escape(problem)}</code>" for problem in problems]
    heading = (
        f"<b>Reload refused {len(problems)} problem{'s' if len(problems) > 1 else ''}</b>; "
        f"the last good files stay in use ({loaded}):"
    )
    return Reply(texts=tuple(pack_messages(heading, lines, separator="\n", limit=LIST_LIMIT)))


async def answer_feeds(
    *, sessions: Sessions, admins: Collection[int], user_id: int | None
) -> Reply:
    """`/feeds`: the failing sources with their last error, and the channel outputs' state."""
    if not is_admin(admins, user_id):
        return _refuse("feeds")
    async with sessions() as session:
        failing = await story_store.failing_sources(session=session)
        outputs = await list_targets(session=session)
    texts = _failing_sources(failing)
    if outputs:
        texts += _outputs(outputs)
    return Reply(texts=tuple(texts))


def _failing_sources(failing: list[Source]) -> list[str]:
    if not failing:
        return ["Every source reads fine."]
    lines = []
    for source in failing:
        error = source.disabled_reason or source.last_error or "disabled"
        if len(error) > MAX_ERROR:
            error = error[: MAX_ERROR - 1] + "…"
        status = f", HTTP {source.last_status}" if source.last_status else ""
        lines.append(
            f"• <b>{html.escape(source.name)}</b> (<code>{html.escape(source.id)}</code>)"
            f" — {source.error_count} errors{status}: {html.escape(error)}"
        )
    return pack_messages(
        f"<b>Failing sources</b> · {len(failing)}", lines, separator="\n", limit=LIST_LIMIT
    )


def _outputs(outputs: list[PublishTarget]) -> list[str]:
    """The [[publish]] outputs: ok, or why the chat refused and what to do."""
    lines = []
    for output in outputs:
        where = f"<b>{html.escape(output.id)}</b> → <code>{html.escape(output.chat)}</code>"
        if output.failed_reason is None:
            lines.append(f"• {where} ({html.escape(output.what)}) — ok")
            continue
        reason = output.failed_reason
        if len(reason) > MAX_ERROR:
            reason = reason[: MAX_ERROR - 1] + "…"
        lines.append(
            f"• {where} — <b>stopped</b>: {html.escape(reason)}. Make the bot an admin of the "
            "chat (or fix <code>chat</code> in feeds.toml), then /reload."
        )
    return pack_messages(
        f"<b>Channel outputs</b> · {len(outputs)}", lines, separator="\n", limit=LIST_LIMIT
    )


def is_admin(admins: Collection[int], user_id: int | None) -> bool:
    """Whether this Telegram user is one of BOT_ADMINS."""
    return user_id is not None and user_id in admins


def _refuse(command: str) -> Reply:
    return reply_text(texts.ADMIN_ONLY.format(command=command))
