"""`/settings`: the subscriber's schedule, time, timezone and languages, shown with buttons."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.digest import buttons
from bot.digest.buttons import SettingChoice
from bot.model import Choice
from bot.telegram import texts
from bot.telegram.reply import Reply, reply_with
from storage import subscribers
from storage.db import Sessions, transaction
from storage.models import Subscriber
from storage.schedule import SCHEDULES, is_zone, parse_clock, zone_of

LANGUAGES = ("es", "en", "fr")
PRESET_TIMES = ("06:00", "07:00", "08:00", "12:00", "18:00", "21:00")
PRESET_ZONES = (
    ("Caracas", "America/Caracas"),
    ("Bogotá", "America/Bogota"),
    ("Miami/New York", "America/New_York"),
    ("Madrid", "Europe/Madrid"),
    ("Paris", "Europe/Paris"),
    ("UTC", "UTC"),
)
SCHEDULE_LABELS = {"daily": "Daily", "twice": "Twice a day", "hourly": "Hourly", "off": "Off"}


async def answer_settings(
    *, sessions: Sessions, chat_id: int, argument: str, now: datetime | None = None
) -> Reply:
    """`/settings [time HH:MM | tz ZONE | schedule NAME | languages CODES]`: change, then show."""
    now = now or datetime.now(UTC)
    field, _, value = " ".join(argument.split()).partition(" ")
    field = field.lower()
    if not field:
        return await _show(sessions=sessions, chat_id=chat_id, now=now)
    if len(argument) > 80:
        return reply_with(f"That is too long to be a setting. {texts.USAGE_SETTINGS}")
    change = _read_change(field, value)
    if isinstance(change, tuple):
        problem, shown = change
        return reply_with(f"{problem} {texts.USAGE_SETTINGS}", shown=shown)
    return await _apply(sessions=sessions, chat_id=chat_id, now=now, **change)


async def press_setting(
    *, sessions: Sessions, chat_id: int, choice: SettingChoice, now: datetime | None = None
) -> Reply:
    """A settings button was pressed: change that setting and redraw the menu in place."""
    now = now or datetime.now(UTC)
    if choice.field == "show":
        reply = await _show(sessions=sessions, chat_id=chat_id, now=now)
    elif choice.field == "lang":
        if choice.value not in LANGUAGES:
            return reply_with(texts.EXPIRED_BUTTON)
        reply = await _toggle_language(sessions=sessions, chat_id=chat_id, code=choice.value, now=now)
    elif choice.field == "tz" and choice.value not in {zone for _, zone in PRESET_ZONES}:
        return reply_with(texts.EXPIRED_BUTTON)
    else:
        change = _read_change(choice.field, choice.value)
        if isinstance(change, tuple):
            return reply_with(texts.EXPIRED_BUTTON)
        reply = await _apply(sessions=sessions, chat_id=chat_id, now=now, **change)
    return Reply(reply.message, notice="Saved", replace=True)


def _read_change(field: str, value: str) -> dict[str, object] | tuple[str, str]:
    """The keyword arguments of update_settings for a typed change, or what is wrong with it
    (a template, and the `shown` words of the user it names)."""
    shown = value[:40]
    if field in ("time", "hour", "at"):
        clock = parse_clock(value)
        if clock is None:
            return "I can't read “{shown}” as a time of day, like 07:30.", shown
        return {"digest_time": clock.strftime("%H:%M")}
    if field in ("tz", "timezone", "zone"):
        if not value or not is_zone(value):
            return (
                "I don't know the time zone “{shown}”; write it like America/Caracas "
                "or Europe/Madrid."
            ), shown
        return {"timezone": value}
    if field == "schedule":
        if value.lower() not in SCHEDULES:
            return "“{shown}” is not a schedule: daily, twice, hourly or off.", shown
        return {"schedule": value.lower()}
    if field in ("languages", "language", "lang"):
        codes = [code for code in value.lower().replace(",", " ").split() if code]
        if codes == ["all"]:
            return {"languages": ()}
        unknown = [code for code in codes if code not in LANGUAGES]
        if not codes or unknown:
            return f"Languages are {', '.join(LANGUAGES)} (or all).", shown
        return {"languages": tuple(codes)}
    return "I don't know the setting “{shown}”.", field[:40]


async def _apply(*, sessions: Sessions, chat_id: int, now: datetime, **change: object) -> Reply:
    async with transaction(sessions) as session:
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
        if subscriber is None or not subscriber.active:
            return reply_with(texts.NOT_SUBSCRIBED)
        subscriber = await subscribers.update_settings(
            session=session,
            chat_id=chat_id,
            now=now,
            **change,  # type: ignore[arg-type]
        )
        return _menu(subscriber, now, saved=True)


async def _toggle_language(*, sessions: Sessions, chat_id: int, code: str, now: datetime) -> Reply:
    async with transaction(sessions) as session:
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
        if subscriber is None or not subscriber.active:
            return reply_with(texts.NOT_SUBSCRIBED)
        chosen = set(subscribers.subscriber_languages(subscriber)) or set(LANGUAGES)
        chosen ^= {code}
        # None chosen, or all of them, both mean "every language".
        languages = () if not chosen or chosen >= set(LANGUAGES) else tuple(sorted(chosen))
        subscriber = await subscribers.update_settings(
            session=session, chat_id=chat_id, now=now, languages=languages
        )
        return _menu(subscriber, now, saved=True)


async def _show(*, sessions: Sessions, chat_id: int, now: datetime) -> Reply:
    async with sessions() as session:
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
    if subscriber is None or not subscriber.active:
        return reply_with(texts.NOT_SUBSCRIBED)
    return _menu(subscriber, now, saved=False)


def _menu(subscriber: Subscriber, now: datetime, *, saved: bool) -> Reply:
    languages = subscribers.subscriber_languages(subscriber)
    shown_languages = ", ".join(sorted(languages)) if languages else "all"
    zone = subscriber.timezone
    if subscriber.schedule == "off" or subscriber.next_digest_at is None:
        next_line = "Scheduled digests are off."
    else:
        moment = subscriber.next_digest_at
        local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone_of(zone))
        next_line = f"Next digest: {local.day} {local.strftime('%b')} at {local:%H:%M}."
    schedule = SCHEDULE_LABELS.get(subscriber.schedule, subscriber.schedule).lower()
    template = (
        "*Your settings*" + (" · saved" if saved else "") + "\n"
        "Digest: {schedule} at {time} ({zone})\n"
        f"{next_line}\n"
        f"Languages of sources: {shown_languages}\n\n"
        f"{texts.USAGE_SETTINGS}"
    )
    return reply_with(
        template,
        choices=_keyboard(subscriber, languages),
        schedule=schedule,
        time=subscriber.digest_time,
        zone=zone,
    )


def _keyboard(subscriber: Subscriber, languages: frozenset[str]) -> tuple[tuple[Choice, ...], ...]:
    def mark(label: str, on: bool) -> str:
        return f"✓ {label}" if on else label

    schedule_row = tuple(
        Choice(mark(label, subscriber.schedule == value), buttons.setting("schedule", value))
        for value, label in SCHEDULE_LABELS.items()
    )
    time_row = tuple(
        Choice(mark(value, subscriber.digest_time == value), buttons.setting("time", value))
        for value in PRESET_TIMES
    )
    zone_buttons = [
        Choice(mark(label, subscriber.timezone == zone), buttons.setting("tz", zone))
        for label, zone in PRESET_ZONES
    ]
    language_row = tuple(
        Choice(mark(code, not languages or code in languages), buttons.setting("lang", code))
        for code in LANGUAGES
    )
    return (schedule_row, time_row, tuple(zone_buttons[:3]), tuple(zone_buttons[3:]), language_row)
