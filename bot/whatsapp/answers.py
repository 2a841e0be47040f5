"""What a WhatsApp reader's words answer: the same lookups, selections and composition as the
Telegram commands, said in the reader's language, as transport-neutral Messages.

Every answer takes the reader's chat id (bot.whatsapp.transport.chat_of) and language and returns
one `Message`; choices carry the same payloads as Telegram's buttons (bot/digest/buttons.py),
which the webhook reads back with the same parser. What means the same on both transports is
composed by bot/digest (answers, compose, words); this module passes WhatsApp's own words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.digest import buttons
from bot.digest.answers import (
    compose_actor_list,
    compose_actor_page,
    describe_window,
    digest_since,
    offer_actors,
)
from bot.digest.arguments import MAX_ARGUMENT, clean_name, echo, reader_zone
from bot.digest.compose import PAGE, compose_digest, format_time
from bot.digest.lookup import ActorLookup, actor_by_id, find_actor
from bot.digest.select import select_actor
from bot.model import Message, Paragraph
from bot.runtime import Runtime
from bot.whatsapp.texts import paragraphs, template
from bot.whatsapp.words import Command
from storage import stories as story_store
from storage import subscribers
from storage.db import transaction
from storage.schedule import zone_of
from storage.times import as_utc

__all__ = ["answer_command", "answer_pressed"]

ACTOR_WINDOW = timedelta(days=7)
MAX_CHOICES = 10  # a WhatsApp list holds ten rows


async def answer_command(
    runtime: Runtime, *, chat_id: int, command: Command, language: str,
    now: datetime | None = None,
) -> Message:
    """The answer to a reader's words."""
    now = now or datetime.now(UTC)
    verb, argument = command.verb, command.argument
    if verb == "start":
        return await _start(runtime, chat_id=chat_id, language=language, now=now)
    if verb == "stop":
        return await _stop(runtime, chat_id=chat_id, language=language, now=now)
    if verb == "help":
        return _reply(paragraphs("help", language), now=now)
    if verb == "digest":
        return await _digest(runtime, chat_id=chat_id, argument=argument, language=language,
                             now=now)
    if verb == "actors":
        return await _actors(runtime, language=language, now=now)
    if verb in ("actor", "follow", "unfollow"):
        return await _named(runtime, chat_id=chat_id, verb=verb, argument=argument,
                            language=language, now=now)
    return _reply(paragraphs("unknown", language), paragraphs("help", language), now=now)


async def answer_pressed(
    runtime: Runtime, *, chat_id: int, pressed: buttons.Pressed, language: str,
    now: datetime | None = None,
) -> Message:
    """The answer to a pressed button or a picked list row (or a template's quick reply)."""
    now = now or datetime.now(UTC)
    if isinstance(pressed, buttons.DigestMore):
        return await _digest_page(runtime, chat_id=chat_id, since=pressed.since,
                                  until=pressed.until, offset=pressed.offset, language=language,
                                  now=now)
    if isinstance(pressed, buttons.ActorMore):
        return await _actor_page(runtime, chat_id=chat_id, actor_id=pressed.actor_id,
                                 offset=pressed.offset, language=language, now=now)
    if isinstance(pressed, buttons.FollowChoice):
        verb = "follow" if pressed.follow else "unfollow"
        return await _act(runtime, chat_id=chat_id, verb=verb, actor_id=pressed.actor_id,
                          language=language, now=now)
    return _reply(paragraphs("help", language), now=now)


async def _start(runtime: Runtime, *, chat_id: int, language: str, now: datetime) -> Message:
    async with transaction(runtime.sessions) as session:
        subscriber = await subscribers.subscribe(
            session=session, chat_id=chat_id, timezone=runtime.settings.timezone, now=now,
            transport="whatsapp", language=language,
        )
    tz = zone_of(subscriber.timezone)
    if subscriber.next_digest_at is None:
        when = paragraphs("off", language)
    else:
        local = as_utc(subscriber.next_digest_at).astimezone(tz)
        when = paragraphs("next", language, day=f"{local:%d/%m}", clock=f"{local:%H:%M}",
                          zone=subscriber.timezone)
    return _reply(paragraphs("welcome", language), when, paragraphs("help", language),
                  paragraphs("how_to_stop", language), now=now)


async def _stop(runtime: Runtime, *, chat_id: int, language: str, now: datetime) -> Message:
    async with transaction(runtime.sessions) as session:
        was_active = await subscribers.unsubscribe(session=session, chat_id=chat_id)
    return _reply(paragraphs("stopped" if was_active else "not_subscribed", language), now=now)


async def _digest(runtime: Runtime, *, chat_id: int, argument: str, language: str,
                  now: datetime) -> Message:
    since = await digest_since(runtime.sessions, chat_id=chat_id, argument=argument, now=now)
    if since is None:
        return _reply(paragraphs("bad_window", language, window=echo(argument)), now=now)
    return await _digest_page(runtime, chat_id=chat_id, since=since, until=now, offset=0,
                              language=language, now=now)


async def _digest_page(runtime: Runtime, *, chat_id: int, since: datetime, until: datetime,
                       offset: int, language: str, now: datetime) -> Message:
    label = describe_window(until - since)
    async with runtime.sessions() as session:
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
        tz = _zone(runtime, subscriber.timezone if subscriber else None)
        digest = await compose_digest(
            session=session, since=since, until=until, offset=offset, tz=tz, now=now,
            heading=f"Venezuela — {label}" + (" (…)" if offset else ""), language=language,
            languages=subscribers.subscriber_languages(subscriber) if subscriber else frozenset(),
        )
    if digest.message is None:
        last = digest.page.last_item_at
        if last is None:
            return _reply(paragraphs("empty_never", language, window=label), now=now)
        when = format_time(last, tz=tz, now=now, language=language)
        return _reply(paragraphs("empty", language, window=label, when=when), now=now)
    more = buttons.digest_more_button(digest, language=language)
    return replace(digest.message, choices=((more,),) if more else ())


async def _actor_page(runtime: Runtime, *, chat_id: int, actor_id: str, offset: int,
                      language: str, now: datetime) -> Message:
    actor = actor_by_id(runtime.catalog.actors, actor_id)
    if actor is None:
        return _reply(paragraphs("unknown_name", language, name=echo(actor_id)), now=now)
    async with runtime.sessions() as session:
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
        page = await select_actor(session=session, actor_id=actor.id, limit=PAGE, offset=offset)
    tz = _zone(runtime, subscriber.timezone if subscriber else None)
    if not page.stories:
        return _reply(paragraphs("no_actor_stories", language, name=actor.name, id=actor.id), now=now)
    return compose_actor_page(
        actor, page, offset=offset, tz=tz, now=now, later_heading=f"{actor.name} (…)",
        first_heading=template("actor_heading", language), language=language,
        more=lambda left, next_offset: buttons.more_button(
            left, buttons.actor_page(actor.id, next_offset), language=language
        ),
    )


async def _actors(runtime: Runtime, *, language: str, now: datetime) -> Message:
    async with runtime.sessions() as session:
        counts = await story_store.actor_story_counts(session=session, since=now - ACTOR_WINDOW)
    listed = compose_actor_list(runtime.catalog.actors, counts,
                                heading=template("actors", language), command="actor {id}")
    if listed is None:
        return _reply(paragraphs("no_actors", language), now=now)
    return replace(listed, now=now)


async def _named(runtime: Runtime, *, chat_id: int, verb: str, argument: str, language: str,
                 now: datetime) -> Message:
    name = clean_name(argument)
    if not name:
        if verb == "actor":
            return _reply(paragraphs("name_needed", language, verb=_word(verb, language)), now=now)
        return await _follows(runtime, chat_id=chat_id, language=language, now=now)
    if len(name) > MAX_ARGUMENT:
        return _reply(paragraphs("too_long", language, n=len(name), limit=MAX_ARGUMENT), now=now)
    lookup = find_actor(runtime.catalog.actors, name)
    if lookup.actor is None:
        return _not_one(name, lookup, verb=verb, language=language, now=now)
    if verb == "actor":
        return await _actor_page(runtime, chat_id=chat_id, actor_id=lookup.actor.id, offset=0,
                                 language=language, now=now)
    return await _act(runtime, chat_id=chat_id, verb=verb, actor_id=lookup.actor.id,
                      language=language, now=now)


async def _act(runtime: Runtime, *, chat_id: int, verb: str, actor_id: str, language: str,
               now: datetime) -> Message:
    actor = actor_by_id(runtime.catalog.actors, actor_id)
    if actor is None:
        return _reply(paragraphs("unknown_name", language, name=echo(actor_id)), now=now)
    async with transaction(runtime.sessions) as session:
        if verb == "follow":
            changed = await subscribers.follow(session=session, chat_id=chat_id,
                                               actor_id=actor.id)
        else:
            changed = await subscribers.unfollow(session=session, chat_id=chat_id,
                                                 actor_id=actor.id)
        subscriber = await subscribers.get_subscriber(session=session, chat_id=chat_id)
    if verb == "unfollow":
        return _reply(paragraphs("unfollowed" if changed else "not_following", language,
                                 name=actor.name), now=now)
    said = paragraphs("following" if changed else "already_following", language,
                      name=actor.name, cap=runtime.settings.alerts_per_hour)
    if subscriber is None or not subscriber.active:
        said += paragraphs("subscribe_first", language)
    return _reply(said, now=now)


async def _follows(runtime: Runtime, *, chat_id: int, language: str, now: datetime) -> Message:
    async with runtime.sessions() as session:
        actor_ids = await subscribers.list_follows(session=session, chat_id=chat_id)
    if not actor_ids:
        return _reply(paragraphs("follows_none", language), now=now)
    names = [actor.name if (actor := actor_by_id(runtime.catalog.actors, a)) else a for a in actor_ids]
    return _reply(paragraphs("follows", language, names=", ".join(names)), now=now)


def _not_one(name: str, lookup: ActorLookup, *, verb: str, language: str,
             now: datetime) -> Message:
    """Several actors fit: a list to choose from; none: the closest names, or the short help."""
    candidates = lookup.choices or lookup.suggestions
    if not candidates:
        return _reply(paragraphs("unknown_name", language, name=echo(name)), now=now)
    key = "ambiguous" if lookup.choices else "closest"
    choices = offer_actors(candidates, _CHOICE[verb], limit=MAX_CHOICES)
    return Message(blocks=paragraphs(key, language, name=echo(name)), choices=choices, now=now)


_CHOICE: dict[str, Callable[[str], str]] = {  # what picking an actor does, by the verb asked
    "actor": lambda actor_id: buttons.actor_page(actor_id, 0),
    "follow": buttons.follow_choice,
    "unfollow": buttons.unfollow_choice,
}


def _word(verb: str, language: str) -> str:
    """The word for `verb` in the reader's language, for examples ("acteur maduro")."""
    return "acteur" if verb == "actor" and language == "fr" else verb


def _reply(*parts: tuple[Paragraph, ...], now: datetime) -> Message:
    """Our own words, a blank line between parts."""
    blank = (Paragraph.of(""),)
    blocks: tuple[Paragraph, ...] = ()
    for part in parts:
        blocks += (blank + part) if blocks else part
    return Message(blocks=blocks, now=now)


def _zone(runtime: Runtime, name: str | None) -> ZoneInfo:
    return reader_zone(name, default=runtime.settings.timezone)
