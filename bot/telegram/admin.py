"""What the operators' commands answer (`/stats`, `/reload`, `/feeds`); others get a refusal."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.digest.compose import format_time
from bot.digest.words import line, listing
from bot.model import Message, Paragraph, Span
from bot.steering import Reload, Steering
from bot.telegram import texts
from bot.telegram.reply import Reply, reply_with
from storage import stories as story_store
from storage.db import Sessions
from storage.models import PublishTarget, Source
from storage.publish import list_targets, unanswered_posts
from storage.schedule import zone_of
from storage.times import as_utc

MAX_ERROR = 200  # characters of a source's last error shown in /feeds
REPORT_LINES = 10  # sources named in the daily report of failing sources; /feeds has them all
REPORT_ERROR = 80  # characters of each one's last error there


async def answer_stats(
    *, sessions: Sessions, admins: Collection[int], user_id: int | None, now: datetime | None = None
) -> Reply:
    """`/stats`: sources ok and failing, items today, subscribers, deliveries pending."""
    if not is_admin(admins, user_id):
        return _refuse("stats")
    now = now or datetime.now(UTC)
    async with sessions() as session:
        stats = await story_store.collect_stats(session=session, now=now)
    return reply_with(
        "*Vigía · stats*\n"
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
    before = {source.id for source in steering.sources}
    problems = await reload()
    dropped = sorted(before - {source.id for source in steering.sources})
    outputs = f", {len(steering.publish)} channel outputs" if steering.publish else ""
    loaded = f"{len(steering.sources)} sources{outputs}, {len(steering.catalog.actors)} actors"
    if not problems:
        if dropped:
            return Reply(listing(
                f"Reloaded: {loaded}. *No longer polled* ({len(dropped)}), as they left "
                "feeds.toml:", [line("• `{id}`", id=name) for name in dropped],
            ))
        return reply_with(f"Reloaded: {loaded}.")
    lines = [line("• `{problem}`", problem=problem) for problem in problems]
    heading = (
        f"*Reload refused {len(problems)} problem{'s' if len(problems) > 1 else ''}*; "
        f"the last good files stay in use ({loaded}):"
    )
    return Reply(listing(heading, lines))


async def answer_feeds(
    *, sessions: Sessions, admins: Collection[int], user_id: int | None, timezone: str
) -> Reply:
    """`/feeds`: the failing sources with their last success (in `timezone`) and last error, and
    the channel outputs' state."""
    if not is_admin(admins, user_id):
        return _refuse("feeds")
    now = datetime.now(UTC)
    async with sessions() as session:
        failing = await story_store.failing_sources(session=session)
        outputs = await list_targets(session=session)
        unanswered = await unanswered_posts(session=session)
    blocks = _failing_sources(failing, zone=zone_of(timezone), now=now).blocks
    if outputs:
        blocks += _outputs(outputs, unanswered).blocks
    return Reply(Message(blocks=blocks))


def _failing_sources(failing: list[Source], *, zone: ZoneInfo, now: datetime) -> Message:
    if not failing:
        return listing("Every source reads fine.", [])
    lines = []
    for source in failing:
        status = f", HTTP {source.last_status}" if source.last_status else ""
        lines.append(line(
            "• *{name}* (`{id}`) — {errors} errors{status}, last read {when}: {error}",
            name=source.name, id=source.id, errors=source.error_count, status=status,
            when=_when(source, zone, now), error=_error(source, MAX_ERROR),
        ))
    return listing(f"*Failing sources* · {len(failing)}", lines)


def _outputs(outputs: list[PublishTarget], unanswered: dict[str, int]) -> Message:
    """The [[publish]] outputs: ok, or why the chat refused and what to do; and the posts that
    got no answer, which stay as they are."""
    lines = []
    for output in outputs:
        where = {"id": output.id, "chat": output.chat}
        if output.failed_reason is None:
            late = _unanswered(unanswered.get(output.id, 0))
            lines.append(line("• *{id}* → `{chat}` ({what}) — ok" + late, what=output.what, **where))
            continue
        reason = output.failed_reason
        if len(reason) > MAX_ERROR:
            reason = reason[: MAX_ERROR - 1] + "…"
        lines.append(line(
            "• *{id}* → `{chat}` — *stopped*: {reason}. Make the bot an admin of the "
            "chat (or fix `chat` in feeds.toml), then /reload.",
            reason=reason, **where,
        ))
    return listing(f"*Channel outputs* · {len(outputs)}", lines)


def _unanswered(count: int) -> str:
    if not count:
        return ""
    posts = "post" if count == 1 else "posts"
    return (
        f"; {count} {posts} got no answer from Telegram and may be on the channel: left as "
        "they are (no edits as outlets join), never posted again"
    )


def failing_report(sources: Sequence[Source], *, hours: int, tz: ZoneInfo,
                   now: datetime) -> Message:
    """The admins' daily message: sources failing for more than `hours`, in one short text."""
    plural = "s" if len(sources) != 1 else ""
    heading = Span(f"Vigía · {len(sources)} source{plural} failing for more than {hours} h", "bold")
    spans = [heading]
    for source in sources[:REPORT_LINES]:
        spans += [
            Span("\n• "),
            Span(source.name, "bold"),
            Span(f" — last read {_when(source, tz, now)}: {_error(source, REPORT_ERROR)}"),
        ]
    if len(sources) > REPORT_LINES:
        spans.append(Span(f"\n… and {len(sources) - REPORT_LINES} more."))
    spans.append(Span("\nDetails: /feeds"))
    return Message(blocks=(Paragraph(tuple(spans)),), timezone=tz.key, now=now)


def _when(source: Source, tz: ZoneInfo, now: datetime) -> str:
    if source.last_success_at is None:
        return "never"
    return format_time(as_utc(source.last_success_at), tz=tz, now=now)


def _error(source: Source, limit: int) -> str:
    error = source.disabled_reason or source.last_error or "disabled"
    return error if len(error) <= limit else error[: limit - 1] + "…"


def is_admin(admins: Collection[int], user_id: int | None) -> bool:
    """Whether this Telegram user is one of BOT_ADMINS."""
    return user_id is not None and user_id in admins


def _refuse(command: str) -> Reply:
    return reply_with(texts.ADMIN_ONLY, command=command)
